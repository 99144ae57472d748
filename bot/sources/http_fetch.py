"""Fetching over HTTP politely and safely: the one way the bot reads the web (feeds, pages).

- only http and https; redirects followed by hand (at most `max_redirects`, a loop is an
  error), and a chain of permanent ones (301, 308) reported so the caller can move the feed;
- every host name is resolved and checked before connecting (`SafeResolver`, so the
  address checked is the address used), and IP-literal URLs are checked too, on every hop:
  private, loopback, link-local, multicast, reserved and other non-public addresses are
  refused unless `allow_private_addresses`;
- at most `per_host` requests in flight to one host (`HostSlots`: a request slower than
  `slow_after` steps aside, so slow ones do not hold the host's others back) and
  `max_connections` overall;
- a descriptive User-Agent; connect, read-silence and total time limits; bodies streamed
  and abandoned past `max_bytes` (counted after decompression).
"""

from __future__ import annotations

__all__ = ["FetchError", "Fetched", "Http", "Limits", "Refused", "Resolve", "SafeResolver", "TooLate",
           "address_problem", "check_public_url", "check_url", "resolved_problem", "system_resolve",
           "user_agent"]

import asyncio
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot import __version__
from bot.addresses import (
    FetchError,
    Refused,
    Resolve,
    address_problem,
    check_public_url,
    check_url,
    resolved_problem,
    system_resolve,
)
from bot.sources.host_slots import HostSlots

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
CHUNK = 65536



class TooLate(Exception):
    """The request's turn (a free slot for its host) came after the time it had to start by:
    nothing was sent."""


class _BlockedAddress(OSError):
    """Raised inside aiohttp's connector by `SafeResolver`; surfaces as `Refused`."""


@dataclass(frozen=True, slots=True)
class Limits:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    per_host: int = 2
    slow_after: float = 3.0
    max_connections: int = 64
    allow_private_addresses: bool = False

    @classmethod
    def from_settings(cls, s: Any) -> Limits:
        """From a `FeedsSettings` (any object with the same attribute names)."""
        return cls(**{name: getattr(s, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Fetched:
    """A final (non-redirect) response."""

    url: str
    """Where the response came from, after redirects."""
    status: int
    headers: Mapping[str, str]
    """Lower-case names."""
    body: bytes
    moved_to: str | None = None
    """Where permanent redirects (301/308, all of the chain up to there) moved the URL asked for."""


def user_agent(contact: str) -> str:
    return f"TradeWatch/{__version__} (+{contact}; trade-policy news alerts)"




class SafeResolver(AbstractResolver):
    """aiohttp's resolver, refusing names that resolve to a non-public address."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            problem = resolved_problem(host, [r["host"] for r in found])
            if problem:
                raise _BlockedAddress(problem)
        return found

    async def close(self) -> None:
        await self._inner.close()


class Http:
    """The bot's HTTP client. Use inside the event loop; `await close()` when done."""

    def __init__(self, limits: Limits, agent: str) -> None:
        self.limits = limits
        self._agent = agent
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, HostSlots] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            lim = self.limits
            connector = aiohttp.TCPConnector(
                limit=lim.max_connections, limit_per_host=2 * lim.per_host,  # HostSlots: slow ones aside
                resolver=SafeResolver(lim.allow_private_addresses), ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None, connect=lim.connect_timeout,
                                              sock_read=lim.read_timeout),
                headers={"User-Agent": self._agent},
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _host_slots(self, url: URL) -> HostSlots:
        key = f"{url.scheme}://{url.host}:{url.port}"
        slots = self._hosts.get(key)
        if slots is None:
            slots = self._hosts[key] = HostSlots(self.limits.per_host, self.limits.slow_after)
        return slots

    async def get(self, url: str, headers: Mapping[str, str] | None = None, *,
                  start_by: float | None = None) -> Fetched:
        """GET `url` following redirects; any final status is returned (304 and errors too).

        Raises Refused (scheme, address) or FetchError (timeout, too large, redirect loop,
        network error), each with a message for people. With `start_by` (a `time.monotonic()`
        reading), raises TooLate if its host's turn comes after that: a feed's claim that ran
        out while the poll waited is not fetched (another instance may have it by then)."""
        total = self.limits.total_timeout
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, dict(headers or {}), start_by)
        except TimeoutError:
            raise FetchError(f"timed out after {total:g} s") from None

    async def _follow(self, url: str, headers: dict[str, str], start_by: float | None) -> Fetched:
        seen: list[str] = []
        moved_to: str | None = None
        current = url
        while True:
            target = check_url(current, self.limits.allow_private_addresses)
            if current in seen:
                raise FetchError(f"redirect loop: {' -> '.join([*seen, current])}")
            seen.append(current)
            # only the first request waits on `start_by`: once the publisher was asked, the
            # redirects are followed (TooLate means nothing was sent)
            status, resp_headers, body = await self._one(target, headers, start_by if len(seen) == 1 else None)
            location = resp_headers.get("location")
            if status not in REDIRECTS or not location:
                return Fetched(current, status, resp_headers, body, moved_to)
            if len(seen) > self.limits.max_redirects:
                raise FetchError(f"more than {self.limits.max_redirects} redirects from {url}")
            nxt = str(target.join(URL(location)))
            if status in PERMANENT and (moved_to or url) == current:
                moved_to = nxt
            current = nxt

    async def _one(self, url: URL, headers: dict[str, str], start_by: float | None
                   ) -> tuple[int, dict[str, str], bytes]:
        try:
            async with self._host_slots(url).slot():
                if start_by is not None and time.monotonic() > start_by:
                    raise TooLate(f"{url} was not fetched: its turn came too late")
                async with self._client().get(url, headers=headers, allow_redirects=False) as resp:
                    got = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status in REDIRECTS or resp.status == 304:
                        return resp.status, got, b""
                    return resp.status, got, await self._read(resp)
        except aiohttp.ClientConnectorError as e:
            if isinstance(e.os_error, _BlockedAddress):
                raise Refused(f"refused {url}: {e.os_error} "
                              "(feeds.allow_private_addresses is off)") from None
            raise FetchError(f"cannot connect to {url.host}: {e.os_error or e}") from None
        except TimeoutError:
            lim = self.limits
            raise FetchError(f"timed out waiting for {url.host} (connect {lim.connect_timeout:g} s, "
                             f"silence {lim.read_timeout:g} s)") from None
        except aiohttp.ClientResponseError as e:
            raise FetchError(f"bad response from {url.host}: {e.message}") from None
        except aiohttp.ClientError as e:
            raise FetchError(f"{type(e).__name__} from {url.host}: {e}") from None

    async def _read(self, resp: aiohttp.ClientResponse) -> bytes:
        limit = self.limits.max_bytes
        declared = resp.content_length
        if declared is not None and declared > limit:
            raise FetchError(f"response too large: {declared:,} bytes (limit {limit:,})")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response too large: over {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
