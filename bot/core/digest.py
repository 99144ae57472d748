"""A channel's digest of one period as a chat-neutral `Message` (pure).

The period's alerts grouped by tag and country ("tariffs — China, US"), each a line with
its headline, day, a short summary (headlines only beyond `BRIEF_OVER` alerts) and its id
(`summary <id>` shows the whole card).
Everything from articles stays plain text; the renderers escape it and keep within each
chat's limits (shortening with a visible note).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.analysis.classify.taxonomy import TAG_NAMES
from bot.core.message import Message, Section
from bot.core.router import story_countries
from bot.domain import Analysis

SUMMARY_CHARS = 160
BRIEF_OVER = 25
"""A digest of more alerts than this lists headlines only, so more of them fit one message."""
NO_TAG = "other"
NO_COUNTRY = "no country named"


def group_of(a: Analysis) -> tuple[str, str]:
    """(tag, countries): the story's first tag and the countries it is about."""
    tag = a.trade_policy.tags[0] if a.trade_policy.tags else NO_TAG
    return tag, ", ".join(sorted(story_countries(a))) or NO_COUNTRY


def _order(group: tuple[str, str]) -> tuple[int, str, str]:
    tag, countries = group
    return (TAG_NAMES.index(tag) if tag in TAG_NAMES else len(TAG_NAMES), tag, countries)


def item_line(a: Analysis, *, brief: bool = False) -> str:
    summary = "" if brief else " ".join(a.summary.split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    day = a.article.published.isoformat() if a.article.published else "date unknown"
    return f"{a.article.title or a.article.id} ({day})" + (f" — {summary}" if summary else "") + \
        f" · id: {a.article.id}"


def digest_message(key: str, period: str, every: str, analyses: Sequence[Analysis],
                   since: datetime | None = None, until: datetime | None = None,
                   zone_name: str = "UTC") -> Message:
    """The digest posted under `key` for `period` ("2026-12-03", "2026-W49"): one section
    per (tag, countries), in tag order; `since`/`until` (local times) bound the period."""
    groups: dict[tuple[str, str], list[str]] = {}
    for a in analyses:
        groups.setdefault(group_of(a), []).append(item_line(a, brief=len(analyses) > BRIEF_OVER))
    sections = tuple(Section(f"{tag} — {countries}", items=tuple(lines))
                     for (tag, countries), lines in sorted(groups.items(), key=lambda g: _order(g[0])))
    n = len(analyses)
    span = (f" from {since:%a %d %b %H:%M} to {until:%a %d %b %H:%M} ({zone_name})"
            if since is not None and until is not None else "")
    return Message(
        kind="alert",
        title=f"{every.capitalize()} digest {period}: {n} alert{'s' if n != 1 else ''}",
        text=f"{n} trade alert{'s' if n != 1 else ''}{span}, grouped by tag and country. "
             "`summary <id>` shows one whole.",
        sections=sections,
        facts=f"{len(groups)} group{'s' if len(groups) != 1 else ''}",
        footer="digest",
        key=key,
    )
