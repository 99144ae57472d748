"""Where alerts go and what they are about, as people type them: channels and countries.

`check_channel("slack:C0123")` and `check_country("china")` give the canonical form, or raise
`UnknownPlace` with a message a person can act on (the valid forms; "did you mean ...").
Pure functions: the chat commands, the CLI and the configuration all check with these.
"""

from __future__ import annotations

import re

from bot.analysis.countries import resolve_country, suggest_countries

CHANNEL_FORMS = "console:NAME, slack:C0123ABCD (a Slack channel id) or discord:123456789012345678"
_CHANNEL = {
    "console": re.compile(r"[A-Za-z0-9_-]{1,64}"),
    "slack": re.compile(r"[CGD][A-Z0-9]{1,30}"),
    "discord": re.compile(r"[0-9]{5,25}"),
}


class UnknownPlace(ValueError):
    """A channel or country that is not one; the message says what would be."""


def check_channel(text: str) -> str:
    """A service-qualified channel id ("slack:C0123ABCD"), checked; the service name is
    lower-cased, the id kept as given."""
    service, sep, ident = text.strip().partition(":")
    pattern = _CHANNEL.get(service.lower())
    if not sep or pattern is None or not pattern.fullmatch(ident):
        raise UnknownPlace(f"{text!r} is not a channel: use {CHANNEL_FORMS}")
    return f"{service.lower()}:{ident}"


def check_country(text: str) -> str:
    """The short name of a country or bloc ("united states" -> "US"), or UnknownPlace saying
    which known names come close."""
    found = resolve_country(text)
    if found:
        return found
    near = suggest_countries(text)
    hint = f"did you mean {', '.join(near)}?" if near else "use a country name such as China, US or EU"
    raise UnknownPlace(f"unknown country {text.strip()!r}: {hint}")
