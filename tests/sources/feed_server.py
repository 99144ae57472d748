"""A local web server for the feed tests: feeds (RSS 2.0, RSS 1.0, Atom) with real
conditional GET, HTML pages, and every way a publisher's server goes wrong.

    server = FeedServer()
    await server.start()                      # on 127.0.0.1, a free port
    server.feed("/trade.xml", rss20([...]))   # ETag + Last-Modified; 304 when unchanged
    server.status("/broken.xml", 500)
    server.status("/busy.xml", 429, {"Retry-After": "3600"})
    server.hang("/slow.xml", 30)              # answers after 30 s
    server.redirect("/old.xml", "/trade.xml", 301)
    server.huge("/big.xml", 20_000_000)       # streamed in chunks
    server.url("/trade.xml")
    server.requests_to("/trade.xml")          # the headers of each request

All text served is written for these tests (fictional countries, people and figures).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    link: str
    text: str
    published: datetime | None = None


# ---------------------------------------------------------------- documents


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_esc(p)}</p>" for p in text.split("\n") if p)


def rss20(items: list[Item], title: str = "Trade desk", encoding: str = "utf-8") -> bytes:
    parts = []
    for it in items:
        date = f"<pubDate>{format_datetime(it.published)}</pubDate>" if it.published else ""
        parts.append(f"<item><title>{_esc(it.title)}</title><link>{_esc(it.link)}</link>"
                     f'<guid isPermaLink="false">{_esc(it.id)}</guid>{date}'
                     f"<description>{_esc(_paragraphs(it.text))}</description></item>")
    doc = (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
           f"<title>{_esc(title)}</title><link>https://desk.example/</link>"
           f"<description>Trade news</description>{''.join(parts)}</channel></rss>")
    return doc.encode(encoding)


def atom(items: list[Item], title: str = "Trade desk (Atom)") -> bytes:
    parts = []
    for it in items:
        when = (it.published.isoformat() if it.published else "2025-01-01T00:00:00+00:00")
        parts.append(f"<entry><id>{_esc(it.id)}</id><title>{_esc(it.title)}</title>"
                     f'<link rel="alternate" href="{_esc(it.link)}"/><published>{when}</published>'
                     f"<updated>{when}</updated>"
                     f'<content type="html">{_esc(_paragraphs(it.text))}</content></entry>')
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>{_esc(title)}</title><id>urn:desk:atom</id><updated>2025-01-01T00:00:00Z</updated>"
           f"{''.join(parts)}</feed>")
    return doc.encode("utf-8")


def rss10(items: list[Item], title: str = "Trade desk (RDF)") -> bytes:
    refs = "".join(f'<rdf:li rdf:resource="{_esc(it.link)}"/>' for it in items)
    parts = []
    for it in items:
        date = f"<dc:date>{it.published.isoformat()}</dc:date>" if it.published else ""
        parts.append(f'<item rdf:about="{_esc(it.link)}"><title>{_esc(it.title)}</title>'
                     f"<link>{_esc(it.link)}</link>{date}"
                     f"<description>{_esc(it.text)}</description></item>")
    doc = ('<?xml version="1.0" encoding="utf-8"?>\n'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           f'<channel rdf:about="https://desk.example/rdf"><title>{_esc(title)}</title>'
           f"<link>https://desk.example/</link><description>Trade news</description>"
           f"<items><rdf:Seq>{refs}</rdf:Seq></items></channel>{''.join(parts)}</rdf:RDF>")
    return doc.encode("utf-8")


def html_page(title: str, text: str) -> bytes:
    body = _paragraphs(text)
    return (f"<!doctype html><html><head><title>{_esc(title)} | Desk</title></head><body>"
            f'<nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/about">About</a></nav>'
            f"<main><article><h1>{_esc(title)}</h1>{body}</article></main>"
            f"<footer><p>Sign up for the morning newsletter.</p></footer></body></html>").encode()


# ---------------------------------------------------------------- the server


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float = 0.0
    """When it arrived (time.monotonic())."""


@dataclass
class FeedServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    _routes: dict[str, Handler] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [r.headers for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.path, {k.lower(): v for k, v in request.headers.items()},
                                  time.monotonic()))
        handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such page")
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    # ------------------------------------------------------------ routes

    def feed(self, path: str, body: bytes, content_type: str = "application/rss+xml",
             *, validators: bool = True, delay: float = 0.0) -> None:
        """Serve `body`; with `validators`, an ETag and a Last-Modified, and 304 when the
        request's If-None-Match (or If-Modified-Since) matches."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = "Mon, 02 Jun 2025 08:00:00 GMT"

        async def handler(request: web.Request) -> web.StreamResponse:
            if delay:
                await asyncio.sleep(delay)
            if validators:
                inm = request.headers.get("If-None-Match")
                ims = request.headers.get("If-Modified-Since")
                if inm == etag or (inm is None and ims == modified):
                    return web.Response(status=304, headers={"ETag": etag})
                headers = {"ETag": etag, "Last-Modified": modified}
            else:
                headers = {}
            return web.Response(body=body, headers={**headers, "Content-Type": content_type})

        self._routes[path] = handler

    def page(self, path: str, html: bytes) -> None:
        self.feed(path, html, "text/html; charset=utf-8", validators=False)

    def status(self, path: str, code: int, headers: dict[str, str] | None = None) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=code, text=f"error {code}", headers=headers)

        self._routes[path] = handler

    def hang(self, path: str, seconds: float) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(seconds)
            return web.Response(body=rss20([]), content_type="application/rss+xml")

        self._routes[path] = handler

    def redirect(self, path: str, to: str, code: int = 302, *, delay: float = 0.0) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(delay)
            return web.Response(status=code, headers={"Location": to})

        self._routes[path] = handler

    def huge(self, path: str, size: int, *, declare: bool = False) -> None:
        """A body of `size` bytes, streamed in 1 MB chunks (Content-Length only if `declare`)."""
        chunk = b"<item>" + b"x" * (1_000_000 - 13) + b"</item>"

        async def handler(request: web.Request) -> web.StreamResponse:
            resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            if declare:
                resp.content_length = size
            await resp.prepare(request)
            await resp.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            sent = 0
            try:
                while sent < size:
                    await resp.write(chunk)
                    sent += len(chunk)
            except (ConnectionResetError, asyncio.CancelledError):
                return resp
            return resp

        self._routes[path] = handler
