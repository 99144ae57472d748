"""A reminder before a measure takes effect, as a chat-neutral `Message` (pure).

"in 3 days: US tariff on steel pipes rises to 30%", with the measure's figures, its id and
the stories behind it. Everything from articles stays plain text; renderers escape it.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.alert import money, rate
from bot.core.message import Message, Section
from bot.schedules import how_soon
from bot.store.ledger import LedgerEntry

MAX_SOURCES = 5


def what_happens(e: LedgerEntry) -> str:
    """"US tariff on steel pipes rises to 30%" (falls to, takes effect at, takes effect)."""
    goods = e.products or (f"goods from {e.target}" if e.target else "goods")
    head = f"{e.imposer or '?'} tariff on {goods}"
    new, old = e.new_rate_pct, e.old_rate_pct
    if new is None:
        return f"{head} takes effect"
    if old is not None and new > old:
        return f"{head} rises to {rate(new)}"
    if old is not None and new < old:
        return f"{head} falls to {rate(new)}"
    return f"{head} takes effect at {rate(new)}"


def reminder_message(key: str, e: LedgerEntry, starts: datetime, now: datetime, zone_name: str) -> Message:
    """The reminder posted under `key`; `starts` is when the effective day begins, as a
    local time of the channel's zone `zone_name`; `now` the clock's time."""
    facts = [f"measure {e.id}", f"effective {e.effective}", e.status.replace("_", " ")]
    figures = [f"who → whom: {e.imposer or '?'} → {e.target or '?'}",
               f"rate: {rate(e.old_rate_pct)} → {rate(e.new_rate_pct)}" if e.old_rate_pct is not None
               else f"rate: {rate(e.new_rate_pct)}"]
    if value := money(e.value_usd, e.value_text):
        figures.append(f"value of trade: {value}")
    figures.append(f"takes effect: {starts:%a %d %b %Y} ({zone_name})")
    sources = tuple(f"{s.published or '?'} {s.title} (id: {s.article_id})" for s in e.sources[-MAX_SOURCES:])
    return Message(
        kind="alert",
        title=f"{how_soon(starts - now)}: {what_happens(e)}",
        sections=(Section("The measure", items=tuple(figures)), Section("Reported in", items=sources)),
        facts=" · ".join(facts),
        footer=f"reminder · `tariffs show {e.id}` for its whole history",
        key=key,
    )
