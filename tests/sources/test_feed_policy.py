"""When feeds are polled again, and which entries become articles (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.domain import Feed
from bot.durations import format_duration, parse_duration
from bot.sources.feed_parse import FeedEntry, entry_keys
from bot.sources.feed_policy import (
    Timing,
    after_failure,
    after_success,
    backoff_seconds,
    failure_note,
    new_entries,
    retry_after,
    select,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
TIMING = Timing(jitter=0.1, max_failures=4, backoff_max=3600.0)


def feed(**changes: object) -> Feed:
    base = Feed(id=1, url="https://desk.example/feed.xml", every_seconds=600.0, added_at=NOW - timedelta(hours=1))
    return Feed(**{**{f: getattr(base, f) for f in Feed.__dataclass_fields__}, **changes})  # type: ignore[arg-type]


def entry(n: int, published: datetime | None, *, link: str | None = None) -> FeedEntry:
    return FeedEntry(f"urn:{n}", link or f"https://desk.example/{n}", f"Story {n}", "Text.", published)


def test_durations() -> None:
    assert parse_duration("10m") == 600 and parse_duration("1h30m") == 5400
    assert parse_duration("90s") == 90 and parse_duration("2 hours") == 7200 and parse_duration(45) == 45
    assert parse_duration("1d") == 86400 and parse_duration("0.5") == 0.5
    for bad in ("soon", "10 parsecs", "-5", "0", ""):
        try:
            parse_duration(bad)
        except ValueError as e:
            assert repr(bad) in str(e)
        else:
            raise AssertionError(f"{bad!r} was read as a duration")
    assert format_duration(600) == "10 min" and format_duration(5400) == "1 h 30 min"
    assert format_duration(45) == "45 s" and format_duration(3 * 86400) == "3 d"


def test_success_waits_the_interval_with_jitter() -> None:
    rng = random.Random(1)
    waits = set()
    for _ in range(50):
        after = after_success(feed(failures=3, last_error="HTTP 500"), NOW, rng, TIMING, etag='"a"')
        wait = (after.next_poll - NOW).total_seconds()  # type: ignore[operator]
        assert 540 <= wait <= 660
        waits.add(round(wait))
        assert after.failures == 0 and after.last_error is None and after.last_success == NOW
        assert after.etag == '"a"'
    assert len(waits) > 10  # feeds on one host do not all come back at the same second


def test_not_modified_keeps_the_validators() -> None:
    before = feed(etag='"v1"', last_modified="Mon, 02 Jun 2025 08:00:00 GMT")
    after = after_success(before, NOW, random.Random(2), TIMING, keep_validators=True)
    assert (after.etag, after.last_modified) == (before.etag, before.last_modified)


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    rng = random.Random(3)
    waits = [backoff_seconds(600, n, Timing(jitter=0.0, backoff_max=86400), rng) for n in (1, 2, 3, 4)]
    assert waits == [1200, 2400, 4800, 9600]
    assert backoff_seconds(600, 20, Timing(jitter=0.0, backoff_max=3600), rng) == 3600
    jittered = backoff_seconds(600, 2, Timing(jitter=0.1), rng)
    assert 2160 <= jittered <= 2640


def test_a_feed_is_disabled_after_max_failures_in_a_row() -> None:
    rng = random.Random(4)
    state = feed()
    for n in range(1, 5):
        state = after_failure(state, "HTTP 500 from https://desk.example/feed.xml", NOW, rng, TIMING)
        assert state.failures == n and state.last_error and "HTTP 500" in state.last_error
        assert state.disabled == (n == 4)
        assert state.next_poll is not None and state.next_poll > NOW + timedelta(seconds=600)
    assert "disabled after 4 failures" in failure_note(state, NOW, TIMING)
    assert "failure 1 of 4; next try in" in failure_note(after_failure(feed(), "x", NOW, rng, TIMING), NOW, TIMING)


def test_a_redirect_moves_the_url_after_success_or_failure() -> None:
    rng = random.Random(5)
    assert after_success(feed(), NOW, rng, TIMING, url="https://new.example/f").url == "https://new.example/f"
    assert after_failure(feed(), "HTTP 500", NOW, rng, TIMING, url="https://new.example/f").url == \
        "https://new.example/f"


def test_seen_entries_are_not_new_by_id_or_by_link() -> None:
    one, two = entry(1, NOW), entry(2, NOW)
    moved_link = FeedEntry("urn:1", "https://desk.example/other-path", "Story 1", "Text.", NOW)
    no_id = FeedEntry(None, "https://desk.example/2", "Story 2, edited", "Text, edited.", NOW)
    seen = {"id:urn:1", "link:https://desk.example/1", "id:urn:2", "link:https://desk.example/2"}
    assert new_entries([one, two, moved_link, no_id], seen).new == ()
    assert new_entries([entry(3, NOW), entry(3, NOW)], set()).new == (entry(3, NOW),)  # once, even if listed twice


def test_a_new_id_under_a_seen_link_is_a_new_story_unless_it_repeats_the_story() -> None:
    index = "https://desk.example/press-releases"
    first = FeedEntry("urn:pr-1", index, "Duty on steel", "Freedonia raises its steel duty.", NOW)
    second = FeedEntry("urn:pr-2", index, "Wheat quota", "Sylvania caps its wheat exports.", NOW)
    renewed = FeedEntry("urn:build-77", index, "Duty on steel", "Freedonia raises its steel duty.", NOW)
    seen = set(entry_keys(first))
    fresh = new_entries([second, first, renewed], seen)
    assert fresh.new == (second,) and fresh.shared_link == {second} and fresh.repeats == (renewed,)
    both_new = new_entries([second, first], set())  # in one poll: both, the later one apart
    assert both_new.new == (second, first) and both_new.shared_link == {first}
    later = select(feed(last_success=NOW), [second, first, renewed], seen)
    assert later.ingest == (second,) and later.shared_link == {second} and later.repeats == (renewed,)


def test_a_new_feeds_first_poll_records_every_entry_whatever_its_date() -> None:
    new = feed()  # added an hour ago, never polled
    old, later, undated = entry(1, NOW - timedelta(days=2)), entry(2, NOW - timedelta(minutes=5)), entry(3, None)
    future = entry(4, NOW + timedelta(hours=5))  # local time labelled GMT
    chosen = select(new, [old, later, undated, future], set())
    assert chosen.ingest == () and chosen.record == (old, later, undated, future)


def test_backfill_and_later_polls_ingest_every_new_entry() -> None:
    old = entry(1, NOW - timedelta(days=2))
    assert select(feed(backfill=True), [old], set()).ingest == (old,)
    assert select(feed(last_success=NOW - timedelta(minutes=10)), [old], set()).ingest == (old,)


def test_a_servers_retry_after_is_read_and_obeyed_up_to_the_cap() -> None:
    assert retry_after("3600", NOW) == 3600.0
    assert retry_after("Mon, 02 Jun 2025 14:00:00 GMT", NOW) == 7200.0
    assert retry_after("Mon, 02 Jun 2025 11:00:00 GMT", NOW) == 0.0  # a date already past
    assert retry_after("soon", NOW) is None and retry_after(None, NOW) is None and retry_after("-5", NOW) is None
    rng = random.Random(5)
    asked = after_failure(feed(), "HTTP 429", NOW, rng, TIMING, asked_wait=3000.0)
    assert asked.next_poll == NOW + timedelta(seconds=3000)  # longer than the backoff (2 x 10 min)
    capped = after_failure(feed(), "HTTP 429", NOW, rng, TIMING, asked_wait=10 * 86400.0)
    assert capped.next_poll == NOW + timedelta(seconds=TIMING.backoff_max)
    short = after_failure(feed(), "HTTP 503", NOW, rng, TIMING, asked_wait=1.0)
    assert short.next_poll is not None and short.next_poll >= NOW + timedelta(seconds=2 * 600 * 0.9)  # the backoff
