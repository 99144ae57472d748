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

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot import __version__
from bot.sources.host_slots import HostSlots

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
CHUNK = 65536


class FetchError(Exception):
    """A fetch that did not give a response to use; the message says why, for people."""


class Refused(FetchError):
    """A URL the bot will not fetch (scheme, or a non-public address)."""


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


def address_problem(address: str) -> str | None:
    """Why the bot should not connect to this IP address, or None for a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, what in (("is_loopback", "a loopback"), ("is_link_local", "a link-local"),
                       ("is_multicast", "a multicast"), ("is_unspecified", "an unspecified"),
                       ("is_private", "a private"), ("is_reserved", "a reserved")):
        if getattr(ip, test):
            return f"{ip} is {what} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def check_url(url: str, allow_private: bool) -> URL:
    """The URL parsed, if the bot may fetch it; raises Refused saying why not."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as e:
        raise Refused(f"{url!r} is not a URL: {e}") from None
    if parsed.scheme not in ("http", "https"):
        raise Refused(f"only http and https URLs are fetched, not {parsed.scheme or 'a relative'} URL {url!r}")
    host = parsed.raw_host
    if not host:
        raise Refused(f"{url!r} has no host")
    if not allow_private:
        literal = host.strip("[]")
        try:
            ipaddress.ip_address(literal.split("%", 1)[0])
        except ValueError:
            if host.rstrip(".").lower() == "localhost" or host.lower().endswith(".localhost"):
                raise Refused(f"refused {url}: localhost is a loopback address "
                              "(feeds.allow_private_addresses is off)") from None
            return parsed
        problem = address_problem(literal)
        if problem:
            raise Refused(f"refused {url}: {problem} (feeds.allow_private_addresses is off)")
    return parsed


def resolved_problem(host: str, addresses: list[str]) -> str | None:
    """Why the bot should not connect to `host`, which resolves to `addresses` (any one
    non-public address is enough), or None."""
    for address in addresses:
        problem = address_problem(address)
        if problem:
            return f"{host} resolves to {problem}"
    return None


Resolve = Callable[[str], Awaitable[list[str]]]
"""A host name to its addresses (raises OSError when it cannot be resolved)."""


async def system_resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_public_url(url: str, allow_private: bool, resolve: Resolve = system_resolve) -> str | None:
    """What `feeds add` asks before storing a feed: the checks of every fetch (`check_url`,
    then the host name resolved and each address checked, as `SafeResolver` does), so a
    feed that would be refused at every poll is refused at once. Raises Refused saying why.
    A name that does not resolve now is no refusal (the polls check it again): the answer
    is a note saying so."""
    parsed = check_url(url, allow_private)
    host = (parsed.raw_host or "").strip("[]")
    if allow_private:
        return None
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return None  # an address: `check_url` checked it
    try:
        addresses = await resolve(host)
    except OSError as e:
        return f"{host} does not resolve now ({e.strerror or e}); each poll checks it again"
    problem = resolved_problem(host, addresses)
    if problem:
        raise Refused(f"refused {url}: {problem} (feeds.allow_private_addresses is off)")
    return None


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

    async def get(self, url: str, headers: Mapping[str, str] | None = None) -> Fetched:
        """GET `url` following redirects; any final status is returned (304 and errors too).

        Raises Refused (scheme, address) or FetchError (timeout, too large, redirect loop,
        network error), each with a message for people."""
        total = self.limits.total_timeout
        try:
            async with asyncio.timeout(total):
                return await self._follow(url, dict(headers or {}))
        except TimeoutError:
            raise FetchError(f"timed out after {total:g} s") from None

    async def _follow(self, url: str, headers: dict[str, str]) -> Fetched:
        seen: list[str] = []
        moved_to: str | None = None
        current = url
        while True:
            target = check_url(current, self.limits.allow_private_addresses)
            if current in seen:
                raise FetchError(f"redirect loop: {' -> '.join([*seen, current])}")
            seen.append(current)
            status, resp_headers, body = await self._one(target, headers)
            location = resp_headers.get("location")
            if status not in REDIRECTS or not location:
                return Fetched(current, status, resp_headers, body, moved_to)
            if len(seen) > self.limits.max_redirects:
                raise FetchError(f"more than {self.limits.max_redirects} redirects from {url}")
            nxt = str(target.join(URL(location)))
            if status in PERMANENT and (moved_to or url) == current:
                moved_to = nxt
            current = nxt

    async def _one(self, url: URL, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        try:
            async with self._host_slots(url).slot(), self._client().get(
                url, headers=headers, allow_redirects=False
            ) as resp:
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
