"""Delivery: posting pending alerts exactly once per (alert, channel).

The order, and why nothing is lost or posted twice:
1. The analysis and one `pending` delivery per matching channel are stored in ONE
   transaction (`save_analysis_and_enqueue`). Before it commits, nothing happened: the
   file is read again after a restart. After it, the alert is owed.
2. `claim` moves a delivery to `sending` and only then is it posted.
3. After the chat service accepts it, `mark_sent` records it.
A crash between 2 and 3 leaves the delivery `sending`. At start-up `reconcile` asks the
chat sink whether a message with that alert's key is in the channel: yes -> `sent` (no
second post); no -> back to `pending` (posted again, so not lost).
A failed post goes back to `pending` and is retried up to `max_attempts`; a channel that
is gone (deleted, bot removed) is unsubscribed and its delivery marked failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Protocol

from bot.chat.base import ChannelGone, ChatSink, split_channel
from bot.chat.message import Message
from bot.domain import Delivery

log = logging.getLogger(__name__)

Checkpoint = Callable[[str, Delivery], None]
"""Called at each step ("claimed", "posted"); tests use it to simulate a crash there."""


class DeliveryStore(Protocol):
    async def claim(self, limit: int) -> list[Delivery]: ...
    async def mark_sent(self, alert_id: str, channel: str, message_ref: str | None) -> None: ...
    async def mark_failed(self, alert_id: str, channel: str, error: str, *, retry: bool,
                          max_attempts: int, retry_after: timedelta | None = None) -> None: ...
    async def in_flight(self, older_than: timedelta | None = None) -> list[Delivery]: ...
    async def reset(self, alert_id: str, channel: str) -> None: ...
    async def unsubscribe(self, channel: str) -> bool: ...


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        sinks: Mapping[str, ChatSink],
        message_for: Callable[[str], Awaitable[Message | None]],
        *,
        max_attempts: int = 5,
        retry_after: timedelta = timedelta(seconds=5),
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self._retry_after = retry_after
        self._store = store
        self._sinks = sinks
        self._message_for = message_for
        self._max_attempts = max_attempts
        self._checkpoint = checkpoint or (lambda step, d: None)
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def reconcile(self, older_than: timedelta | None = None) -> int:
        """Settle deliveries a crash left in `sending`; returns how many were settled.

        A delivery whose channel cannot be asked right now stays `sending` and is tried
        again by the next reconcile (the scheduler runs one periodically)."""
        settled = 0
        async with self._lock:
            for d in await self._store.in_flight(older_than):
                service, channel_id = split_channel(d.channel)
                sink = self._sinks.get(service)
                try:
                    ref = await sink.find(channel_id, d.alert_id) if sink else None
                except Exception as e:
                    log.warning("cannot tell whether alert %s reached %s (%s); asking again later",
                                d.alert_id, d.channel, e)
                    continue
                if ref is not None:
                    log.info("alert %s was already in %s before the restart: recorded as sent",
                             d.alert_id, d.channel)
                    await self._store.mark_sent(d.alert_id, d.channel, ref)
                else:
                    log.info("alert %s had not reached %s before the restart: posting again",
                             d.alert_id, d.channel)
                    await self._store.reset(d.alert_id, d.channel)
                settled += 1
        return settled

    async def drain(self, batch: int = 20) -> int:
        """Post every pending delivery; returns how many were posted."""
        posted = 0
        async with self._lock:
            while deliveries := await self._store.claim(batch):
                for d in deliveries:
                    posted += await self._deliver(d)
        return posted

    async def _deliver(self, d: Delivery) -> int:
        self._checkpoint("claimed", d)
        service, channel_id = split_channel(d.channel)
        sink = self._sinks.get(service)
        if sink is None:
            await self._store.mark_failed(d.alert_id, d.channel, f"no {service} connection configured",
                                          retry=False, max_attempts=self._max_attempts)
            log.warning("alert %s for %s dropped: no %s connection is configured", d.alert_id, d.channel, service)
            return 0
        message = await self._message_for(d.alert_id)
        if message is None:
            await self._store.mark_failed(d.alert_id, d.channel, "article no longer stored",
                                          retry=False, max_attempts=self._max_attempts)
            return 0
        try:
            ref = await sink.post(channel_id, message)
        except ChannelGone as e:
            log.warning("%s is gone (%s): unsubscribing it; alert %s not posted", d.channel, e, d.alert_id)
            await self._store.unsubscribe(d.channel)
            await self._store.mark_failed(d.alert_id, d.channel, f"channel gone: {e}", retry=False,
                                          max_attempts=self._max_attempts)
            return 0
        except Exception as e:
            last = d.attempts >= self._max_attempts
            log.warning("posting alert %s to %s failed (attempt %d of %d): %s%s", d.alert_id, d.channel,
                        d.attempts, self._max_attempts, e, "; giving up" if last else "; will retry")
            await self._store.mark_failed(d.alert_id, d.channel, str(e)[:500], retry=True,
                                          max_attempts=self._max_attempts, retry_after=self._retry_after)
            return 0
        self._checkpoint("posted", d)
        await self._store.mark_sent(d.alert_id, d.channel, ref)
        log.info("alert %s posted to %s", d.alert_id, d.channel)
        return 1

    async def run(self) -> None:
        """Post whenever woken: by a new alert, or by the scheduler's retry job."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed; the scheduler will retry")
