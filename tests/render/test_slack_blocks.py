"""Block Kit rendering: what a Slack user sees, escaped and within every Slack limit."""

from __future__ import annotations

import json
from datetime import date

from bot.core.alert import alert_message
from bot.core.message import Message, Section, Table, error
from bot.domain import Analysis, Article, DateMention, Person, TariffChange, TradeVerdict
from bot.render.slack_blocks import MARK, block_texts, escape, fit, render, source_link
from tests.chat.slack_helpers import assert_within_slack_limits, pings_or_links

HOSTILE = "<!channel> @everyone <https://evil.example|click> <@U0123> <!here> <#C999> & co"


def _payload(m: Message) -> dict[str, object]:
    r = render(m)
    return {"blocks": list(r.blocks), "text": r.text}


def _all_text(m: Message) -> str:
    r = render(m)
    return "\n".join([*block_texts(r.blocks), r.text])


def _analysis() -> Analysis:
    art = Article("bikes-1", "EU raises duties on e-bikes", "A fictional story.", date(2025, 5, 20),
                  url="https://news.example/bikes?id=1&lang=en")
    duty = TariffChange("EC", "China", "electric bicycles", 2_500_000_000, 18.8, 79.3, "2025-06-01",
                        "announced", "fictional evidence")
    return Analysis(art, TradeVerdict(True, 0.93, ("tariffs",), ("duties on e-bikes",)),
                    people=(Person("Ana Lima", "Trade Commissioner", "EC"),),
                    dates=(DateMention("June 1", "2025-06-01", "duties take effect"),),
                    tariff_changes=(duty,),
                    summary="The EU will raise duties on electric bicycles from China.")


def test_escape_makes_pings_and_links_inert() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("@everyone @Here @channel") == "@\u2060everyone @\u2060Here @\u2060channel"
    assert escape("write to @heresy or @channels") == "write to @heresy or @channels"
    assert escape("a\x1b[31mred\x07\u202eb\nc") == "aredb\nc"  # no terminal or bidi controls


def test_hostile_article_text_pings_nobody_and_links_nowhere() -> None:
    m = Message(kind="alert", title=HOSTILE, text=HOSTILE, facts=HOSTILE, footer=HOSTILE, key="k",
                sections=(Section(HOSTILE, text=HOSTILE, items=(HOSTILE,),
                                  table=Table(("a", "b", HOSTILE), ((HOSTILE, HOSTILE, HOSTILE),))),))
    payload = _payload(m)
    assert pings_or_links(payload) == []
    # shown as written, not swallowed
    assert "&lt;!channel&gt;" in _all_text(m) and "&lt;https://evil.example|click&gt;" in _all_text(m)


def test_source_link_is_the_only_link_and_only_http() -> None:
    assert source_link("https://news.example/a?b=1&c=<2>|x") == \
        "<https://news.example/a?b=1&amp;c=%3C2%3E%7Cx|Read the source>"
    assert source_link("javascript:alert(1)") == ""
    assert source_link("https://a b") == ""
    m = alert_message(_analysis())
    payload = _payload(m)
    assert pings_or_links(payload, allowed_link=source_link(m.url)) == []
    assert source_link(m.url) in _all_text(m)


def test_alert_card_reads_well() -> None:
    r = render(alert_message(_analysis()))
    assert r.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "EU raises duties on e-bikes",
                                                      "emoji": False}}
    texts = list(block_texts(r.blocks))
    assert "2025-05-20" in texts[1] and "TRADE POLICY" in texts[1]
    assert "The EU will raise duties on electric bicycles from China." in texts
    body = "\n".join(texts)
    assert "*People*\n• Ana Lima — Trade Commissioner, EC" in body
    assert "• 2025-06-01 June 1 — duties take effect" in body
    # the tariff table: two short lines a measure, for a phone
    assert ("*Tariff changes*\n*EC → China — electric bicycles*\n"
            "value: US$2.5 bn · rate: 18.8% → 79.3% · effective: 2025-06-01 · status: announced") in body
    assert r.text == "EU raises duties on e-bikes: The EU will raise duties on electric bicycles from China."
    assert_within_slack_limits({"blocks": list(r.blocks), "text": r.text})


def test_missing_table_cells_are_left_out_not_shown_as_dashes() -> None:
    t = Table(("who", "goods", "value", "rate"), (("US → all", "-", "-", "25%"),))
    body = "\n".join(block_texts(render(Message("reply", "Ledger", sections=(Section("M", table=t),))).blocks))
    assert "*US → all*\nrate: 25%" in body


def test_huge_message_is_shortened_visibly_never_rejected() -> None:
    long_title = "Tariffs " * 100
    items = tuple(f"Person number {i} — " + "minister of something long " * 8 for i in range(400))
    rows = tuple((f"US → Country{i}", "goods " * 60, "US$1 bn", "10% → 20%", "2025-01-01", "announced")
                 for i in range(300))
    m = Message(kind="alert", title=long_title, text="Summary sentence. " * 400, key="k",
                sections=(*(Section(f"Section {i}", items=items[:3]) for i in range(60)),
                          Section("People", items=items), Section("Tariffs", table=Table(
                              ("who", "goods", "value", "rate", "effective", "status"), rows))),
                footer="id: k", url="https://news.example/x")
    payload = _payload(m)
    assert_within_slack_limits(payload)
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    header = blocks[0]["text"]["text"]
    assert len(header) <= 150 and header.endswith(MARK)
    assert "not shown: shortened to fit Slack's limits" in blocks[-2]["elements"][0]["text"]
    assert "Read the source" in json.dumps(blocks[-1])  # the source link survives shortening


def test_a_message_that_fits_is_not_shortened() -> None:
    m = alert_message(_analysis())
    assert MARK not in _all_text(m)


def test_fit_never_cuts_an_entity_in_half() -> None:
    text = escape("a" * 95 + "&&&&&&&&&")
    for limit in range(90, 110):
        cut = fit(text, limit)
        assert len(cut) <= limit
        body = cut.removesuffix(MARK)
        assert body.count("&") == body.count("&amp;")


def test_errors_are_marked_and_go_to_the_user() -> None:
    r = render(error("unknown tag nonsense"))
    assert r.blocks[0]["text"]["text"].startswith("⚠")
    assert "unknown tag nonsense" in r.text


def test_text_that_is_only_control_characters_still_gives_valid_blocks() -> None:
    junk = "\x00\x07\x1b[2J\u202e"
    m = Message(kind="reply", title=junk, text=junk, facts=junk, footer=junk,
                sections=(Section(junk, text=junk),))
    payload = _payload(m)
    assert_within_slack_limits(payload)
    assert payload["blocks"][0]["text"]["text"] == "TradeWatch"  # type: ignore[index]
    assert "**" not in json.dumps(payload["blocks"])  # no empty bold titles
