"""The console channel: "posted" means shown on the terminal (issue 12, point 5).

The log file records what was shown, so an alert the terminal never got is never taken
for posted: after a kill during the terminal write, the restart posts it again.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat.console import ConsoleSink
from bot.core.alert import alert_message
from bot.core.message import Message
from bot.domain import Analysis, Article, TradeVerdict
from bot.service.dispatch import Dispatcher
from bot.store import SqlStore, open_store
from bot.store.fingerprint import fingerprint

ANALYSIS = Analysis(Article("steel-duty", "Freedonia raises steel duty",
                            "Freedonia raised its duty on steel wire to 20 percent on Monday."),
                    TradeVerdict(True, 0.9, ("tariffs",)))


class Killed(BaseException):
    """The process dies here: nothing catches it."""


class DyingTerminal(io.StringIO):
    """A terminal the process is killed while writing to: the card never shows."""

    def write(self, s: str) -> int:
        raise Killed("kill -9 during the console write")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    s = open_store(None, tmp_path)
    await s.migrate()
    await s.add_article(ANALYSIS.article, fingerprint(ANALYSIS.article.title, ANALYSIS.article.body))
    await s.save_analysis_and_enqueue(ANALYSIS, ["console:default"])
    yield s
    await s.close()


def _dispatcher(store: SqlStore, sink: ConsoleSink) -> Dispatcher:
    async def message_for(alert_id: str, channel: str = "") -> Message | None:
        a = await store.get_analysis(alert_id)
        return alert_message(a) if a else None

    return Dispatcher(store, {"console": sink}, message_for)


async def test_a_posted_card_is_on_the_terminal_and_in_the_log(tmp_path: Path) -> None:
    out = io.StringIO()
    sink = ConsoleSink(tmp_path, stream=out)
    assert await sink.post("default", alert_message(ANALYSIS)) == "steel-duty"
    assert "Freedonia raises steel duty" in out.getvalue()
    assert "Freedonia raises steel duty" in sink.log_path("default").read_text("utf-8")
    assert await sink.find("default", "steel-duty") == "steel-duty"


async def test_a_card_the_terminal_never_got_is_not_taken_for_posted(tmp_path: Path) -> None:
    sink = ConsoleSink(tmp_path, stream=DyingTerminal())
    with pytest.raises(Killed):
        await sink.post("default", alert_message(ANALYSIS))
    assert await sink.find("default", "steel-duty") is None


async def test_after_a_kill_during_the_console_write_the_restart_shows_the_card(
        tmp_path: Path, store: SqlStore) -> None:
    with pytest.raises(Killed):
        await _dispatcher(store, ConsoleSink(tmp_path, stream=DyingTerminal())).drain()
    assert [d.state for d in await store.deliveries()] == ["sending"]

    out = io.StringIO()
    restarted = _dispatcher(store, ConsoleSink(tmp_path, stream=out))
    assert await restarted.reconcile() == 1
    await restarted.drain()
    assert out.getvalue().count("Freedonia raises steel duty") == 1
    assert [d.state for d in await store.deliveries()] == ["sent"]
    log = ConsoleSink(tmp_path).log_path("default").read_text("utf-8")
    assert log.count("## alert steel-duty") == 1
