"""The chat commands on the command line, against the bot's store.

`tradewatch tariffs china`, `tradewatch summary latest`, `tradewatch subscribe tags:tariffs`,
`tradewatch subscriptions`, `tradewatch unsubscribe`, `tradewatch why ID`: the same command
layer the chat services call, answering in the console channel (or `--channel`).

`--help` anywhere shows the command's help and does nothing else. Commands that only read
create nothing: on a store that was never set up they say so. A store that cannot be reached
is one line naming the setting it came from.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.core.commands import HELP, changes_something, wants_help
from bot.core.message import Message, Section
from bot.domain import Analysis, Article, Delivery, Feed, Subscription
from bot.places import CHANNEL_FORMS, UnknownPlace, check_channel
from bot.render.text import render_text
from bot.store import LedgerEntry, StoreUnavailable

OPTIONS = (
    ("--channel CHANNEL", f"the channel to act for: {CHANNEL_FORMS} (default: console.channel)"),
    ("--config FILE", "the bot's configuration file (where its store is)"),
)
FILE_OPTIONS = {"tariffs": (("--chart FILE.png", "write the step chart of the measures' rates to FILE.png"),
                            ("--csv FILE", "write the ledger's rows to FILE as CSV"))}
"""Options that write the answer's attachment to a file: option -> the command-layer word."""
FILE_WORDS = {"--chart": "chart", "--csv": "csv"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="the command's arguments; also --config FILE (the bot's configuration) "
                             "and --channel ID (default: the console channel)")


def usage(command: str) -> str:
    """`tradewatch COMMAND --help`: the command's own help and the CLI's options."""
    h = HELP[command]
    lines = [f"usage: tradewatch {h.usage} [--channel CHANNEL] [--config FILE]", "",
             f"{h.about[:1].upper()}{h.about[1:]}.", ""]
    lines += [f"  {d}" for d in h.details] + ([""] if h.details else [])
    options = (*FILE_OPTIONS.get(command, ()), *OPTIONS)
    lines += ["options:"] + [f"  {name:<18} {text}" for name, text in options]
    return "\n".join(lines)


def take_option(words: list[str], name: str) -> str | None:
    """Remove `--name VALUE` / `--name=VALUE` from words; return VALUE."""
    for i, w in enumerate(words):
        if w == name and i + 1 < len(words):
            value = words[i + 1]
            del words[i : i + 2]
            return value
        if w.startswith(name + "="):
            del words[i]
            return w.split("=", 1)[1]
    return None


class NothingStored:
    """The store of a bot that never ran: nothing in it, and nothing written to it."""

    async def subscribe(self, sub: Subscription) -> None:
        raise RuntimeError("read-only")

    async def unsubscribe(self, channel: str) -> bool:
        raise RuntimeError("read-only")

    async def subscriptions(self, channel: str | None = None) -> list[Subscription]:
        return []

    async def ledger(self, country: str | None = None, since: date | None = None,
                     status: str | None = None) -> list[LedgerEntry]:  # fmt: skip
        return []

    async def measure_ids(self, article_id: str) -> dict[int, str]:
        return {}

    async def get_analysis(self, article_id: str) -> Analysis | None:
        return None

    async def latest_analysis(self, trade_only: bool = True) -> Analysis | None:
        return None

    async def find_by_source(self, source: str) -> Analysis | None:
        return None

    async def add_feed(self, url: str, every_seconds: float, *, backfill: bool = False,
                       added_by: str | None = None) -> tuple[Feed, bool]:  # fmt: skip
        raise RuntimeError("read-only")

    async def remove_feed(self, url: str) -> bool:
        raise RuntimeError("read-only")

    async def feeds(self) -> list[Feed]:
        return []

    async def deliveries(self, alert_id: str | None = None, channel: str | None = None) -> list[Delivery]:
        return []

    async def digests_with(self, alert_id: str, channel: str) -> list[Delivery]:
        return []


async def execute(config: Path | None, channel: str | None, line: str) -> Message:
    """Run one command line against the configured store. Raises ConfigError, and
    StoreUnavailable with the setting named."""
    settings = load_settings(config)
    try:
        return await _execute(settings, channel, line)
    except (StoreUnavailable, ValueError) as e:  # ValueError: a database URL that is none
        raise StoreUnavailable(f"{settings.store_setting}: {e}") from e


async def _execute(settings: Settings, channel: str | None, line: str) -> Message:
    from bot.analysis.pipeline import Analyzer
    from bot.core.commands import Commands, CommandStore, Context
    from bot.sources.page_fetch import WebPages
    from bot.store import SqlStore, open_existing, open_store
    from bot.training.model import load_classifier

    s = settings
    found: SqlStore | None
    if changes_something(line):
        found = open_store(s.database_url, s.store.data_dir, schema=s.store.pg_schema)
        try:
            await found.migrate()
        except BaseException:
            await found.close()
            raise
    else:
        found = await open_existing(s.database_url, s.store.data_dir, schema=s.store.pg_schema)
    store: CommandStore = found if found is not None else NothingStored()
    try:
        analyzer: Analyzer | None = None

        async def analyse(article: Article) -> Analysis:
            nonlocal analyzer
            if analyzer is None:
                analyzer = Analyzer(load_classifier(s.analysis.model, threshold=s.analysis.threshold))
            return await asyncio.to_thread(analyzer.analyze, article)

        commands = Commands(store, analyse, files_root=Path.cwd(), feeds=s.feeds,
                            pages=WebPages(s.feeds))
        ctx = Context(channel=channel or s.console.channel, user="cli")
        message = await commands.execute(ctx, line)
    finally:
        if found is not None:
            await found.close()
    if found is None and line.split()[0] != "help":
        note = (f"Nothing is stored yet: the store ({s.store_setting}) has not been set up. "
                "`tradewatch run` sets it up; this command created nothing.")
        message = replace(message, sections=(*message.sections, Section("Note", text=note)))
    return message


def answer(command: str, config: Path | None, channel: str | None, line: str,
           out: Path | None = None) -> int:
    """Run the line, print the answer (errors on stderr) and write its attachment, if any,
    to `out`; the exit status."""
    try:
        message = asyncio.run(execute(config, channel, line))
    except (ConfigError, StoreUnavailable) as e:
        print(f"tradewatch {command}: {e}", file=sys.stderr)
        return 2 if isinstance(e, ConfigError) else 1
    attachment = message.attachment
    if attachment is not None:
        if out is None:
            note = (f"{attachment.filename} was not written: name a file with "
                    f"--{out_word(attachment.filename)} FILE.")
            message = replace(message, sections=(*message.sections, Section("Note", text=note)))
        else:
            try:
                out.write_bytes(attachment.data)
            except OSError as e:
                print(f"tradewatch {command}: cannot write {out}: {e.strerror or e}", file=sys.stderr)
                return 1
            message = replace(message, footer=f"written to {out} ({len(attachment.data):,} bytes)")
    print(render_text(message), file=sys.stderr if message.kind == "error" else sys.stdout)
    return 1 if message.kind == "error" else 0


def out_word(filename: str) -> str:
    return "chart" if filename.endswith(".png") else "csv"


def run(args: argparse.Namespace) -> int:
    rest = [a for a in args.args if a != "--"]
    config = take_option(rest, "--config")
    channel = take_option(rest, "--channel")
    out: Path | None = None
    for option, word in FILE_WORDS.items():
        value = take_option(rest, option) if args.command in FILE_OPTIONS else None
        if value is not None:
            if out is not None:
                print(f"tradewatch {args.command}: --chart and --csv: one at a time", file=sys.stderr)
                return 2
            out = Path(value)
            rest.append(word)
    if wants_help(rest):
        print(usage(args.command))
        return 0
    if channel is not None:
        try:
            channel = check_channel(channel)
        except UnknownPlace as e:
            print(f"tradewatch {args.command}: --channel: {e}", file=sys.stderr)
            return 2
    line = " ".join([args.command, *(shlex.quote(a) for a in rest)])
    return answer(args.command, Path(config) if config else None, channel, line, out)
