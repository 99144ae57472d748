"""A scripted month of one tariff measure, played through the real service against a chat fake
with a controlled clock, crashing and restarting at each delivery (issue 14, its done-when).

Three channels, in Europe/Brussels where it matters: alerts with `updates:thread remind:3d`,
a `digest:daily@08:00`, and alerts with `updates:channel`. The stories are our own, scripted
as analyses (the analysis is not what is under test here; the near-duplicate detector is):
US duties on Chinese steel pipes, 25% -> 30%, announced for Dec 15, run again by two other
outlets (syndicated copies: folded into the alert by an edit), delayed to Dec 22, in force,
removed; and an EU duty on US whiskey, announced for Jan 10 and removed before its reminder
is due. Each later step of a measure is an update in the thread of its alert (a post of its
own with `updates:channel`), each a new item of the digest.
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

ALERTS_SUB = "tags:tariffs updates:thread remind:3d tz:Europe/Brussels"
DIGEST_SUB = "tags:tariffs digest:daily@08:00 tz:Europe/Brussels"
CHANGES_SUB = "tags:tariffs updates:channel"
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


PIPES = (
    "The US Commerce Department said on Tuesday it will raise its duty on welded steel pipes from China "
    "from 25 per cent to 30 per cent on December 15, saying state subsidies let Chinese mills undercut "
    "American producers.\n\n"
    "The higher rate covers line pipe, casing and structural tubing worth about 2.4 billion dollars a year, "
    "officials told reporters in Washington.\n\n"
    "Beijing's commerce ministry called the decision protectionist and said it would study countermeasures.\n\n"
    "Pipe distributors in Texas said contract prices were likely to rise before the new year.")
PIPES_WIRE = (
    "SHANGHAI (Harbour Wire) - Washington will raise its duty on welded steel pipes from China from 25 per "
    "cent to 30 per cent on December 15, the US Commerce Department said on Tuesday, saying state subsidies "
    "let Chinese mills undercut American producers.\n\n" + PIPES.split("\n\n", 1)[1].rsplit("\n\n", 1)[0]
    + "\n\n(Reporting by the Harbour Wire steel desk; editing by the Asia desk)")
PIPES_DAILY = (
    "Steel pipe duty to climb in mid-December\n\n" + PIPES.rsplit("\n\n", 1)[0]
    + "\n\nThis story was syndicated from a news agency feed.")
"""The announcement and two syndicated copies of it (a wire rewrite of the lead with its
boilerplate, a reprint with a new headline and a paragraph cut): near-duplicates by the
detector. The later steps are other stories, in other words."""
OTHER_BODIES = {
    "pipes-delayed": "Washington postponed the increase of its tariff on Chinese steel pipes by one week, to "
                     "December 22, after importers asked for time to clear cargoes already at sea. Officials "
                     "said the new rate and the list of products were unchanged.",
    "pipes-in-force": "Customs officers began collecting the higher US tariff on steel pipes from China on "
                      "Tuesday; brokers in Houston reported the first entries filed at the new rate.",
    "pipes-removed": "The United States dropped its tariff on Chinese steel pipes a day after it took effect, "
                     "as part of a wider truce on industrial goods announced by both governments.",
    "whiskey-announced": "Brussels will put a tariff on American whiskey from January 10 in answer to US "
                         "duties on European aircraft parts, the European Commission said.",
    "whiskey-removed": "The European Commission withdrew its planned whiskey tariff before it took effect, "
                       "citing progress in talks with Washington on aircraft subsidies.",
}


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
    body: str = ""
    site: str = "news.example"

    def analysis(self, article: Article) -> Analysis:
        change = TariffChange(self.imposer, self.target, self.goods, None, self.old, self.new, self.effective,
                              self.status, f"{self.imposer} duty on {self.goods}")
        return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("a tariff change",)),
                        tariff_changes=(change,), summary=f"{self.imposer} {self.status} duty on {self.goods}.")

    def article(self) -> Article:
        title = f"{self.imposer} {self.goods} duty {self.status.replace('_', ' ')} @everyone <!channel> ({self.aid})"
        body = self.body or OTHER_BODIES.get(self.aid, "Written for the test.")
        return Article(self.aid, title, f"{title}.\n\n{body}", self.day, self.url)

    @property
    def url(self) -> str:
        return f"https://{self.site}/{self.aid}"


def _pipes(aid: str, day: date, old: float, new: float, effective: str | None, status: Status,
           body: str = "", site: str = "news.example") -> Step:
    return Step(aid, day, "US", "China", "steel pipes", old, new, effective, status, body, site)


STEPS = {s.aid: s for s in (
    _pipes("pipes-announced", date(2026, 12, 1), 25, 30, "2026-12-15", "announced", PIPES),
    _pipes("pipes-copy-wire", date(2026, 12, 1), 25, 30, "2026-12-15", "announced", PIPES_WIRE, "wire.example"),
    _pipes("pipes-copy-daily", date(2026, 12, 1), 25, 30, "2026-12-15", "announced", PIPES_DAILY, "daily.example"),
    _pipes("pipes-delayed", date(2026, 12, 1), 25, 30, "2026-12-22", "delayed"),
    _pipes("pipes-in-force", date(2026, 12, 22), 25, 30, "2026-12-22", "in_effect"),
    _pipes("pipes-removed", date(2026, 12, 23), 30, 0, None, "removed"),
    Step("whiskey-announced", date(2026, 12, 24), "EU", "US", "whiskey", None, 50, "2027-01-10", "announced"),
    Step("whiskey-removed", date(2026, 12, 28), "EU", "US", "whiskey", 50, 0, None, "removed"),
)}
COPIES = ("pipes-copy-wire", "pipes-copy-daily")


async def scripted(article: Article, priority: int) -> Analysis:
    return STEPS[article.id].analysis(article)


@dataclass(frozen=True)
class Post:
    """A message as the channel shows it: its key, its displayed text (after any edit), the
    key of the message it replies to in a thread (None: top level), and how many times it
    was edited."""

    key: str
    text: str
    reply_to: str | None = None
    edits: int = 0


class Chat(Protocol):
    """One chat service's side of the play: start the service with its connector, subscribe
    a channel by its real command path, and read what each channel was posted."""

    alerts: str
    digest: str
    changes: str
    """The service-qualified channels ("slack:C1"): updates in the thread, a digest, updates
    as posts of their own."""

    async def start(self, clock: Clock, crash: CrashOnce) -> Service: ...
    async def subscribe(self, channel: str, text: str) -> None: ...
    def posts(self, channel: str) -> list[Post]:
        """Each message in the channel, oldest first (replies included)."""
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


def keys(posts: list[Post]) -> list[str]:
    return [p.key for p in posts]


def top(posts: list[Post]) -> list[str]:
    return [p.key for p in posts if p.reply_to is None]


def thread(posts: list[Post], key: str) -> list[Post]:
    return [p for p in posts if p.reply_to == key]


def story(key: str) -> str:
    """update:<story>:<measure> / change:... -> <story>."""
    return key.split(":")[1]


async def play_the_month(chat: Chat, crash: CrashOnce, check: Callable[[str], Awaitable[None]] | None = None) -> Play:
    """The whole script (issue 14's history: announce -> two syndicated copies -> delay -> in
    force -> removal, then a second measure announced and removed); asserts per channel after
    each step. Returns the play (closed)."""
    p = Play(chat, crash)
    await p.start()
    try:
        await chat.subscribe(chat.alerts, ALERTS_SUB)
        await chat.subscribe(chat.digest, DIGEST_SUB)
        await chat.subscribe(chat.changes, CHANGES_SUB)

        await p.story("pipes-announced", at(1, 9))
        for channel in (chat.alerts, chat.changes):
            assert keys(chat.posts(channel)) == ["pipes-announced"]
        assert chat.posts(chat.digest) == []  # gathered, not posted
        # the reminder (3 days before Dec 15 starts in Brussels) and the digest (08:00 Brussels) are planned
        assert {at(11, 23), at(2, 7)} <= await p.planned()

        # two syndicated copies: no new alert, the alert edited to name them (once each)
        await p.story("pipes-copy-wire", at(1, 9, 20))
        await p.story("pipes-copy-daily", at(1, 9, 40))
        for channel in (chat.alerts, chat.changes):
            [alert] = chat.posts(channel)
            assert alert.key == "pipes-announced" and alert.edits >= 2
            assert "Also reported by" in alert.text
            assert "wire.example" in alert.text and "daily.example" in alert.text
            assert "(pipes-copy-wire)" in alert.text and "(pipes-copy-daily)" in alert.text
        assert chat.posts(chat.digest) == []  # copies are not news for the digest either

        # the delay: an update in the alert's thread (a post of its own with updates:channel)
        await p.story("pipes-delayed", at(1, 10))
        alerts = chat.posts(chat.alerts)
        assert top(alerts) == ["pipes-announced"]
        [delay] = thread(alerts, "pipes-announced")
        assert delay.key.startswith("update:pipes-delayed:m-")
        assert "announced → delayed" in delay.text and "effective Dec 15 2026 → Dec 22 2026" in delay.text
        changes = chat.posts(chat.changes)
        assert [k.split(":")[0] for k in top(changes)] == ["pipes-announced", "change"]
        assert "announced → delayed" in changes[-1].text and thread(changes, "pipes-announced") == []
        planned = await p.planned()
        assert at(18, 23) in planned and at(11, 23) not in planned  # the delay moved the reminder

        await p.time(at(2, 6, 59))
        assert chat.posts(chat.digest) == []
        await p.time(at(2, 7))
        [digest] = chat.posts(chat.digest)
        assert digest.key == "digest:2026-12-02"
        assert "Daily digest 2026-12-02: 2 alerts" in digest.text and "tariffs — China, US" in digest.text
        assert "(pipes-announced)" in digest.text and "(pipes-delayed)" in digest.text
        assert "pipes-copy" not in digest.text
        assert "from Tue 01 Dec 08:00 to Wed 02 Dec 08:00 (Europe/Brussels)" in digest.text

        await p.time(at(11, 23))  # the first date's reminder time: moved away, nothing
        await p.time(at(18, 22, 59))
        assert len(chat.posts(chat.alerts)) == 2
        await p.time(at(18, 23))
        reminder = chat.posts(chat.alerts)[-1]
        assert reminder.key.startswith("remind:m-") and reminder.key.endswith(":2026-12-22")
        assert reminder.reply_to is None
        assert REMINDER_TITLE in reminder.text and "takes effect: Tue 22 Dec 2026 (Europe/Brussels)" in reminder.text
        assert "(pipes-announced)" in reminder.text and "(pipes-delayed)" in reminder.text

        await p.story("pipes-in-force", at(22, 9))
        await p.time(at(23, 7))
        await p.story("pipes-removed", at(23, 9))
        await p.time(at(24, 7))
        await p.story("whiskey-announced", at(24, 10))
        assert at(6, 23, month=1, year=2027) in await p.planned()  # Jan 10 00:00 Brussels, 3 days ahead
        await p.story("whiskey-removed", at(28, 9))
        assert at(6, 23, month=1, year=2027) not in await p.planned()  # the removal cancelled it
        await p.time(at(7, 0, month=1, year=2027))

        # per channel, at the end: one alert per measure, every step once, in its place
        alerts = chat.posts(chat.alerts)
        assert top(alerts) == ["pipes-announced", reminder.key, "whiskey-announced"]
        pipes = thread(alerts, "pipes-announced")
        assert [story(u.key) for u in pipes] == ["pipes-delayed", "pipes-in-force", "pipes-removed"]
        assert "delayed → in effect" in pipes[1].text
        assert "in effect → removed" in pipes[2].text and "30% → 0%" in pipes[2].text
        [whiskey] = thread(alerts, "whiskey-announced")
        assert story(whiskey.key) == "whiskey-removed" and "announced → removed" in whiskey.text
        assert len(alerts) == 7 and len(set(keys(alerts))) == 7

        changes = chat.posts(chat.changes)
        assert [p.reply_to for p in changes] == [None] * 6  # no thread, and no reminder (not asked for)
        assert [k if k.endswith("announced") else story(k) for k in keys(changes)] == [
            "pipes-announced", "pipes-delayed", "pipes-in-force", "pipes-removed", "whiskey-announced",
            "whiskey-removed"]
        assert all(k.startswith("change:") for k in keys(changes) if not k.endswith("announced"))

        digests = chat.posts(chat.digest)
        assert keys(digests) == ["digest:2026-12-02", "digest:2026-12-23", "digest:2026-12-24", "digest:2026-12-25",
                                 "digest:2026-12-29"]
        assert [len(re.findall(r"id: (?:pipes|whiskey)-", d.text)) for d in digests] == [2, 1, 1, 1, 1]
        assert "(whiskey-removed)" in digests[-1].text
        if check is not None:
            await check("end")
        return p
    finally:
        await p.close()


DELIVERIES = 9 + 8 + 5
"""What the month delivers: to the alerts channel the alert, two edits, three updates, the
reminder, the second alert and its update; to the updates:channel one the same without the
reminder; five digests."""
