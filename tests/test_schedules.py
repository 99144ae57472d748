"""Digest periods, zones and reminder times: pure, across DST changes and weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.schedules import (
    DigestSchedule,
    ScheduleError,
    end_of,
    how_soon,
    parse_digest,
    parse_remind,
    parse_zone,
    period_end,
    period_id,
    period_start,
    reminder_due,
    zone,
)

BRUSSELS = zone("Europe/Brussels")


@pytest.mark.parametrize("text", ["weekly@mon@08:00", "weekly@mon-08:00", "weekly@mon 08:00",
                                  "Weekly@Monday@8:00", "weekly"])
def test_weekly_schedules_are_written_several_ways(text: str) -> None:
    assert parse_digest(text) == DigestSchedule("weekly", time(8, 0), 0)
    assert parse_digest(text).spec == "weekly@mon@08:00"


def test_daily_schedules_and_mistakes() -> None:
    assert parse_digest("daily@18:30").spec == "daily@18:30"
    assert parse_digest("daily").spec == "daily@08:00"
    for bad, said in [("hourly", "not a digest schedule"), ("daily@25:00", "not a time of day"),
                      ("weekly@xyz@08:00", "not a weekday"), ("daily@mon@08:00", "no weekday")]:
        with pytest.raises(ScheduleError, match=said):
            parse_digest(bad)


def test_zones_are_checked_with_a_did_you_mean() -> None:
    assert parse_zone("europe/brussels") == "Europe/Brussels"
    assert parse_zone("UTC") == "UTC"
    with pytest.raises(ScheduleError, match="did you mean Europe/Brussels"):
        parse_zone("Europe/Brusels")
    with pytest.raises(ScheduleError, match="an IANA name like"):
        parse_zone("Mars/Olympus")
    assert str(zone(None)) == "UTC" and str(zone("Not/AZone")) == "UTC"


def test_lead_times() -> None:
    assert parse_remind("3d") == 3 * 86400
    assert parse_remind("12h") == 12 * 3600
    with pytest.raises(ScheduleError, match="at most 90 days"):
        parse_remind("100d")
    with pytest.raises(ScheduleError, match=r"write e\.g\. remind:3d"):
        parse_remind("soon")


def test_a_daily_period_ends_at_the_local_hour_and_is_named_by_its_day() -> None:
    s = parse_digest("daily@08:00")
    now = datetime(2026, 12, 3, 6, 59, tzinfo=UTC)  # 07:59 in Brussels
    end = period_end(s, BRUSSELS, now)
    assert end == datetime(2026, 12, 3, 7, 0, tzinfo=UTC) and period_id(s, BRUSSELS, end) == "2026-12-03"
    later = period_end(s, BRUSSELS, end)  # at the hour itself: the next period
    assert later == datetime(2026, 12, 4, 7, 0, tzinfo=UTC) and period_id(s, BRUSSELS, later) == "2026-12-04"
    assert period_start(s, BRUSSELS, later) == end
    assert end_of(s, BRUSSELS, "2026-12-04") == later
    assert end_of(s, BRUSSELS, "2026-W49") is None


def test_daylight_saving_changes_keep_the_local_hour_and_one_digest_a_day() -> None:
    s = parse_digest("daily@08:00")
    # spring forward in Brussels on 2026-03-29: 08:00 is 06:00 UTC from that day on
    ends = [period_end(s, BRUSSELS, datetime(2026, 3, d, 12, tzinfo=UTC)) for d in (27, 28, 29)]
    assert [e.astimezone(BRUSSELS).hour for e in ends] == [8, 8, 8]
    assert [e.hour for e in ends] == [7, 6, 6]
    assert ends[1] - ends[0] == timedelta(hours=23)  # the short day
    # fall back on 2026-10-25: the day is 25 hours long
    a = period_end(s, BRUSSELS, datetime(2026, 10, 23, 12, tzinfo=UTC))
    b = period_end(s, BRUSSELS, a)
    assert b - a == timedelta(hours=25) and [period_id(s, BRUSSELS, x) for x in (a, b)] == ["2026-10-24", "2026-10-25"]


def test_a_time_the_clock_skips_or_repeats_is_posted_once() -> None:
    skipped = parse_digest("daily@02:30")  # 02:30 does not exist on 2026-03-29 in Brussels
    end = period_end(skipped, BRUSSELS, datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert end.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2026-03-29 03:30"
    repeated = parse_digest("daily@02:30")  # 02:30 happens twice on 2026-10-25
    first = period_end(repeated, BRUSSELS, datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (summer time)
    nxt = period_end(repeated, BRUSSELS, first)
    assert period_id(repeated, BRUSSELS, nxt) == "2026-10-26"  # not a second digest that day


def test_weekly_periods_are_named_by_iso_week() -> None:
    s = parse_digest("weekly@mon@08:00")
    end = period_end(s, BRUSSELS, datetime(2026, 12, 3, 12, tzinfo=UTC))  # a Thursday
    assert end == datetime(2026, 12, 7, 7, 0, tzinfo=UTC) and period_id(s, BRUSSELS, end) == "2026-W50"
    assert period_start(s, BRUSSELS, end) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert end_of(s, BRUSSELS, "2026-W50") == end
    # the week that spans New Year is named by ISO year
    assert period_id(s, BRUSSELS, period_end(s, BRUSSELS, datetime(2026, 12, 30, tzinfo=UTC))) == "2027-W01"


def test_reminders_are_due_before_the_local_start_of_the_day() -> None:
    due = reminder_due(date(2026, 12, 15), timedelta(days=3), BRUSSELS)
    assert due == datetime(2026, 12, 11, 23, 0, tzinfo=UTC)
    assert reminder_due(date(2026, 12, 15), timedelta(days=3), zone(None)) == datetime(2026, 12, 12, tzinfo=UTC)
    assert how_soon(timedelta(days=3)) == "in 3 days"
    assert how_soon(timedelta(days=1, minutes=5)) == "in 1 day"
    assert how_soon(timedelta(hours=5)) == "in 5 hours"
    assert how_soon(timedelta(minutes=5)) == "today"
