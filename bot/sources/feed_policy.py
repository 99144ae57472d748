"""The decisions of feed polling, as pure functions of data (no I/O, no clock, no randomness
of their own: the caller passes `now` and a `random.Random`).

- when to poll next: the feed's interval, jittered; after failures an exponential backoff,
  jittered, capped; disabled after `max_failures` in a row;
- which entries of a successful poll are new, and which of those become articles: a new
  feed's first poll only records what was published before it was added (unless backfill).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain import Feed
from bot.durations import format_duration
from bot.sources.feed_parse import FeedEntry

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


def after_failure(feed: Feed, error: str, now: datetime, rng: random.Random, timing: Timing, *,
                  url: str | None = None) -> Feed:
    """The feed's state after a failed poll: one more failure, a longer wait, and disabled
    once `max_failures` failures came in a row."""
    failures = feed.failures + 1
    wait = backoff_seconds(feed.every_seconds, failures, timing, rng)
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
class Selection:
    """What to do with the entries of one successful poll."""

    ingest: tuple[FeedEntry, ...]
    """New entries that become articles (analysed, alerted when they match)."""
    record: tuple[FeedEntry, ...]
    """New entries only remembered as seen (published before the feed was added)."""


def unseen(entries: Iterable[FeedEntry], seen_keys: set[str]) -> list[FeedEntry]:
    """Entries none of whose keys (id, link) was seen before, each once, in feed order."""
    fresh: list[FeedEntry] = []
    taken = set(seen_keys)
    for entry in entries:
        keys = entry.keys
        if taken.isdisjoint(keys):
            fresh.append(entry)
        taken.update(keys)
    return fresh


def select(feed: Feed, entries: Sequence[FeedEntry], seen_keys: set[str]) -> Selection:
    """The new entries of a poll, split into those to ingest and those only to record.

    A feed never polled successfully before, without backfill, ingests only entries
    published after it was added: what it already carried is old news to this bot."""
    fresh = unseen(entries, seen_keys)
    if feed.last_success is not None or feed.backfill:
        return Selection(tuple(fresh), ())
    ingest: list[FeedEntry] = []
    record: list[FeedEntry] = []
    for e in fresh:
        (ingest if e.published is not None and e.published > feed.added_at else record).append(e)
    return Selection(tuple(ingest), tuple(record))
