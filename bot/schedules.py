"""When a channel's digests and reminders are due: pure functions of a schedule and a clock.

A digest schedule is written `daily@08:00` or `weekly@mon@08:00` (also `weekly@mon-08:00`,
or `weekly@mon 08:00` in a subscription), in the channel's time zone (`tz:Europe/Brussels`,
default UTC). A period ends at each posting time; its alerts are posted then, in one message.
The period is named by the local day it is posted (`2026-12-03`) or, weekly, by that day's
ISO week (`2026-W49`), so the same stored schedule gives the same name after any restart.
Local times are turned into instants with `zoneinfo`: a posting time that a spring-forward
skips is posted as many minutes after the jump (02:30 becomes 03:30), and one that a
fall-back repeats is posted at its first occurrence; either way once a local day.

A reminder is due `remind` before the start (local midnight, in the channel's zone) of a
measure's effective day.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.durations import parse_duration

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_REMIND = timedelta(days=90)
_SPEC = re.compile(r"^(daily|weekly)(?:[@ ]([a-z]{3})[a-z]*)?(?:[@ -]?(\d{1,2}):(\d{2}))?$")


class ScheduleError(ValueError):
    """A schedule, duration or zone that cannot be read; the message says what to write."""


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    every: Literal["daily", "weekly"]
    at: time
    weekday: int | None = None
    """0 = Monday, for weekly digests."""

    @property
    def spec(self) -> str:
        """How it is stored and shown: `daily@08:00`, `weekly@mon@08:00`."""
        day = f"@{WEEKDAYS[self.weekday]}" if self.weekday is not None else ""
        return f"{self.every}{day}@{self.at:%H:%M}"


def parse_digest(text: str) -> DigestSchedule:
    """`daily@08:00`, `daily` (08:00), `weekly@mon@08:00`, `weekly@mon-08:00`,
    `weekly@mon 08:00`, `weekly` (Monday 08:00)."""
    m = _SPEC.match(" ".join(text.strip().lower().split()))
    if m is None:
        raise ScheduleError(f"{text!r} is not a digest schedule: write daily@08:00 or weekly@mon@08:00")
    every, day, hh, mm = m.groups()
    at = time(8, 0)
    if hh is not None:
        if int(hh) > 23 or int(mm) > 59:
            raise ScheduleError(f"{hh}:{mm} is not a time of day (00:00 to 23:59)")
        at = time(int(hh), int(mm))
    if every == "daily":
        if day is not None:
            raise ScheduleError(f"a daily digest has no weekday ({text!r}): write daily@08:00")
        return DigestSchedule("daily", at)
    weekday = 0 if day is None else (WEEKDAYS.index(day) if day in WEEKDAYS else -1)
    if weekday < 0:
        raise ScheduleError(f"{day!r} is not a weekday: one of {', '.join(WEEKDAYS)}")
    return DigestSchedule("weekly", at, weekday)


def parse_remind(text: str) -> float:
    """`3d`, `36h`, `1d12h`: seconds before a measure takes effect, at most 90 days."""
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise ScheduleError(f"remind:{text} is not a lead time: write e.g. remind:3d or remind:12h") from None
    if seconds > MAX_REMIND.total_seconds():
        raise ScheduleError(f"remind:{text} is too far ahead: at most {MAX_REMIND.days} days")
    return seconds


@cache
def _zones() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def parse_zone(text: str) -> str:
    """The IANA zone name as spelt in the database ("europe/brussels" -> "Europe/Brussels");
    ScheduleError with the closest names for one it does not know."""
    name = text.strip()
    found = _zones().get(name.lower())
    if found is None:
        close = difflib.get_close_matches(name.lower(), list(_zones()), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(_zones()[c] for c in close)}?" if close else \
            " (an IANA name like Europe/Brussels, America/New_York or UTC)"
        raise ScheduleError(f"unknown time zone {name!r}{hint}")
    return found


def zone(name: str | None) -> ZoneInfo:
    """The channel's zone (None: UTC); an unknown stored name falls back to UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def period_end(schedule: DigestSchedule, tz: ZoneInfo, now: datetime) -> datetime:
    """The first posting time strictly after `now` (UTC): the end of the period `now` is in."""
    day = now.astimezone(tz).date() - timedelta(days=1)
    for _ in range(10):
        if schedule.weekday is None or day.weekday() == schedule.weekday:
            end = _at(day, schedule.at, tz)
            if end > now:
                return end
        day += timedelta(days=1)
    raise AssertionError("a posting time comes within a week")  # pragma: no cover


def period_id(schedule: DigestSchedule, tz: ZoneInfo, end: datetime) -> str:
    """The period's name: the local day it is posted, or that day's ISO week."""
    day = end.astimezone(tz).date()
    if schedule.every == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def end_of(schedule: DigestSchedule, tz: ZoneInfo, period: str) -> datetime | None:
    """The posting time of a named period (the inverse of `period_id`); None when the name
    is not one of this schedule's."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}" if schedule.every == "daily" else r"\d{4}-W\d{2}", period):
        return None
    try:
        if schedule.every == "daily":
            day = date.fromisoformat(period)
        else:
            year, _, week = period.partition("-W")
            day = date.fromisocalendar(int(year), int(week), (schedule.weekday or 0) + 1)
    except ValueError:
        return None
    return _at(day, schedule.at, tz)


def period_start(schedule: DigestSchedule, tz: ZoneInfo, end: datetime) -> datetime:
    """The posting time before `end`: the period runs from it to `end`."""
    return period_end(schedule, tz, end - timedelta(days=8 if schedule.weekday is not None else 2))


def effective_day(text: str | None) -> date | None:
    """A measure's effective day when it is a whole day (`2026-12-15`); a month or nothing: None."""
    if not text or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def reminder_due(effective: date, remind: timedelta, tz: ZoneInfo) -> datetime:
    """When to remind: `remind` before the effective day starts in the channel's zone."""
    return _at(effective, time(0, 0), tz) - remind


def starts_at(effective: date, tz: ZoneInfo) -> datetime:
    return _at(effective, time(0, 0), tz)


def how_soon(until: timedelta) -> str:
    """"in 3 days", "in 1 day", "in 5 hours", "today"."""
    hours = until.total_seconds() / 3600
    if hours >= 20:
        days = max(round(hours / 24), 1)
        return f"in {days} day{'s' if days != 1 else ''}"
    if hours >= 1:
        h = round(hours)
        return f"in {h} hour{'s' if h != 1 else ''}"
    return "today"
