"""Durations as people write them: "10m", "1h30m", "90s", "1d", or plain seconds.

Used by the configuration (`every = "10m"`), the command line (`--every 10m`) and chat
(`feeds add URL --every 2h`), and to show intervals back ("every 10 min").
"""

from __future__ import annotations

import re

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)",
                   re.IGNORECASE)
_WHOLE = re.compile(r"^(?:\s*" + _PART.pattern + r")+\s*$", re.IGNORECASE)


def parse_duration(value: str | float | int) -> float:
    """Seconds in `value`: a number (seconds) or "10m", "1h30m", "2 hours", "45s", "1d".

    Raises ValueError naming the value when it cannot be read or is not positive.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            if not _WHOLE.match(text):
                raise ValueError(f"{value!r} is not a duration: write e.g. 90s, 10m, 2h or 1d") from None
            seconds = sum(float(n) * _UNITS[u[0].lower()] for n, u in _PART.findall(text))
    if not seconds > 0:
        raise ValueError(f"{value!r} is not a positive duration")
    return seconds


def format_duration(seconds: float) -> str:
    """A short reading of a duration: "45 s", "10 min", "1 h 30 min", "2 d"."""
    s = round(seconds)
    if s < 60:
        return f"{max(s, 0)} s" if s == seconds or s >= 10 else f"{seconds:.1f} s"
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p) if days < 2 else f"{days} d"
