"""An article page, fetched safely and reduced to its main text (for teaser entries and for
`summary <url>`).

The fetch goes through `bot.sources.http_fetch.Http` (http(s) only, public addresses
only unless allowed, checked after DNS and on every redirect; time and size limits). The
main text, title and date are extracted by trafilatura, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date

from bot.config import FeedsSettings
from bot.domain import Article
from bot.sources.feed_parse import canonical_url
from bot.sources.http_fetch import FetchError, Http, Limits, Refused, user_agent

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.2"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    """Where the page was read (after redirects)."""
    title: str | None
    text: str
    """The main text, one paragraph a line ("" when none was found)."""
    published: date | None


def extract_page(html: bytes | str, url: str) -> Page:
    """The main text, title and publication day of an HTML page (pure, CPU-bound)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if doc is None or isinstance(doc, dict):
        return Page(url, None, "", None)
    title = (doc.title or "").strip() or None
    lines = [line.strip() for line in (doc.text or "").splitlines() if line.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline repeated as the first line of the text
    return Page(url, title, "\n".join(lines), _day(doc.date))


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


async def fetch_page(http: Http, url: str) -> Page:
    """Fetch and extract an article page. Raises FetchError (or Refused) saying why not."""
    fetched = await http.get(url, {"Accept": HTML_ACCEPT})
    if fetched.status != 200:
        raise FetchError(f"HTTP {fetched.status} from {fetched.url}")
    kind = fetched.headers.get("content-type", "text/html").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise FetchError(f"{fetched.url} is not a web page ({kind})")
    return await asyncio.to_thread(extract_page, fetched.body, fetched.url)


def page_article(page: Page, asked: str) -> Article:
    """The page as an article for analysis; `asked` is the URL the person gave."""
    url = canonical_url(asked)
    return Article(
        id="page-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:20],
        title=page.title or url,
        body=page.text,
        published=page.published,
        url=url,
        source=url,
    )


class WebPages:
    """The web for `summary <url>` (`bot.core.commands.Pages`): each page fetched with the
    feeds' limits and contact, then closed."""

    def __init__(self, settings: FeedsSettings) -> None:
        self._settings = settings

    def canonical(self, url: str) -> str:
        return canonical_url(url)

    async def read(self, url: str) -> Article:
        http = Http(Limits.from_settings(self._settings), user_agent(self._settings.contact))
        try:
            page = await fetch_page(http, url)
        except Refused as e:
            raise ValueError(f"I will not fetch that: {e}") from None
        except FetchError as e:
            raise ValueError(f"Could not read {url}: {e}") from None
        finally:
            await http.close()
        if not page.text:
            raise ValueError(f"Found no article text at {url}.")
        return page_article(page, url)
