"""Configuration: one typed, validated model, loaded in `main()`.

Settings come from a TOML file (`--config FILE`, default: none, i.e. the built-in defaults
that `config/default.toml` spells out) and the environment. Secrets (database passwords,
chat tokens) come only from the environment. A bad file raises `ConfigError` with a
message that names the file and the setting; only the CLI decides to exit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.analysis.classify.taxonomy import TAG_NAMES
from bot.domain import Updates
from bot.places import check_channel, check_country
from bot.schedules import parse_digest, parse_remind, parse_zone


class ConfigError(ValueError):
    """The configuration cannot be used; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    data_dir: Path = Path("data")
    """Where the SQLite database and the console channel's log live."""
    pg_schema: str | None = None
    """PostgreSQL only: keep the tables in this (existing) schema instead of the default."""


class AnalysisSettings(_Section):
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    """Stories scoring below this are not trade policy: no extraction, no alert."""
    model: Path | None = None
    """A classifier trained with `tradewatch train`; none means the built-in rules."""
    batch_size: int = Field(8, ge=1, le=256)


class FolderSettings(_Section):
    path: Path
    rescan_seconds: float = Field(60.0, gt=0)


class SubscriptionSettings(_Section):
    channel: str
    tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_score: float = Field(0.5, ge=0.0, le=1.0)
    tariff_changes_only: bool = False
    remind: float | None = None
    """Seconds (or "3d") before a measure takes effect to remind the channel; None: no reminders."""
    digest: str | None = None
    """"daily@08:00" or "weekly@mon@08:00": one message a period instead of one a story."""
    tz: str | None = None
    """The IANA time zone of digests and reminders (None: UTC)."""
    updates: Updates = "thread"
    """News of a measure the channel was alerted about: "thread", "channel" or "off"."""

    @field_validator("remind", mode="before")
    @classmethod
    def _lead_time(cls, value: object) -> object:
        return parse_remind(value) if isinstance(value, str) else value

    @field_validator("digest")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else parse_digest(value).spec

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else parse_zone(value)

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in tags if t not in TAG_NAMES]
        if unknown:
            raise ValueError(f"unknown tag(s) {', '.join(unknown)}; known: {', '.join(TAG_NAMES)}")
        return tags

    @field_validator("channel")
    @classmethod
    def _a_channel(cls, channel: str) -> str:
        return check_channel(channel)

    @field_validator("countries")
    @classmethod
    def _known_countries(cls, countries: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_country(c) for c in countries)


class ConsoleSettings(_Section):
    enabled: bool = True
    channel: str = "console:default"

    @field_validator("channel")
    @classmethod
    def _a_console_channel(cls, channel: str) -> str:
        if not channel.startswith("console:"):
            raise ValueError(f"the console's channel is console:NAME, not {channel!r}")
        return check_channel(channel)


class DeliverySettings(_Section):
    max_attempts: int = Field(5, ge=1)
    retry_seconds: float = Field(5.0, gt=0)
    concurrency: int = Field(16, ge=1, le=256)
    """Posts under way at once per chat service, each to a different channel."""


class SlackSettings(_Section):
    """Slack (issue 5). Tokens come only from the environment: SLACK_BOT_TOKEN, and
    SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)."""

    enabled: bool = False
    mode: Literal["auto", "http", "socket"] = "auto"
    """auto: Socket Mode when SLACK_APP_TOKEN is set, else HTTP."""
    host: str = "127.0.0.1"
    """HTTP mode: where Slack's requests are served (behind your public https URL)."""
    port: int = Field(3000, ge=0, le=65535)
    path: str = "/slack/events"
    api_url: str = "https://slack.com/api/"
    rate_limit_retries: int = Field(5, ge=0, le=20)
    """How often one post waits out an HTTP 429 (Retry-After) before the dispatcher retries later."""
    redirect_uri: str | None = None
    """OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set, mode = "http"): the public
    https URL of /slack/oauth_redirect, as listed in the app's Redirect URLs (None: Slack
    uses the app's only one)."""
    managers: tuple[str, ...] = ()
    """Slack user ids allowed to change the bot: its feeds (so are workspace admins and
    owners) and channels' subscriptions (empty: anyone may subscribe a channel; the feeds
    stay with admins and owners)."""


class DiscordSettings(_Section):
    """Discord (issue 6). The bot token comes only from the environment: DISCORD_BOT_TOKEN.
    Register the commands once with `tradewatch discord sync`."""

    enabled: bool = False
    defer_after_seconds: float = Field(2.0, gt=0, le=2.5)
    """A command not answered within this is deferred ("thinking...") and answered as a follow-up."""
    find_history: int = Field(100, ge=1, le=100)
    """Latest messages of a channel searched for an alert after a crash (one request)."""
    ready_timeout_seconds: float = Field(30.0, gt=0)
    """How long start-up waits for the gateway's READY before going on (it keeps trying)."""
    shard_count: int = Field(0, ge=0)
    """Gateway shards of the whole bot, across all instances (0: discord.py asks Discord for
    its recommended count, one shard for a bot in fewer than 2,500 servers)."""
    shard_ids: tuple[int, ...] = ()
    """The shards this instance connects, each in 0..shard_count-1 (empty: all of them).
    Set both or neither: N instances with shard_count = N and shard_ids = [0] ... [N-1]
    split the gateway."""

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        if bool(self.shard_count) != bool(self.shard_ids):
            raise ValueError(
                "set shard_count and shard_ids together (e.g. shard_count = 2, shard_ids = [0] on one "
                "instance and [1] on the other) or neither (discord.py picks the count)")
        outside = sorted({i for i in self.shard_ids if not 0 <= i < self.shard_count})
        if outside:
            raise ValueError(f"shard_ids {outside} are outside 0..{self.shard_count - 1} "
                             f"(shard_count = {self.shard_count})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError(f"shard_ids {list(self.shard_ids)} name a shard twice")
        return self


class OpsSettings(_Section):
    """Operations (issue 13): an opt-in HTTP port with /healthz, /readyz and /metrics
    (Prometheus), and the log format. Off by default; serve it only where your monitoring
    reaches it (127.0.0.1 unless you put it behind a private network)."""

    enabled: bool = False
    """Serve /healthz, /readyz and /metrics on host:port."""
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(9090, ge=0, le=65535)
    """0: any free port (it is logged)."""
    instance_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")
    """Names this process in every log line and in /metrics; default: the environment's
    TRADEWATCH_INSTANCE_ID, else hostname-pid."""
    log_format: Literal["text", "json"] = "text"
    """json: one JSON object a line (time, level, logger, message, instance); `run --log-format`
    overrides it."""


def _duration(value: Any) -> Any:
    from bot.durations import parse_duration

    return parse_duration(value) if isinstance(value, str | int | float) else value


class InstancesSettings(_Section):
    """Several `tradewatch run` instances on one PostgreSQL (issue 13): how they share the
    work. (On SQLite one instance runs, and every claim and lease is its own.)"""

    file_claim_seconds: float = Field(600.0, gt=0)
    """An instance claims a new or changed file of a watched folder before reading it, for
    this long at most: a file whose reader died is read by another instance after that."""
    lease_retry_seconds: float = Field(5.0, gt=0, le=25)
    """How often an instance tries to take a free lease (the Slack Socket Mode connection, a
    Discord shard, scheduled duties): a holder that dies is replaced within about this long."""

    _durations = field_validator("file_claim_seconds", "lease_retry_seconds", mode="before")(_duration)


class FeedSettings(_Section):
    """One RSS/Atom feed listed in the configuration (admins add more from chat or the CLI)."""

    url: str
    every: float | None = Field(None, gt=0)
    """Seconds between polls, or "10m", "2h"; default: feeds.every."""
    backfill: bool = False
    """Alert the entries already in the feed at its first poll (default: only record them)."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"a feed URL must start with http:// or https://, not {url!r}")
        return url

    _every = field_validator("every", mode="before")(_duration)


class FeedsSettings(_Section):
    """RSS and Atom feeds (issue 7): polling, politeness limits, and the page fetcher that
    `summary <url>` and teaser entries use. Durations are seconds or "10m", "1h", "1d"."""

    enabled: bool = True
    """Poll the feeds listed here and those added with `tradewatch feeds add` (none: no requests)."""
    feed: tuple[FeedSettings, ...] = ()
    every: float = Field(600.0, gt=0)
    """Default time between two polls of a feed (each poll is jittered by `jitter`)."""
    min_every: float = Field(60.0, gt=0)
    """The shortest interval an admin may ask for."""
    jitter: float = Field(0.1, ge=0, lt=1)
    """Each wait is drawn within +/- this fraction, so feeds on one host spread out."""
    max_failures: int = Field(8, ge=1)
    """Consecutive failed polls after which a feed is disabled (`feeds add URL` enables it again)."""
    backoff_max: float = Field(86400.0, gt=0)
    """The longest wait after failures (the wait doubles with each failure, up to this)."""
    per_host: int = Field(2, ge=1, le=64)
    """Requests in flight at once to one host."""
    slow_after: float = Field(3.0, gt=0)
    """A request to a host still running after this long gives its `per_host` place to the
    host's next one and goes on aside (at most `per_host` aside at once), so slow feeds do not
    hold up the others of their host."""
    max_connections: int = Field(64, ge=1)
    """Requests in flight at once overall."""
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    """The longest silence while reading a response."""
    total_timeout: float = Field(60.0, gt=0)
    """The longest a whole fetch (all redirects, the whole body) may take."""
    max_bytes: int = Field(5_000_000, ge=1024)
    """Responses larger than this (after decompression) are abandoned as an error."""
    max_redirects: int = Field(5, ge=0, le=20)
    allow_private_addresses: bool = False
    """Fetch from private, loopback, link-local and other non-public addresses (checked after
    DNS resolution and on every redirect). Leave off unless the bot reads an intranet."""
    fetch_pages: bool = True
    """When an entry carries only a teaser, fetch the linked page and extract its main text."""
    teaser_words: int = Field(80, ge=0)
    """An entry with fewer words than this (or ending in "...", "Read more") is a teaser."""
    sync_seconds: float = Field(15.0, gt=0)
    """How often the running bot looks for feeds added or removed from the CLI."""
    claim_seconds: float = Field(300.0, gt=0)
    """Several instances on one PostgreSQL: an instance claims a due feed before polling it,
    for this long at most (the poll's save ends the claim). A feed claimed by an instance
    that died is polled by another once the claim runs out."""
    contact: str = "https://github.com/tradewatch/tradewatch"
    """Who runs this bot (a URL or an e-mail address), sent in the User-Agent to publishers."""

    _durations = field_validator("every", "min_every", "backoff_max", "sync_seconds", "slow_after",
                                 "claim_seconds", mode="before")(_duration)


def _default_folders() -> tuple[FolderSettings, ...]:
    return (FolderSettings(path=Path("examples/news")),)


def _default_subscriptions() -> tuple[SubscriptionSettings, ...]:
    return (SubscriptionSettings(channel="console:default"),)


class Settings(BaseSettings):
    """Everything `tradewatch run` needs. Environment: TRADEWATCH_DATABASE_URL."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_prefix="TRADEWATCH_")

    database_url: str | None = None
    """PostgreSQL (postgresql://user@host/db) or SQLite URL; from the environment only."""
    store: StoreSettings = StoreSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    folders: tuple[FolderSettings, ...] = Field(default_factory=_default_folders)
    subscriptions: tuple[SubscriptionSettings, ...] = Field(default_factory=_default_subscriptions)
    console: ConsoleSettings = ConsoleSettings()
    delivery: DeliverySettings = DeliverySettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    feeds: FeedsSettings = FeedsSettings()
    ops: OpsSettings = OpsSettings()
    instances: InstancesSettings = InstancesSettings()

    @property
    def store_setting(self) -> str:
        """The setting that says where the store is, for messages about it."""
        return "TRADEWATCH_DATABASE_URL" if self.database_url else "store.data_dir"

    @classmethod
    def settings_customise_sources(cls, settings_cls: Any, init_settings: Any, env_settings: Any,
                                   dotenv_settings: Any, file_secret_settings: Any) -> tuple[Any, ...]:
        # the file's values (passed as init) win for settings; the environment fills secrets
        return (init_settings, env_settings)


SECRET_KEYS = frozenset({"database_url"})


def load_settings(path: Path | None = None) -> Settings:
    """The settings from a TOML file (or the defaults) and the environment."""
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: cannot read: {e}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML: {e}") from None
        secrets = SECRET_KEYS & data.keys()
        if secrets:
            raise ConfigError(f"{path}: {', '.join(sorted(secrets))} is a secret: set it in the "
                              "environment (TRADEWATCH_DATABASE_URL), not in the file")
    try:
        return Settings(**data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None
