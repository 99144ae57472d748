"""The `feeds` command, pure parts: reading `feeds add URL --every 10m --backfill` and
showing the feeds' state. `Commands.feeds` (bot/core/commands.py) runs them against the
store. Parsing errors are ValueError with a message for the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from bot.core.message import Message, Section, Table, reply
from bot.domain import Feed
from bot.durations import format_duration, parse_duration

USAGE = ("feeds [list] | feeds add URL [--every 10m] [--backfill] | feeds remove URL — "
         "the RSS/Atom feeds the bot reads (changing them needs the manage permission)")

Action = Literal["list", "add", "remove"]


@dataclass(frozen=True, slots=True)
class FeedCommand:
    action: Action
    url: str | None = None
    every_seconds: float | None = None
    backfill: bool = False


def _unwrap(word: str) -> str:
    """A link as chat services write it: Slack sends <url> or <url|label>."""
    return word.strip("<>").split("|")[0]


def parse_feed_command(args: Sequence[str]) -> FeedCommand:
    """`[list]`, `add URL [--every 10m] [--backfill]`, `remove URL` (or `remove N`, the number
    `feeds list` shows)."""
    if not args or args[0].lower() in ("list", "ls"):
        if len(args) > 1:
            raise ValueError(f"`feeds list` takes nothing more. {USAGE}")
        return FeedCommand("list")
    action, rest = args[0].lower(), list(args[1:])
    if action in ("remove", "rm", "delete"):
        if len(rest) != 1:
            raise ValueError(f"say which feed to remove: feeds remove URL. {USAGE}")
        return FeedCommand("remove", _unwrap(rest[0]))
    if action != "add":
        raise ValueError(f"unknown feeds action {args[0]!r}. {USAGE}")
    url: str | None = None
    every: float | None = None
    backfill = False
    it = iter(rest)
    for word in it:
        if word.startswith("--every"):
            value = word.partition("=")[2] or next(it, "")
            try:
                every = parse_duration(value)
            except ValueError as e:
                raise ValueError(f"--every: {e}") from None
        elif word == "--backfill":
            backfill = True
        elif word.startswith("-"):
            raise ValueError(f"unknown option {word}. {USAGE}")
        elif url is None:
            url = _unwrap(word)
        else:
            raise ValueError(f"one URL at a time, please. {USAGE}")
    if url is None:
        raise ValueError(f"say which feed to add: feeds add URL. {USAGE}")
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"a feed URL starts with http:// or https://, not {url!r}")
    return FeedCommand("add", url, every, backfill)


def _when(moment: datetime | None, now: datetime, *, due: bool = False) -> str:
    if moment is None:
        return "never"
    delta = (moment - now).total_seconds()
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if abs(delta) < 1 or (due and delta < 0):
        return f"{stamp} (due now)" if due else f"{stamp} (now)"
    return f"{stamp} ({'in ' if delta > 0 else ''}{format_duration(abs(delta))}{'' if delta > 0 else ' ago'})"


def feed_state(feed: Feed) -> str:
    if feed.disabled:
        return f"disabled after {feed.failures} failures"
    if feed.failures:
        return f"failing ({feed.failures} in a row)"
    if feed.last_success is None:
        return "new: the first poll records without alerting" + (" (backfill: alerts)" if feed.backfill else "")
    return "ok"


def feeds_message(feeds: Sequence[Feed], now: datetime) -> Message:
    """`feeds list`: every feed with its last success, last error and next poll."""
    if not feeds:
        return reply("Feeds", "No feeds yet. Add one: `feeds add https://example.org/news.xml --every 10m`.")
    rows = tuple(
        (str(i), f.url, f"every {format_duration(f.every_seconds)}", feed_state(f),
         _when(f.last_success, now), f.last_error or "-",
         "-" if f.disabled else _when(f.next_poll, now, due=True))
        for i, f in enumerate(feeds, 1)
    )
    header = ("#", "feed", "interval", "state", "last success", "last error", "next poll")
    failing = sum(1 for f in feeds if f.failures)
    text = f"{len(feeds)} feed(s)" + (f", {failing} failing or disabled" if failing else "")
    return reply("Feeds", text, Section("Feeds", table=Table(header, rows)))


def pick(feeds: Sequence[Feed], ref: str) -> Feed | None:
    """The feed `ref` names: its URL, or its number in `feeds list`."""
    for f in feeds:
        if f.url == ref:
            return f
    if ref.isdigit() and 1 <= int(ref) <= len(feeds):
        return feeds[int(ref) - 1]
    return None
