"""Stories written for the feed tests (fictional countries, people and figures), and the
helpers that turn them into feed items, plus a stand-in analysis for the source tests and
the runtime the service hands the feeds connector.

The stand-in only says "trade policy" for every story: these tests are about fetching,
parsing and deduplicating; the real analysis runs in the end-to-end test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import FeedsSettings, Settings, StoreSettings
from bot.core.commands import Commands
from bot.core.connector import Runtime
from bot.core.source import Discovered
from bot.domain import Analysis, Article, TradeVerdict
from bot.store import SqlStore
from tests.sources.feed_server import Item

STEEL = (
    "Freedonia will raise its import duty on steel from Sylvania to 25 percent from 10 percent "
    "on July 1, the Freedonian trade ministry said on Monday, in a widening dispute over "
    "subsidies to Sylvanian mills.\n"
    "Trade minister Rufus Firefly told reporters in the capital that the higher tariff would "
    "cover about 2 billion dollars of steel sheet and pipe a year, and that talks with Sylvania "
    "had stalled after three rounds.\n"
    "Sylvania's commerce secretary Anna Berg said her government would answer with duties of its "
    "own on Freedonian cheese and wine if the measure took effect, and would ask a trade panel "
    "to rule on it before the summer."
)

GRAIN = (
    "Sylvania said on Tuesday it would cap wheat exports at four million tonnes for the season "
    "and put a 15 percent export tax on any grain shipped above that amount, to keep bread "
    "prices at home in check after a poor harvest.\n"
    "Agriculture minister Pedro Alvarez said the quota would be reviewed in October. Buyers in "
    "Freedonia and Grand Fenwick, which take most of Sylvania's wheat, said they would look for "
    "other suppliers, and traders expected prices on the regional exchange to rise by the end "
    "of the week as mills rushed to secure cargoes before the new rules apply."
)

FESTIVAL = (
    "The harbour town of Port Amble opened its summer music festival on Saturday with a parade "
    "of brass bands along the sea front, and organisers said more than forty thousand visitors "
    "were expected over the three days.\n"
    "The mayor thanked volunteers who had repainted the old bandstand, and local cafes stayed "
    "open late. Rain is forecast for Sunday afternoon, but the main concert on the pier will go "
    "ahead under the new canopy, which was paid for by a fund raised from residents."
)


def when(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 6, day, hour, 0, tzinfo=UTC)


def item(n: int, text: str = STEEL, *, title: str | None = None, link: str | None = None,
         published: datetime | None = None) -> Item:
    return Item(id=f"urn:desk:{n}", title=title or f"Story {n}: {text.split(',')[0][:60].strip()}",
                link=link or f"https://desk.example/news/{n}", text=text,
                published=published or when(1 + n % 20))


async def stand_in_analysis(article: Article, priority: int = 0) -> Analysis:
    return Analysis(article, TradeVerdict(True, 0.9, ("tariffs",), ("import duty",)),
                    summary=article.title)


def feeds_runtime(settings: FeedsSettings, store: SqlStore, commands: Commands, data_dir: Path,
                  ingest: Callable[[Article, int], Awaitable[Analysis | None]], instance: str = "local") -> Runtime:
    """What the service hands the feeds connector (no folders: a file handed over fails)."""
    async def ingest_file(found: Discovered, priority: int) -> None:
        raise AssertionError("no files expected")

    return Runtime(Settings(store=StoreSettings(data_dir=data_dir), feeds=settings), store, commands,
                   AsyncIOScheduler(), ingest, lambda: None, ingest_file, instance=instance)
