"""A scripted month of one tariff measure, played through the real service against a chat fake
with a controlled clock, crashing and restarting at each delivery (issue 14, points 3 and 4).

One channel gets alerts and `remind:3d`, another a `digest:daily@08:00`, both in
Europe/Brussels. The stories are our own, scripted as analyses (the analysis is not what is
under test here): US duties on Chinese steel pipes, 25% -> 30%, announced for Dec 15, delayed
to Dec 22, in force, removed; and an EU duty on US whiskey, announced for Jan 10 and removed
before its reminder is due.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from bot.core.connector import LIVE
from bot.domain import Analysis, Article, Delivery, Status, TariffChange, TradeVerdict
from bot.service.app import Service
from bot.service.scheduled import WAKE_PREFIX

ALERTS_SUB = "tags:tariffs remind:3d tz:Europe/Brussels"
DIGEST_SUB = "tags:tariffs digest:daily@08:00 tz:Europe/Brussels"
REMINDER_TITLE = "in 3 days: US tariff on steel pipes rises to 30%"


class Clock:
    """The service's "now": set by the test, never moving on its own."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SimulatedCrash(Exception):
    pass


class CrashOnce:
    """Crash at `step` ("claimed": before posting; "posted": before recording it) the first
    time each delivery reaches it; None: never."""

    def __init__(self, step: str | None) -> None:
        self.step = step
        self.seen: set[tuple[str, str]] = set()
        self.pending = False
        self.count = 0

    def __call__(self, step: str, d: Delivery) -> None:
        if step == self.step and (d.alert_id, d.channel) not in self.seen:
            self.seen.add((d.alert_id, d.channel))
            self.pending = True
            self.count += 1
            raise SimulatedCrash(f"simulated crash at {step} of {d.alert_id} for {d.channel}")


@dataclass(frozen=True)
class Step:
    aid: str
    day: date
    imposer: str
    target: str
    goods: str
    old: float | None
    new: float | None
    effective: str | None
    status: Status

    def analysis(self, article: Article) -> Analysis:
        change = TariffChange(self.imposer, self.target, self.goods, None, self.old, self.new, self.effective,
                              self.status, f"{self.imposer} duty on {self.goods}")
        return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("a tariff change",)),
                        tariff_changes=(change,), summary=f"{self.imposer} {self.status} duty on {self.goods}.")

    def article(self) -> Article:
        title = f"{self.imposer} {self.goods} duty {self.status.replace('_', ' ')} @everyone <!channel> ({self.aid})"
        return Article(self.aid, title, f"{title}. Written for the test.", self.day,
                       f"https://news.example/{self.aid}")


STEPS = {s.aid: s for s in (
    Step("pipes-announced", date(2026, 12, 1), "US", "China", "steel pipes", 25, 30, "2026-12-15", "announced"),
    Step("pipes-delayed", date(2026, 12, 1), "US", "China", "steel pipes", 25, 30, "2026-12-22", "delayed"),
    Step("pipes-in-force", date(2026, 12, 22), "US", "China", "steel pipes", 25, 30, "2026-12-22", "in_effect"),
    Step("pipes-removed", date(2026, 12, 23), "US", "China", "steel pipes", 30, 0, None, "removed"),
    Step("whiskey-announced", date(2026, 12, 24), "EU", "US", "whiskey", None, 50, "2027-01-10", "announced"),
    Step("whiskey-removed", date(2026, 12, 28), "EU", "US", "whiskey", 50, 0, None, "removed"),
)}


async def scripted(article: Article, priority: int) -> Analysis:
    return STEPS[article.id].analysis(article)


class Chat(Protocol):
    """One chat service's side of the play: start the service with its connector, subscribe
    a channel by its real command path, and read what each channel was posted."""

    alerts: str
    digest: str
    """The service-qualified channels ("slack:C1")."""

    async def start(self, clock: Clock, crash: CrashOnce) -> Service: ...
    async def subscribe(self, channel: str, text: str) -> None: ...
    def posts(self, channel: str) -> list[tuple[str, str]]:
        """(key, displayed text) of each message in the channel, oldest first."""
        ...


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Play:
    def __init__(self, chat: Chat, crash: CrashOnce) -> None:
        self.chat = chat
        self.crash = crash
        self.clock = Clock(at(1, 9))
        self.service: Service | None = None
        self.restarts = 0

    async def start(self) -> None:
        self.service = await self.chat.start(self.clock, self.crash)

    async def close(self) -> None:
        if self.service is not None:
            await self.service.close()
            self.service = None

    async def settle(self) -> None:
        """Post what is due; after a simulated crash, restart (reconciling) until all is settled."""
        for _ in range(50):
            assert self.service is not None and self.service.dispatcher is not None
            with contextlib.suppress(SimulatedCrash):
                await self.service.dispatcher.drain()
            if not self.crash.pending:
                return
            self.crash.pending = False
            await self.close()
            self.restarts += 1
            await self.start()
        raise AssertionError("did not settle")

    async def story(self, aid: str, when: datetime) -> None:
        self.clock.now = when
        assert self.service is not None and self.service.runtime is not None
        await self.service.runtime.ingest(STEPS[aid].article(), LIVE)
        await self.settle()

    async def time(self, when: datetime) -> None:
        self.clock.now = when
        await self.settle()

    def wakeups(self) -> set[datetime]:
        assert self.service is not None and self.service._scheduler is not None
        return {datetime.fromisoformat(j.id[len(WAKE_PREFIX):]) for j in self.service._scheduler.get_jobs()
                if j.id.startswith(WAKE_PREFIX)}

    async def planned(self) -> set[datetime]:
        assert self.service is not None
        await self.service.plan_wakeups()
        return self.wakeups()


def keys(posts: list[tuple[str, str]]) -> list[str]:
    return [k for k, _ in posts]


async def play_the_month(chat: Chat, crash: CrashOnce, check: Callable[[str], Awaitable[None]] | None = None) -> Play:
    """The whole script; asserts per channel after each step. Returns the play (closed)."""
    p = Play(chat, crash)
    await p.start()
    try:
        await chat.subscribe(chat.alerts, ALERTS_SUB)
        await chat.subscribe(chat.digest, DIGEST_SUB)

        await p.story("pipes-announced", at(1, 9))
        assert keys(chat.posts(chat.alerts)) == ["pipes-announced"]
        assert chat.posts(chat.digest) == []  # gathered, not posted
        # the reminder (3 days before Dec 15 starts in Brussels) and the digest (08:00 Brussels) are planned
        assert {at(11, 23), at(2, 7)} <= await p.planned()

        await p.story("pipes-delayed", at(1, 10))
        assert keys(chat.posts(chat.alerts)) == ["pipes-announced", "pipes-delayed"]
        planned = await p.planned()
        assert at(18, 23) in planned and at(11, 23) not in planned  # the delay moved the reminder

        await p.time(at(2, 6, 59))
        assert chat.posts(chat.digest) == []
        await p.time(at(2, 7))
        [(key, digest)] = chat.posts(chat.digest)
        assert key == "digest:2026-12-02"
        assert "Daily digest 2026-12-02: 2 alerts" in digest and "tariffs — China, US" in digest
        assert "(pipes-announced)" in digest and "(pipes-delayed)" in digest
        assert "from Tue 01 Dec 08:00 to Wed 02 Dec 08:00 (Europe/Brussels)" in digest

        await p.time(at(11, 23))  # the first date's reminder time: moved away, nothing
        await p.time(at(18, 22, 59))
        assert keys(chat.posts(chat.alerts)) == ["pipes-announced", "pipes-delayed"]
        await p.time(at(18, 23))
        reminder_key, reminder = chat.posts(chat.alerts)[-1]
        assert reminder_key.startswith("remind:m-") and reminder_key.endswith(":2026-12-22")
        assert REMINDER_TITLE in reminder and "takes effect: Tue 22 Dec 2026 (Europe/Brussels)" in reminder
        assert "(pipes-announced)" in reminder and "(pipes-delayed)" in reminder

        await p.story("pipes-in-force", at(22, 9))
        await p.time(at(23, 7))
        await p.story("pipes-removed", at(23, 9))
        await p.time(at(24, 7))
        await p.story("whiskey-announced", at(24, 10))
        assert at(6, 23, month=1, year=2027) in await p.planned()  # Jan 10 00:00 Brussels, 3 days ahead
        await p.story("whiskey-removed", at(28, 9))
        assert at(6, 23, month=1, year=2027) not in await p.planned()  # the removal cancelled it
        await p.time(at(7, 0, month=1, year=2027))

        assert keys(chat.posts(chat.alerts)) == ["pipes-announced", "pipes-delayed", reminder_key, "pipes-in-force",
                                                 "pipes-removed", "whiskey-announced", "whiskey-removed"]
        digests = chat.posts(chat.digest)
        assert keys(digests) == ["digest:2026-12-02", "digest:2026-12-23", "digest:2026-12-24", "digest:2026-12-25",
                                 "digest:2026-12-29"]
        assert [len(re.findall(r"id: (?:pipes|whiskey)-", d)) for _, d in digests] == [2, 1, 1, 1, 1]
        assert "(whiskey-removed)" in digests[-1][1]
        if check is not None:
            await check("end")
        return p
    finally:
        await p.close()
