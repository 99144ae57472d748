"""Duties one instance at a time may do, each under a lease (several instances, one store).

`Leases` holds this instance's leases (`bot.store.lease.LeaseHolder`: PostgreSQL advisory
locks on one connection; on SQLite every lease is granted) and runs each leased duty (the
Slack Socket Mode connection, a scheduled digest) on whichever instance holds its lease:

- at start the instance takes its own instance lease (`instance:<id>`, held for its whole
  life: the others see it alive), and each duty added takes its lease if it is free;
- every `retry_seconds` it checks that its connection (so its leases) still stands, and
  tries to take the free leases of the duties it does not run. A holder that dies (even
  by SIGKILL) loses its session and its locks with it, so another instance takes the
  duty over within about `retry_seconds`;
- a lost connection means lost leases: the duties it ran are stopped (another instance
  may already be taking them), and taken again when the leases are.

Each change is logged: "lease slack-socket taken by instance a", "... lost", "... released".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from bot.core.connector import Step
from bot.store.engine import StoreUnavailable
from bot.store.lease import LeaseHolder, instance_lease

log = logging.getLogger(__name__)


@dataclass
class _Duty:
    name: str
    start: Step
    stop: Step
    running: bool = False


class Leases:
    """This instance's leases and the duties run under them (a `LeasedDuties`)."""

    def __init__(self, holder: LeaseHolder, instance: str, retry_seconds: float = 5.0) -> None:
        self._holder = holder
        self.instance = instance
        self._retry = retry_seconds
        self._duties: dict[str, _Duty] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.taken: list[str] = []
        """Leases taken by this instance, in order (for tests)."""

    def holds(self, name: str) -> bool:
        duty = self._duties.get(name)
        return duty is not None and duty.running

    async def start(self) -> None:
        """Take this instance's own lease (refused: another live instance has this id), then
        keep trying the duties' leases every `retry_seconds`."""
        if not await self._holder.try_take(instance_lease(self.instance)):
            raise StoreUnavailable(
                f"another running instance is called {self.instance!r}: give each instance its own "
                "ops.instance_id (or TRADEWATCH_INSTANCE_ID)")
        self._task = asyncio.create_task(self._keep(), name="leases")

    async def add(self, name: str, start: Step, stop: Step) -> None:
        """Run the duty under the lease `name` (see `bot.core.connector.LeasedDuties`)."""
        if name in self._duties:
            raise ValueError(f"a duty named {name!r} is already leased")
        duty = self._duties[name] = _Duty(name, start, stop)
        async with self._lock:
            await self._try(duty, at_start=True)

    async def _keep(self) -> None:
        while not self._closed:
            await asyncio.sleep(self._retry)
            try:
                await self.round()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the database is away: try again next round
                log.warning("leases: the round failed (%s); trying again in %.0f s", e, self._retry)

    async def round(self) -> None:
        """One check: leases still held? (if not, stop their duties), then take free ones."""
        async with self._lock:
            if self._closed:
                return
            if not await self._holder.check():
                for duty in self._duties.values():
                    if duty.running:
                        log.warning("lease %s lost by instance %s (its database session ended): "
                                    "stopping the duty", duty.name, self.instance)
                        await self._stop(duty)
                if not await self._holder.try_take(instance_lease(self.instance)):
                    log.error("instance %s could not take its instance lease again", self.instance)
            for duty in self._duties.values():
                if not duty.running:
                    await self._try(duty)

    async def _try(self, duty: _Duty, *, at_start: bool = False) -> None:
        """Take the duty's lease if free and start the duty. A start that fails gives the
        lease up; when the duty is being added (the service starting) the error goes on up,
        so a bad token stops the bot with its message, as without leases."""
        if self._closed or not await self._holder.try_take(duty.name):
            return
        log.info("lease %s taken by instance %s", duty.name, self.instance)
        self.taken.append(duty.name)
        try:
            await duty.start()
        except Exception:
            await self._holder.give_up(duty.name)
            if at_start:
                del self._duties[duty.name]
                raise
            log.exception("lease %s: instance %s could not start the duty; gave the lease up",
                          duty.name, self.instance)
            return
        duty.running = True

    async def _stop(self, duty: _Duty) -> None:
        duty.running = False
        try:
            await duty.stop()
        except Exception:
            log.exception("lease %s: stopping the duty failed", duty.name)

    async def close(self) -> None:
        """Stop the duties this instance runs and release every lease (others take over at
        their next round)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        async with self._lock:
            for duty in self._duties.values():
                if duty.running:
                    await self._stop(duty)
                    log.info("lease %s released by instance %s", duty.name, self.instance)
            await self._holder.close()
