"""The bot's HTTP client against a real local server: redirects, limits, politeness, and
the refusal of private addresses (checked on IP literals and after DNS resolution)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest

from bot.sources.http_fetch import (
    FetchError,
    Http,
    Limits,
    Refused,
    SafeResolver,
    TooLate,
    address_problem,
    check_url,
    user_agent,
)
from tests.sources.feed_server import FeedServer, rss20
from tests.sources.feed_stories import item

OPEN = Limits(allow_private_addresses=True, total_timeout=3.0, read_timeout=2.0, max_bytes=1_000_000)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    s = await FeedServer().start()
    yield s
    await s.close()


async def get(url: str, limits: Limits = OPEN, headers: dict[str, str] | None = None) -> object:
    http = Http(limits, user_agent("https://ops.example/tradewatch"))
    try:
        return await http.get(url, headers)
    finally:
        await http.close()


async def test_a_descriptive_user_agent_is_sent(server: FeedServer) -> None:
    server.feed("/f.xml", rss20([item(1)]))
    fetched = await get(server.url("/f.xml"))
    assert fetched.status == 200 and fetched.body.startswith(b"<?xml")  # type: ignore[attr-defined]
    agent = server.requests_to("/f.xml")[0]["user-agent"]
    assert agent.startswith("TradeWatch/") and "+https://ops.example/tradewatch" in agent


async def test_error_statuses_are_answers_not_exceptions(server: FeedServer) -> None:
    server.status("/broken.xml", 500)
    assert (await get(server.url("/broken.xml"))).status == 500  # type: ignore[attr-defined]


async def test_permanent_redirects_are_reported_temporary_ones_are_not(server: FeedServer) -> None:
    server.feed("/new.xml", rss20([item(1)]))
    server.redirect("/moved.xml", "/new.xml", 301)
    server.redirect("/hop.xml", "/moved.xml", 302)
    server.redirect("/perm.xml", "/hop.xml", 308)
    moved = await get(server.url("/moved.xml"))
    assert moved.status == 200 and moved.url == server.url("/new.xml")  # type: ignore[attr-defined]
    assert moved.moved_to == server.url("/new.xml")  # type: ignore[attr-defined]
    assert (await get(server.url("/hop.xml"))).moved_to is None  # type: ignore[attr-defined]
    # permanent, then temporary: the feed moved only as far as the permanent hop says
    assert (await get(server.url("/perm.xml"))).moved_to == server.url("/hop.xml")  # type: ignore[attr-defined]


async def test_a_redirect_loop_is_an_error(server: FeedServer) -> None:
    server.redirect("/a.xml", "/b.xml")
    server.redirect("/b.xml", "/a.xml")
    with pytest.raises(FetchError, match="redirect loop"):
        await get(server.url("/a.xml"))


async def test_too_many_redirects_is_an_error(server: FeedServer) -> None:
    for n in range(8):
        server.redirect(f"/r{n}", f"/r{n + 1}")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await get(server.url("/r0"))


async def test_a_redirect_to_another_scheme_is_refused(server: FeedServer) -> None:
    server.redirect("/ftp.xml", "ftp://files.example/feed.xml")
    with pytest.raises(Refused, match="only http and https"):
        await get(server.url("/ftp.xml"))


@pytest.mark.parametrize("declare", [False, True])
async def test_a_20_mb_response_is_abandoned(server: FeedServer, declare: bool) -> None:
    server.huge("/big.xml", 20_000_000, declare=declare)
    with pytest.raises(FetchError, match="too large"):
        await get(server.url("/big.xml"))


async def test_a_server_that_does_not_answer_times_out(server: FeedServer) -> None:
    server.hang("/slow.xml", 30)
    limits = Limits(allow_private_addresses=True, total_timeout=0.5)
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        await asyncio.wait_for(get(server.url("/slow.xml"), limits), 5)


async def test_at_most_per_host_requests_at_once(server: FeedServer) -> None:
    server.feed("/slow.xml", rss20([item(1)]), delay=0.2, validators=False)
    http = Http(Limits(allow_private_addresses=True, per_host=2), user_agent("x"))
    try:
        results = await asyncio.gather(*(http.get(server.url("/slow.xml")) for _ in range(6)))
    finally:
        await http.close()
    assert all(r.status == 200 for r in results)
    assert server.most_in_flight == 2


async def test_slow_requests_step_aside_yet_a_host_never_sees_more_than_twice_per_host(server: FeedServer) -> None:
    server.feed("/slow.xml", rss20([item(1)]), delay=0.5, validators=False)
    limits = Limits(allow_private_addresses=True, per_host=2, slow_after=0.05, total_timeout=20.0)
    http = Http(limits, user_agent("x"))
    try:
        results = await asyncio.gather(*(http.get(server.url("/slow.xml")) for _ in range(8)))
    finally:
        await http.close()
    assert all(r.status == 200 for r in results)
    assert server.most_in_flight <= 4  # two in their places, at most two aside


async def test_loopback_is_refused_by_default_before_any_request(server: FeedServer) -> None:
    server.feed("/f.xml", rss20([item(1)]))
    with pytest.raises(Refused, match=r"127\.0\.0\.1 is a loopback address .*allow_private_addresses"):
        await get(server.url("/f.xml"), Limits())
    assert server.requests == []


async def test_a_name_resolving_to_loopback_is_refused_after_resolution(server: FeedServer) -> None:
    name = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(name, server.port, type=socket.SOCK_STREAM)}
    if not any(address_problem(a) for a in addresses):
        pytest.skip(f"this machine's name {name} resolves to a public address")
    server.feed("/f.xml", rss20([item(1)]))
    with pytest.raises(Refused, match=f"{name} resolves to"):
        await get(f"http://{name}:{server.port}/f.xml", Limits())
    assert server.requests == []


async def test_the_resolver_refuses_private_answers() -> None:
    resolver = SafeResolver(allow_private=False)
    try:
        with pytest.raises(OSError, match=r"localhost resolves to 127\.0\.0\.1 is a loopback address"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()
    allowing = SafeResolver(allow_private=True)
    try:
        assert {r["host"] for r in await allowing.resolve("localhost", 80)} >= {"127.0.0.1"}
    finally:
        await allowing.close()


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", "loopback"), ("http://[::1]:8080/", "loopback"),
    ("http://10.1.2.3/", "private"), ("http://192.168.0.10/", "private"), ("http://172.16.5.4/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"), ("http://[fe80::1]/", "link-local"),
    ("http://224.0.0.251/", "multicast"), ("http://0.0.0.0/", "unspecified"),
    ("http://100.64.0.1/", "not a public"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://localhost:8000/", "loopback"), ("file:///etc/passwd", "only http and https"),
    ("gopher://desk.example/", "only http and https"),
])
def test_urls_the_bot_will_not_fetch(url: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        check_url(url, allow_private=False)


def test_public_urls_and_allowed_private_ones_pass() -> None:
    assert check_url("https://desk.example/feed.xml", allow_private=False).host == "desk.example"
    assert check_url("http://93.184.215.14/x", allow_private=False).host == "93.184.215.14"
    assert check_url("http://127.0.0.1:8080/x", allow_private=True).port == 8080
    assert address_problem("8.8.8.8") is None and address_problem("2001:4860:4860::8888") is None


async def test_a_request_whose_turn_comes_too_late_is_not_sent(server: FeedServer) -> None:
    """A feed's poll that waited in hand past the time it had to start by (its claim ran
    half out) sends nothing: another instance may poll that feed by then."""
    server.feed("/late.xml", rss20([item(1)]))
    http = Http(OPEN, user_agent("https://ops.example/tradewatch"))
    try:
        with pytest.raises(TooLate, match="turn came too late"):
            await http.get(server.url("/late.xml"), start_by=time.monotonic() - 1.0)
        assert server.requests_to("/late.xml") == []
        fetched = await http.get(server.url("/late.xml"), start_by=time.monotonic() + 60.0)
        assert fetched.status == 200 and len(server.requests_to("/late.xml")) == 1
        # once the publisher was asked, its redirect is followed even after the time ran out
        server.redirect("/moved.xml", "/late.xml", delay=1.5)
        fetched = await http.get(server.url("/moved.xml"), start_by=time.monotonic() + 1.0)
        assert fetched.status == 200 and len(server.requests_to("/late.xml")) == 2
    finally:
        await http.close()
