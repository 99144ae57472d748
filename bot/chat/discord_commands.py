"""TradeWatch's Discord application commands: the tree both the bot and `tradewatch discord
sync` build, so what is registered is exactly what is served.

Each command turns its typed options into the command layer's own line ("subscribe
tags:tariffs countries:China", "feeds add https://... --every 10m") and hands it to `run`,
which answers the interaction. The line builders and the autocomplete matching are pure
functions. `/feeds list|add|remove` is a group: feeds are bot-wide, so it is offered to
members with Manage Server (the other changes need Manage Channels).
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.analysis.classify.taxonomy import TAG_NAMES
from bot.analysis.countries import SHORT_NAMES
from bot.domain import STATUSES

Run = Callable[[discord.Interaction[Any], str], Awaitable[None]]
"""Carries out one command line for an interaction and answers it."""

NAMES = ("subscribe", "unsubscribe", "subscriptions", "tariffs", "summary", "why", "feeds", "help")
MAX_CHOICES = 25
EXPORTS = ("chart", "csv")
CHOICE_CHARS = 100


# ---------------------------------------------------------------- pure helpers


def csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def subscribe_line(tags: str | None = None, countries: str | None = None,
                   min_score: float | None = None, tariffs_only: bool = False, updates: str | None = None, *,
                   remind: str | None = None, digest: str | None = None, tz: str | None = None) -> str:
    words = ["subscribe"]
    if csv(tags):
        words.append("tags:" + ",".join(csv(tags)))
    if csv(countries):
        words.append("countries:" + ",".join(csv(countries)))
    if min_score is not None:
        words.append(f"min-score:{min_score:g}")
    if tariffs_only:
        words.append("tariffs-only")
    if updates:
        words.append(f"updates:{updates}")
    words += [f"{key}:{' '.join(value.split())}" for key, value in (("remind", remind), ("digest", digest), ("tz", tz))
              if value and value.strip()]
    return shlex.join(words)


def tariffs_line(country: str | None = None, since: str | None = None, status: str | None = None,
                 export: str | None = None, measure: str | None = None) -> str:
    """`tariffs china --since ... [chart|csv]`, or `tariffs show <id>` when a measure is named."""
    if measure and measure.strip():
        return shlex.join(["tariffs", "show", measure.strip()])
    words = ["tariffs"]
    if country and country.strip():
        words.append(country.strip())
    if since and since.strip():
        words += ["--since", since.strip()]
    if status:
        words += ["--status", status]
    if export in EXPORTS:
        words.append(export)
    return shlex.join(words)


def article_line(command: str, article: str | None) -> str:
    ref = (article or "").strip()
    return shlex.join([command, ref]) if ref else command


def feeds_line(action: str, feed: str | None = None, *, every: str | None = None,
               backfill: bool = False) -> str:
    """`feeds list`, `feeds add URL [--every 10m] [--backfill]` or `feeds remove URL|N`.
    Blank values are left out; the command layer says what is missing."""
    words = ["feeds", action]
    if feed and feed.strip():
        words.append(feed.strip())
    if every and every.strip():
        words += ["--every", every.strip()]
    if backfill:
        words.append("--backfill")
    return shlex.join(words)


def help_line(command: str | None = None) -> str:
    return shlex.join(["help", command]) if command else "help"


def complete(current: str, names: Iterable[str], *, several: bool = False) -> list[tuple[str, str]]:
    """(label, value) suggestions for what is being typed: names starting with it first,
    then names containing it. With `several`, the last of a comma-separated list is
    completed and the ones before it are kept ("tariffs, disp" -> "tariffs, disputes")."""
    done: list[str] = []
    typing = current
    if several:
        *done, typing = [p.strip() for p in current.split(",")] if current else [""]
        done = [d for d in done if d]
    needle = typing.strip().lower()
    pool = [n for n in names if n not in done]
    ranked = [n for n in pool if n.lower().startswith(needle)]
    ranked += [n for n in pool if needle in n.lower() and n not in ranked]
    out = []
    for n in ranked[:MAX_CHOICES]:
        value = ", ".join([*done, n])
        if len(value) <= CHOICE_CHARS:
            out.append((value, value))
    return out


def _choices(pairs: Sequence[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]


async def complete_tags(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return _choices(complete(current, TAG_NAMES, several=True))


async def complete_countries(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return _choices(complete(current, SHORT_NAMES, several=True))


async def complete_country(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return _choices(complete(current, SHORT_NAMES))


STATUS_CHOICES = [app_commands.Choice(name=s.replace("_", " "), value=s) for s in STATUSES]
EXPORT_CHOICES = [app_commands.Choice(name=n, value=n) for n in EXPORTS]
UPDATES_CHOICES = [app_commands.Choice(name=label, value=value) for value, label in (
    ("thread", "thread: replies under the alert (default)"), ("channel", "channel: posts of their own"),
    ("off", "off: none"))]
HELP_CHOICES = [app_commands.Choice(name=n, value=n) for n in NAMES if n != "help"]


# ---------------------------------------------------------------- the tree


def build_tree(client: discord.Client, run: Run) -> app_commands.CommandTree[discord.Client]:
    """The command tree on `client`; every command answers through `run`."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    tags_help = "comma-separated tags, e.g. tariffs, disputes (all of them: /help)"

    @tree.command(name="subscribe", description="Trade alerts in this channel, filtered (needs Manage Channels)")
    @app_commands.describe(tags=tags_help, countries="comma-separated countries, e.g. China, US, EU",
                           min_score="only stories at least this surely about trade (0 to 1, default 0.5)",
                           tariffs_only="only stories that report a tariff change",
                           updates="news of a measure this channel was alerted about: where it goes",
                           remind="a reminder this long before a measure takes effect, e.g. 3d",
                           digest="one message a period instead of one a story: daily@08:00 or weekly@mon@08:00",
                           tz="time zone of digests and reminders, e.g. Europe/Brussels (default UTC)")
    @app_commands.choices(updates=UPDATES_CHOICES)
    @app_commands.autocomplete(tags=complete_tags, countries=complete_countries)
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    async def subscribe(interaction: discord.Interaction[Any], tags: str | None = None,
                        countries: str | None = None,
                        min_score: app_commands.Range[float, 0.0, 1.0] | None = None,
                        tariffs_only: bool = False, updates: str | None = None, remind: str | None = None,
                        digest: str | None = None, tz: str | None = None) -> None:
        await run(interaction, subscribe_line(tags, countries, min_score, tariffs_only, updates,
                                              remind=remind, digest=digest, tz=tz))

    @tree.command(name="unsubscribe", description="Stop trade alerts in this channel (needs Manage Channels)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    async def unsubscribe(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, "unsubscribe")

    @tree.command(name="subscriptions", description="What this channel is subscribed to")
    async def subscriptions(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, "subscriptions")

    @tree.command(name="tariffs", description="The tariff ledger, newest first; a chart, a CSV, or one measure's history")
    @app_commands.describe(country="imposer or target, e.g. China", since="changes since this day (YYYY-MM-DD)",
                           status="only measures in this state",
                           export="chart: a PNG of each measure's rate over time; csv: the ledger's rows as a file",
                           measure="a measure's id (m-7f3k2qa, on alert cards): its whole history")
    @app_commands.autocomplete(country=complete_country)
    @app_commands.choices(status=STATUS_CHOICES, export=EXPORT_CHOICES)
    async def tariffs(interaction: discord.Interaction[Any], country: str | None = None,
                      since: str | None = None, status: app_commands.Choice[str] | None = None,
                      export: app_commands.Choice[str] | None = None, measure: str | None = None) -> None:
        await run(interaction, tariffs_line(country, since, status.value if status else None,
                                            export.value if export else None, measure))

    @tree.command(name="summary", description="The alert card of a stored article")
    @app_commands.describe(article="an article id, or latest for the newest trade story")
    async def summary(interaction: discord.Interaction[Any], article: str = "latest") -> None:
        await run(interaction, article_line("summary", article))

    @tree.command(name="why", description="Why an article was or was not posted to this channel")
    @app_commands.describe(article="an article id")
    async def why(interaction: discord.Interaction[Any], article: str) -> None:
        await run(interaction, article_line("why", article))

    feeds = app_commands.Group(
        name="feeds", description="The RSS/Atom feeds the bot reads, for all its channels (needs Manage Server)")
    app_commands.guild_only()(feeds)  # also sets contexts=[guild], as on the commands above
    app_commands.default_permissions(manage_guild=True)(feeds)

    @feeds.command(name="list", description="Every feed: last success, last error, next poll")
    async def feeds_list(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, feeds_line("list"))

    @feeds.command(name="add", description="Read a feed (or enable it again, with a new interval)")
    @app_commands.describe(url="the feed's address, https://...",
                           every="how often to read it, e.g. 10m or 1h (default: feeds.every)",
                           backfill="alert what the feed already carries on its first read")
    async def feeds_add(interaction: discord.Interaction[Any], url: str, every: str | None = None,
                        backfill: bool = False) -> None:
        await run(interaction, feeds_line("add", url, every=every, backfill=backfill))

    @feeds.command(name="remove", description="Stop reading a feed")
    @app_commands.describe(feed="its address, or its number in /feeds list")
    async def feeds_remove(interaction: discord.Interaction[Any], feed: str) -> None:
        await run(interaction, feeds_line("remove", feed))

    tree.add_command(feeds)

    @tree.command(name="help", description="TradeWatch's commands and tags, or more about one command")
    @app_commands.describe(command="the command to say more about")
    @app_commands.choices(command=HELP_CHOICES)
    async def help_(interaction: discord.Interaction[Any], command: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, help_line(command.value if command else None))

    return tree

