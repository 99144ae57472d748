"""Where the bot may go on the web: the address policy every fetch and every `feeds add` obeys.

Only http and https; no loopback, private, link-local, multicast or reserved address, whether
written in the URL or reached through a host name (unless the configuration allows private
addresses, as a test or an intranet deployment does). Pure decisions plus one injectable
resolver, so the command layer can vet a feed without importing the HTTP client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from yarl import URL


class FetchError(Exception):
    """A fetch that did not give a response to use; the message says why, for people."""


class Refused(FetchError):
    """A URL the bot will not fetch (scheme, or a non-public address)."""



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
