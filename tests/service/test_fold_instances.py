"""Two instances on one PostgreSQL ingest copies of one event at the same moment: one alert,
the other copy folded into it (issue 14 "one event, one alert", across instances)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.analysis.near_duplicates import Sketch
from bot.domain import Analysis, Article, Subscription, TradeVerdict
from bot.service.ingest import Ingest
from bot.store import SqlStore
from bot.store.fingerprint import fingerprint

BODY = ("The finance ministry of Norway said on Tuesday that it would raise the duty on imported "
        "farmed salmon feed from neighbouring countries, citing a surge of cheap shipments over the "
        "winter months. Officials expect the measure to cover feed worth about 40 million crowns a "
        "year and to be reviewed after twelve months by the trade committee in Oslo.")
FIRST = Article("wire-a", "Norway to raise duty on salmon feed imports", BODY, published=date(2026, 3, 3))
COPY = Article("paper-b", "Norway raises duty on imported salmon feed",
               BODY + " Fish farmers welcomed the news.", published=date(2026, 3, 3))


async def analyse(article: Article, priority: int) -> Analysis:
    return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",)))


class Meeting:
    """The store, except that after reading the first reports each side waits (up to 3 s)
    until the other has read them too: without a lock across instances both read before
    either saves, the worst interleaving, every time."""

    def __init__(self, store: SqlStore, read: list[str]) -> None:
        self._store = store
        self._read = read

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def first_reports(self, within: timedelta) -> dict[str, Sketch]:
        found = await self._store.first_reports(within)
        self._read.append("read")
        for _ in range(60):
            if len(self._read) >= 2:
                break
            await asyncio.sleep(0.05)
        return found


@pytest.mark.postgres
async def test_copies_ingested_at_once_by_two_instances_make_one_alert(pg_stores: list[SqlStore]) -> None:
    two_stores = pg_stores[:2]
    one = two_stores[0]
    await one.subscribe(Subscription("console:desk"))
    read: list[str] = []
    ingests = [Ingest(Meeting(s, read), analyse, fingerprint, lambda: None)  # type: ignore[arg-type]
               for s in two_stores]
    await asyncio.wait_for(asyncio.gather(ingests[0].article(FIRST, 0), ingests[1].article(COPY, 0)), 60)
    keys = sorted(d.alert_id for d in await one.deliveries())
    alerts = [k for k in keys if not k.startswith("fold:")]
    assert len(alerts) == 1, keys
    folded = "paper-b" if alerts == ["wire-a"] else "wire-a"
    assert keys == sorted([*alerts, f"fold:{folded}"])
    assert await one.first_of(folded) == alerts[0]
