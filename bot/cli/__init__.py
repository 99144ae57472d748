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
            module = importlib.import_module(mod)  # type: ignore[assignment]
            assert module is not None
            module.configure(p)
    return parser, module


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
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
