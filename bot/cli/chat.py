"""The chat commands on the command line, against the bot's store.

`tradewatch tariffs china`, `tradewatch summary latest`, `tradewatch subscribe tags:tariffs`,
`tradewatch subscriptions`, `tradewatch unsubscribe`, `tradewatch why ID`: the same command
layer the chat services call, answering in the console channel (or `--channel`).
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.core.message import Message
from bot.domain import Analysis, Article
from bot.render.text import render_text


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="the command's arguments; also --config FILE (the bot's configuration) "
                             "and --channel ID (default: the console channel)")


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


async def execute(config: Path | None, channel: str | None, line: str) -> Message:
    from bot.analysis.pipeline import Analyzer
    from bot.core.commands import Commands, Context
    from bot.sources.page_fetch import WebPages
    from bot.store import open_store
    from bot.training.model import load_classifier

    settings = load_settings(config)
    store = open_store(settings.database_url, settings.store.data_dir, schema=settings.store.pg_schema)
    try:
        await store.migrate()
        analyzer: Analyzer | None = None

        async def analyse(article: Article) -> Analysis:
            nonlocal analyzer
            if analyzer is None:
                analyzer = Analyzer(load_classifier(settings.analysis.model, threshold=settings.analysis.threshold))
            return await asyncio.to_thread(analyzer.analyze, article)

        commands = Commands(store, analyse, files_root=Path.cwd(), feeds=settings.feeds,
                            pages=WebPages(settings.feeds))
        ctx = Context(channel=channel or settings.console.channel, user="cli")
        return await commands.execute(ctx, line)
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    rest = [a for a in args.args if a != "--"]
    config = take_option(rest, "--config")
    channel = take_option(rest, "--channel")
    line = " ".join([args.command, *(shlex.quote(a) for a in rest)])
    try:
        message = asyncio.run(execute(Path(config) if config else None, channel, line))
    except ConfigError as e:
        print(f"tradewatch {args.command}: {e}", file=sys.stderr)
        return 2
    print(render_text(message), file=sys.stderr if message.kind == "error" else sys.stdout)
    return 1 if message.kind == "error" else 0
