"""What `tariffs` answers (pure): the ledger table, one measure's history, a chart, a CSV.

Every measure is shown with its id (`m-7f3k2qa`, see `bot.store.ledger`), which
`tariffs show <id>` takes.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.core.alert import MEASURE, money, rate
from bot.core.ledger_files import MAX_CHART_MEASURES, chartable, ledger_chart, ledger_csv
from bot.core.message import Attachment, Message, Section, Table, error, reply
from bot.store.ledger import LedgerEntry

MAX_LEDGER_ROWS = 20
MAX_HISTORY_ROWS = 40
"""Steps shown by `tariffs show`; the CSV export has them all."""


def scope_title(what: str, country: str | None, since: object = None, status: str | None = None) -> str:
    bits = [f"since {since}" if since else "", f"status {status}" if status else ""]
    return f"{what} — {country or 'all countries'}" + "".join(f", {b}" for b in bits if b)


def who(e: LedgerEntry) -> str:
    return f"{e.imposer or '?'} → {e.target or '?'}"


def ledger_message(entries: Sequence[LedgerEntry], title: str) -> Message:
    if not entries:
        return reply(title, "No tariff changes recorded for that yet.")
    rows = []
    for e in entries[:MAX_LEDGER_ROWS]:
        sources = e.sources
        rows.append((
            e.id,
            who(e),
            e.products or "-",
            money(e.value_usd, e.value_text) or "-",
            _step_rate(e.old_rate_pct, e.new_rate_pct, None),
            e.effective or "-",
            str(e.status).replace("_", " "),
            ", ".join(s.article_id for s in sources[:3]) + (f" +{len(sources) - 3}" if len(sources) > 3 else ""),
        ))
    more = len(entries) - MAX_LEDGER_ROWS
    text = (f"{len(entries)} measure(s), newest first" + (f"; showing the first {MAX_LEDGER_ROWS}" if more > 0 else "")
            + ". `tariffs show <measure>` gives one's whole history.")
    header = (MEASURE, "who → whom", "goods", "value", "rate", "effective", "status", "sources")
    return reply(title, text, Section("Measures", table=Table(header, tuple(rows))))


def _step_rate(old: float | None, new: float | None, change_text: str | None) -> str:
    if old is None and new is None:
        return change_text or "rate not given"
    return rate(new) if old is None else f"{rate(old)} → {rate(new)}"


def measure_message(e: LedgerEntry) -> Message:
    """`tariffs show <id>`: the measure now, then every step (oldest first) and every story."""
    steps = e.steps[-MAX_HISTORY_ROWS:]
    history = tuple(
        (r.reported.isoformat(), r.change.status.replace("_", " "),
         _step_rate(r.change.old_rate_pct, r.change.new_rate_pct, r.change.change_text),
         r.change.effective or "-", money(r.change.value_usd, r.change.value_text) or "-", r.article_id)
        for r in steps)
    now = [f"status: {e.status.replace('_', ' ')}", f"rate: {_step_rate(e.old_rate_pct, e.new_rate_pct, None)}"]
    if e.effective:
        now.append(f"effective: {e.effective}")
    if value := money(e.value_usd, e.value_text):
        now.append(f"value: {value}")
    now.append(f"reported {e.first_seen} to {e.last_seen} in {len(e.sources)} story(ies)")
    cut = len(e.steps) - len(steps)
    history_title = "History, oldest first" + (f" (the latest {len(steps)} of {len(e.steps)}; "
                                               "`tariffs csv` has them all)" if cut else "")
    stories = tuple(
        f"{s.article_id} — {s.title or 'untitled'}" + (f" ({s.published})" if s.published else "")
        + (f" — {s.url}" if s.url else "")
        for s in e.sources)
    return reply(
        f"Measure {e.id}: {who(e)}, {e.products or 'goods not named'}",
        "; ".join(now) + ".",
        Section(history_title, table=Table(
            ("reported", "status", "rate", "effective", "value", "story"), history)),
        Section("Stories behind it", items=stories),
    )


def no_measure(wanted: str, known: Sequence[str]) -> Message:
    """An id that names no measure: the closest ids, or where to find them."""
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(close)}?" if close
            else "`tariffs` lists the measures with their ids.")
    return error(f"No measure {wanted}; {hint}")


def chart_message(entries: Sequence[LedgerEntry], title: str, stem: str) -> Message:
    """A PNG step chart of the measures' rates, as an attachment."""
    drawn = chartable(entries)
    if not drawn:
        return reply(title, "No measure here gives a rate to chart yet." if entries
                     else "No tariff changes recorded for that yet.")
    png, left_out = ledger_chart(entries, title)
    shown = min(len(drawn), MAX_CHART_MEASURES)
    text = (f"{shown} measure(s), one line each, labelled with its id and goods"
            + (f"; {left_out} older measure(s) left out (narrow it: a country, --since or --status)" if left_out else "")
            + (f"; {len(entries) - len(drawn)} without a rate" if len(entries) > len(drawn) else "") + ".")
    return Message(kind="reply", title=title, text=text,
                   attachment=Attachment(f"{stem}.png", "image/png", png))


def csv_message(entries: Sequence[LedgerEntry], title: str, stem: str) -> Message:
    """The ledger's rows as a CSV attachment."""
    if not entries:
        return reply(title, "No tariff changes recorded for that yet.")
    data = ledger_csv(entries)
    rows = sum(len(e.steps) for e in entries)
    return Message(kind="reply", title=title,
                   text=f"{rows} row(s): every story's report of {len(entries)} measure(s).",
                   attachment=Attachment(f"{stem}.csv", "text/csv", data))
