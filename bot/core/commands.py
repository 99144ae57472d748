"""The command layer: once for every chat service and the CLI.

`Commands.execute(ctx, text)` parses a command line ("subscribe tags:tariffs", "tariffs
china --since 2025-01-01", "summary latest", "why <id>") and answers with a chat-neutral
`Message`. Parsing is pure (`parse_*` functions); execution reads and writes the store.
Errors are answered to the person who asked (ephemeral), never raised to the adapter.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from bot.analysis.classify.taxonomy import TAG_NAMES, describe
from bot.core.alert import alert_message
from bot.core.feed_commands import feeds_message, parse_feed_command, pick
from bot.core.follow import follow_keys, follow_verdict
from bot.core.ledger_files import MAX_CHART_MEASURES
from bot.core.ledger_messages import (
    chart_message,
    csv_message,
    ledger_message,
    measure_message,
    no_measure,
    scope_title,
)
from bot.core.message import Message, Section, error, reply
from bot.core.router import RouteDecision, decide, normalise_country
from bot.domain import STATUSES, UPDATES, Analysis, Article, Delivery, Feed, Subscription, Updates
from bot.durations import format_duration
from bot.io.readers import ReadError, read_path
from bot.places import UnknownPlace, check_country
from bot.schedules import parse_digest, parse_remind, parse_zone
from bot.store.ledger import LedgerEntry, normalise_measure_id

if TYPE_CHECKING:
    from bot.config import FeedsSettings

log = logging.getLogger(__name__)


class CommandError(ValueError):
    """A command that cannot be carried out; the message is shown to the user."""


@dataclass(frozen=True, slots=True)
class Context:
    """Who asks, from where. `channel` is service-qualified ("slack:C0123")."""

    channel: str
    user: str | None = None
    can_manage: bool = True
    """Whether the user may change what the command manages: this channel's subscription
    (Discord: Manage Channels), or for `feeds` the bot's feeds (Discord: Manage Server)."""
    needs: str = "the manage permission"
    """What a refused user lacks, as their chat names it ("the Manage Server permission")."""


class CommandStore(Protocol):
    async def subscribe(self, sub: Subscription) -> None: ...
    async def unsubscribe(self, channel: str) -> bool: ...
    async def subscriptions(self, channel: str | None = None) -> list[Subscription]: ...
    async def ledger(self, country: str | None = None, since: date | None = None,
                     status: str | None = None) -> list[LedgerEntry]: ...
    async def measure_ids(self, article_id: str) -> dict[int, str]: ...
    async def get_analysis(self, article_id: str) -> Analysis | None: ...
    async def latest_analysis(self, trade_only: bool = True) -> Analysis | None: ...
    async def find_by_source(self, source: str) -> Analysis | None: ...
    async def add_feed(self, url: str, every_seconds: float, *, backfill: bool = False,
                       added_by: str | None = None) -> tuple[Feed, bool]: ...
    async def remove_feed(self, url: str) -> bool: ...
    async def feeds(self) -> list[Feed]: ...
    async def deliveries(self, alert_id: str | None = None, channel: str | None = None) -> list[Delivery]: ...
    async def digests_with(self, alert_id: str, channel: str) -> list[Delivery]: ...


class Pages(Protocol):
    """The web, for `summary <url>` (`bot.sources.page_fetch.WebPages`)."""

    def canonical(self, url: str) -> str:
        """The URL as articles from it are stored (no tracking parameters, no fragment)."""
        ...

    async def read(self, url: str) -> Article:
        """The page as an article; ValueError saying why, for the user, when it cannot."""
        ...


Analyze = Callable[[Article], Awaitable[Analysis]]
FeedsChanged = Callable[[], Awaitable[None]]
"""What `feeds add/remove` calls so the change takes effect at once (the feeds connector's sync)."""

@dataclass(frozen=True, slots=True)
class CommandHelp:
    """What `help COMMAND` (or `COMMAND --help`) shows: how to write it, what it does."""

    usage: str
    about: str
    details: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.usage} — {self.about}"


HELP: dict[str, CommandHelp] = {
    "subscribe": CommandHelp(
        "subscribe [tags:T1,T2] [countries:C1,C2] [min-score:0.6] [tariffs-only] [updates:thread] [remind:3d] "
        "[digest:daily@08:00 | digest:weekly@mon@08:00] [tz:Europe/Brussels]",
        "alerts for this channel, filtered (replaces its earlier filters)",
        ("tags: only stories with one of these tags (`help` lists them); default any",
         "countries: only stories about one of these countries (China, US, EU, ...); default any",
         "min-score: only stories at least this surely about trade, 0 to 1; default 0.5",
         "tariffs-only: only stories that report a tariff change",
         "updates: news of a measure the channel was alerted about: thread (a reply under that alert; "
         "default), channel (a post of its own) or off",
         "remind:3d: a reminder that long before a measure this channel heard of takes effect "
         "(moved when it is delayed, cancelled when it is removed)",
         "digest:daily@08:00 or digest:weekly@mon@08:00 (also weekly@mon-08:00, or \"weekly@mon 08:00\"): "
         "the period's alerts in one message, grouped by tag and country, instead of one post each",
         "tz: the time zone of digests and reminders (IANA name); default UTC",
         "example: subscribe tags:tariffs,disputes countries:china,us min-score:0.7",
         "needs the manage permission (Slack: one of the bot's managers, when it has any)")),
    "unsubscribe": CommandHelp("unsubscribe", "stop alerts in this channel",
                               ("needs the manage permission, like subscribe",)),
    "subscriptions": CommandHelp("subscriptions [all]", "what this channel is subscribed to",
                                 ("all: every channel's subscription",)),
    "tariffs": CommandHelp(
        "tariffs [country] [--since YYYY-MM-DD] [--status S] [chart | csv] | tariffs show <measure id>",
        "the tariff ledger, newest first, each measure with its id (m-7f3k2qa)",
        ("country: measures it imposes or faces, e.g. tariffs china",
         "--since: measures from stories published on or after that day",
         f"--status: one of {', '.join(STATUSES)}",
         f"chart: a PNG step chart of each measure's rate over time (the newest {MAX_CHART_MEASURES} "
         "measures), e.g. tariffs china chart (CLI: --chart FILE.png)",
         "csv: every story's report of each measure as a CSV file (CLI: --csv FILE)",
         "show <measure id>: the measure's whole history, every step and every story behind it; "
         "the id is on alert cards and in the ledger")),
    "summary": CommandHelp(
        "summary <article id | file | latest | https://...>", "the alert card for an article",
        ("latest: the newest trade story stored",
         "a file (CLI: relative to the current folder) or a web page is read and analysed, not stored",)),
    "why": CommandHelp(
        "why <article id | latest>", "whether the story was posted to this channel, and why (not)",
        ("answers from what was delivered here: posted, queued, failed, or never queued",
         "with the trade-policy verdict and the terms that decided it")),
    "feeds": CommandHelp(
        "feeds [list] | feeds add URL [--every 10m] [--backfill] | feeds remove URL|N",
        "the RSS/Atom feeds the bot reads, for all its channels",
        ("add: read a feed; its first poll records what it already carries without alerting "
         "(--backfill: alert those too); --every: time between polls (default feeds.every)",
         "remove: stop reading it (its URL, or its number in `feeds list`)",
         "bot-wide: needs Manage Server on Discord; on Slack one of the bot's managers or a workspace admin")),
    "help": CommandHelp("help [command]", "this list, or more about one command"),
}

HELP_WORDS = frozenset({"--help", "-h", "-?"})
"""Any of these among a command's words asks for its help: the command is not carried out."""

MANAGES = {"subscribe": "channel", "unsubscribe": "channel", "feeds": "bot"}
"""What a command changes: this channel's alerts, or the bot as a whole (its feeds)."""


# ---------------------------------------------------------------- parsing (pure)


def split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as e:
        raise CommandError(f"could not read the command: {e}") from None


def wants_help(args: Sequence[str]) -> bool:
    """`subscribe --help`, `tariffs china -h`, `unsubscribe help`: a question, not an order."""
    return any(a.lower() in HELP_WORDS for a in args) or [a.lower() for a in args] == ["help"]


def changes_something(text: str) -> bool:
    """Whether the command line would change the store (subscribe, unsubscribe, feeds add or
    remove); help, reading and unreadable lines change nothing."""
    try:
        words = split(text)
    except CommandError:
        return False
    name, args = (words[0].lower().lstrip("/"), words[1:]) if words else ("help", [])
    if name not in MANAGES or wants_help(args):
        return False
    if name == "feeds":
        try:
            return parse_feed_command(args).action != "list"
        except ValueError:
            return False
    return True


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _join_times(args: Sequence[str]) -> list[str]:
    """`digest:weekly@mon 08:00` arrives as two words: the time joins the digest."""
    out: list[str] = []
    for arg in args:
        if out and re.fullmatch(r"\d{1,2}:\d{2}", arg) and out[-1].lower().startswith("digest"):
            out[-1] = f"{out[-1]} {arg}"
        else:
            out.append(arg)
    return out


def parse_subscription(channel: str, args: Sequence[str], user: str | None = None) -> Subscription:
    """`tags:tariffs,disputes countries:china,us min-score:0.7 tariffs-only remind:3d
    digest:daily@08:00 tz:Europe/Brussels`."""
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_score = 0.5
    only = False
    remind: float | None = None
    digest: str | None = None
    tz: str | None = None
    updates: Updates = "thread"
    for arg in _join_times(args):
        key, sep, value = arg.partition(":") if ":" in arg else arg.partition("=")
        key = key.lower().lstrip("-")
        if key in ("remind", "digest", "tz"):
            try:
                if key == "remind":
                    remind = parse_remind(value)
                elif key == "digest":
                    digest = parse_digest(value).spec
                else:
                    tz = parse_zone(value)
            except ValueError as e:
                raise CommandError(str(e)) from None
        elif not sep and key in ("tariffs-only", "tariff-changes-only", "tariffs_only"):
            only = True
        elif key in ("tags", "tag"):
            tags = tuple(t.lower() for t in _csv(value))
            unknown = [t for t in tags if t not in TAG_NAMES]
            if unknown:
                raise CommandError(f"unknown tag {', '.join(unknown)}; known tags: {', '.join(TAG_NAMES)}")
        elif key in ("countries", "country"):
            try:
                countries = tuple(check_country(c) for c in _csv(value))
            except UnknownPlace as e:
                raise CommandError(str(e)) from None
        elif key in ("min-score", "min_score", "score"):
            try:
                min_score = float(value)
            except ValueError:
                raise CommandError(f"min-score must be a number between 0 and 1, not {value!r}") from None
            if not 0 <= min_score <= 1:
                raise CommandError("min-score must be between 0 and 1")
        elif key == "updates":
            chosen = [u for u in UPDATES if u == value.lower()]
            if not chosen:
                raise CommandError(f"updates must be one of {', '.join(UPDATES)}, not {value!r}")
            updates = chosen[0]
        else:
            raise CommandError(f"I don't know the filter {arg!r}. {HELP['subscribe'].line()}")
    return Subscription(channel=channel, tags=tags, countries=countries, min_score=min_score,
                        tariff_changes_only=only, created_by=user, remind_seconds=remind, digest=digest,
                        tz=None if tz == "UTC" else tz, updates=updates)


LedgerOutput = Literal["table", "chart", "csv"]
OUTPUTS: tuple[LedgerOutput, ...] = ("chart", "csv")


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    country: str | None = None
    since: date | None = None
    status: str | None = None
    output: LedgerOutput = "table"


def parse_ledger_query(args: Sequence[str]) -> LedgerQuery:
    """`china --since 2025-01-01 --status in_effect`, with `chart` or `csv` anywhere."""
    country: list[str] = []
    since: date | None = None
    status: str | None = None
    output: LedgerOutput = "table"
    it = iter(args)
    for arg in it:
        if arg.lower() in OUTPUTS:
            output = "chart" if arg.lower() == "chart" else "csv"
            continue
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            if not value:
                value = next(it, "")
            if key == "since":
                try:
                    since = date.fromisoformat(value)
                except ValueError:
                    raise CommandError(f"--since needs a date like 2025-01-31, not {value!r}") from None
            elif key == "status":
                status = value.lower().replace(" ", "_").replace("-", "_")
                if status not in STATUSES:
                    raise CommandError(f"--status must be one of {', '.join(STATUSES)}")
            else:
                raise CommandError(f"unknown option --{key}. {HELP['tariffs'].line()}")
        else:
            country.append(arg)
    name = " ".join(country) or None
    return LedgerQuery(normalise_country(name) if name else None, since, status, output)


def describe_subscription(sub: Subscription) -> str:
    parts = [f"tags: {', '.join(sub.tags) or 'any'}",
             f"countries: {', '.join(sub.countries) or 'any'}",
             f"minimum score: {sub.min_score:.2f}"]
    if sub.tariff_changes_only:
        parts.append("tariff changes only")
    parts.append(f"updates: {sub.updates}")
    if sub.remind_seconds:
        parts.append(f"reminders {format_duration(sub.remind_seconds)} before a measure takes effect")
    if sub.digest:
        parts.append(f"digest {sub.digest} instead of one post each")
    if sub.remind_seconds or sub.digest:
        parts.append(f"time zone {sub.tz or 'UTC'}")
    return "; ".join(parts)


def help_message() -> Message:
    tags = tuple(f"{t}: {describe(t)}" for t in TAG_NAMES)
    return reply("TradeWatch commands", "`help COMMAND` (or `COMMAND --help`) says more about one.",
                 Section("Commands", items=tuple(h.line() for h in HELP.values())),
                 Section("Tags", items=tags), ephemeral=True)


def command_help(name: str) -> Message:
    h = HELP[name]
    sections = (Section("Details", items=h.details),) if h.details else ()
    return reply(f"Help: {name}", f"{h.usage}\n{h.about[:1].upper()}{h.about[1:]}.", *sections,
                 ephemeral=True)


def delivery_verdict(delivery: Delivery | None, today: RouteDecision | None) -> str:
    """What happened to the story in this channel, from its delivery (None: none was ever
    queued), with today's routing decision to explain a story that was not queued."""
    if delivery is not None:
        if delivery.state == "sent":
            later = ("" if today is None or today.send
                     else f" (this channel's filters today would not send it: {'; '.join(today.reasons)})")
            return f"Posted to this channel{later}."
        if delivery.state == "failed":
            return (f"Not posted: posting to this channel failed after {delivery.attempts} attempt(s)"
                    f"{f' ({delivery.last_error})' if delivery.last_error else ''}.")
        return (f"Queued for this channel, not posted yet ({delivery.state}, "
                f"{delivery.attempts} attempt(s) so far).")
    if today is None:
        return "Not posted to this channel: no alert was queued for it, and the channel has no subscription."
    if not today.send:
        return f"Not posted to this channel: {'; '.join(today.reasons)}."
    return ("Not posted to this channel: no alert was queued for it when the story arrived. Its filters "
            "would send it today, so they were set or changed after the story came in (a story is "
            "routed once, when it arrives), or it came with a feed's first poll, which only records.")


# ---------------------------------------------------------------- execution


class Commands:
    def __init__(self, store: CommandStore, analyze: Analyze, *, files_root: Path | None = None,
                 feeds: FeedsSettings | None = None, feeds_changed: FeedsChanged | None = None,
                 pages: Pages | None = None) -> None:
        """Everything a command needs comes in here: the feeds' settings (intervals), what
        to tell when `feeds add/remove` changed the list, and the web for `summary <url>`
        (without it, only stored articles and files are summarised)."""
        self._store = store
        self._analyze = analyze
        self._files_root = files_root
        self._feeds_settings = feeds
        self._feeds_changed = feeds_changed
        self._pages = pages

    def _feeds_config(self) -> FeedsSettings:
        from bot.config import FeedsSettings

        return self._feeds_settings or FeedsSettings()

    async def execute(self, ctx: Context, text: str) -> Message:
        """Run one command line; always returns a message, never raises CommandError."""
        try:
            words = split(text.strip()) if text.strip() else ["help"]
        except CommandError as e:
            return error(str(e))
        name, args = words[0].lower().lstrip("/"), words[1:]
        handler = {
            "subscribe": self.subscribe, "unsubscribe": self.unsubscribe,
            "subscriptions": self.subscriptions, "tariffs": self.tariffs,
            "summary": self.summary, "why": self.why, "help": self.help, "feeds": self.feeds,
        }.get(name)
        if handler is None:
            return error(f"Unknown command {name!r}. Try `help`.")
        if wants_help(args) and name != "help":
            return command_help(name)
        try:
            return await handler(ctx, args)
        except CommandError as e:
            return error(str(e))
        except Exception:
            log.exception("command %r in %s failed", text, ctx.channel)
            return error("Something went wrong on our side; it has been logged.")

    async def help(self, ctx: Context, args: Sequence[str]) -> Message:
        if args and args[0].lower() not in HELP_WORDS:
            name = args[0].lower().lstrip("/")
            if name not in HELP or len(args) > 1:
                raise CommandError(f"No command {' '.join(args)!r}; the commands: {', '.join(HELP)}.")
            return command_help(name)
        return help_message()

    async def subscribe(self, ctx: Context, args: Sequence[str]) -> Message:
        if not ctx.can_manage:
            raise CommandError(f"You need {ctx.needs} to change this channel's alerts.")
        sub = parse_subscription(ctx.channel, args, ctx.user)
        await self._store.subscribe(sub)
        log.info("%s subscribed by %s: %s", ctx.channel, ctx.user, describe_subscription(sub))
        return reply("Subscribed", f"This channel now gets trade alerts ({describe_subscription(sub)}).")

    async def unsubscribe(self, ctx: Context, args: Sequence[str]) -> Message:
        if args:
            raise CommandError(f"`unsubscribe` takes nothing more (got {' '.join(args)!r}); "
                               "it stops this channel's alerts. `unsubscribe --help` says more.")
        if not ctx.can_manage:
            raise CommandError(f"You need {ctx.needs} to change this channel's alerts.")
        removed = await self._store.unsubscribe(ctx.channel)
        log.info("%s unsubscribed by %s (had one: %s)", ctx.channel, ctx.user, removed)
        return reply("Unsubscribed" if removed else "Not subscribed",
                     "No more alerts in this channel." if removed else "This channel had no subscription.")

    async def subscriptions(self, ctx: Context, args: Sequence[str]) -> Message:
        if args not in ([], ["all"]):
            raise CommandError(f"{HELP['subscriptions'].line()}; not {' '.join(args)!r}.")
        channel = None if args else ctx.channel
        subs = await self._store.subscriptions(channel)
        if not subs:
            return reply("No subscription", "This channel gets no alerts. Try `subscribe tags:tariffs`.")
        items = tuple(f"{s.channel}: {describe_subscription(s)}" for s in subs)
        return reply("Subscriptions", "", Section("Channels", items=items))

    async def tariffs(self, ctx: Context, args: Sequence[str]) -> Message:
        if args and args[0].lower() == "show":
            return await self._measure(args[1:])
        q = parse_ledger_query(args)
        entries = await self._store.ledger(country=q.country, since=q.since, status=q.status)
        if not entries and q.country:
            try:
                check_country(q.country)  # the ledger may hold names the list does not know
            except UnknownPlace as e:
                raise CommandError(f"{e} (and no tariff change names it).") from None
        stem = "tariffs" + (f"-{q.country.lower().replace(' ', '-')}" if q.country else "")
        if q.output == "chart":
            title = scope_title("Tariff rates", q.country, q.since, q.status)
            message = await asyncio.to_thread(chart_message, entries, title, stem)
        elif q.output == "csv":
            message = csv_message(entries, scope_title("Tariff ledger export", q.country, q.since, q.status), stem)
        else:
            return ledger_message(entries, scope_title("Tariff ledger", q.country, q.since, q.status))
        if message.attachment is not None:
            log.info("%s: %s for %s asked by %s (%d bytes)", ctx.channel, message.attachment.filename,
                     q.country or "all countries", ctx.user, len(message.attachment.data))
        return message

    async def _measure(self, args: Sequence[str]) -> Message:
        if len(args) != 1:
            raise CommandError(f"Say which measure, e.g. tariffs show m-7f3k2qa ({len(args)} words given); "
                               "`tariffs` lists them with their ids.")
        wanted = normalise_measure_id(args[0])
        entries = await self._store.ledger()
        found = [e for e in entries if e.id == wanted]
        if not found:
            return no_measure(wanted, [e.id for e in entries])
        return measure_message(found[0])

    async def summary(self, ctx: Context, args: Sequence[str]) -> Message:
        if not args:
            raise CommandError(f"Say which article: {HELP['summary'].usage}")
        ref = " ".join(args)
        analysis = await self._find(ref)
        if analysis is None and "://" in ref:
            analysis = await self._analyse_url(ref.strip("<>").split("|")[0])  # Slack: <url|label>
        if analysis is None:
            analysis = await self._analyse_file(ref)
        if analysis is None:
            raise CommandError(f"No article {ref!r} is stored, and it is not a readable file.")
        ids = await self._store.measure_ids(analysis.article.id) if analysis.tariff_changes else None
        return replace(alert_message(analysis, ids), kind="reply")

    async def why(self, ctx: Context, args: Sequence[str]) -> Message:
        if not args:
            raise CommandError(f"Say which article: {HELP['why'].usage}")
        analysis = await self._find(" ".join(args))
        if analysis is None:
            raise CommandError(f"No article {' '.join(args)!r} is stored.")
        tp = analysis.trade_policy
        verdict = f"{'trade policy' if tp.is_trade else 'not trade policy'}, score {tp.score:.2f}"
        sections = [Section("What decided it", items=tp.reasons or ("no trade-policy terms found",))]
        delivered = await self._store.deliveries(analysis.article.id, ctx.channel)
        subs = await self._store.subscriptions(ctx.channel)
        today = decide(analysis, subs[0]) if subs else None
        if subs:
            sections.append(Section("This channel's filters", text=describe_subscription(subs[0])))
        followed = [] if delivered else [d for k in follow_keys(analysis.article.id, (
            await self._store.measure_ids(analysis.article.id)).values())
            for d in await self._store.deliveries(k, ctx.channel)]
        said = follow_verdict(followed[0]) if followed else delivery_verdict(delivered[0] if delivered else None, today)
        text = f"{verdict}. {said}"
        if not delivered and not followed and (
                digests := await self._store.digests_with(analysis.article.id, ctx.channel)):
            text = (f"{verdict}. In this channel's digest {digests[0].alert_id.removeprefix('digest:')}: "
                    f"{delivery_verdict(digests[0], today)}")
        return reply(f"Why: {analysis.article.title or analysis.article.id}", text, *sections)

    async def _find(self, ref: str) -> Analysis | None:
        if ref.lower() == "latest":
            return await self._store.latest_analysis(trade_only=True)
        return await self._store.get_analysis(ref) or await self._store.find_by_source(ref)

    async def _analyse_file(self, ref: str) -> Analysis | None:
        if self._files_root is None:
            return None
        path = (self._files_root / ref).resolve()
        if not path.is_relative_to(self._files_root.resolve()) or not path.is_file():
            return None
        items = list(read_path(path))
        article = next((a for a in items if not isinstance(a, ReadError)), None)
        if article is None:
            problems = "; ".join(str(e) for e in items if isinstance(e, ReadError))
            raise CommandError(f"Cannot read that file: {problems}")
        return await self._analyze(article)

    async def _analyse_url(self, url: str) -> Analysis:
        """Fetch a web page safely (http(s), public addresses unless allowed, time and size
        limits) and analyse its main text."""
        if self._pages is None:
            raise CommandError("Web pages are not read here; try an article id, a file or `latest`.")
        stored = await self._store.find_by_source(self._pages.canonical(url))
        if stored is not None:
            return stored
        try:
            article = await self._pages.read(url)
        except ValueError as e:
            raise CommandError(str(e)) from None
        return await self._analyze(article)

    async def feeds(self, ctx: Context, args: Sequence[str]) -> Message:
        if not ctx.can_manage:
            raise CommandError(f"You need {ctx.needs} to see or change the bot's feeds.")
        try:
            cmd = parse_feed_command(args)
        except ValueError as e:
            raise CommandError(str(e)) from None
        from datetime import UTC, datetime

        from bot.durations import format_duration

        now = datetime.now(UTC)
        if cmd.action == "list":
            return feeds_message(await self._store.feeds(), now)
        settings = self._feeds_config()
        if cmd.action == "remove":
            feed = pick(await self._store.feeds(), cmd.url or "")
            if feed is None or not await self._store.remove_feed(feed.url):
                raise CommandError(f"No feed {cmd.url!r}. `feeds list` shows them.")
            log.info("feed %s removed by %s in %s", feed.url, ctx.user, ctx.channel)
            await self._tell_feeds_changed()
            return reply("Feed removed", f"{feed.url} is no longer read.")
        every = cmd.every_seconds or settings.every
        if every < settings.min_every:
            raise CommandError(f"--every must be at least {format_duration(settings.min_every)} "
                               "(feeds.min_every), to be polite to publishers.")
        url = cmd.url or ""
        from bot.addresses import Refused, check_public_url

        try:
            note = await check_public_url(url, settings.allow_private_addresses)
        except Refused as e:
            raise CommandError(f"I will not read that feed: {e}") from None
        feed, created = await self._store.add_feed(url, every, backfill=cmd.backfill, added_by=ctx.user)
        log.info("feed %s %s by %s in %s (every %s)", url, "added" if created else "updated",
                 ctx.user, ctx.channel, format_duration(every))
        await self._tell_feeds_changed()
        first = ("Its first poll alerts what it already carries (backfill)." if feed.backfill and created
                 else "Its first poll records what it already carries without alerting; "
                      "new stories after that are alerted." if created
                 else "It is enabled again and polled now.")
        return reply("Feed added" if created else "Feed updated",
                     f"{url} is read every {format_duration(every)}. {first}" + (f" Note: {note}." if note else ""))

    async def _tell_feeds_changed(self) -> None:
        if self._feeds_changed is None:
            return
        try:
            await self._feeds_changed()
        except Exception:
            log.exception("telling the feeds source about a change failed; it syncs on its own soon")
