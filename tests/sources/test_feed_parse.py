"""Feed documents to entries and entries to articles (pure; no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.sources.feed_parse import (
    FeedError,
    canonical_url,
    entry_keys,
    html_to_text,
    is_teaser,
    parse_feed,
    to_article,
)
from tests.sources.feed_server import Item, atom, html_page, rss10, rss20
from tests.sources.feed_stories import GRAIN, STEEL, item

FEED = "https://desk.example/feed.xml"
RSS = {"content-type": "application/rss+xml"}


@pytest.mark.parametrize("build", [rss20, atom, rss10])
def test_the_three_formats_give_the_same_entries(build: object) -> None:
    items = [item(1, STEEL), item(2, GRAIN)]
    parsed = parse_feed(build(items), RSS, FEED)  # type: ignore[operator]
    assert [e.title for e in parsed.entries] == [i.title for i in items]
    assert [e.link for e in parsed.entries] == [i.link for i in items]
    first = parsed.entries[0]
    assert first.text.splitlines()[0].startswith("Freedonia will raise its import duty")
    assert len(first.text.splitlines()) == 3  # one paragraph a line
    assert first.published == items[0].published and first.published.tzinfo is not None


def test_the_publication_time_keeps_the_feeds_own_offset() -> None:
    late_evening = datetime(2025, 6, 10, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    parsed = parse_feed(rss20([item(1, published=late_evening)]), RSS, FEED)
    entry = parsed.entries[0]
    assert entry.published == late_evening and entry.published.utcoffset() == timedelta(hours=-5)
    # the story's own day is the publisher's day, not the UTC day (June 11)
    assert to_article(entry, FEED).published == date(2025, 6, 10)


def test_an_entry_becomes_an_article_with_a_stable_id() -> None:
    entry = parse_feed(rss20([item(7)]), RSS, FEED).entries[0]
    article = to_article(entry, FEED)
    again = to_article(parse_feed(rss20([item(7)]), RSS, FEED).entries[0], FEED)
    assert article.id == again.id and article.id.startswith("feed-")
    assert article.url == article.source == "https://desk.example/news/7"
    assert article.title == entry.title and article.body == entry.text
    assert to_article(entry, FEED, text="The full story.").body == "The full story."


def test_tracking_parameters_fragments_and_default_ports_are_dropped() -> None:
    assert canonical_url("HTTPS://Desk.Example:443/news/1?utm_source=rss&utm_medium=feed&id=4#top") == \
        "https://desk.example/news/1?id=4"
    assert canonical_url("http://desk.example/a?fbclid=XYZ&gclid=1&page=2") == "http://desk.example/a?page=2"
    assert canonical_url("/news/2?mc_cid=abc", "https://desk.example/feed.xml") == "https://desk.example/news/2"
    assert canonical_url("http://desk.example:8080/x") == "http://desk.example:8080/x"


def test_an_entry_is_known_by_its_id_and_by_its_link() -> None:
    tracked = Item("urn:desk:1", "A", "https://desk.example/news/1?utm_campaign=june", STEEL)
    entry = parse_feed(rss20([tracked]), RSS, FEED).entries[0]
    assert entry_keys(entry)[:2] == ("id:urn:desk:1", "link:https://desk.example/news/1")
    assert entry_keys(entry)[2].startswith("text:")


def test_relative_links_are_made_absolute() -> None:
    doc = rss20([Item("1", "A", "/news/1", STEEL)])
    assert parse_feed(doc, RSS, "https://desk.example/feeds/all.xml").entries[0].link == \
        "https://desk.example/news/1"


def test_entry_html_becomes_plain_paragraphs() -> None:
    html = ("<p>First <b>bold</b> line &amp; more.</p><script>alert(1)</script>"
            "<ul><li>one</li><li>two</li></ul>second<br>third")
    assert html_to_text(html) == "First bold line & more.\none\ntwo\nsecond\nthird"
    assert html_to_text("plain   text\n\n here &amp; there") == "plain text\nhere & there"
    assert html_to_text("<p>a paragraph\nwrapped in the source</p>") == "a paragraph wrapped in the source"


def test_teasers() -> None:
    assert is_teaser("Freedonia raises its steel duty ...", 80)
    assert is_teaser("Short summary of a long story.", 80)
    assert not is_teaser(STEEL, 80)
    assert is_teaser(STEEL + " Read more", 80)
    assert not is_teaser("Short summary.", 0)


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not a feed but a web page"):
        parse_feed(html_page("Hello", "Not a feed at all."), {"content-type": "text/html"}, FEED)


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title>'
    b"<link>https://desk.example/a</link></item><item><title>B & C</ti",
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title></itm>',
])
def test_broken_xml_is_an_error(body: bytes) -> None:
    with pytest.raises(FeedError, match="not well-formed XML"):
        parse_feed(body, RSS, FEED)


def test_empty_and_unknown_documents_are_errors() -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  ", RSS, FEED)
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b'{"items": []}', {"content-type": "application/json"}, FEED)


def test_an_html_entity_is_repaired_with_a_warning() -> None:
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
           b"<title>Duty&nbsp;rises</title><link>https://desk.example/a</link></item></channel></rss>")
    parsed = parse_feed(doc, RSS, FEED)
    assert parsed.entries[0].title == "Duty rises" and parsed.warning and "undefined entity" in parsed.warning


def test_a_feed_in_latin_1_is_read_in_its_own_encoding() -> None:
    doc = rss20([Item("1", "Zölle auf Stahl: Café-Besitzer besorgt", "https://desk.example/z", STEEL)],
                encoding="iso-8859-1")
    assert b"\xf6" in doc  # really not UTF-8
    parsed = parse_feed(doc, RSS, FEED)
    assert parsed.entries[0].title == "Zölle auf Stahl: Café-Besitzer besorgt" and parsed.warning is None


def test_a_feed_misdeclaring_its_encoding_is_still_read_with_a_warning() -> None:
    doc = rss20([Item("1", "Zölle auf Stahl", "https://desk.example/z", STEEL)], encoding="iso-8859-1")
    doc = doc.replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')
    parsed = parse_feed(doc, RSS, FEED)
    assert parsed.entries[0].title == "Zölle auf Stahl"
    assert parsed.warning and "windows-1252" in parsed.warning


def test_an_entry_without_title_or_text_is_skipped_and_one_without_link_is_kept() -> None:
    doc = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           b'<item><guid isPermaLink="false">x</guid></item><item><guid isPermaLink="false">y</guid>'
           b"<description>Only text here.</description></item>"
           b"</channel></rss>")
    entries = parse_feed(doc, RSS, FEED).entries
    assert len(entries) == 1 and entries[0].link is None and entries[0].title == "Only text here."
    article = to_article(entries[0], FEED)
    assert article.source == "https://desk.example/feed.xml#id:y"


def test_dates_without_offsets_fall_back_to_utc() -> None:
    doc = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
           b'<entry><id>1</id><title>A</title><link href="https://desk.example/a"/>'
           b"<updated>2025-06-03T10:00:00Z</updated><summary>Text.</summary></entry></feed>")
    entry = parse_feed(doc, RSS, FEED).entries[0]
    assert entry.published == datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
