"""Following a measure after its first alert (issue 14, points 1 and 2): pure functions.

- `folded`: the first alert's card with the copies that joined it ("also reported by …"),
  the new content of the alert's message (an edit, never a new post).
- `measure_changes`: which measures a new story moves, as (before, after) ledger entries;
  `what_changed` says how, in a few words ("announced → delayed", "effective Oct 1 → Oct
  15", "25% → 30%"); `update_message` is the reply posted in the thread of the alert (or in
  the channel, for `updates:channel`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import urlsplit

from bot.core.alert import money, rate
from bot.core.message import Message, Section
from bot.domain import Article, Delivery
from bot.store.ledger import LedgerEntry, LedgerRow, country_key, merge_ledger

ALSO = "Also reported by"
MAX_COPIES = 10
"""Copies listed by name on the alert; more are counted."""


def outlet(a: Article) -> str:
    """Who ran the copy: the host of its link, else the file or feed entry it came from."""
    if a.url:
        host = urlsplit(a.url).hostname or ""
        if host:
            return host.removeprefix("www.")
    if a.source:
        return a.source.replace("\\", "/").rsplit("/", 1)[-1]
    return a.id


def folded(first: Message, copies: Sequence[Article]) -> Message:
    """The first alert's message with its copies listed (the content of the edit)."""
    items = [f"{outlet(c)}: {c.title or c.id}" + (f" ({c.url})" if c.url else "") for c in copies[:MAX_COPIES]]
    if len(copies) > MAX_COPIES:
        items.append(f"and {len(copies) - MAX_COPIES} more")
    names = ", ".join(dict.fromkeys(outlet(c) for c in copies[:MAX_COPIES]))
    return Message(
        kind=first.kind, title=first.title, text=first.text,
        sections=(*first.sections, Section(ALSO, items=tuple(items))),
        url=first.url, facts=first.facts, footer=first.footer, key=first.key, edit_of=first.key,
        extra={**first.extra, "also": names},
    )


def _order(row: LedgerRow) -> tuple[date, object, str, int]:
    return (row.reported, row.seen_at, row.article_id, row.position)


def measure_changes(rows: Iterable[LedgerRow], article_id: str) -> list[tuple[LedgerEntry, LedgerEntry]]:
    """The measures the story `article_id` joins that existed before it: (the measure as it
    stood before the story, the measure with it). Only the stories read before it count,
    so the answer stays the same when later stories arrive."""
    rows = sorted(rows, key=_order)
    mine = [i for i, r in enumerate(rows) if r.article_id == article_id]
    if not mine:
        return []
    upto = rows[: mine[-1] + 1]
    before_rows = [r for r in upto if r.article_id != article_id]
    before = {e.id: e for e in merge_ledger(before_rows)}
    out: list[tuple[LedgerEntry, LedgerEntry]] = []
    for after in merge_ledger(upto):
        if not any(s.article_id == article_id for s in after.steps):
            continue
        if after.id in before:
            out.append((before[after.id], after))
        elif (moved := _moved_from(after, before.values())) is not None:
            out.append((moved, after))
    return out


def _moved_from(after: LedgerEntry, known: Iterable[LedgerEntry]) -> LedgerEntry | None:
    """The measure a new one changes the rate of: the ledger keeps a rise from 25 % to 30 %
    apart, as a measure of its own, but for the channel that followed the 25 % it is news of
    that measure. Same imposer and target, the old rate of the story is the known rate, and
    no value that disagrees."""
    for step in after.steps:
        c = step.change
        if c.old_rate_pct is None:
            continue
        for e in known:
            if ((country_key(e.imposer), country_key(e.target)) == (country_key(c.imposer), country_key(c.target))
                    and e.new_rate_pct == c.old_rate_pct and e.status != "removed"
                    and (e.value_usd is None or c.value_usd is None or e.value_usd == c.value_usd)):
                return e
    return None


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when(effective: str | None) -> str:
    """"2025-10-01" -> "Oct 1 2025"; "2025-10" -> "Oct 2025"; anything else as it is."""
    if not effective:
        return "?"
    parts = effective.split("-")
    try:
        month = _MONTHS[int(parts[1]) - 1] if len(parts) >= 2 else None
    except (ValueError, IndexError):
        return effective
    if month is None:
        return effective
    return f"{month} {int(parts[2])} {parts[0]}" if len(parts) == 3 and parts[2].isdigit() else f"{month} {parts[0]}"


def what_changed(before: LedgerEntry, after: LedgerEntry) -> list[str]:
    """How the measure moved: status, rate, value, effective date (nothing: [])."""
    changes: list[str] = []
    if after.status != before.status:
        changes.append(f"{before.status.replace('_', ' ')} → {after.status.replace('_', ' ')}")
    if after.new_rate_pct is not None and before.new_rate_pct is not None and after.new_rate_pct != before.new_rate_pct:
        changes.append(f"{rate(before.new_rate_pct)} → {rate(after.new_rate_pct)}")
    old_value, new_value = money(before.value_usd, before.value_text), money(after.value_usd, after.value_text)
    if old_value and new_value and old_value != new_value:
        changes.append(f"value {old_value} → {new_value}")
    if after.effective and after.effective != before.effective:
        changes.append(f"effective {when(before.effective)} → {when(after.effective)}" if before.effective
                       else f"effective {when(after.effective)}")
    return changes


def measure_name(e: LedgerEntry) -> str:
    what = f"{e.imposer or '?'} → {e.target or '?'}"
    if e.products:
        what += f", {e.products}"
    return what


def update_message(key: str, story: Article, before: LedgerEntry, after: LedgerEntry,
                   thread_of: Sequence[str] = ()) -> Message:
    """The news of a measure: what changed, the measure, the new story linked."""
    changes = what_changed(before, after)
    figures = " · ".join(x for x in (money(after.value_usd, after.value_text), rate(after.new_rate_pct)
                                     if after.new_rate_pct is not None else "",
                                     f"effective {when(after.effective)}" if after.effective else "",
                                     f"status: {after.status.replace('_', ' ')}") if x)
    return Message(
        kind="alert",
        title=f"Update {after.id}: {'; '.join(changes) or 'reported again'}",
        text=f"{measure_name(after)} — {figures}",
        sections=(Section("New story", items=(story.title or story.id,)),),
        url=story.url,
        facts=story.published.isoformat() if story.published else "",
        footer=f"measure: {after.id} · story: {story.id}",
        key=key,
        thread_of=tuple(thread_of),
    )


def follow_keys(article_id: str, measures: Iterable[str]) -> list[str]:
    """The keys a story's edit or updates were queued under, if it was a copy or news
    (`bot.store.follow` names them: fold:, update:, change:)."""
    return [f"fold:{article_id}", *(f"{p}{article_id}:{m}" for m in dict.fromkeys(measures)
                                    for p in ("update:", "change:"))]


def follow_verdict(delivery: Delivery) -> str:
    """What `why` says of a story that was folded into an alert or posted as an update."""
    how = {"sent": "", "failed": " (it could not be done: " + (delivery.last_error or "failed") + ")"}.get(
        delivery.state, f" (queued, {delivery.state})")
    if delivery.alert_id.startswith("fold:"):
        return f"A copy of an earlier story: not a new alert; that alert here was edited to name it{how}."
    where = "in the thread of its alert" if delivery.alert_id.startswith("update:") else "as a post of its own"
    return f"News of a measure this channel was alerted about: posted as an update {where}{how}."
