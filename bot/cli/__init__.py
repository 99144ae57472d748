"""The `tradewatch` command line: one place where every subcommand is registered.

Each subcommand lives in its own module with `configure(parser)` and `run(args) -> int`;
modules are imported only when their command runs, so `tradewatch analyze` does not pay
for the chat libraries and `tradewatch --help` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Protocol

from bot import __version__

# name -> (module, one-line help). The one visible registry of commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("bot.cli.analyze", "analyse articles (files, folders, JSONL, stdin) and print the result"),
    "train": ("bot.training.cli", "fit a trade-policy classifier on your own labelled stories"),
    "run": ("bot.cli.run", "run the bot: watch sources, analyse, alert subscribed channels"),
    "tariffs": ("bot.cli.chat", "the tariff ledger: tariffs [country] [--since DATE] [--status S] [--chart FILE.png | --csv FILE] | tariffs show ID"),
    "summary": ("bot.cli.chat", "the alert card of an article: summary <id | file | latest | https://...>"),
    "feeds": ("bot.cli.feeds", "RSS/Atom feeds: feeds add URL [--every 10m] [--backfill] | feeds list | feeds remove URL"),
    "why": ("bot.cli.chat", "why an article was or was not posted: why <article id>"),
    "subscribe": ("bot.cli.chat", "subscribe a channel: subscribe [tags:T,..] [countries:C,..] [min-score:X] [tariffs-only]"),
    "unsubscribe": ("bot.cli.chat", "stop a channel's alerts"),
    "subscriptions": ("bot.cli.chat", "what a channel is subscribed to (subscriptions all: every channel)"),
    "discord": ("bot.cli.discord", "Discord: sync [--guild ID] registers the slash commands; invite prints the invite URL"),
    "slack": ("bot.cli.slack", "Slack: manifest --url https://host (or --socket) prints the app manifest"),
}


class CommandModule(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def build_parser(argv: list[str]) -> tuple[argparse.ArgumentParser, CommandModule | None]:
    parser = argparse.ArgumentParser(
        prog="tradewatch",
        description="TradeWatch reads trade-policy news the way an analyst does and alerts chat channels.",
    )
    parser.add_argument("--version", action="version", version=f"tradewatch {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    module: CommandModule | None = None
    for name, (mod, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name == chosen:
            loaded: CommandModule = importlib.import_module(mod)
            loaded.configure(p)
            module = loaded
    return parser, module


def _raw_rest(argv: list[str]) -> list[str]:
    """Chat commands take their words as they are ("tariffs --since 2025-01-01"): put a
    `--` after the command name so argparse hands them over untouched."""
    for i, a in enumerate(argv):
        if not a.startswith("-"):
            if COMMANDS.get(a, ("",))[0] == "bot.cli.chat" and argv[i + 1 : i + 2] != ["--"]:
                return [*argv[: i + 1], "--", *argv[i + 1 :]]
            break
    return argv


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    argv = _raw_rest(argv)
    parser, module = build_parser(argv)
    args = parser.parse_args(argv)
    if module is None:
        parser.print_help()
        return 2
    setup_logging(args.verbose)
    try:
        return module.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
