"""The one visible list of what plugs into `tradewatch run`, chosen by the configuration.

Each entry is imported only when configured, so a bot without Slack never imports
slack-bolt. Add a chat service or a source here. The watched folders come last, so that
the chat services already answer while the start-up catch-up is read.
"""

from __future__ import annotations

from bot.config import Settings
from bot.core.connector import Connector
from bot.core.metrics import Metrics


def build_connectors(settings: Settings, metrics: Metrics | None = None) -> list[Connector]:
    """The connectors the settings ask for; `metrics` is where they count (feed failures)."""
    connectors: list[Connector] = []
    if settings.slack.enabled:
        from bot.chat.slack import SlackConnector

        connectors.append(SlackConnector(settings.slack))
    if settings.discord.enabled:
        from bot.chat.discord_bot import DiscordConnector

        connectors.append(DiscordConnector(settings.discord))
    if settings.feeds.enabled:
        from bot.sources.feeds import FeedsConnector

        connectors.append(FeedsConnector(settings.feeds, metrics=metrics))
    if settings.folders:
        from bot.sources.folders import FoldersConnector

        connectors.append(FoldersConnector(settings.folders))
    return connectors
