"""`tradewatch run`: the bot service."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.store.engine import StoreUnavailable

log = logging.getLogger("tradewatch")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="a TOML configuration file (default: built-in defaults, see config/default.toml)")
    parser.add_argument("--log-format", choices=("text", "json"), default=None,
                        help="log lines as text or as one JSON object a line (time, level, logger, "
                             "message, instance); default: ops.log_format")


def banner(s: Settings, missing: frozenset[Path] = frozenset()) -> str:
    """What the running bot does; `missing`: configured folders that do not exist."""
    db = "PostgreSQL/other (TRADEWATCH_DATABASE_URL)" if s.database_url else f"SQLite in {s.store.data_dir}/"
    folders = ", ".join(str(f.path) for f in s.folders if f.path not in missing) or "no folder"
    if missing:
        folders += f" (not watched, missing: {', '.join(sorted(map(str, missing)))})"
    channels = ", ".join(sub.channel for sub in s.subscriptions) or "none subscribed yet"
    return (f"TradeWatch is running. Watching: {folders}. Store: {db}. Channels: {channels}.\n"
            "Alerts print here; drop article files into a watched folder. Ctrl-C stops.")


async def serve(settings: Settings, log_format: str | None = None) -> None:
    from bot.service.app import Service
    from bot.service.logs import use_instance_logging

    service = Service(settings)
    use_instance_logging(service.instance, log_format or settings.ops.log_format)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, service.stop)
    def ready() -> None:
        missing = frozenset(f.path for f in settings.folders if not f.path.is_dir())
        print(banner(settings, missing), file=sys.stderr)

    await service.run(on_ready=ready)


def run(args: argparse.Namespace) -> int:
    if args.verbose == 0:
        logging.getLogger("bot").setLevel(logging.INFO)
    try:
        settings = load_settings(args.config)
    except ConfigError as e:
        print(f"tradewatch run: {e}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(settings, args.log_format))
    except StoreUnavailable as e:
        print(f"tradewatch run: {settings.store_setting}: {e}", file=sys.stderr)
        return 1
    except ConfigError as e:  # found at start-up: a chat token missing or rejected
        print(f"tradewatch run: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"tradewatch run: {e}", file=sys.stderr)
        return 1
    print("TradeWatch stopped.", file=sys.stderr)
    return 0
