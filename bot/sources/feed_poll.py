"""One poll of one feed: fetch, parse, pick the new entries, hand them to the service's
ingest, and save the feed's new state and the entries seen, in that order.

A 304 costs one request and one small write: nothing is parsed or analysed. Any failure
(network, time or size limit, HTTP error, not a feed, broken XML) is logged with the
feed's URL, counted, and answered with a longer wait (`feed_policy`), at least as long as
the server's Retry-After (a 429 or 503 saying when to come back). An entry whose
ingest failed is not recorded, and the feed's validators are not kept, so the next poll
reads the whole feed again and retries it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.connector import BULK, LIVE
from bot.domain import Analysis, Article, Feed
from bot.durations import format_duration
from bot.sources import feed_policy as policy
from bot.sources.feed_parse import FeedEntry, FeedError, is_teaser, parse_feed, to_article
from bot.sources.http_fetch import FetchError, Http
from bot.sources.page_fetch import fetch_page

log = logging.getLogger(__name__)

# The analysis worker's priorities (`bot.core.connector`): a few new entries are live news;
# a feed's backfill or a burst is a backlog.
LIVE_MAX = 5
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")
ENTRY_MEMORY = timedelta(days=90)
"""Entry keys older than this that a feed no longer carries are forgotten."""

Ingest = Callable[[Article, int], Awaitable[Analysis | None]]


class PollStore(Protocol):
    async def seen_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]: ...
    async def save_feed_poll(self, feed: Feed, entries: Iterable[tuple[str, str | None]] = (), *,
                             keep: Iterable[str] = (), forget_after: timedelta | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed: Feed
    """The feed's state after the poll (as saved)."""
    outcome: str
    """"not modified", "read" or "failed"."""
    ingested: int = 0
    recorded: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PollRules:
    timing: policy.Timing = field(default_factory=policy.Timing)
    fetch_pages: bool = True
    teaser_words: int = 80


class FeedPoller:
    def __init__(self, store: PollStore, http: Http, ingest: Ingest, rules: PollRules, *,
                 clock: Callable[[], datetime], rng: random.Random) -> None:
        self._store = store
        self._http = http
        self._ingest = ingest
        self._rules = rules
        self._clock = clock
        self._rng = rng

    async def poll(self, feed: Feed, *, start_by: float | None = None) -> PollOutcome:
        """`start_by`: see `Http.get` (TooLate is raised, nothing is saved)."""
        headers = {"Accept": FEED_ACCEPT}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            fetched = await self._http.get(feed.url, headers, start_by=start_by)
        except FetchError as e:
            return await self._failed(feed, str(e))
        moved = fetched.moved_to
        if moved:
            log.warning("feed %s moved permanently to %s: the stored URL follows", feed.url, moved)
        if fetched.status == 304:
            state = policy.after_success(feed, self._clock(), self._rng, self._rules.timing,
                                         url=moved, keep_validators=True)
            await self._store.save_feed_poll(state)
            log.debug("feed %s: not modified", feed.url)
            return PollOutcome(state, "not modified")
        if fetched.status != 200:
            asked = policy.retry_after(fetched.headers.get("retry-after"), self._clock())
            error = f"HTTP {fetched.status} from {fetched.url}"
            if asked is not None:
                error += f" (Retry-After: {format_duration(asked)})"
            return await self._failed(feed, error, moved, asked)
        try:
            parsed = await asyncio.to_thread(parse_feed, fetched.body, fetched.headers, fetched.url)
        except FeedError as e:
            return await self._failed(feed, str(e), moved)
        except Exception as e:  # feedparser itself tripped: still only this feed's problem
            return await self._failed(feed, f"could not read the feed: {type(e).__name__}: {e}", moved)
        if parsed.warning:
            log.warning("feed %s: %s (read leniently)", feed.url, parsed.warning)
        for problem in parsed.problems:
            log.warning("feed %s: %s", feed.url, problem)
        keys = [k for e in parsed.entries for k in e.keys]
        # a feed never read successfully has no entries recorded (they are saved with its state)
        seen = set() if feed.last_success is None else await self._store.seen_entry_keys(feed.id, keys)
        chosen = policy.select(feed, parsed.entries, seen)
        rows, failed = await self._ingest_all(feed, chosen)
        rows += [(k, None) for e in (*chosen.record, *chosen.repeats) for k in e.keys]
        validators = (None, None) if failed else (fetched.headers.get("etag"), fetched.headers.get("last-modified"))
        state = policy.after_success(feed, self._clock(), self._rng, self._rules.timing, url=moved,
                                     title=parsed.title, etag=validators[0], last_modified=validators[1])
        await self._store.save_feed_poll(state, rows, keep=keys, forget_after=ENTRY_MEMORY)
        ingested = len(chosen.ingest) - failed
        for entry in chosen.repeats:
            log.info("feed %s: entry %s repeats the story already seen at %s under another id: "
                     "recorded, not alerted", feed.url, entry.entry_id, entry.link)
        if chosen.ingest or chosen.record:
            log.info("feed %s: %d new entr%s analysed, %d recorded without alerting (the feed's "
                     "first poll)", feed.url, ingested, "y" if ingested == 1 else "ies", len(chosen.record))
        return PollOutcome(state, "read", ingested, len(chosen.record))

    async def _failed(self, feed: Feed, error: str, moved: str | None = None,
                      asked_wait: float | None = None) -> PollOutcome:
        now = self._clock()
        state = policy.after_failure(feed, error, now, self._rng, self._rules.timing, url=moved,
                                     asked_wait=asked_wait)
        await self._store.save_feed_poll(state)
        note = policy.failure_note(state, now, self._rules.timing)
        (log.error if state.disabled else log.warning)("feed %s: %s; %s", feed.url, error, note)
        return PollOutcome(state, "failed", error=error)

    async def _ingest_all(self, feed: Feed, chosen: policy.Selection
                          ) -> tuple[list[tuple[str, str | None]], int]:
        """Articles for the entries to ingest (teaser pages fetched), ingested concurrently.
        The rows to record, and how many failed."""
        entries = chosen.ingest
        if not entries:
            return [], 0
        articles = await asyncio.gather(*(self._article(feed, e, e in chosen.shared_link) for e in entries))
        priority = LIVE if len(articles) <= LIVE_MAX else BULK
        results = await asyncio.gather(*(self._ingest(a, priority) for a in articles), return_exceptions=True)
        rows: list[tuple[str, str | None]] = []
        failed = 0
        for entry, article, result in zip(entries, articles, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, BaseException):
                failed += 1
                log.error("feed %s: entry %s could not be ingested (tried again next poll): %s",
                          feed.url, entry.link or entry.entry_id, result, exc_info=result)
                continue
            rows += [(k, article.id) for k in entry.keys]
        return rows, failed

    async def _article(self, feed: Feed, entry: FeedEntry, shared_link: bool) -> Article:
        """The entry as an article; a teaser is replaced by the main text of its page."""
        text: str | None = None
        published = None
        if self._rules.fetch_pages and entry.link and is_teaser(entry.text, self._rules.teaser_words):
            try:
                page = await fetch_page(self._http, entry.link)
            except FetchError as e:
                log.info("feed %s: teaser of %s kept, its page could not be read: %s", feed.url, entry.link, e)
            except Exception as e:  # the extractor tripped on this page: keep the teaser
                log.warning("feed %s: teaser of %s kept, its page could not be extracted: %s: %s",
                            feed.url, entry.link, type(e).__name__, e)
            else:
                if len(page.text) > len(entry.text):
                    text, published = page.text, page.published
        article = to_article(entry, feed.url, text, shared_link=shared_link)
        if article.published is None:
            article = replace(article, published=published or self._clock().date())
        return article
