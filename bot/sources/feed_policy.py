"""The decisions of feed polling, as pure functions of data (no I/O, no clock, no randomness
of their own: the caller passes `now` and a `random.Random`).

- when to poll next: the feed's interval, jittered; after failures an exponential backoff,
  jittered, capped, or longer when the server asked for it (Retry-After); disabled after
  `max_failures` in a row;
- which entries of a successful poll are new (`new_entries`), and which of those become
  articles: a new feed's first poll only records what it carries (unless backfill).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from bot.domain import Feed
from bot.durations import format_duration
from bot.sources.feed_parse import FeedEntry, text_key

MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class Timing:
    """The polling rules of the configuration (`FeedsSettings`)."""

    jitter: float = 0.1
    max_failures: int = 8
    backoff_max: float = 86400.0


def jittered(seconds: float, jitter: float, rng: random.Random) -> float:
    """`seconds` moved at random by up to +/- `jitter` of itself."""
    return seconds * (1.0 + rng.uniform(-jitter, jitter)) if jitter else seconds


def backoff_seconds(every: float, failures: int, timing: Timing, rng: random.Random) -> float:
    """The wait after the `failures`-th failure in a row: twice the interval, then four
    times, ... (never less than the interval itself), capped at `backoff_max`, jittered."""
    base = min(timing.backoff_max, every * 2.0 ** max(failures, 1))
    return jittered(max(base, min(every, timing.backoff_max)), timing.jitter, rng)


def after_success(feed: Feed, now: datetime, rng: random.Random, timing: Timing, *,
                  url: str | None = None, title: str | None = None,
                  etag: str | None = None, last_modified: str | None = None,
                  keep_validators: bool = False) -> Feed:
    """The feed's state after a poll that worked (a 304 keeps its validators: pass
    `keep_validators`). `url`: where a permanent redirect moved it."""
    return replace(
        feed,
        url=url or feed.url,
        title=title or feed.title,
        etag=feed.etag if keep_validators else etag,
        last_modified=feed.last_modified if keep_validators else last_modified,
        last_polled=now,
        last_success=now,
        last_error=None,
        failures=0,
        next_poll=now + timedelta(seconds=jittered(feed.every_seconds, timing.jitter, rng)),
        disabled=False,
    )


def retry_after(value: str | None, now: datetime) -> float | None:
    """The wait a server asked for in its Retry-After header (seconds, or an HTTP date),
    or None when there is none that can be read."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def after_failure(feed: Feed, error: str, now: datetime, rng: random.Random, timing: Timing, *,
                  url: str | None = None, asked_wait: float | None = None) -> Feed:
    """The feed's state after a failed poll: one more failure, a longer wait, and disabled
    once `max_failures` failures came in a row. `asked_wait`: what the server asked for
    (Retry-After), obeyed when it is longer than the backoff, up to `backoff_max`."""
    failures = feed.failures + 1
    wait = backoff_seconds(feed.every_seconds, failures, timing, rng)
    if asked_wait is not None:
        wait = max(wait, min(asked_wait, timing.backoff_max))
    return replace(
        feed,
        url=url or feed.url,
        last_polled=now,
        last_error=error[:MAX_ERROR_CHARS],
        failures=failures,
        next_poll=now + timedelta(seconds=wait),
        disabled=failures >= timing.max_failures,
    )


def failure_note(feed: Feed, now: datetime, timing: Timing) -> str:
    """What the log says after a failure: the retry, or that the feed is now disabled."""
    if feed.disabled:
        return (f"disabled after {feed.failures} failures in a row "
                f"(`tradewatch feeds add {feed.url}` enables it again)")
    wait = (feed.next_poll - now).total_seconds() if feed.next_poll else 0.0
    return f"failure {feed.failures} of {timing.max_failures}; next try in {format_duration(wait)}"


@dataclass(frozen=True, slots=True)
class Fresh:
    """The entries of a poll not seen before (`new_entries`)."""

    new: tuple[FeedEntry, ...]
    """Each once, in feed order."""
    shared_link: frozenset[FeedEntry] = frozenset()
    """Those of `new` whose link another story already has (their article id keeps them apart)."""
    repeats: tuple[FeedEntry, ...] = ()
    """Entries under a new id that repeat the story already seen under their link."""


def new_entries(entries: Iterable[FeedEntry], seen_keys: set[str]) -> Fresh:
    """Which entries are new. An entry with an id is known by its id: a new id is a new
    entry, even under a link seen before (a press-release index page links every release to
    itself), unless it repeats word for word the entry seen there (a feed that renews its
    ids on every build): then it is a repeat. An entry without an id is known by its link, one
    with neither by its text."""
    new: list[FeedEntry] = []
    shared: set[FeedEntry] = set()
    repeats: list[FeedEntry] = []
    taken = set(seen_keys)
    for entry in entries:
        keys = entry.keys
        if keys[0] not in taken:
            link = "link:" + entry.link if entry.link else None
            if entry.entry_id and link in taken:
                if text_key(entry) in taken:
                    repeats.append(entry)
                else:
                    new.append(entry)
                    shared.add(entry)
            else:
                new.append(entry)
        taken.update(keys)
    return Fresh(tuple(new), frozenset(shared), tuple(repeats))


@dataclass(frozen=True, slots=True)
class Selection:
    """What to do with the entries of one successful poll."""

    ingest: tuple[FeedEntry, ...]
    """New entries that become articles (analysed, alerted when they match)."""
    record: tuple[FeedEntry, ...]
    """New entries only remembered as seen (the feed's first poll)."""
    repeats: tuple[FeedEntry, ...] = ()
    """Entries under a new id that repeat a story seen under their link: remembered, logged."""
    shared_link: frozenset[FeedEntry] = frozenset()
    """Those of `ingest` whose link another story has (see `feed_parse.article_id`)."""


def select(feed: Feed, entries: Sequence[FeedEntry], seen_keys: set[str]) -> Selection:
    """The new entries of a poll, split into those to ingest and those only to record.

    The first successful poll of a feed without backfill ingests nothing: whatever the feed
    carries when the bot first reads it is old news to this bot. The bot's own observation
    decides, not the dates the feed writes: a publisher's clock or time zone can be hours
    off (local time labelled GMT), and a story "published" in the future is still one the
    feed already carried."""
    fresh = new_entries(entries, seen_keys)
    if feed.last_success is None and not feed.backfill:
        return Selection((), fresh.new, fresh.repeats)
    return Selection(fresh.new, (), fresh.repeats, fresh.shared_link)
