"""The tariff ledger: every tariff change the bot has read, merged into one row a measure.

Pure functions. Several stories often report the same measure (announced, then delayed,
then in force); the ledger shows it once, with its latest status and every story behind it.

Same measure: the same imposer and the same target (country names compared through the
country table, case-insensitively) and a shared figure, the rate or the value of trade
covered, with no figure that disagrees. A figure that disagrees keeps two measures apart:
25 % on $34 billion and 25 % on $16 billion are two tranches, and a rise to 30 % on the
goods already taxed 25 % is a new measure. A removal ("lifted", "cut to zero") is matched
by the rate it removes (its old rate). A change with neither rate nor value matches
nothing and stands alone.

Measure ids: each measure is named `m-` and 7 base32 characters (`m-7f3k2qa`), the start of
a SHA-256 of what made it a measure of its own: the imposer and target keys (`country_key`)
and the figures of its first story (the rate it sets or removes and the value of trade it
covers), or, for a change with neither figure, that story's article id and position. Later
stories never change it (they join a measure by those figures); it depends on no database
id, clock or order of reading, so it is the same after a restart and on SQLite and
PostgreSQL. Goods are not part of it: stories name the same goods in different words, and
the ledger does not match on them. Within one pair of countries no two measures share
first figures (a story with the same figures joins the first), so two ids can only collide
by chance in the hash: 35 bits, about one chance in 7,000 for 100,000 measures.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from bot.analysis.countries import country_of
from bot.domain import STATUSES, Status, TariffChange


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One tariff change as one story reported it.

    `seen_at` (when the bot first saw the story) orders stories published the same day,
    and stands in for the publication day when a story has none.
    """

    article_id: str
    title: str
    published: date | None
    seen_at: datetime
    position: int
    change: TariffChange
    url: str | None = None

    @property
    def reported(self) -> date:
        return self.published or self.seen_at.date()


class LedgerSource(NamedTuple):
    article_id: str
    title: str
    published: date | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One measure: the latest known figures, the status of its latest story, and sources.

    Each figure is the one the latest story that gives it gives. `first_seen` and
    `last_seen` are the days of the first and the latest story; `sources` run oldest first.
    """

    imposer: str | None
    target: str | None
    products: str | None
    value_usd: int | None
    value_text: str | None
    old_rate_pct: float | None
    new_rate_pct: float | None
    effective: str | None
    status: Status
    first_seen: date
    last_seen: date
    sources: tuple[LedgerSource, ...]
    id: str = ""
    """`m-` and 7 base32 characters, stable (see the module's doc)."""
    steps: tuple[LedgerRow, ...] = ()
    """Every story's report of the measure, oldest first: its whole history."""


def country_key(name: str | None) -> str:
    """How imposers, targets and country filters are compared: "china", "us", "all"."""
    if name is None:
        return ""
    name = name.strip()
    return (country_of(name) or name).lower()


def _measure_rate(c: TariffChange) -> float | None:
    if c.status == "removed" or c.new_rate_pct == 0:
        return c.old_rate_pct
    return c.new_rate_pct


def _value_key(c: TariffChange) -> str | None:
    if c.value_usd is not None:
        return f"usd:{c.value_usd}"
    if c.value_text:
        return "text:" + " ".join(c.value_text.lower().split())
    return None


@dataclass(slots=True)
class _Group:
    key: tuple[str, str]
    rate: float | None
    value: str | None
    rows: list[LedgerRow] = field(default_factory=list)

    def fit(self, rate: float | None, value: str | None) -> int:
        """How many figures the row shares with the measure; 0 if none, or one disagrees."""
        shared = 0
        if rate is not None and self.rate is not None:
            if not math.isclose(rate, self.rate, abs_tol=1e-9):
                return 0
            shared += 1
        if value is not None and self.value is not None:
            if value != self.value:
                return 0
            shared += 1
        return shared

    def add(self, row: LedgerRow, rate: float | None, value: str | None) -> None:
        self.rows.append(row)
        self.rate = self.rate if self.rate is not None else rate
        self.value = self.value if self.value is not None else value


def _order(row: LedgerRow) -> tuple[date, datetime, str, int]:
    return (row.reported, row.seen_at, row.article_id, row.position)


def merge_ledger(rows: Iterable[LedgerRow]) -> list[LedgerEntry]:
    """One entry a measure, newest first (by its latest story)."""
    groups: list[_Group] = []
    for row in sorted(rows, key=_order):
        c = row.change
        key = (country_key(c.imposer), country_key(c.target))
        rate, value = _measure_rate(c), _value_key(c)
        best: _Group | None = None
        best_fit = 0
        if rate is not None or value is not None:
            for g in groups:
                if g.key == key:
                    fit = g.fit(rate, value)
                    if fit > best_fit:
                        best, best_fit = g, fit
        if best is None:
            best = _Group(key, None, None)
            groups.append(best)
        best.add(row, rate, value)
    entries = [(_entry(g.rows), g.rows[-1]) for g in groups]
    entries.sort(key=lambda e: (e[0].last_seen, e[1].seen_at), reverse=True)
    return [e for e, _ in entries]


def _entry(rows: Sequence[LedgerRow]) -> LedgerEntry:
    newest_first = [r.change for r in reversed(rows)]

    def latest_str(values: Iterable[str | None]) -> str | None:
        return next((v for v in values if v is not None), None)

    def latest_num(values: Iterable[float | None]) -> float | None:
        return next((v for v in values if v is not None), None)

    value_usd = next((c.value_usd for c in newest_first if c.value_usd is not None), None)
    sources: list[LedgerSource] = []
    for r in rows:
        if all(s.article_id != r.article_id for s in sources):
            sources.append(LedgerSource(r.article_id, r.title, r.published, r.url))
    return LedgerEntry(
        imposer=latest_str(c.imposer for c in newest_first),
        target=latest_str(c.target for c in newest_first),
        products=latest_str(c.products for c in newest_first),
        value_usd=value_usd,
        value_text=latest_str(c.value_text for c in newest_first),
        old_rate_pct=latest_num(c.old_rate_pct for c in newest_first),
        new_rate_pct=latest_num(c.new_rate_pct for c in newest_first),
        effective=latest_str(c.effective for c in newest_first),
        status=newest_first[0].status,
        first_seen=rows[0].reported,
        last_seen=rows[-1].reported,
        sources=tuple(sources),
        id=measure_id(rows[0]),
        steps=tuple(rows),
    )


ID_PREFIX = "m-"
ID_CHARS = 7


def _figure(rate: float | None) -> str:
    return "" if rate is None else format(round(rate, 6), "g")


def measure_id(first: LedgerRow) -> str:
    """The measure's id, from its first story's row (see the module's doc)."""
    c = first.change
    rate, value = _measure_rate(c), _value_key(c)
    what = (f"rate:{_figure(rate)}|value:{value or ''}" if rate is not None or value is not None
            else f"story:{first.article_id}#{first.position}")
    digest = hashlib.sha256(f"{country_key(c.imposer)}|{country_key(c.target)}|{what}".encode()).digest()
    return ID_PREFIX + base64.b32encode(digest).decode("ascii")[:ID_CHARS].lower()


def normalise_measure_id(text: str) -> str:
    """What a user typed ("M-7F3K2QA", "7f3k2qa", "`m-7f3k2qa`") as an id ("m-7f3k2qa")."""
    text = text.strip().strip("`'\"").lower()
    return text if text.startswith(ID_PREFIX) else ID_PREFIX + text


def measure_ids(entries: Iterable[LedgerEntry], article_id: str) -> dict[int, str]:
    """The measure of each of an article's tariff changes, by the change's position."""
    return {r.position: e.id for e in entries for r in e.steps if r.article_id == article_id}


def filter_ledger(
    entries: Iterable[LedgerEntry],
    *,
    country: str | None = None,
    since: date | None = None,
    status: str | None = None,
) -> list[LedgerEntry]:
    """The entries that match every filter given.

    `country` matches the imposer or the target ("china", "China", "us", "United States");
    `since` keeps measures reported or taking effect on or after that day (an effective
    month counts if it is the month of `since` or later); `status` is the latest status.
    """
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
    key = country_key(country) if country is not None else None
    out: list[LedgerEntry] = []
    for e in entries:
        if key is not None and key not in (country_key(e.imposer), country_key(e.target)):
            continue
        if since is not None and not _since(e, since):
            continue
        if status is not None and e.status != status:
            continue
        out.append(e)
    return out


def _since(e: LedgerEntry, since: date) -> bool:
    if e.last_seen >= since:
        return True
    if e.effective:
        day = since.isoformat()
        return e.effective >= day[: len(e.effective)]
    return False
