"""The seam for what plugs into the running bot: chat services and article sources.

A `Connector` brings chat sinks (for alerts) and/or starts its own work (a Slack app
answering slash commands, a Discord gateway client, feed polling jobs, the folder watcher)
given the `Runtime` of the service. Every source comes in this way. `bot/service/connectors.py` is the one visible list of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.core.sink import ChatSink
from bot.core.source import Discovered
from bot.domain import Analysis, Article

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.config import Settings
    from bot.core.commands import Commands
    from bot.store import SqlStore

LIVE = 0
"""The analysis priority of news as it arrives: a lone new file, a few new feed entries."""
BULK = 1
"""The analysis priority of a backlog: a catch-up scan, a burst of files, a feed's backfill."""


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a connector may use once the service is up."""

    settings: Settings
    store: SqlStore
    commands: Commands
    scheduler: AsyncIOScheduler
    ingest: Callable[[Article, int], Awaitable[Analysis | None]]
    """Store, analyse and route one article (priority LIVE or BULK)."""
    wake_dispatcher: Callable[[], None]
    ingest_file: Callable[[Discovered, int], Awaitable[None]]
    """Store, analyse and route every article of a file, then record the file as read."""
    instance: str = "local"
    """This process's instance id: what it claims shared work (a feed, a file) under."""
    leases: LeasedDuties = field(default_factory=lambda: Unleased())
    """Where a duty only one instance may do at a time (a Socket Mode connection, a
    scheduled digest) is run: under a lease, on whichever instance holds it."""


Step = Callable[[], Awaitable[None]]


class LeasedDuties(Protocol):
    async def add(self, name: str, start: Step, stop: Step) -> None:
        """Run the duty `name` (its `start`, later its `stop`) while this instance holds the
        lease `name`: at once when the lease is free, else when its holder is gone. A
        `start` that raises gives the lease up (logged); another instance may try."""
        ...


class Unleased:
    """One process alone: every duty starts at once (tests, and a Runtime built by hand)."""

    async def add(self, name: str, start: Step, stop: Step) -> None:
        await start()


class Connector(Protocol):
    name: str

    def sinks(self) -> Mapping[str, ChatSink]:
        """The chat sinks this connector serves, by channel prefix ("slack")."""
        ...

    async def start(self, runtime: Runtime) -> None:
        """Connect and start serving; raise with a clear message if it cannot."""
        ...

    async def stop(self) -> None: ...


@runtime_checkable
class Connected(Protocol):
    """A connector with a live connection (a chat service) says whether it is connected,
    for /readyz. Connectors without one (feeds, folders) need not have this method."""

    async def not_connected(self) -> str | None:
        """None when connected; otherwise why not, in a few words."""
        ...
