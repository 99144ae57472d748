"""The alert card as plain text: what `tradewatch analyze` and the console channel print."""

from __future__ import annotations

from bot.core.alert import alert_message, money
from bot.domain import Analysis
from bot.render.text import clean, render_text

__all__ = ["clean", "money", "render_card"]


def render_card(a: Analysis) -> str:
    return render_text(alert_message(a))
