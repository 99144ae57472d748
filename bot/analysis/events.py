"""What happens on a date, named from the tariff changes: a step after both extractors.

`extract_dates` and `extract_tariffs` read an article independently; `name_events` then
names each date a tariff change takes effect on after that change ("tariff increase on
US$250 billion of Chinese goods"), keeping the grammar's event for the other dates. So the
dates reader needs nothing from the tariff reader. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain import DateMention, TariffChange

_CUT = re.compile(r"\b(?:cut|reduc|lower)", re.IGNORECASE)
_RISE = re.compile(r"\b(?:rais|increas|hik)", re.IGNORECASE)


def name_events(dates: tuple[DateMention, ...], tariffs: tuple[TariffChange, ...]) -> tuple[DateMention, ...]:
    """`dates`, each named after the first tariff change that takes effect on it."""
    out: list[DateMention] = []
    for d in dates:
        change = next((t for t in tariffs if t.effective == d.date), None)
        out.append(replace(d, event=tariff_event(change)) if change is not None else d)
    return tuple(out)


def tariff_event(t: TariffChange) -> str:
    """"tariff increase on US$80 billion of Vietnamese goods", "tariff removal on steel"."""
    kind = "tariffs"
    if t.change_text and _CUT.search(t.evidence):
        kind = "tariff cut"
    elif t.change_text and _RISE.search(t.evidence):
        kind = "tariff increase"
    if t.status == "removed" or t.new_rate_pct == 0:
        kind = "tariff removal"
    elif t.old_rate_pct is not None and t.new_rate_pct is not None:
        kind = "tariff increase" if t.new_rate_pct > t.old_rate_pct else "tariff cut"
    what = t.products or "goods"
    if t.value_text:
        what = f"{t.value_text} of {what}" if " of " not in what else what
    return f"{kind} on {what}"
