"""Frozen domain types with names from the trade.

Everything the language work produces and everything the service stores is one of these.
They are plain data: no I/O, no behaviour beyond small derived properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Status = Literal["proposed", "announced", "in_effect", "delayed", "removed"]
STATUSES: tuple[Status, ...] = ("proposed", "announced", "in_effect", "delayed", "removed")


@dataclass(frozen=True, slots=True)
class Article:
    """One story as a source delivered it.

    `body` is the story text as written (a wire story keeps its dateline at the head);
    `published` is the publication day when the source knows it.
    """

    id: str
    title: str
    body: str
    published: date | None = None
    url: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class TradeVerdict:
    """The alert decision: is this story about international trade, and why."""

    is_trade: bool
    score: float
    tags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class DateMention:
    """A calendar reference resolved to `YYYY-MM-DD` (a day) or `YYYY-MM` (a month)."""

    text: str
    date: str
    event: str | None = None


@dataclass(frozen=True, slots=True)
class TariffChange:
    """One tariff-type measure (tariff, duty, levy, surcharge, export tax) the story reports.

    `value_usd` is the value of trade covered in US dollars, only when the text gives
    dollars; `value_text` keeps the amount as written (also for S$, yen, sterling).
    `change_text` keeps a rise or cut given only by its size ("cut by up to 50 pct").
    """

    imposer: str | None
    target: str | None
    products: str | None
    value_usd: int | None
    old_rate_pct: float | None
    new_rate_pct: float | None
    effective: str | None
    status: Status
    evidence: str
    value_text: str | None = None
    change_text: str | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the bot makes of one article."""

    article: Article
    trade_policy: TradeVerdict
    people: tuple[Person, ...] = ()
    dates: tuple[DateMention, ...] = ()
    tariff_changes: tuple[TariffChange, ...] = ()
    summary: str = ""
    full: bool = field(default=True)
    """False when extraction stopped after the trade-policy check rejected the story."""


DeliveryState = Literal["pending", "sending", "sent", "failed"]
Updates = Literal["thread", "channel", "off"]
UPDATES: tuple[Updates, ...] = ("thread", "channel", "off")


@dataclass(frozen=True, slots=True)
class Subscription:
    """A chat channel's standing order for alerts, with its filters.

    `channel` is a service-qualified id: "console:default", "slack:C0123", "discord:9876".
    Empty `tags` / `countries` mean "any"; `countries` match a tariff change's imposer or
    target, or a country the story is about.
    """

    channel: str
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_score: float = 0.5
    tariff_changes_only: bool = False
    created_by: str | None = None
    remind_seconds: float | None = None
    """`remind:3d`: remind this long before a measure the channel was alerted about takes effect."""
    digest: str | None = None
    """`digest:daily@08:00` / `weekly@mon@08:00` (`bot.schedules`): one message a period, not one an alert."""
    tz: str | None = None
    """The IANA zone digests and reminders are timed in (None: UTC)."""
    updates: Updates = "thread"
    """Where news of a measure the channel was alerted about goes: a reply in the thread of
    that alert, a new post in the channel, or nowhere."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert for one channel, recorded under the unique key (alert_id, channel).

    pending -> sending (claimed, about to post) -> sent; a failed post goes back to pending
    until its attempts run out (then failed). `message_ref` is the chat service's id of the
    posted message, when it gives one.
    """

    alert_id: str
    channel: str
    state: DeliveryState = "pending"
    attempts: int = 0
    last_error: str | None = None
    message_ref: str | None = None
    queued_at: datetime | None = None
    """When the alert was queued for this channel (for the delivery lag in /metrics)."""


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS/Atom feed the bot polls, and what its polling has found so far.

    `every_seconds`, `backfill`, `added_by` and `added_at` are the admin's choices; the rest
    is polling state: the validators for conditional GET (`etag`, `last_modified`), when it
    last worked, the last error, consecutive `failures` (backoff grows with them; at the
    configured maximum the feed is `disabled`), and when it is polled next. A feed not yet
    polled successfully has `last_success` None: its first poll records the entries it
    finds without alerting (unless `backfill`).
    """

    id: int
    url: str
    every_seconds: float
    added_at: datetime
    backfill: bool = False
    added_by: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    failures: int = 0
    next_poll: datetime | None = None
    disabled: bool = False
