"""The pure parts of the Discord command tree: the command lines its options become."""

from __future__ import annotations

import shlex

from bot.chat.discord_commands import feeds_line, subscribe_line
from bot.core.feed_commands import FeedCommand, parse_feed_command


def _read(line: str) -> FeedCommand:
    """The line as the command layer reads it."""
    name, *args = shlex.split(line)
    assert name == "feeds"
    return parse_feed_command(args)


def test_feeds_lines() -> None:
    assert feeds_line("list") == "feeds list"
    assert feeds_line("add", "https://desk.example/f.xml") == "feeds add https://desk.example/f.xml"
    assert feeds_line("add", " https://desk.example/f.xml ", every=" 10m ", backfill=True) == (
        "feeds add https://desk.example/f.xml --every 10m --backfill")
    assert feeds_line("add", "https://desk.example/f.xml", every="", backfill=False) == (
        "feeds add https://desk.example/f.xml")
    assert feeds_line("remove", "2") == "feeds remove 2"


def test_feeds_lines_are_read_back_as_they_were_given() -> None:
    odd = "https://desk.example/a feed.xml?q=1&x='y'"  # spaces and quotes stay one word
    assert _read(feeds_line("add", odd, every="1h 30m", backfill=True)) == FeedCommand("add", odd, 5400, True)
    assert _read(feeds_line("add", "http://127.0.0.1:9/feed.xml")) == FeedCommand("add", "http://127.0.0.1:9/feed.xml")
    assert _read(feeds_line("remove", odd)) == FeedCommand("remove", odd)
    assert _read(feeds_line("list")) == FeedCommand("list")


def test_subscribe_lines_carry_reminders_digests_and_zones() -> None:
    from bot.core.commands import parse_subscription

    line = subscribe_line("tariffs", remind="3d", digest=" weekly@mon  08:00 ", tz="Europe/Brussels")
    assert line == "subscribe tags:tariffs remind:3d 'digest:weekly@mon 08:00' tz:Europe/Brussels"
    sub = parse_subscription("discord:1", shlex.split(line)[1:])
    assert (sub.remind_seconds, sub.digest, sub.tz) == (3 * 86400, "weekly@mon@08:00", "Europe/Brussels")
    assert subscribe_line(digest=" ", tz="") == "subscribe"
