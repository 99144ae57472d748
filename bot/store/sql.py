"""The store on SQLAlchemy (async): one implementation for SQLite and PostgreSQL.

Every public method is one transaction. Writes on SQLite take the write lock at once
(`BEGIN IMMEDIATE`); reads run in read-only connections.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Self

from sqlalchemy import Select, delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.analysis.near_duplicates import Sketch
from bot.codec import analysis_to_dict
from bot.domain import Analysis, Article, Delivery, Feed, Subscription
from bot.store import deliveries as dq
from bot.store import feeds as fq
from bot.store import follow as fw
from bot.store import scheduled as sched
from bot.store import slack_teams as st
from bot.store import tables as t
from bot.store.engine import READ_ONLY, StoreUnavailable, dialect_insert, reachable, where
from bot.store.lease import LeaseHolder
from bot.store.ledger import (
    LedgerEntry,
    LedgerRow,
    country_key,
    filter_ledger,
    measure_ids,
    merge_ledger,
)
from bot.store.migrate import current_revision, upgrade
from bot.store.rows import (
    analysis_from,
    article_from,
    article_values,
    ledger_row_from,
    ledger_values,
    subscription_from,
    subscription_values,
)

_IN_CHUNK = 500
_MIGRATE_LOCK = 0x7472_6164_6577  # "tradew": the advisory lock key migrations take turns on


class AddedArticle(NamedTuple):
    """What `add_article` did. `created`: a new story was stored under `article_id` (the
    article's own id, or one derived from it when that was taken by a different story):
    analyse it. Otherwise the story was known and `article_id` is the stored article's id
    (the first copy's)."""

    article_id: str
    created: bool


def candidate_ids(article_id: str, fingerprint: str) -> Iterator[str]:
    """The ids a story may be stored under, in order: its own, then ones derived from its
    content fingerprint (`brief`, `brief-3f2a9c1d`, ...), so different stories that share an
    id each keep one, and the same story always gets the same."""
    yield article_id
    for digits in (8, 16, len(fingerprint)):
        yield f"{article_id}-{fingerprint[:digits]}"


_FIRST_REPORTS_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtext('tradewatch:first-reports'), hashtext(current_schema()))")
"""Held to the end of a first report's save (`Recheck`); two int4 keys, apart from the
leases' bigint keys (`bot.store.lease`)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class SqlStore:
    """The bot's memory. Create with `open_store`, then `await migrate()` once at start-up."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow,
                 instance: str | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self.instance = instance
        """The instance this store works for (several instances on one PostgreSQL): the
        deliveries it claims are recorded as its, and its reconcile leaves alone those of
        other live instances. None: a store used by one process only (the CLI, tests)."""
        self._closed = False
        self._read_options: dict[str, Any] = (
            {READ_ONLY: True} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"})
        """How a read-only connection is opened: SQLite, `BEGIN DEFERRED` (`bot.store.engine`);
        PostgreSQL, with no transaction around it, where BEGIN and ROLLBACK were two round
        trips a read that bought nothing (under READ COMMITTED each statement takes its own
        snapshot inside a transaction too)."""

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._engine.dialect.name

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic `upgrade head`); a no-op when it is.

        Safe when several processes start at once: on PostgreSQL they take turns (an
        advisory lock), on SQLite the write lock does the same."""
        with reachable(self._engine.url, "open or set up"):
            async with self._engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK})
                await conn.run_sync(upgrade)

    async def schema_revision(self) -> str | None:
        """The schema's Alembic revision (None: never set up); creates nothing."""
        with reachable(self._engine.url, "open"):
            async with self._read() as conn:
                return await conn.run_sync(current_revision)

    async def close(self) -> None:
        self._closed = True
        await self._engine.dispose()

    async def ping(self) -> None:
        """Raise StoreUnavailable (saying why) unless the store answers a query now (for
        /readyz); a closed store does not answer."""
        if self._closed:
            raise StoreUnavailable(f"{where(self._engine.url)} is closed (the bot is stopping)")
        with reachable(self._engine.url, "reach"):
            async with self._read() as conn:
                await conn.execute(text("SELECT 1"))

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must give timezone-aware datetimes")
        return now.astimezone(UTC)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.connect() as conn:
            await conn.execution_options(**self._read_options)
            yield conn

    def _write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self._engine.begin()

    def lease_holder(self) -> LeaseHolder:
        """A holder of leases on this store's database (`bot.store.lease`), for one instance."""
        return LeaseHolder(self._engine)

    # -- articles -------------------------------------------------------------------------

    async def add_article(self, article: Article, fingerprint: str) -> AddedArticle:
        """Store a story once: a known fingerprint returns the stored article's id.

        A stored article is never replaced: a different story under an id already taken
        (`brief.txt`, then `brief.md`, or an edited file) is stored under an id of its own,
        `<id>-<first 8 hex digits of its fingerprint>` (the same for the same text, so
        reading it again finds it). Either way `article.source` (when given) is recorded as
        a place the story was seen.
        """
        now = self._now()
        a = t.articles
        async with self._write() as conn:
            known = await conn.scalar(select(a.c.id).where(a.c.fingerprint == fingerprint).limit(1))
            created = False
            if known is not None:
                article_id = str(known)
            else:
                for article_id in candidate_ids(article.id, fingerprint):
                    stmt = (
                        dialect_insert(conn, a)
                        .values(article_values(replace(article, id=article_id), fingerprint, now))
                        .on_conflict_do_nothing()
                        .returning(a.c.id)
                    )
                    if (await conn.execute(stmt)).first() is not None:
                        created = True
                        break
                    known = await conn.scalar(select(a.c.id).where(a.c.fingerprint == fingerprint))
                    if known is not None:  # stored meanwhile by another writer
                        article_id = str(known)
                        break
                else:
                    raise RuntimeError(f"no free id for article {article.id!r}")  # 2**128 to one
            if article.source:
                await conn.execute(
                    dialect_insert(conn, t.article_sources)
                    .values(article_id=article_id, source=article.source, seen_at=now)
                    .on_conflict_do_nothing()
                )
            return AddedArticle(article_id, created)

    async def get_article(self, article_id: str) -> Article | None:
        async with self._read() as conn:
            q = select(t.articles).where(t.articles.c.id == article_id)
            row = (await conn.execute(q)).mappings().first()
            return None if row is None else article_from(row)

    async def article_sources(self, article_id: str) -> list[str]:
        """Every place the story was seen, first seen first."""
        s = t.article_sources
        q = select(s.c.source).where(s.c.article_id == article_id).order_by(s.c.seen_at, s.c.source)
        async with self._read() as conn:
            return [str(v) for v in (await conn.scalars(q))]

    async def article_ids_for_sources(self, sources: Iterable[str]) -> dict[str, str]:
        """source -> article id, for the sources the store has seen."""
        wanted = list(dict.fromkeys(sources))
        s = t.article_sources
        out: dict[str, str] = {}
        async with self._read() as conn:
            for i in range(0, len(wanted), _IN_CHUNK):
                q = select(s.c.source, s.c.article_id).where(s.c.source.in_(wanted[i : i + _IN_CHUNK]))
                for source, article_id in await conn.execute(q):
                    out.setdefault(str(source), str(article_id))
        return out

    async def count_articles(self) -> int:
        async with self._read() as conn:
            return int(await conn.scalar(select(func.count()).select_from(t.articles)) or 0)

    async def articles_without_analysis(self, limit: int = 100) -> list[Article]:
        """Stories stored but never analysed (e.g. the process stopped in between), oldest first."""
        a, an = t.articles, t.analyses
        q = (
            select(a)
            .outerjoin(an, an.c.article_id == a.c.id)
            .where(an.c.article_id.is_(None))
            .order_by(a.c.first_seen, a.c.id)
            .limit(limit)
        )
        async with self._read() as conn:
            return [article_from(r) for r in (await conn.execute(q)).mappings()]

    # -- analyses and the tariff ledger ---------------------------------------------------

    async def save_analysis(self, analysis: Analysis) -> None:
        """Store (or replace) the analysis of a stored article, and its tariff ledger rows."""
        now = self._now()
        async with self._write() as conn:
            await self._save_analysis(conn, analysis, now)

    async def save_analysis_and_enqueue(
        self, analysis: Analysis, channels: Iterable[str], *, alert_id: str | None = None,
        digests: Sequence[Subscription] = (), reminders: Sequence[Subscription] = (),
        sketch: Sketch | None = None, first_of: str | None = None,
        posts: Iterable[tuple[str, str]] = (), recheck: fw.Recheck | None = None,
    ) -> None:
        """The analysis, its ledger rows and pending deliveries of its alert (default id: the
        article id) to `channels`, in ONE transaction: all of it is stored or none.
        Deliveries that exist already (same alert and channel) are kept as they are.

        `digests`: subscriptions that get the alert in their period's digest instead
        (`bot.store.scheduled`); `reminders`: those the story goes to that want reminders of
        its measures. The reminders of every measure the story reports are moved or cancelled
        as the measure now stands (a delay, a removal), whoever gets the story.

        With `sketch`, the story's near-duplicate sketch is kept too (`first_of`: the first
        report it is a copy of); `posts` are further deliveries, (key, channel), such as
        `fold:` edits and `update:` replies (`bot.store.follow`).

        With `recheck` (PostgreSQL; SQLite has one process): raises `CopyFound`, having
        stored nothing, if the story is a copy of a first report another instance saved
        while this one was deciding."""
        now = self._now()
        key = alert_id or analysis.article.id
        async with self._write() as conn:
            if recheck is not None and self.dialect == "postgresql":
                await conn.execute(_FIRST_REPORTS_LOCK)
                first = recheck.copy_of(await fw.first_reports(conn, now - recheck.within))
                if first is not None:
                    raise fw.CopyFound(first)
            await self._save_analysis(conn, analysis, now)
            plain = await sched.add_to_digests(conn, key, digests, now) if digests else []
            await dq.enqueue(conn, key, [*channels, *plain], now)
            if sketch is not None:
                await fw.save_sketch(conn, analysis.article.id, sketch, first_of, now)
            by_key: dict[str, list[str]] = {}
            for post_key, channel in posts:
                by_key.setdefault(post_key, []).append(channel)
            for post_key, chs in by_key.items():
                await dq.enqueue(conn, post_key, chs, now)
            if analysis.trade_policy.is_trade and analysis.tariff_changes:
                entries = await self._measures_of(conn, analysis.article.id)
                await sched.plan_reminders(conn, entries, reminders, now)

    async def digest_items(self, channel: str, period: str) -> list[str]:
        """The alert ids a channel's digest of that period gathers, in the order they came."""
        async with self._read() as conn:
            return await sched.digest_items(conn, channel, period)

    async def digests_with(self, alert_id: str, channel: str) -> list[Delivery]:
        """The channel's digests (deliveries `digest:<period>`) that gather the alert."""
        async with self._read() as conn:
            return await sched.digests_with(conn, alert_id, channel)

    async def next_due(self, limit: int = 1000) -> list[datetime]:
        """When deliveries that wait (reminders, digests, retries) come due, soonest first."""
        now = self._now()
        async with self._read() as conn:
            return await sched.next_due(conn, now, limit)

    async def measure(self, measure_id: str) -> LedgerEntry | None:
        """The ledger entry with this id (`m-7f3k2qa`), or None."""
        return next((e for e in await self.ledger() if e.id == measure_id), None)

    def now(self) -> datetime:
        """The store's clock (timezone-aware UTC): what it records and what `claim` compares."""
        return self._now()

    # -- following a story (statements in bot.store.follow) ------------------------------

    async def first_reports(self, within: timedelta) -> dict[str, Sketch]:
        """Sketches of the alerted first reports seen within that time, by article id."""
        since = self._now() - within
        async with self._read() as conn:
            return await fw.first_reports(conn, since)

    async def first_of(self, article_id: str) -> str | None:
        """The first report a stored copy was folded into (None: none, or not a copy)."""
        async with self._read() as conn:
            return await fw.first_of(conn, article_id)

    async def copies(self, first_id: str) -> list[Article]:
        """The copies folded into the first report's alert, first seen first."""
        async with self._read() as conn:
            return await fw.copies(conn, first_id)

    async def alerted_channels(self, alert_id: str) -> list[str]:
        """The channels the alert went or is going to (not those it failed in)."""
        async with self._read() as conn:
            return await fw.alerted_channels(conn, alert_id)

    async def first_alerts(self, alert_ids: Sequence[str]) -> dict[str, str]:
        """channel -> the first of these alerts (in the order given) it got."""
        async with self._read() as conn:
            return await fw.first_alerts(conn, alert_ids)

    async def ledger_rows(self, pairs: Iterable[tuple[str, str]]) -> list[LedgerRow]:
        """Every ledger row of these (imposer key, target key) pairs."""
        lg = t.tariff_ledger
        wanted = list(dict.fromkeys(pairs))
        if not wanted:
            return []
        async with self._read() as conn:
            return await self._ledger_rows(conn, or_(*(
                (lg.c.imposer_key == i) & (lg.c.target_key == k) for i, k in wanted)))

    async def _save_analysis(self, conn: AsyncConnection, analysis: Analysis, now: datetime) -> None:
        art, an = analysis.article, t.analyses
        stored = (
            await conn.execute(select(t.articles.c.published).where(t.articles.c.id == art.id))
        ).first()
        if stored is None:
            raise LookupError(f"article {art.id!r} is not stored: add_article it first")
        stmt = dialect_insert(conn, an).values(
            article_id=art.id,
            document=analysis_to_dict(analysis),
            is_trade=analysis.trade_policy.is_trade,
            score=float(analysis.trade_policy.score),
            analysed_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[an.c.article_id],
            set_={k: stmt.excluded[k] for k in ("document", "is_trade", "score", "analysed_at")},
        )
        await conn.execute(stmt)
        await conn.execute(delete(t.tariff_ledger).where(t.tariff_ledger.c.article_id == art.id))
        if analysis.trade_policy.is_trade and analysis.tariff_changes:
            published = art.published or stored[0]
            rows = [
                ledger_values(art.id, i, published, c) for i, c in enumerate(analysis.tariff_changes)
            ]
            await conn.execute(t.tariff_ledger.insert(), rows)

    @staticmethod
    def _analyses() -> Select[Any]:
        a, an = t.articles, t.analyses
        return select(an.c.document, a.c.body).join(a, a.c.id == an.c.article_id)

    async def get_analysis(self, article_id: str) -> Analysis | None:
        """The stored analysis, its article's body filled in."""
        q = self._analyses().where(t.analyses.c.article_id == article_id)
        async with self._read() as conn:
            row = (await conn.execute(q)).mappings().first()
            return None if row is None else analysis_from(row)

    async def recent_analyses(self, limit: int = 10, *, trade_only: bool = True) -> list[Analysis]:
        """The newest stories first (by publication day, then by analysis time)."""
        a, an = t.articles, t.analyses
        q = self._analyses().order_by(
            a.c.published.desc().nulls_last(), an.c.analysed_at.desc(), a.c.id.desc()
        )
        if trade_only:
            q = q.where(an.c.is_trade.is_(True))
        async with self._read() as conn:
            return [analysis_from(r) for r in (await conn.execute(q.limit(limit))).mappings()]

    async def latest_analysis(self, trade_only: bool = True) -> Analysis | None:
        found = await self.recent_analyses(1, trade_only=trade_only)
        return found[0] if found else None

    async def find_by_source(self, source: str) -> Analysis | None:
        """The analysis of the story seen at `source` (a file path, a feed entry), if any."""
        s, an = t.article_sources, t.analyses
        q = (
            self._analyses()
            .join(s, s.c.article_id == an.c.article_id)
            .where(s.c.source == source)
            .order_by(s.c.seen_at)
            .limit(1)
        )
        async with self._read() as conn:
            row = (await conn.execute(q)).mappings().first()
            return None if row is None else analysis_from(row)

    async def ledger(
        self, country: str | None = None, since: date | None = None, status: str | None = None
    ) -> list[LedgerEntry]:
        """The tariff ledger, one entry a measure, newest first (see `bot.store.ledger`).

        Raises ValueError for a status that is not one of `bot.domain.STATUSES`."""
        lg = t.tariff_ledger
        where = None
        if country is not None:
            key = country_key(country)
            where = or_(lg.c.imposer_key == key, lg.c.target_key == key)
        async with self._read() as conn:
            rows = await self._ledger_rows(conn, where)
        return filter_ledger(merge_ledger(rows), country=country, since=since, status=status)

    @staticmethod
    async def _ledger_rows(conn: AsyncConnection, where: Any = None) -> list[LedgerRow]:
        lg, a = t.tariff_ledger, t.articles
        q = select(lg, a.c.title, a.c.first_seen, a.c.url).join(a, a.c.id == lg.c.article_id)
        if where is not None:
            q = q.where(where)
        return [ledger_row_from(r) for r in (await conn.execute(q)).mappings()]

    async def measure_ids(self, article_id: str) -> dict[int, str]:
        """The measure id of each of the article's tariff changes (by position): the ledger
        of the article's pairs of countries, merged as `ledger` merges it."""
        async with self._read() as conn:
            return measure_ids(await self._pair_ledger(conn, article_id), article_id)

    async def _pair_ledger(self, conn: AsyncConnection, article_id: str) -> list[LedgerEntry]:
        """The merged ledger of the article's pairs of countries."""
        lg = t.tariff_ledger
        pairs = select(lg.c.imposer_key, lg.c.target_key).where(lg.c.article_id == article_id)
        keys = [(str(i), str(k)) for i, k in (await conn.execute(pairs.distinct())).all()]
        if not keys:
            return []
        rows = await self._ledger_rows(conn, or_(*(
            (lg.c.imposer_key == i) & (lg.c.target_key == k) for i, k in keys)))
        return merge_ledger(rows)

    async def _measures_of(self, conn: AsyncConnection, article_id: str) -> list[LedgerEntry]:
        """The measures the article reports, as they stand with it."""
        return [e for e in await self._pair_ledger(conn, article_id)
                if any(r.article_id == article_id for r in e.steps)]

    # -- folder file state ----------------------------------------------------------------

    async def file_signature(self, path: str | Path) -> str | None:
        q = select(t.file_state.c.signature).where(t.file_state.c.path == str(path))
        async with self._read() as conn:
            found = await conn.scalar(q)
            return None if found is None else str(found)

    async def set_file_signature(self, path: str | Path, signature: str) -> None:
        now = self._now()
        async with self._write() as conn:
            stmt = dialect_insert(conn, t.file_state).values(path=str(path), signature=signature, updated_at=now)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[t.file_state.c.path],
                    set_={"signature": stmt.excluded.signature, "updated_at": stmt.excluded.updated_at},
                )
            )

    async def claim_file(self, path: str | Path, signature: str, instance: str, lease: timedelta) -> bool:
        """Claim this version of the file for `instance` to read it, until now + `lease`;
        False when it was read already, or another instance's claim on it still runs (several
        instances watching one shared folder: each file is read once). The claim row stays
        after the read: a claim running out only matters for a file never recorded as read
        (its reader died), which another instance then claims and reads. On SQLite one
        process runs (the run lock): always True, nothing written."""
        if self.dialect == "sqlite":
            return True
        now = self._now()
        fc = t.file_claims
        async with self._write() as conn:
            done = await conn.scalar(select(t.file_state.c.signature).where(t.file_state.c.path == str(path)))
            if done == signature:
                return False
            stmt = dialect_insert(conn, fc).values(path=str(path), signature=signature, claimed_by=instance,
                                                   claim_until=now + lease)
            stmt = stmt.on_conflict_do_update(
                index_elements=[fc.c.path],
                set_={"signature": stmt.excluded.signature, "claimed_by": stmt.excluded.claimed_by,
                      "claim_until": stmt.excluded.claim_until},
                where=or_(fc.c.claim_until < now, fc.c.signature != stmt.excluded.signature,
                          fc.c.claimed_by == stmt.excluded.claimed_by),
            ).returning(fc.c.path)
            return (await conn.execute(stmt)).first() is not None

    # -- subscriptions --------------------------------------------------------------------

    async def subscribe(self, sub: Subscription) -> None:
        """Create or replace the channel's subscription."""
        now = self._now()
        changed = ("tags", "countries", "min_score", "tariff_changes_only", "created_by", "updated_at",
                   "remind_seconds", "digest", "tz", "updates")
        async with self._write() as conn:
            stmt = dialect_insert(conn, t.subscriptions).values(subscription_values(sub, now))
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[t.subscriptions.c.channel],
                    set_={k: stmt.excluded[k] for k in changed},
                )
            )

    async def unsubscribe(self, channel: str) -> bool:
        """Remove the channel's subscription; False if it had none."""
        s = t.subscriptions
        async with self._write() as conn:
            stmt = delete(s).where(s.c.channel == channel).returning(s.c.channel)
            return (await conn.execute(stmt)).first() is not None

    async def subscriptions(self, channel: str | None = None) -> list[Subscription]:
        s = t.subscriptions
        q = select(s).order_by(s.c.channel)
        if channel is not None:
            q = q.where(s.c.channel == channel)
        async with self._read() as conn:
            return [subscription_from(r) for r in (await conn.execute(q)).mappings()]

    # -- deliveries (state machine in bot.store.deliveries) -------------------------------

    async def enqueue(self, alert_id: str, channels: Iterable[str]) -> int:
        """Pending deliveries of the alert to the channels; existing ones are kept. How many new."""
        now = self._now()
        async with self._write() as conn:
            return await dq.enqueue(conn, alert_id, channels, now)

    async def claim(self, limit: int = 10, service: str | None = None,
                    other_than: Sequence[str] = ()) -> list[Delivery]:  # fmt: skip
        """Take up to `limit` pending deliveries that are due, oldest first: they become
        `sending` and count one more attempt. `service` keeps to one chat service's
        channels; `other_than` leaves those services' channels alone."""
        now = self._now()
        async with self._write() as conn:
            return await dq.claim(conn, limit, now, service, other_than, self.instance)

    async def mark_sent(self, alert_id: str, channel: str, message_ref: str | None = None) -> None:
        """-> sent, with the chat service's message id; a sent delivery stays as it was.
        Raises LookupError when there is no such delivery."""
        now = self._now()
        async with self._write() as conn:
            await dq.mark_sent(conn, alert_id, channel, message_ref, now)

    async def mark_failed(
        self,
        alert_id: str,
        channel: str,
        error: str,
        *,
        retry: bool,
        max_attempts: int,
        retry_after: timedelta | None = None,
    ) -> None:
        """A claimed delivery failed: back to pending while `retry` and attempts < max_attempts
        (claimable again only `retry_after` from now, when given), else failed.
        Raises LookupError (no such delivery) or ValueError (not sending)."""
        now = self._now()
        async with self._write() as conn:
            await dq.mark_failed(conn, alert_id, channel, error, retry=retry,
                                 max_attempts=max_attempts, retry_after=retry_after, now=now)

    async def in_flight(self, older_than: timedelta | None = None, service: str | None = None,
                        other_than: Sequence[str] = ()) -> list[Delivery]:  # fmt: skip
        """Deliveries left `sending` (optionally only those claimed longer ago than that), of
        the services asked for as in `claim`. A store working for an instance leaves out
        those claimed by another instance that is alive (it is posting them)."""
        before = None if older_than is None else self._now() - older_than
        async with self._read() as conn:
            return await dq.in_flight(conn, before, service, other_than, self.instance)

    async def reset(self, alert_id: str, channel: str) -> None:
        """sending -> pending (the post is known not to have happened); other states stay."""
        now = self._now()
        async with self._write() as conn:
            await dq.reset(conn, alert_id, channel, now)

    async def deliveries(self, alert_id: str | None = None, channel: str | None = None) -> list[Delivery]:
        async with self._read() as conn:
            return await dq.listing(conn, alert_id, channel)

    # -- feeds (statements in bot.store.feeds) -----------------------------------------------

    async def add_feed(self, url: str, every_seconds: float, *, backfill: bool = False,
                       added_by: str | None = None, only_new: bool = False) -> tuple[Feed, bool]:
        """Add a feed to poll (due at once), or, when it is known, set its interval and enable
        it again, due now (what an admin adding it again means); with `only_new` a known feed
        is left as it is (the configuration's feeds at start: another instance starting at
        the same moment may have added and polled it already). True when it is new."""
        now = self._now()
        async with self._write() as conn:
            return await fq.add(conn, url, every_seconds, backfill, added_by, now, only_new=only_new)

    async def remove_feed(self, url: str) -> bool:
        """Stop polling the feed and forget its entries; False if there was no such feed."""
        async with self._write() as conn:
            return await fq.remove(conn, url)

    async def feeds(self) -> list[Feed]:
        """Every feed, enabled or not, in the order they were added."""
        async with self._read() as conn:
            return await fq.listing(conn)

    async def get_feed(self, feed_id: int) -> Feed | None:
        async with self._read() as conn:
            return await fq.get(conn, feed_id=feed_id)

    async def claim_due_feeds(self, instance: str, limit: int, lease: timedelta, *,
                              exclude: Collection[int] = ()) -> list[Feed]:
        """Up to `limit` due feeds for `instance` to poll now, the longest due first, none of
        `exclude` (those it has in hand), each claimed until `now + lease` in one statement
        (see `bot.store.feeds.claim_due`). On SQLite one process runs (the run lock): what it
        has in hand is all that is claimed, so the due feeds are read, nothing is written."""
        now = self._now()
        if self.dialect == "sqlite":
            async with self._read() as conn:
                return await fq.due_unclaimed(conn, limit, now, exclude)
        async with self._write() as conn:
            return await fq.claim_due(conn, instance, limit, now, lease, exclude)

    async def next_feed_due(self, *, exclude: Collection[int] = ()) -> datetime | None:
        """When a feed not in `exclude` may next be claimed: its `next_poll`, or the end of
        another instance's claim on it; None when no feed is enabled."""
        now = self._now()
        async with self._read() as conn:
            return await fq.next_due(conn, now, exclude)

    async def seen_entry_keys(self, feed_id: int, keys: Iterable[str]) -> set[str]:
        """Which of these entry keys (id:..., link:...) the feed has shown before."""
        async with self._read() as conn:
            return await fq.seen(conn, feed_id, keys)

    async def save_feed_poll(self, feed: Feed, entries: Iterable[tuple[str, str | None]] = (), *,
                             keep: Iterable[str] = (), forget_after: timedelta | None = None) -> bool:
        """A poll's outcome in ONE transaction: the feed's polling state, the entry keys seen
        (with the article each became, or None), and, with `forget_after`, the keys older
        than that which the feed no longer carries (not in `keep`) are forgotten.
        False when the feed was removed meanwhile."""
        prune_before = None if forget_after is None else self._now() - forget_after
        poll = fq.FeedPoll(feed, tuple(entries), tuple(keep), prune_before)
        return (await self.save_feed_polls([poll]))[0]

    async def save_feed_polls(self, polls: Sequence[fq.FeedPoll]) -> list[bool]:
        """Several polls' outcomes (`save_feed_poll` each) in ONE transaction: a busy cycle
        commits once per batch, not once per feed."""
        if not polls:
            return []
        now = self._now()
        async with self._write() as conn:
            return await fq.save_polls(conn, polls, now)

    # -- Slack workspaces (OAuth mode; statements in bot.store.slack_teams) ---------------

    async def save_slack_install(self, install: st.SlackInstall) -> None:
        async with self._write() as conn:
            await st.save_install(conn, install)

    async def slack_install(self, team_id: str) -> st.SlackInstall | None:
        async with self._read() as conn:
            return await st.find_install(conn, team_id)

    async def add_slack_state(self, state: str, expires_at: datetime) -> None:
        async with self._write() as conn:
            await st.add_state(conn, state, expires_at)

    async def consume_slack_state(self, state: str) -> bool:
        now = self._now()
        async with self._write() as conn:
            return await st.consume_state(conn, state, now)

    async def remember_slack_channel(self, channel: str, team_id: str) -> None:
        now = self._now()
        async with self._write() as conn:
            await st.remember_channel(conn, channel, team_id, now)

    async def slack_team_of(self, channel: str) -> str | None:
        async with self._read() as conn:
            return await st.team_of(conn, channel)

    async def forget_slack_team(self, team_id: str) -> st.TeamForgotten:
        """One transaction: the workspace's installation, subscriptions and unsent deliveries."""
        async with self._write() as conn:
            return await st.forget_team(conn, team_id)
