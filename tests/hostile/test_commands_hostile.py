"""Hostile use of the commands (issue 12, points 11-17): what a curious or careless user types,
and stores that are not there. Each test drives the real path: the CLI's `main`, the command
layer on a real store, slack-bolt against the fake Slack, PostgreSQL, subprocesses on a pipe
or a terminal.
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import json
import logging
import os
import pty
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.chat.slack import SlackConnector
from bot.cli import main
from bot.config import ConfigError, Settings, SlackSettings, load_settings
from bot.core.commands import Commands, Context
from bot.core.connector import Runtime
from bot.core.source import Discovered, FileState
from bot.domain import Analysis, Article, TariffChange, TradeVerdict
from bot.render.text import render_text
from bot.sources.folder import FolderSource
from bot.store import SqlStore
from bot.store.fingerprint import fingerprint
from tests.chat.fake_slack import FakeSlack
from tests.chat.slack_helpers import ENV_HTTP, send_slash
from tests.conftest import EXAMPLES, ROOT
from tests.pg import POSTGRES_URL, drop_schema, postgres_schema
from tests.training.test_train import generated, write_jsonl

CTX = Context(channel="console:desk", user="tester")
PYTHON = sys.executable


async def _no_analysis(article: Article) -> Analysis:
    raise AssertionError("no article is analysed here")


def _analysis(aid: str, tags: tuple[str, ...] = ("tariffs",)) -> Analysis:
    art = Article(aid, f"Story {aid}", f"Body of {aid}: Ruritania raises duties on steel.")
    change = TariffChange("US", "China", "steel", None, 25, 35, None, "announced", "duties on steel")
    return Analysis(art, TradeVerdict(True, 0.9, tags, ("duties on steel",)), tariff_changes=(change,))


async def _stored(store: SqlStore, a: Analysis, channels: list[str]) -> None:
    await store.add_article(a.article, fingerprint(a.article.title, a.article.body))
    await store.save_analysis_and_enqueue(a, channels)


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(f'[store]\ndata_dir = "{(tmp_path / "data").as_posix()}"\n{extra}', encoding="utf-8")
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once it is closed


# ---------------------------------------------------------------- 11: who may change the bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    yield f
    await f.close()


async def _slack(fake: FakeSlack, store: SqlStore) -> SlackConnector:
    async def ingest(article: Article, priority: int) -> Analysis | None:
        return None

    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    c = SlackConnector(SlackSettings(enabled=True, mode="auto", host="127.0.0.1", port=0, api_url=fake.api_url),
                       env=ENV_HTTP)
    await c.start(Runtime(Settings(), store, Commands(store, _no_analysis), AsyncIOScheduler(), ingest,
                          lambda: None, ingest_file))
    return c


async def test_slack_feeds_need_a_manager_or_a_workspace_admin_with_no_managers_listed(
        fake: FakeSlack, store: SqlStore) -> None:
    fake.admins = {"UADMIN"}
    c = await _slack(fake, store)
    assert c.address is not None
    try:
        feed = "https://93.184.216.34/feed.xml"  # never fetched: adding only stores it
        await send_slash(c.address, "/tradewatch", f"feeds add {feed}", fake.response_url("a"), user="U1")
        await fake.wait_for(lambda: len(fake.responses) == 1)
        refused = json.dumps(fake.responses[0])
        assert fake.responses[0]["response_type"] == "ephemeral" and "workspace admin" in refused
        assert await store.feeds() == []
        await send_slash(c.address, "/tradewatch", "subscribe", fake.response_url("b"), user="U1")
        await fake.wait_for(lambda: len(fake.responses) == 2)
        assert [s.channel for s in await store.subscriptions()] == ["slack:C1"]  # a channel: anyone
        await send_slash(c.address, "/tradewatch", f"feeds add {feed}", fake.response_url("c"), user="UADMIN")
        await fake.wait_for(lambda: len(fake.responses) == 3)
        assert [f.url for f in await store.feeds()] == [feed]
        assert [a["user"] for a in fake.called("users.info")] == ["U1", "UADMIN"]
        await send_slash(c.address, "/tradewatch", "subscribe --help", fake.response_url("d"), user="U2")
        await fake.wait_for(lambda: len(fake.responses) == 4)
        assert fake.responses[3]["response_type"] == "ephemeral" and "Help: subscribe" in json.dumps(fake.responses[3])
    finally:
        await c.stop()


async def test_slack_without_users_read_only_listed_managers_change_feeds(
        fake: FakeSlack, store: SqlStore, caplog: pytest.LogCaptureFixture) -> None:
    fake.owners = {"UOWNER"}
    fake.queue("users.info", error="missing_scope")  # an app installed before users:read
    c = await _slack(fake, store)
    assert c.address is not None
    try:
        await send_slash(c.address, "/tradewatch", "feeds add https://93.184.216.34/f.xml", fake.response_url("a"),
                         user="UOWNER")
        await fake.wait_for(lambda: fake.responses)
        assert "workspace admin" in json.dumps(fake.responses[0]) and await store.feeds() == []
        assert any("users:read" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    finally:
        await c.stop()


# ---------------------------------------------------------------- 12: help never acts


async def test_chat_help_answers_and_never_acts(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    await c.execute(CTX, "subscribe tags:tariffs")
    for line in ("subscribe --help", "unsubscribe --help", "unsubscribe -h", "help unsubscribe",
                 "tariffs china --help", "summary --help", "why -h", "subscriptions --help", "feeds add --help",
                 "unsubscribe help"):
        m = await c.execute(CTX, line)
        name = line.split()[1] if line.startswith("help ") else line.split()[0]
        assert m.kind == "reply" and m.ephemeral and m.title == f"Help: {name}", (line, m)
    [sub] = await store.subscriptions("console:desk")
    assert sub.tags == ("tariffs",)
    detail = render_text(await c.execute(CTX, "help subscribe"))
    assert "min-score" in detail and "tariffs-only" in detail and "example:" in detail
    assert "`help COMMAND`" in render_text(await c.execute(CTX, "help"))
    m = await c.execute(CTX, "unsubscribe now")
    assert m.kind == "error" and "takes nothing more" in m.text
    assert await store.subscriptions("console:desk") != []


@pytest.mark.parametrize("command", ["unsubscribe", "subscribe", "tariffs", "summary", "why", "subscriptions"])
def test_cli_help_shows_usage_and_never_acts(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["subscribe", "tags:tariffs", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main([command, "--help", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: tradewatch {command}") and "--channel CHANNEL" in out
    assert main(["subscriptions", "--config", str(config)]) == 0
    assert "tags: tariffs" in capsys.readouterr().out  # still subscribed, as it was


@pytest.mark.parametrize("argv", [["analyze", "--help"], ["train", "--help"], ["run", "--help"], ["feeds", "--help"],
                                  ["feeds", "add", "--help"], ["discord", "--help"], ["slack", "--help"], ["--help"]])
def test_every_other_cli_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0 and capsys.readouterr().out.startswith("usage: tradewatch")


# ---------------------------------------------------------------- 13: why reads the deliveries


async def test_why_answers_from_what_was_delivered_not_from_todays_filters(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    await _stored(store, _analysis("sent-one"), ["console:desk"])
    [claimed] = await store.claim()
    await store.mark_sent(claimed.alert_id, claimed.channel, "ref-1")
    await _stored(store, _analysis("never-queued"), [])
    await c.execute(CTX, "subscribe tags:disputes")  # today it would not send sent-one
    posted = await c.execute(CTX, "why sent-one")
    assert posted.text.startswith("trade policy, score 0.90. Posted to this channel"), posted.text
    assert "filters today would not send it" in posted.text
    await c.execute(CTX, "subscribe")  # today it would send never-queued
    missed = await c.execute(CTX, "why never-queued")
    assert "Not posted to this channel: no alert was queued for it" in missed.text, missed.text


async def test_why_tells_a_failed_and_a_queued_delivery(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    await c.execute(CTX, "subscribe")
    await _stored(store, _analysis("failing"), ["console:desk"])
    [d] = await store.claim()
    await store.mark_failed(d.alert_id, d.channel, "channel_not_found", retry=False, max_attempts=5)
    failed = await c.execute(CTX, "why failing")
    assert "failed after 1 attempt(s) (channel_not_found)" in failed.text
    await _stored(store, _analysis("waiting"), ["console:desk"])
    assert "Queued for this channel, not posted yet" in (await c.execute(CTX, "why waiting")).text


# ---------------------------------------------------------------- 14: unknown channels and countries


@pytest.mark.parametrize("channel", ["foo", "slack:general", "discord:abc", "console:", "irc:#trade"])
def test_cli_refuses_a_channel_that_is_not_one(channel: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "tags:tariffs", "--channel", channel, "--config", str(_config(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "is not a channel" in err and "console:NAME" in err and "slack:C" in err and "discord:" in err
    assert not (tmp_path / "data").exists()  # nothing was created


def test_the_configuration_refuses_unknown_channels_and_countries(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a channel"):
        load_settings(_config(tmp_path, '[[subscriptions]]\nchannel = "trade-desk"\n'))
    with pytest.raises(ConfigError, match="unknown country 'narnia'"):
        load_settings(_config(tmp_path, '[[subscriptions]]\nchannel = "console:x"\ncountries = ["narnia"]\n'))


async def test_unknown_countries_are_refused_with_a_hint(store: SqlStore) -> None:
    c = Commands(store, _no_analysis)
    m = await c.execute(CTX, "subscribe countries:china,narnia")
    assert m.kind == "error" and "unknown country 'narnia'" in m.text
    assert await store.subscriptions() == []
    m = await c.execute(CTX, "subscribe countries:chna")
    assert m.kind == "error" and "did you mean China" in m.text
    m = await c.execute(CTX, "tariffs narnia")
    assert m.kind == "error" and "unknown country 'narnia'" in m.text
    m = await c.execute(CTX, "tariffs germny")
    assert "did you mean Germany" in m.text
    ok = await c.execute(CTX, 'subscribe "countries:united states,japanese"')
    assert ok.kind == "reply" and "countries: US, Japan" in ok.text


# ---------------------------------------------------------------- 15: stores that are not there


@pytest.mark.parametrize("argv", [["tariffs"], ["subscribe", "tags:tariffs"], ["feeds", "list"]])
def test_a_closed_database_port_is_one_line_naming_the_setting(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRADEWATCH_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{_closed_port()}/test")
    assert main([*argv, "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "TRADEWATCH_DATABASE_URL" in err and "connection refused" in err and "Traceback" not in err


def test_run_on_a_closed_database_port_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRADEWATCH_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{_closed_port()}/test")
    assert main(["run", "--config", str(_config(tmp_path))]) == 1
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("tradewatch run:")]
    assert len(lines) == 1 and "TRADEWATCH_DATABASE_URL" in lines[0] and "connection refused" in lines[0]


@pytest.mark.postgres
def test_a_missing_postgres_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    schema = asyncio.run(postgres_schema())  # skips when PostgreSQL is unreachable
    asyncio.run(drop_schema(schema))
    monkeypatch.setenv("TRADEWATCH_DATABASE_URL", POSTGRES_URL.rsplit("/", 1)[0] + "/tw_no_such_database")
    assert main(["why", "x", "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'database "tw_no_such_database" does not exist' in err


@pytest.fixture
def pg_schema() -> Iterator[str]:
    schema = asyncio.run(postgres_schema())
    yield schema
    asyncio.run(drop_schema(schema))


async def _tables(schema: str) -> list[str]:
    conn = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
        return [r["table_name"] for r in rows]
    finally:
        await conn.close()


READ_ONLY = [["tariffs"], ["tariffs", "china"], ["summary", "latest"], ["why", "x"], ["subscriptions"],
             ["subscriptions", "all"], ["feeds", "list"], ["unsubscribe", "--help"]]


@pytest.mark.postgres
def test_read_only_commands_create_nothing_in_postgresql(pg_schema: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRADEWATCH_DATABASE_URL", POSTGRES_URL)
    config = _config(tmp_path, f'pg_schema = "{pg_schema}"\n')
    for argv in READ_ONLY:
        main([*argv, "--config", str(config)])
        shown = capsys.readouterr()
        assert "Traceback" not in shown.err, argv
        if argv[-1] != "--help":
            assert "has not been set up" in shown.out + shown.err, argv
    assert asyncio.run(_tables(pg_schema)) == []
    assert main(["subscribe", "--config", str(config)]) == 0  # a change sets the store up
    assert "subscriptions" in asyncio.run(_tables(pg_schema))


def test_read_only_commands_create_nothing_in_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    for argv in READ_ONLY:
        main([*argv, "--config", str(config)])
        assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------- 16: a watched folder that is not there


class _NoState(FileState):
    async def file_signature(self, path: str | Path) -> str | None:
        return None

    async def set_file_signature(self, path: str | Path, signature: str) -> None:
        return None


async def test_a_missing_folder_is_one_warning_naming_the_setting(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    gone = tmp_path / "nonexistent" / "folder"
    source = FolderSource([gone], _NoState())
    assert await source.scan() == []
    assert [b async for b in source.watch(asyncio.Event())] == []
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 1 and str(gone) in loud[0] and "folders.path" in loud[0] and "not watched" in loud[0]


@pytest.mark.slow
def test_run_with_a_missing_folder_does_not_claim_to_watch_it(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[folders]]\npath = "/nonexistent/folder"\n[feeds]\nenabled = false\n')
    proc = subprocess.Popen([PYTHON, "-m", "bot", "run", "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "TradeWatch is running" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    text = "".join(lines)
    assert "TradeWatch is running" in text, text
    assert "Watching: /nonexistent/folder" not in text and "nothing to watch" not in text
    assert "not watched, missing: /nonexistent/folder" in text
    assert sum("/nonexistent/folder" in ln and "WARNING" in ln for ln in lines) == 1


# ---------------------------------------------------------------- 17: progress where stderr goes


def test_progress_off_a_terminal_is_plain_periodic_lines() -> None:
    from bot.progress import Progress

    now = [0.0]
    out = io.StringIO()
    with Progress(60, "fitting", "fits", stream=out, every=10, clock=lambda: now[0]) as progress:
        for _ in range(60):
            now[0] += 0.5
            progress.update()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "fitting: 20/60 fits (33%), 2.0 a second, about 20 s left"
    assert lines[1] == "fitting: 40/60 fits (66%), 2.0 a second, about 10 s left"
    assert lines[-1] == "fitting: done, 60 fits in 30 s"
    quick = io.StringIO()
    with Progress(3, "fitting", "fits", stream=quick) as progress:
        progress.update(3)
    assert quick.getvalue() == ""  # too quick to report: nothing
    silent = io.StringIO()
    with Progress(60, "fitting", "fits", stream=silent, enabled=False, every=0) as progress:
        progress.update(60)
    assert silent.getvalue() == ""


@pytest.mark.slow
def test_train_writes_no_progress_bars_into_a_pipe(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "labelled.jsonl", generated(12, 12))
    done = subprocess.run([PYTHON, "-m", "bot", "train", str(data), "-o", str(tmp_path / "m.json"), "--folds", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "0/" not in done.stderr, done.stderr


@pytest.mark.slow
def test_analyze_on_a_terminal_shows_the_total_and_the_time_left(tmp_path: Path) -> None:
    files = sorted(EXAMPLES.glob("*.txt"))[:4]
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen([PYTHON, "-m", "bot", "analyze", "--format", "jsonl", *map(str, files)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=child_fd)
    os.close(child_fd)
    seen = b""
    try:
        while True:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:  # the terminal's other end closed: the process is done
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(main_fd)
        assert proc.wait(timeout=600) == 0
    shown = seen.decode(errors="replace")
    assert f"/{len(files)}" in shown and "<" in shown, shown  # "2/4 [00:01<00:01, ...]"
