"""The command layer: once for every chat service and the CLI.

`Commands.execute(ctx, text)` parses a command line ("subscribe tags:tariffs", "tariffs
china --since 2025-01-01", "summary latest", "why <id>") and answers with a chat-neutral
`Message`. Parsing is pure (`parse_*` functions); execution reads and writes the store.
Errors are answered to the person who asked (ephemeral), never raised to the adapter.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.analysis.taxonomy import TAG_NAMES, describe
from bot.chat.message import Message, Section, Table, error, reply
from bot.domain import STATUSES, Analysis, Article, Feed, Subscription
from bot.io.readers import ReadError, read_path
from bot.render.alert import alert_message, money, rates
from bot.service.feed_commands import USAGE as FEEDS_USAGE
from bot.service.feed_commands import feeds_message, parse_feed_command, pick
from bot.service.router import decide, normalise_country

if TYPE_CHECKING:
    from bot.config import FeedsSettings

log = logging.getLogger(__name__)

MAX_LEDGER_ROWS = 20


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
                     status: str | None = None) -> list[Any]: ...
    async def get_analysis(self, article_id: str) -> Analysis | None: ...
    async def latest_analysis(self, trade_only: bool = True) -> Analysis | None: ...
    async def find_by_source(self, source: str) -> Analysis | None: ...
    async def add_feed(self, url: str, every_seconds: float, *, backfill: bool = False,
                       added_by: str | None = None) -> tuple[Feed, bool]: ...
    async def remove_feed(self, url: str) -> bool: ...
    async def feeds(self) -> list[Feed]: ...


Analyze = Callable[[Article], Awaitable[Analysis]]
FeedsChanged = Callable[[], Awaitable[None]]

HELP = {
    "subscribe": "subscribe [tags:T1,T2] [countries:C1,C2] [min-score:0.6] [tariffs-only] — "
                 "alerts for this channel, filtered",
    "unsubscribe": "unsubscribe — stop alerts in this channel",
    "subscriptions": "subscriptions — what this channel is subscribed to",
    "tariffs": "tariffs [country] [--since YYYY-MM-DD] [--status S] — the tariff ledger, newest first",
    "summary": "summary <article id | file | latest | https://...> — the alert card for an article "
               "(a web page is fetched and read)",
    "why": "why <article id> — why it was or was not posted to this channel",
    "feeds": FEEDS_USAGE,
    "help": "help — this list",
}


# ---------------------------------------------------------------- parsing (pure)


def split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as e:
        raise CommandError(f"could not read the command: {e}") from None


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parse_subscription(channel: str, args: Sequence[str], user: str | None = None) -> Subscription:
    """`tags:tariffs,disputes countries:china,us min-score:0.7 tariffs-only`."""
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_score = 0.5
    only = False
    for arg in args:
        key, sep, value = arg.partition(":") if ":" in arg else arg.partition("=")
        key = key.lower().lstrip("-")
        if not sep and key in ("tariffs-only", "tariff-changes-only", "tariffs_only"):
            only = True
        elif key in ("tags", "tag"):
            tags = tuple(t.lower() for t in _csv(value))
            unknown = [t for t in tags if t not in TAG_NAMES]
            if unknown:
                raise CommandError(f"unknown tag {', '.join(unknown)}; known tags: {', '.join(TAG_NAMES)}")
        elif key in ("countries", "country"):
            countries = tuple(normalise_country(c) for c in _csv(value))
        elif key in ("min-score", "min_score", "score"):
            try:
                min_score = float(value)
            except ValueError:
                raise CommandError(f"min-score must be a number between 0 and 1, not {value!r}") from None
            if not 0 <= min_score <= 1:
                raise CommandError("min-score must be between 0 and 1")
        else:
            raise CommandError(f"I don't know the filter {arg!r}. {HELP['subscribe']}")
    return Subscription(channel=channel, tags=tags, countries=countries, min_score=min_score,
                        tariff_changes_only=only, created_by=user)


@dataclass(frozen=True, slots=True)
class LedgerQuery:
    country: str | None = None
    since: date | None = None
    status: str | None = None


def parse_ledger_query(args: Sequence[str]) -> LedgerQuery:
    country: list[str] = []
    since: date | None = None
    status: str | None = None
    it = iter(args)
    for arg in it:
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
                raise CommandError(f"unknown option --{key}. {HELP['tariffs']}")
        else:
            country.append(arg)
    name = " ".join(country) or None
    return LedgerQuery(normalise_country(name) if name else None, since, status)


def describe_subscription(sub: Subscription) -> str:
    parts = [f"tags: {', '.join(sub.tags) or 'any'}",
             f"countries: {', '.join(sub.countries) or 'any'}",
             f"minimum score: {sub.min_score:.2f}"]
    if sub.tariff_changes_only:
        parts.append("tariff changes only")
    return "; ".join(parts)


def ledger_message(entries: Sequence[Any], q: LedgerQuery) -> Message:
    scope = q.country or "all countries"
    bits = [f"since {q.since}" if q.since else "", f"status {q.status}" if q.status else ""]
    title = f"Tariff ledger — {scope}" + "".join(f", {b}" for b in bits if b)
    if not entries:
        return reply(title, "No tariff changes recorded for that yet.")
    rows = []
    for e in entries[:MAX_LEDGER_ROWS]:
        sources = getattr(e, "sources", ())
        rows.append((
            f"{e.imposer or '?'} → {e.target or '?'}",
            e.products or "-",
            money(e.value_usd, getattr(e, "value_text", None)) or "-",
            rates(e),
            e.effective or "-",
            str(e.status).replace("_", " "),
            ", ".join(str(s[0]) for s in sources[:3]) + (f" +{len(sources) - 3}" if len(sources) > 3 else ""),
        ))
    more = len(entries) - MAX_LEDGER_ROWS
    text = f"{len(entries)} measure(s), newest first" + (f"; showing the first {MAX_LEDGER_ROWS}" if more > 0 else "")
    header = ("who → whom", "goods", "value", "rate", "effective", "status", "sources")
    return reply(title, text, Section("Measures", table=Table(header, tuple(rows))))


# ---------------------------------------------------------------- execution


class Commands:
    def __init__(self, store: CommandStore, analyze: Analyze, *, files_root: Path | None = None,
                 feeds: FeedsSettings | None = None) -> None:
        self._store = store
        self._analyze = analyze
        self._files_root = files_root
        self._feeds_settings = feeds
        self._feeds_changed: list[FeedsChanged] = []

    def attach_feeds(self, settings: FeedsSettings, on_change: FeedsChanged) -> None:
        """The feeds source plugs in: its settings (page fetching limits, intervals) and what
        to call when `feeds add/remove` changed the list, so the change takes effect at once."""
        self._feeds_settings = settings
        self._feeds_changed.append(on_change)

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
        try:
            return await handler(ctx, args)
        except CommandError as e:
            return error(str(e))
        except Exception:
            log.exception("command %r in %s failed", text, ctx.channel)
            return error("Something went wrong on our side; it has been logged.")

    async def help(self, ctx: Context, args: Sequence[str]) -> Message:
        tags = tuple(f"{t}: {describe(t)}" for t in TAG_NAMES)
        return reply("TradeWatch commands", "", Section("Commands", items=tuple(HELP.values())),
                     Section("Tags", items=tags), ephemeral=True)

    async def subscribe(self, ctx: Context, args: Sequence[str]) -> Message:
        if not ctx.can_manage:
            raise CommandError(f"You need {ctx.needs} to change this channel's alerts.")
        sub = parse_subscription(ctx.channel, args, ctx.user)
        await self._store.subscribe(sub)
        log.info("%s subscribed by %s: %s", ctx.channel, ctx.user, describe_subscription(sub))
        return reply("Subscribed", f"This channel now gets trade alerts ({describe_subscription(sub)}).")

    async def unsubscribe(self, ctx: Context, args: Sequence[str]) -> Message:
        if not ctx.can_manage:
            raise CommandError(f"You need {ctx.needs} to change this channel's alerts.")
        removed = await self._store.unsubscribe(ctx.channel)
        log.info("%s unsubscribed by %s (had one: %s)", ctx.channel, ctx.user, removed)
        return reply("Unsubscribed" if removed else "Not subscribed",
                     "No more alerts in this channel." if removed else "This channel had no subscription.")

    async def subscriptions(self, ctx: Context, args: Sequence[str]) -> Message:
        channel = None if args[:1] == ["all"] else ctx.channel
        subs = await self._store.subscriptions(channel)
        if not subs:
            return reply("No subscription", "This channel gets no alerts. Try `subscribe tags:tariffs`.")
        items = tuple(f"{s.channel}: {describe_subscription(s)}" for s in subs)
        return reply("Subscriptions", "", Section("Channels", items=items))

    async def tariffs(self, ctx: Context, args: Sequence[str]) -> Message:
        q = parse_ledger_query(args)
        entries = await self._store.ledger(country=q.country, since=q.since, status=q.status)
        return ledger_message(entries, q)

    async def summary(self, ctx: Context, args: Sequence[str]) -> Message:
        if not args:
            raise CommandError(HELP["summary"])
        ref = " ".join(args)
        analysis = await self._find(ref)
        if analysis is None and "://" in ref:
            analysis = await self._analyse_url(ref.strip("<>").split("|")[0])  # Slack: <url|label>
        if analysis is None:
            analysis = await self._analyse_file(ref)
        if analysis is None:
            raise CommandError(f"No article {ref!r} is stored, and it is not a readable file.")
        return replace(alert_message(analysis), kind="reply")

    async def why(self, ctx: Context, args: Sequence[str]) -> Message:
        if not args:
            raise CommandError(HELP["why"])
        analysis = await self._find(" ".join(args))
        if analysis is None:
            raise CommandError(f"No article {' '.join(args)!r} is stored.")
        tp = analysis.trade_policy
        verdict = f"{'trade policy' if tp.is_trade else 'not trade policy'}, score {tp.score:.2f}"
        sections = [Section("What decided it", items=tp.reasons or ("no trade-policy terms found",))]
        subs = await self._store.subscriptions(ctx.channel)
        if not subs:
            text = f"{verdict}. This channel has no subscription, so nothing is posted here."
        else:
            d = decide(analysis, subs[0])
            text = f"{verdict}. {'Posted' if d.send else 'Not posted'} to this channel: {'; '.join(d.reasons)}."
            sections.append(Section("This channel's filters", text=describe_subscription(subs[0])))
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
        from bot.sources.feed_parse import canonical_url
        from bot.sources.http_fetch import FetchError, Http, Limits, Refused, user_agent
        from bot.sources.page_fetch import fetch_page, page_article

        stored = await self._store.find_by_source(canonical_url(url))
        if stored is not None:
            return stored
        settings = self._feeds_config()
        http = Http(Limits.from_settings(settings), user_agent(settings.contact))
        try:
            page = await fetch_page(http, url)
        except Refused as e:
            raise CommandError(f"I will not fetch that: {e}") from None
        except FetchError as e:
            raise CommandError(f"Could not read {url}: {e}") from None
        finally:
            await http.close()
        if not page.text:
            raise CommandError(f"Found no article text at {url}.")
        return await self._analyze(page_article(page, url))

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
        from bot.sources.http_fetch import Refused, check_public_url

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
        for listener in self._feeds_changed:
            try:
                await listener()
            except Exception:
                log.exception("telling the feeds source about a change failed; it syncs on its own soon")
