"""Following a story after its alert (issue 14): sketches of stories, copies folded into a
first alert, and which alert of a measure each channel got first. Statements run inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.analysis.near_duplicates import Sketch
from bot.domain import Article
from bot.store.engine import dialect_insert
from bot.store.rows import article_from
from bot.store.tables import article_sketches as sk
from bot.store.tables import articles as a
from bot.store.tables import deliveries as d

FOLD = "fold:"
"""`fold:<article id>`: edit the first alert's message to list the copy `<article id>`."""
UPDATE = "update:"
"""`update:<article id>:<measure id>`: a reply in the thread of the measure's first alert."""
CHANGE = "change:"
"""`change:<article id>:<measure id>`: the same news as a post of its own (`updates:channel`)."""


@dataclass(frozen=True, slots=True)
class Recheck:
    """Asked of a first report's save on PostgreSQL: under a lock that every instance's such
    save takes, the first reports seen `within` that time are read again and `copy_of` says
    which one (if any) the story turned out to be a copy of."""

    within: timedelta
    copy_of: Callable[[dict[str, Sketch]], str | None]


class CopyFound(Exception):
    """The save was rolled back: another instance saved a first report of the same event a
    moment before (`first`); the story is to be decided again."""

    def __init__(self, first: str) -> None:
        super().__init__(f"a copy of {first}")
        self.first = first


def update_key(prefix: str, article_id: str, measure_id: str) -> str:
    return f"{prefix}{article_id}:{measure_id}"


def split_update_key(key: str) -> tuple[str, str]:
    """"update:<article id>:<measure id>" -> (article id, measure id); the article id may
    itself hold colons (a feed's entry URL), the measure id never does."""
    rest = key.removeprefix(UPDATE).removeprefix(CHANGE)
    article_id, _, measure_id = rest.rpartition(":")
    return article_id, measure_id


async def save_sketch(conn: AsyncConnection, article_id: str, sketch: Sketch, first_of: str | None,
                      now: datetime) -> None:
    stmt = dialect_insert(conn, sk).values(
        article_id=article_id, hashvalues=sketch.hashvalues, shingles=sketch.shingles,
        figures=" ".join(sketch.figures), first_of=first_of, seen_at=now)
    await conn.execute(stmt.on_conflict_do_nothing(index_elements=[sk.c.article_id]))


async def first_reports(conn: AsyncConnection, since: datetime) -> dict[str, Sketch]:
    """The sketches of stories seen since then that are first reports (not copies) and
    were alerted to some channel."""
    alerted = exists().where(and_(d.c.alert_id == sk.c.article_id, d.c.state != "failed"))
    q = select(sk).where(sk.c.seen_at >= since, sk.c.first_of.is_(None), alerted).order_by(sk.c.seen_at)
    return {str(r["article_id"]): Sketch(bytes(r["hashvalues"]), int(r["shingles"]),
                                         tuple(str(r["figures"]).split()))
            for r in (await conn.execute(q)).mappings()}


async def first_of(conn: AsyncConnection, article_id: str) -> str | None:
    found = await conn.scalar(select(sk.c.first_of).where(sk.c.article_id == article_id))
    return None if found is None else str(found)


async def copies(conn: AsyncConnection, first_id: str) -> list[Article]:
    q = (select(a).join(sk, sk.c.article_id == a.c.id).where(sk.c.first_of == first_id)
         .order_by(sk.c.seen_at, a.c.id))
    return [article_from(r) for r in (await conn.execute(q)).mappings()]


async def alerted_channels(conn: AsyncConnection, alert_id: str) -> list[str]:
    q = select(d.c.channel).where(d.c.alert_id == alert_id, d.c.state != "failed").order_by(d.c.id)
    return [str(c) for c in await conn.scalars(q)]


async def first_alerts(conn: AsyncConnection, alert_ids: Sequence[str]) -> dict[str, str]:
    """channel -> the first of these alerts (in the order given) it got or is getting."""
    order = {alert_id: i for i, alert_id in enumerate(dict.fromkeys(alert_ids))}
    if not order:
        return {}
    q = select(d.c.alert_id, d.c.channel).where(d.c.alert_id.in_(list(order)), d.c.state != "failed")
    out: dict[str, str] = {}
    for alert_id, channel in sorted((await conn.execute(q)).all(), key=lambda r: order[str(r[0])]):
        out.setdefault(str(channel), str(alert_id))
    return out
