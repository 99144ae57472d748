"""Naming a date after the tariff change that starts on it: a step after both extractors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.analysis.dates.extract import extract_dates
from bot.analysis.events import name_events
from bot.analysis.tariffs.extract import extract_tariffs
from bot.analysis.text import prepare

FRIDAY = date(2019, 9, 20)


def test_the_effective_date_of_a_tariff_names_the_change() -> None:
    p = prepare("WASHINGTON - The US will raise tariffs on US$80 billion of Vietnamese goods to "
                "40 per cent from 20 per cent on Oct 15.", FRIDAY)
    [mention] = name_events(extract_dates(p), extract_tariffs(p))
    assert mention.date == "2019-10-15"
    assert mention.event == "tariff increase on US$80 billion of Vietnamese goods"


def test_a_date_no_change_starts_on_keeps_its_own_event() -> None:
    p = prepare("Talks resume on Oct 3. Canada will lift its duty on wheat on Oct 15.", FRIDAY)
    named = {d.date: d.event for d in name_events(extract_dates(p), extract_tariffs(p))}
    assert named["2019-10-03"] is None
    assert named["2019-10-15"] == "tariff removal on wheat"


def test_the_dates_reader_does_not_import_the_tariff_reader() -> None:
    import bot.analysis.dates.extract as dates

    source = Path(dates.__file__).read_text(encoding="utf-8")
    assert "bot.analysis.tariff" not in source and "TariffChange" not in source
