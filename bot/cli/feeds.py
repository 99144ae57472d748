"""`tradewatch feeds`: the RSS/Atom feeds the bot reads, against the bot's store.

    tradewatch feeds add URL [--every 10m] [--backfill]
    tradewatch feeds list        # last success, last error, next poll of each
    tradewatch feeds remove URL  # or the number `feeds list` shows

The same command layer as `feeds ...` in chat. A running bot picks the change up within
`feeds.sync_seconds`.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="the bot's configuration file (for its store and feed settings)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add = actions.add_parser("add", parents=[common], help="read a feed: its first poll records what it already "
                                         "carries; later entries are analysed and alerted")
    add.add_argument("url")
    add.add_argument("--every", default=None, help="time between polls: 90s, 10m, 2h (default: feeds.every)")
    add.add_argument("--backfill", action="store_true",
                     help="also alert the entries already in the feed at its first poll")
    actions.add_parser("list", parents=[common], help="every feed with its last success, last error and next poll")
    remove = actions.add_parser("remove", parents=[common], help="stop reading a feed and forget its entries")
    remove.add_argument("url", help="the feed's URL, or its number in `feeds list`")


def command_line(args: argparse.Namespace) -> str:
    """The chat command these arguments stand for ("feeds add URL --every 10m")."""
    action = args.action or "list"
    words = ["feeds", action]
    if action in ("add", "remove"):
        words.append(args.url)
    if action == "add":
        if args.every:
            words += ["--every", args.every]
        if args.backfill:
            words.append("--backfill")
    return " ".join(shlex.quote(w) for w in words)


def run(args: argparse.Namespace) -> int:
    from bot.cli.chat import answer

    return answer("feeds", args.config, None, command_line(args))
