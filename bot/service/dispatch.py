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

Each chat service has a lane of its own (one more takes the channels of services with no
connection): a service that makes us wait (Slack's HTTP 429 Retry-After, a slow gateway)
holds up only its own channels, in posting and in reconciling. Within a lane deliveries are
taken oldest first and up to `concurrency` posts are under way at once, each to a DIFFERENT
channel: a channel's deliveries go out one after another in the order they were claimed, so
one alert to 5,000 channels is not one network round trip after another. A rate limit is
honoured where the platform scopes it, in the chat client: discord.py waits out a route's
bucket and pauses every request on a global 429; the Slack sink holds every post to a
workspace while that workspace's Retry-After runs (bot/chat/slack.py). An alert's card is
made once per round, however many channels it goes to.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.core.message import Message
from bot.core.metrics import Metrics
from bot.core.sink import ChannelGone, ChatSink, split_channel
from bot.domain import Delivery

log = logging.getLogger(__name__)

PER_CHANNEL_KEYS = ("remind:", "digest:")
"""Keys whose message depends on the channel (its digest, its zone): made per channel."""
FOLLOW_PREFIXES = ("fold:", "update:")
"""Deliveries that edit or reply to an alert (`bot.store.follow`); "change:" posts are new."""


def _follow_prefix(key: str) -> str | None:
    return next((p for p in FOLLOW_PREFIXES if key.startswith(p)), None)

Checkpoint = Callable[[str, Delivery], None]
"""Called at each step ("claimed", "posted"); tests use it to simulate a crash there."""


class DeliveryStore(Protocol):
    async def claim(self, limit: int, service: str | None = None,
                    other_than: Sequence[str] = ()) -> list[Delivery]: ...
    async def mark_sent(self, alert_id: str, channel: str, message_ref: str | None) -> None: ...
    async def mark_failed(self, alert_id: str, channel: str, error: str, *, retry: bool,
                          max_attempts: int, retry_after: timedelta | None = None) -> None: ...
    async def in_flight(self, older_than: timedelta | None = None, service: str | None = None,
                        other_than: Sequence[str] = ()) -> list[Delivery]: ...
    async def reset(self, alert_id: str, channel: str) -> None: ...
    async def unsubscribe(self, channel: str) -> bool: ...
    async def deliveries(self, alert_id: str | None = None, channel: str | None = None) -> list[Delivery]: ...


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        sinks: Mapping[str, ChatSink],
        message_for: Callable[[str, str], Awaitable[Message | None]],
        *,
        max_attempts: int = 5,
        retry_after: timedelta = timedelta(seconds=5),
        checkpoint: Checkpoint | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        concurrency: int = 16,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self._concurrency = concurrency
        self.metrics = metrics if metrics is not None else Metrics()
        self._clock = clock
        self._retry_after = retry_after
        self._store = store
        self._sinks = sinks
        self._message_for = message_for
        self._max_attempts = max_attempts
        self._checkpoint = checkpoint or (lambda step, d: None)
        # one lane per chat service, and one (None) for channels of services not connected
        self._lanes: tuple[str | None, ...] = (*sinks, None)
        self._wakes = {lane: asyncio.Event() for lane in self._lanes}
        self._locks = {lane: asyncio.Lock() for lane in self._lanes}
        self._stopping = False

    def stop(self) -> None:
        """Let `run` end after the delivery in hand: no post or store write is cut in half
        (cancelling a lane inside a database call can leave the connection hanging)."""
        self._stopping = True
        self.wake()

    def wake(self) -> None:
        for event in self._wakes.values():
            event.set()

    async def reconcile(self, older_than: timedelta | None = None) -> int:
        """Settle deliveries a crash left in `sending`; returns how many were settled.

        Lane by lane, each under its lane's lock (so no delivery is judged while it is being
        posted, and a lane that is waiting out a rate limit holds up only its own channels).
        A delivery whose channel cannot be asked right now stays `sending` and is tried
        again by the next reconcile (the scheduler runs one periodically)."""
        settled = 0
        for lane in self._lanes:
            async with self._locks[lane]:
                for d in await self._store.in_flight(older_than, *self._lane_filter(lane)):
                    settled += await self._settle(d)
        return settled

    def _lane_filter(self, lane: str | None) -> tuple[str | None, tuple[str, ...]]:
        """The store's (service, other_than) for a lane: its service's channels, or for the
        lane of services not connected, every channel of none of the connected ones."""
        return (lane, ()) if lane is not None else (None, tuple(self._sinks))

    async def _settle(self, d: Delivery) -> int:
        service, channel_id = split_channel(d.channel)
        sink = self._sinks.get(service)
        thread: str | None = None
        if sink is not None and (prefix := _follow_prefix(d.alert_id)):
            message = await self._message_for(d.alert_id, d.channel)
            if message is None or message.edit_of is not None:
                # an edit sets the whole message again: doing it twice is harmless
                log.info("%s for %s was cut short by the restart: it is done again", d.alert_id, d.channel)
                await self._store.reset(d.alert_id, d.channel)
                return 1
            if message.thread_of:
                thread, _ = await self._parent(message.thread_of, d.channel)
            log.debug("settling %s (%s) in thread %s", d.alert_id, prefix, thread)
        try:
            ref = (await sink.find(channel_id, d.alert_id, thread=thread) if thread
                   else await sink.find(channel_id, d.alert_id)) if sink else None
        except Exception as e:
            log.warning("cannot tell whether alert %s reached %s (%s); asking again later",
                        d.alert_id, d.channel, e)
            return 0
        if ref is not None:
            log.info("alert %s was already in %s before the restart: recorded as sent", d.alert_id, d.channel)
            await self._store.mark_sent(d.alert_id, d.channel, ref)
        else:
            log.info("alert %s had not reached %s before the restart: posting again", d.alert_id, d.channel)
            await self._store.reset(d.alert_id, d.channel)
        return 1

    async def drain(self, batch: int = 20) -> int:
        """Post every pending delivery, the lanes side by side; returns how many were posted."""
        return sum(await asyncio.gather(*(self._drain_lane(lane, batch) for lane in self._lanes)))

    async def _drain_lane(self, lane: str | None, batch: int = 20) -> int:
        """Post the lane's pending deliveries until none is due: at most `concurrency` posts at
        once, never two to one channel, a channel's deliveries in the order claimed.

        Claims stay a little ahead of the posts (at most twice the larger of `batch` and
        `concurrency` in hand), so a stop or a crash leaves few deliveries `sending` for the
        next reconcile. On `stop()` the posts under way finish and nothing new starts; if a
        post or a claim raises, nothing new starts either, the posts under way finish, and
        the error goes up as before."""
        async with self._locks[lane]:
            limit = max(batch, self._concurrency)
            queues: dict[str, deque[Delivery]] = {}
            workers: set[asyncio.Task[int]] = set()
            cards: dict[str, Message | None] = {}
            slots = asyncio.Semaphore(self._concurrency)
            failed: list[BaseException] = []
            posted = 0

            def halted() -> bool:
                return self._stopping or bool(failed)

            async def channel_worker(queue: deque[Delivery], channel: str) -> int:
                done = 0
                try:
                    while queue and not halted():
                        d = queue.popleft()
                        async with slots:
                            # once stopping, what is still queued stays `sending`: the next
                            # start's reconcile settles it, as after a crash
                            if halted():
                                break
                            done += await self._deliver(d, cards)
                except asyncio.CancelledError:
                    raise
                except BaseException as e:  # the lane re-raises it once the others finish
                    failed.append(e)
                finally:
                    if queues.get(channel) is queue and (not queue or halted()):
                        del queues[channel]
                return done

            def in_hand() -> int:
                return sum(len(q) for q in queues.values()) + len(workers)

            try:
                while not halted():
                    if in_hand() <= limit:  # half empty or less: top up to twice the limit
                        try:
                            deliveries = await self._store.claim(2 * limit - in_hand(), *self._lane_filter(lane))
                            if len(cards) > 2 * limit:  # forget the cards of alerts no longer in hand
                                wanted = {d.alert_id for q in queues.values() for d in q}
                                for alert_id in [a for a in cards if a not in wanted]:
                                    del cards[alert_id]
                            shared = {d.alert_id: d.channel for d in deliveries
                                      if not d.alert_id.startswith(PER_CHANNEL_KEYS)}
                            for alert_id, channel in shared.items():
                                if alert_id not in cards:  # read and rendered once, not by each channel
                                    cards[alert_id] = await self._message_for(alert_id, channel)
                        except Exception as e:  # the posts under way finish first
                            failed.append(e)
                            break
                        for d in deliveries:
                            queue = queues.get(d.channel)
                            if queue is not None:
                                queue.append(d)  # its channel's worker posts it after the ones before
                                continue
                            queues[d.channel] = queue = deque([d])
                            workers.add(asyncio.create_task(channel_worker(queue, d.channel)))
                        if not workers:
                            break  # nothing claimed and nothing under way: the lane is drained
                        if deliveries and in_hand() <= limit:
                            continue
                    done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_COMPLETED)
                    for worker in done:
                        workers.discard(worker)
                        posted += worker.result()
                posted += sum(await asyncio.gather(*workers))
            except asyncio.CancelledError:
                # the lane itself is cancelled: so are its posts, and it ends only when they
                # have (a post cut short in a database call closes its connection on the way out)
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                raise
            if failed:
                raise failed[0]
        return posted

    async def _deliver(self, d: Delivery, cards: dict[str, Message | None]) -> int:
        self._checkpoint("claimed", d)
        service, channel_id = split_channel(d.channel)
        sink = self._sinks.get(service)
        if sink is None:
            self.metrics.alert_failed(service)
            await self._store.mark_failed(d.alert_id, d.channel, f"no {service} connection configured",
                                          retry=False, max_attempts=self._max_attempts)
            log.warning("alert %s for %s dropped: no %s connection is configured", d.alert_id, d.channel, service)
            return 0
        card = f"{d.alert_id}\n{d.channel}" if d.alert_id.startswith(PER_CHANNEL_KEYS) else d.alert_id
        if card not in cards:
            cards[card] = await self._message_for(d.alert_id, d.channel)
        message = cards[card]
        if message is None:
            self.metrics.alert_failed(service)
            await self._store.mark_failed(d.alert_id, d.channel, "nothing to post any more (article no "
                                          "longer stored, or what it reminds of is gone)",
                                          retry=False, max_attempts=self._max_attempts)
            return 0
        try:
            if message.edit_of is not None or message.thread_of:
                done, ref = await self._follow_up(d, sink, channel_id, message)
                if not done:
                    return 0
            else:
                ref = await sink.post(channel_id, message)
        except ChannelGone as e:
            self.metrics.alert_failed(service)
            log.warning("%s is gone (%s): unsubscribing it; alert %s not posted", d.channel, e, d.alert_id)
            await self._store.unsubscribe(d.channel)
            await self._store.mark_failed(d.alert_id, d.channel, f"channel gone: {e}", retry=False,
                                          max_attempts=self._max_attempts)
            return 0
        except Exception as e:
            self.metrics.alert_failed(service)
            last = d.attempts >= self._max_attempts
            log.warning("posting alert %s to %s failed (attempt %d of %d): %s%s", d.alert_id, d.channel,
                        d.attempts, self._max_attempts, e, "; giving up" if last else "; will retry")
            await self._store.mark_failed(d.alert_id, d.channel, str(e)[:500], retry=True,
                                          max_attempts=self._max_attempts, retry_after=self._retry_after)
            return 0
        self._checkpoint("posted", d)
        await self._store.mark_sent(d.alert_id, d.channel, ref)
        self.metrics.alert_posted(service, self._lag(d))
        log.info("alert %s posted to %s", d.alert_id, d.channel)
        return 1

    async def _parent(self, keys: Sequence[str], channel: str) -> tuple[str | None, bool]:
        """The message reference of the first of these alerts the channel got, and whether
        one of them is still on its way there (so a reply should wait for it)."""
        waiting = False
        for key in keys:
            for p in await self._store.deliveries(key, channel):
                if p.state == "sent" and p.message_ref:
                    return p.message_ref, False
                waiting = waiting or p.state in ("pending", "sending")
        return None, waiting

    async def _follow_up(self, d: Delivery, sink: ChatSink, channel_id: str,
                         message: Message) -> tuple[bool, str | None]:
        """An edit of the alert's message, or a reply in its thread. (False, None) when it
        has to wait for the alert (marked for a retry) or cannot be done (marked failed)."""
        keys = (message.edit_of,) if message.edit_of is not None else message.thread_of
        parent, waiting = await self._parent(keys, d.channel)
        if parent is None and waiting:
            log.info("%s for %s waits for its alert to be posted there first", d.alert_id, d.channel)
            await self._store.mark_failed(d.alert_id, d.channel, "waiting for the alert it follows", retry=True,
                                          max_attempts=self._max_attempts + d.attempts,
                                          retry_after=self._retry_after)
            return False, None
        if message.edit_of is not None:
            if parent is None:
                log.warning("%s for %s not done: alert %s never reached that channel", d.alert_id, d.channel,
                            message.edit_of)
                await self._store.mark_failed(d.alert_id, d.channel, "the alert to edit was never posted",
                                              retry=False, max_attempts=self._max_attempts)
                return False, None
            await sink.edit(channel_id, parent, message)
            return True, parent
        if parent is None:
            log.info("%s for %s: no alert of that measure reached the channel; posted on its own",
                     d.alert_id, d.channel)
            return True, await sink.post(channel_id, message)
        return True, await sink.post(channel_id, message, thread=parent)

    def _lag(self, d: Delivery) -> float | None:
        if d.queued_at is None:
            return None
        queued = d.queued_at if d.queued_at.tzinfo else d.queued_at.replace(tzinfo=UTC)
        return (self._clock() - queued).total_seconds()

    async def run(self) -> None:
        """Post whenever woken (by a new alert, or by the scheduler's retry job), each lane
        on its own, so one slow chat service does not hold up the others. Cancelled, it
        returns only once every lane has ended (nothing is left running against the store)."""
        async with asyncio.TaskGroup() as lanes:
            for lane in self._lanes:
                lanes.create_task(self._run_lane(lane), name=f"delivery-lane-{lane or 'other'}")

    async def _run_lane(self, lane: str | None) -> None:
        wake = self._wakes[lane]
        while not self._stopping:
            await wake.wait()
            wake.clear()
            if self._stopping:
                return
            try:
                await self._drain_lane(lane)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round for %s failed; the scheduler will retry", lane or "other channels")
