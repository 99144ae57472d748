"""Following a measure (issue 14): what changed, which measures a story moves, the folded
card and the update message, and how both render within each platform's limits with the
article's text escaped."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from bot.chat.console import ConsoleSink
from bot.core.alert import alert_message
from bot.core.follow import (
    ALSO,
    MAX_COPIES,
    folded,
    measure_changes,
    outlet,
    update_message,
    what_changed,
    when,
)
from bot.core.message import Message
from bot.domain import Analysis, Article, Status, TariffChange, TradeVerdict
from bot.render.discord_embeds import render_embeds
from bot.render.slack_blocks import render
from bot.store.ledger import LedgerRow
from tests.chat.slack_helpers import assert_within_slack_limits, pings_or_links
from tests.render.test_discord_embeds import displayed, within_limits

SEEN = datetime(2025, 9, 1, tzinfo=UTC)
HOSTILE = "<!channel> @everyone <https://evil.example|click> <@U0123> **bold** [x](https://evil)"


def change(status: Status = "announced", rate: float | None = 25, effective: str | None = "2025-10-01",
           old: float | None = None, value: int | None = 18_000_000_000) -> TariffChange:
    return TariffChange("United States", "Vietnam", "furniture", value, old, rate, effective, status, "e")


def row(aid: str, day: date, c: TariffChange) -> LedgerRow:
    return LedgerRow(aid, f"story {aid}", day, SEEN, 0, c)


HISTORY = [row("announce", date(2025, 9, 2), change()),
           row("copy", date(2025, 9, 2), change()),
           row("delay", date(2025, 9, 24), change("delayed", effective="2025-10-15")),
           row("force", date(2025, 10, 15), change("in_effect", effective=None)),
           row("raise", date(2025, 11, 1), change("in_effect", rate=30, old=25, effective=None)),
           row("lift", date(2025, 12, 1), change("removed", rate=0, old=30, effective="2025-12-01"))]


def test_what_changed_at_each_step_says_it_in_a_few_words() -> None:
    said = {}
    for r in HISTORY:
        moves = measure_changes(HISTORY, r.article_id)
        said[r.article_id] = [what_changed(before, after) for before, after in moves]
    assert said["announce"] == []  # the first report changes nothing: it is the alert
    assert said["copy"] == [[]]  # the same figures again: nothing to say
    assert said["delay"] == [["announced → delayed", "effective Oct 1 2025 → Oct 15 2025"]]
    assert said["force"] == [["delayed → in effect"]]
    # the ledger keeps a rise apart as a measure of its own; for the channel it is news of the 25 %
    assert said["raise"] == [["25% → 30%"]]
    assert said["lift"] == [["in effect → removed", "30% → 0%", "effective Dec 1 2025"]]


def test_the_answer_does_not_change_when_later_stories_arrive() -> None:
    early = measure_changes(HISTORY[:3], "delay")
    late = measure_changes(HISTORY, "delay")
    assert [(b.status, a.status, a.effective) for b, a in early] == [(b.status, a.status, a.effective) for b, a in late]
    assert measure_changes(HISTORY, "not-there") == []


def test_dates_read_as_people_write_them() -> None:
    assert when("2025-10-01") == "Oct 1 2025"
    assert when("2025-10") == "Oct 2025"
    assert when("soon") == "soon" and when(None) == "?" and when("2025-13-01") == "2025-13-01"


def _alert() -> Analysis:
    return Analysis(Article("announce", HOSTILE, "body", date(2025, 9, 2), url="https://news.example/a"),
                    TradeVerdict(True, 0.9, ("tariffs",)), tariff_changes=(change(),), summary=HOSTILE)


def _copies(n: int) -> list[Article]:
    return [Article(f"copy-{i}", HOSTILE * 3, "b", url=f"https://www.outlet{i}.example/story?id={i}")
            for i in range(n)]


def test_the_folded_card_lists_the_copies_and_keeps_the_alert_key() -> None:
    first = alert_message(_alert())
    m = folded(first, [*_copies(2), Article("c3", "Copy three", "b", source="/news/wire-copy.txt")])
    assert m.key == first.key == m.edit_of == "announce"
    also = m.sections[-1]
    assert also.title == ALSO
    assert also.items[0].startswith("outlet0.example: ") and also.items[2] == "wire-copy.txt: Copy three"
    assert m.extra["also"] == "outlet0.example, outlet1.example, wire-copy.txt"
    many = folded(first, _copies(MAX_COPIES + 5))
    assert len(many.sections[-1].items) == MAX_COPIES + 1 and many.sections[-1].items[-1] == "and 5 more"
    assert outlet(Article("x", "t", "b")) == "x"


def _update() -> tuple[str, Message]:
    before, after = measure_changes(HISTORY, "delay")[0]
    story = Article("delay", HOSTILE * 40, HOSTILE, date(2025, 9, 24), url="https://news.example/delay")
    return "update:delay:" + after.id, update_message("update:delay:" + after.id, story, before, after,
                                                       ("announce", "copy"))


def test_updates_and_folded_cards_fit_slack_and_escape_the_article() -> None:
    key, m = _update()
    assert m.thread_of == ("announce", "copy") and m.key == key
    assert m.title.startswith("Update m-") and "announced → delayed" in m.title
    for message in (m, folded(alert_message(_alert()), _copies(MAX_COPIES + 3))):
        r = render(message)
        payload = {"blocks": list(r.blocks), "text": r.text}
        assert_within_slack_limits(payload)
        assert pings_or_links(payload, allowed_link=message.url) == []


def test_updates_and_folded_cards_fit_discord_and_escape_the_article() -> None:
    _, m = _update()
    for message in (m, folded(alert_message(_alert()), _copies(MAX_COPIES + 3))):
        sent = within_limits(render_embeds(message))
        shown = displayed(sent)
        assert "@everyone" not in shown.replace("@\u200beveryone", "")
        assert f"id: {message.key}" in shown
    assert "announced → delayed" in displayed(within_limits(render_embeds(m)))


async def test_the_console_shows_an_edit_as_a_line_and_an_update_indented_under_its_alert(tmp_path: Path) -> None:
    out = io.StringIO()
    sink = ConsoleSink(tmp_path, out)
    first = alert_message(_alert())
    ref = await sink.post("default", first)
    await sink.edit("default", str(ref), folded(first, _copies(1)))
    key, m = _update()
    assert await sink.post("default", m, thread=ref) == key
    text = out.getvalue()
    assert "✎ alert announce updated: also reported by outlet0.example" in text
    reply = text[text.index("↳ in reply to alert announce"):]
    assert all(line.startswith("    │") for line in reply.strip().splitlines()[1:])
    assert await sink.find("default", key) == key  # the reply is in the log: not posted twice
