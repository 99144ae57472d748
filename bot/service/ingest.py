"""From a discovered file to stored, routed alerts.

For each article: deduplicate by content, analyse (off the loop), decide the channels
(pure router), then store analysis and pending deliveries in one transaction, and only
then record the file as read. Every decision is logged with its reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.analysis import near_duplicates
from bot.analysis.near_duplicates import Sketch
from bot.core.follow import measure_changes, what_changed
from bot.core.metrics import Metrics
from bot.core.router import decide
from bot.core.source import Discovered
from bot.domain import Analysis, Article, Subscription
from bot.service.worker import AnalysisFailed
from bot.store.follow import CHANGE, FOLD, UPDATE, CopyFound, Recheck, update_key
from bot.store.ledger import LedgerRow, country_key

log = logging.getLogger(__name__)

AnalyseFn = Callable[[Article, int], Awaitable[Analysis]]


class IngestStore(Protocol):
    async def add_article(self, article: Article, fingerprint: str) -> tuple[str, bool]: ...
    async def get_analysis(self, article_id: str) -> Analysis | None: ...
    async def subscriptions(self, channel: str | None = None) -> list[Subscription]: ...
    async def save_analysis_and_enqueue(self, analysis: Analysis, channels: list[str], *,
                                        digests: Sequence[Subscription] = (),
                                        reminders: Sequence[Subscription] = (),
                                        sketch: Sketch | None = None, first_of: str | None = None,
                                        posts: Iterable[tuple[str, str]] = (),
                                        recheck: Recheck | None = None) -> None: ...
    async def set_file_signature(self, path: str, signature: str) -> None: ...
    async def first_reports(self, within: timedelta) -> dict[str, Sketch]: ...
    async def alerted_channels(self, alert_id: str) -> list[str]: ...
    async def first_alerts(self, alert_ids: Sequence[str]) -> dict[str, str]: ...
    async def ledger_rows(self, pairs: Iterable[tuple[str, str]]) -> list[LedgerRow]: ...
    def now(self) -> datetime: ...


FOLD_WITHIN = timedelta(days=7)
"""A copy joins a first report seen this recently; an older story's copy is a story again."""


class Ingest:
    def __init__(self, store: IngestStore, analyse: AnalyseFn, fingerprint: Callable[[str, str], str],
                 on_alert: Callable[[], None], *, concurrency: int = 64,
                 metrics: Metrics | None = None) -> None:
        self.metrics = metrics if metrics is not None else Metrics()
        self._store = store
        self._analyse = analyse
        self._fingerprint = fingerprint
        self._on_alert = on_alert
        self._limit = asyncio.Semaphore(concurrency)
        self._deciding = asyncio.Lock()
        self.processed = 0
        """Articles analysed and stored."""

    async def discovered(self, d: Discovered, priority: int) -> None:
        """Ingest every article of a file, then record the file as read."""
        async with self._limit:
            try:
                for article in d.articles:
                    try:
                        await self.article(article, priority)
                    except AnalysisFailed as e:
                        log.error("%s: skipped, it could not be analysed (%s); a changed version "
                                  "of the file will be tried again", article.source or article.id, e)
                await self._store.set_file_signature(str(d.path), d.signature)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("ingesting %s failed; it will be tried again on the next scan", d.path)

    async def article(self, article: Article, priority: int) -> Analysis | None:
        self.metrics.story_read()
        fp = self._fingerprint(article.title, article.body)
        article_id, created = await self._store.add_article(article, fp)
        if not created:
            stored = await self._store.get_analysis(article_id)
            if stored is not None:
                log.info("%s: same story as article %s, already analysed: skipped",
                         article.source or article.id, article_id)
                return None
        if article_id != article.id:
            if created:
                log.warning("%s: the id %r is taken by a different story; this one is stored and "
                            "alerted as %r", article.source or article.id, article.id, article_id)
            article = replace(article, id=article_id)
        analysis = await self._analyse(article, priority)
        self.metrics.story_judged(analysis.trade_policy.is_trade)
        sketch = near_duplicates.sketch(article.title, article.body)
        async with self._deciding:  # one story at a time: a copy sees the first report saved
            return await self._decide_and_save(analysis, sketch)

    async def _decide_and_save(self, analysis: Analysis, sketch: Sketch,
                               not_copies: frozenset[str] = frozenset()) -> Analysis:
        """Fold the story into the first report it copies, or save it as a first report. The
        save asks the store to check again under a lock all instances share (`Recheck`):
        another instance may have saved a report of the same event meanwhile, and then the
        story is decided again. `not_copies`: first reports it is worded like but is not a
        copy of (other measures)."""
        article = analysis.article

        def copy_of(reports: dict[str, Sketch]) -> str | None:
            found = near_duplicates.best_match(sketch, {k: v for k, v in reports.items() if k not in not_copies})
            return None if found == article.id else found

        first = copy_of(await self._store.first_reports(FOLD_WITHIN))
        if first is not None:
            earlier = await self._store.get_analysis(first)
            if earlier is not None and near_duplicates.measures_differ(analysis.tariff_changes,
                                                                       earlier.tariff_changes):
                log.info("%s: worded like %s but reports other measures: not a copy", article.id, first)
                not_copies |= {first}
            else:
                return await self._fold(analysis, sketch, first)
        subs = await self._store.subscriptions()
        decisions = [decide(analysis, s) for s in subs]
        sending = list({s.channel: s for s, d in zip(subs, decisions, strict=True) if d.send}.values())
        digests = [s for s in sending if s.digest]
        posts, off = await self._updates(analysis, {s.channel: s for s in subs})
        followed = {channel for _, channel in posts} | off
        channels = [s.channel for s in sending if not s.digest and s.channel not in followed]
        try:
            await self._store.save_analysis_and_enqueue(analysis, channels, digests=digests,
                                                        reminders=[s for s in sending if s.remind_seconds],
                                                        sketch=sketch, posts=posts,
                                                        # only an alert can be another story's first report
                                                        recheck=Recheck(FOLD_WITHIN, copy_of)
                                                        if channels or digests else None)
        except CopyFound as e:
            log.info("%s: another instance has just saved %s, a report of the same event: deciding again",
                     article.id, e.first)
            return await self._decide_and_save(analysis, sketch, not_copies)
        self.processed += 1
        tp = analysis.trade_policy
        for key, channel in posts:
            log.info("%s: news of a measure %s was alerted about: %s", article.id, channel, key)
        if channels or digests:
            log.info("%s: trade policy (%.2f; %s): alert for %s%s", article.id, tp.score,
                     "; ".join(tp.reasons[:2]), ", ".join(channels) or "no channel at once",
                     f"; in the digest of {', '.join(s.channel for s in digests)}" if digests else "")
        if channels or digests or posts or analysis.tariff_changes:  # reminders may have been queued, moved or cancelled
            self._on_alert()
        if channels or digests or posts:
            return analysis
        why = "; ".join(f"{d.channel}: {d.reasons[0]}" for d in decisions) or "no channel is subscribed"
        log.info("%s: not posted (%s)", article.id, why)
        return analysis

    async def _fold(self, analysis: Analysis, sketch: Sketch, first: str) -> Analysis:
        """A copy of a story already alerted: its alert's messages are edited to name it."""
        article = analysis.article
        channels = await self._store.alerted_channels(first)
        posts = [(FOLD + article.id, c) for c in channels]
        await self._store.save_analysis_and_enqueue(analysis, [], sketch=sketch, first_of=first, posts=posts)
        self.processed += 1
        log.info("%s: a copy of %s (near-duplicate): not a new alert; %s", article.id, first,
                 f"its alert is edited in {', '.join(channels)}" if channels else "no channel got that alert")
        if posts:
            self._on_alert()
        return analysis

    async def _updates(self, analysis: Analysis, subs: dict[str, Subscription]
                       ) -> tuple[list[tuple[str, str]], set[str]]:
        """(key, channel) of the news this story brings about measures channels were alerted
        about, each channel as its subscription's `updates:` says; and the channels that get
        neither news nor a new alert: they follow such a measure with `updates:off`, or the
        story only repeats what they were told of it (a copy of an update, a late report)."""
        tp, art = analysis.trade_policy, analysis.article
        off: set[str] = set()
        if not (tp.is_trade and analysis.tariff_changes):
            return [], off
        pairs = {(country_key(c.imposer), country_key(c.target)) for c in analysis.tariff_changes}
        now = self._store.now()  # the clock the stored rows were seen by: the same order at posting
        mine = [LedgerRow(art.id, art.title, art.published, now, i, c, art.url)
                for i, c in enumerate(analysis.tariff_changes)]
        rows = [r for r in await self._store.ledger_rows(pairs) if r.article_id != art.id] + mine
        posts: list[tuple[str, str]] = []
        for before, after in measure_changes(rows, art.id):
            news = bool(what_changed(before, after))
            followers = await self._store.first_alerts([s.article_id for s in before.sources])
            for channel in followers:
                sub = subs.get(channel)
                if sub is None:
                    continue
                if not news:
                    off.add(channel)
                    log.info("%s: nothing new about measure %s for %s, which was told of it: not posted",
                             art.id, after.id, channel)
                    continue
                if sub.updates == "off":
                    off.add(channel)
                    log.info("%s: news of measure %s not posted to %s (updates:off)", art.id, after.id, channel)
                    continue
                prefix = UPDATE if sub.updates == "thread" else CHANGE
                posts.append((update_key(prefix, art.id, after.id), channel))
        return list(dict.fromkeys(posts)), off
