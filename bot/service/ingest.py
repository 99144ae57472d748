"""From a discovered file to stored, routed alerts.

For each article: deduplicate by content, analyse (off the loop), decide the channels
(pure router), then store analysis and pending deliveries in one transaction, and only
then record the file as read. Every decision is logged with its reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Protocol

from bot.core.metrics import Metrics
from bot.core.router import decide
from bot.core.source import Discovered
from bot.domain import Analysis, Article, Subscription
from bot.service.worker import AnalysisFailed

log = logging.getLogger(__name__)

AnalyseFn = Callable[[Article, int], Awaitable[Analysis]]


class IngestStore(Protocol):
    async def add_article(self, article: Article, fingerprint: str) -> tuple[str, bool]: ...
    async def get_analysis(self, article_id: str) -> Analysis | None: ...
    async def subscriptions(self, channel: str | None = None) -> list[Subscription]: ...
    async def save_analysis_and_enqueue(self, analysis: Analysis, channels: list[str], *,
                                        digests: Sequence[Subscription] = (),
                                        reminders: Sequence[Subscription] = ()) -> None: ...
    async def set_file_signature(self, path: str, signature: str) -> None: ...


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
        subs = await self._store.subscriptions()
        decisions = [decide(analysis, s) for s in subs]
        sending = list({s.channel: s for s, d in zip(subs, decisions, strict=True) if d.send}.values())
        digests = [s for s in sending if s.digest]
        channels = [s.channel for s in sending if not s.digest]
        await self._store.save_analysis_and_enqueue(analysis, channels, digests=digests,
                                                    reminders=[s for s in sending if s.remind_seconds])
        self.processed += 1
        tp = analysis.trade_policy
        if sending:
            log.info("%s: trade policy (%.2f; %s): alert for %s%s", article.id, tp.score,
                     "; ".join(tp.reasons[:2]), ", ".join(channels) or "no channel at once",
                     f"; in the digest of {', '.join(s.channel for s in digests)}" if digests else "")
        if sending or analysis.tariff_changes:  # reminders may have been queued, moved or cancelled
            self._on_alert()
        if sending:
            return analysis
        why = "; ".join(f"{d.channel}: {d.reasons[0]}" for d in decisions) or "no channel is subscribed"
        log.info("%s: not posted (%s)", article.id, why)
        return analysis
