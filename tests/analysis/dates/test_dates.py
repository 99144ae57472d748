"""Calendar references: one case per rule of the gold guidelines, on sentences written here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.analysis.dates.extract import extract_dates, find_dates
from bot.analysis.text import prepare
from bot.io.readers import parse_story

FRIDAY = date(2019, 9, 20)  # a Friday
SUNDAY = date(1987, 4, 5)  # a Sunday
MARCH = date(1987, 3, 11)  # a Wednesday


def values(body: str, published: date | None) -> list[str]:
    p = prepare(body, published)
    return [d.date for d in extract_dates(p)]


@pytest.mark.parametrize(
    ("sentence", "anchor", "expected"),
    [
        # month and day, no year: the nearest such day
        ("Envoys met on Sept 19 in Geneva.", FRIDAY, ["2019-09-19"]),
        ("The levy rises on Dec 15.", FRIDAY, ["2019-12-15"]),
        ("The quota ends on Jan 5.", date(2019, 12, 28), ["2020-01-05"]),
        ("The 30 pct duty takes effect on 1 October.", FRIDAY, ["2019-10-01"]),
        ("Hearings open on April 17.", date(1987, 4, 8), ["1987-04-17"]),
        # explicit years, with and without a day
        ("The pact was signed on March 31, 1985.", MARCH, ["1985-03-31"]),
        ("Duties were cut in April 1983.", MARCH, ["1983-04"]),
        ("The rules apply from July 1988.", MARCH, ["1988-07"]),
        # months relative to the year or to the story's month
        ("A review is due in July this year.", MARCH, ["1987-07"]),
        ("The report was drafted in December last year.", MARCH, ["1986-12"]),
        ("Exports fell last month.", MARCH, ["1987-02"]),
        ("Talks resume next month.", MARCH, ["1987-04"]),
        ("The panel first met last June.", MARCH, ["1986-06"]),
        ("They aim for a deal by next October.", MARCH, ["1987-10"]),
        # parts of a month are the month
        ("Ministers last met in late July.", FRIDAY, ["2019-07"]),
        ("Reserves stood at 40 billion dlrs in mid-February.", MARCH, ["1987-02"]),
        ("A decision is expected by the end of April.", MARCH, ["1987-04"]),
        # a bare month: nearest, or as the tense points when it is far off
        ("Seoul eased the curbs in January.", MARCH, ["1987-01"]),
        ("The deficit was a record in the October to December quarter.", MARCH, ["1986-10", "1986-12"]),
        ("Negotiators face a deadline of October for a pact.", MARCH, ["1987-10"]),
        ("The bans are lifted effective from July.", MARCH, ["1987-07"]),
        # relative days
        ("Officials meet tomorrow and met yesterday; a vote is due today.", SUNDAY,
         ["1987-04-06", "1987-04-04", "1987-04-05"]),
        # weekdays: the one before or on the story's day, unless the text points forward
        ("The minister spoke on Thursday.", FRIDAY, ["2019-09-19"]),
        ("Talks are scheduled to continue on Friday.", FRIDAY, ["2019-09-20"]),
        ("Senior officials will meet on Thursday.", SUNDAY, ["1987-04-09"]),
        ("Hearings are set for Thursday and Friday.", SUNDAY, ["1987-04-09", "1987-04-10"]),
        ("A delegation flies out next Thursday.", FRIDAY, ["2019-09-26"]),
        ("The board ruled last Monday.", MARCH, ["1987-03-09"]),
        # a weekday that names its date is one reference
        ("Talks began on Thursday (Sept 19).", FRIDAY, ["2019-09-19"]),
        # a range of days in one month
        ("The bank bought dollars between March 5 and 23, he said.", date(1987, 3, 24),
         ["1987-03-05", "1987-03-23"]),
    ],
)
def test_resolves(sentence: str, anchor: date, expected: list[str]) -> None:
    assert values(sentence, anchor) == expected


JUNE = date(2024, 6, 12)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a month that starts or ends something is the coming one
        ("The quota on sugar stays until March.", ["2025-03"]),
        ("Canberra said the levy applies from February.", ["2025-02"]),
        ("The surcharge is effective April, the ministry said.", ["2025-04"]),
        ("The new rate will take effect in May.", ["2025-05"]),
        ("The second phase is set for March.", ["2025-03"]),
        ("Officials expect a deal by February.", ["2025-02"]),
        # unless the clause tells of what already happened
        ("The duties took effect in March.", ["2024-03"]),
        ("The ban was in force until April.", ["2024-04"]),
        ("Imports from February to April totalled 3 mln tonnes.", ["2024-02", "2024-04"]),
        # "from" after a figure or a month compares, it does not start anything
        ("Output fell 0.5 pct in April from March.", ["2024-04", "2024-03"]),
        # and a month with no such word stays the nearest
        ("Seoul eased the curbs in March.", ["2024-03"]),
    ],
)
def test_a_month_that_starts_or_ends_something_is_read_forward(sentence: str, expected: list[str]) -> None:
    assert values(sentence, JUNE) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials will visit farms next week.",
        "The trade war has run for two months.",
        "Growth was 2.1 pct in 1986.",
        "Unemployment may reach 11 pct by mid-1988.",
        "Output rose in the fourth quarter of 1986.",
        "Profits fell in the March quarter.",
        "Output rose in the June and September quarters.",
        "Debt stood at 44 billion dlrs at the end of 1986.",
        "A second round of cuts is planned later this year.",
        "Exports may fall, he said.",
    ],
)
def test_leaves_out_what_is_not_a_day_or_month(sentence: str) -> None:
    assert values(sentence, MARCH) == []


def test_each_value_once_with_its_first_mention() -> None:
    p = prepare("Talks began on Thursday (Sept 19). The Sept 19 round went well; Thursday's "
                "session ran late.", FRIDAY)
    dates = extract_dates(p)
    assert [(d.text, d.date) for d in dates] == [("Sept 19", "2019-09-19")]


def test_the_dateline_is_the_anchor_and_not_a_date_of_the_story() -> None:
    body = "TOKYO, April 5 - Officials meet tomorrow to discuss rice."
    assert values(body, date(1987, 4, 3)) == ["1987-04-06"]


def test_without_an_anchor_only_dates_that_carry_their_year() -> None:
    assert values("The accord of July 1986 expires tomorrow, on March 31, 1987.", None) == [
        "1986-07", "1987-03-31"]


def test_offsets_point_at_the_text() -> None:
    text = "Duties rise to 30 pct on Oct 15, officials said."
    [span] = find_dates(text, FRIDAY)
    assert text[span.start : span.end] == span.text == "Oct 15"


def test_seed_article_has_exactly_its_seven_dates(shared: Path) -> None:
    path = shared / "articles" / "000_93b695e3e3035885.txt"
    article = parse_story(path.read_text(encoding="utf-8"), path.stem, str(path))
    got = sorted(d.date for d in extract_dates(prepare(article.body, article.published)))
    assert got == ["2019-07", "2019-09-01", "2019-09-19", "2019-09-20", "2019-10",
                   "2019-10-15", "2019-12-15"]


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        ("The United States filed the complaint in October and imposed duties in May.", ["2018-10", "2019-05"]),
        ("Japan signed the accord in November, officials said.", ["2018-11"]),
        ("The panel will rule in October.", ["2019-10"]),
    ],
)
def test_a_month_named_for_a_past_event_is_the_past_one(sentence: str, want: list[str]) -> None:
    assert values(sentence, date(2019, 6, 1)) == want


def test_a_day_named_again_without_its_year_keeps_the_year_the_story_gave() -> None:
    body = "On August 20, 2019 (the August 20 notice), duties were raised. The August 20 notice listed 300 goods."
    assert values(body, date(2020, 3, 31)) == ["2019-08-20"]
