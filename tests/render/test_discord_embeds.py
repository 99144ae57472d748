"""Discord embeds: what a channel sees, and that Discord would accept every message."""

from __future__ import annotations

import random
import re
import string
from typing import Any

import discord

from bot.core.message import Message, Section, Table
from bot.render.discord_embeds import (
    DESCRIPTION,
    EMBEDS,
    FIELD_NAME,
    FIELD_VALUE,
    FIELDS,
    FOOTER,
    TITLE,
    TOTAL,
    escape,
    render_embeds,
    shorten,
    total_size,
)

HEADER = ("who → whom", "goods", "value", "rate", "effective", "status")


def within_limits(embeds: list[discord.Embed]) -> list[dict[str, Any]]:
    """The embeds as sent, after checking every limit Discord enforces."""
    assert 1 <= len(embeds) <= EMBEDS
    assert total_size(embeds) <= TOTAL
    sent = [e.to_dict() for e in embeds]
    for e in sent:
        assert len(e.get("title", "")) <= TITLE
        assert len(e.get("description", "")) <= DESCRIPTION
        assert len(e.get("footer", {}).get("text", "")) <= FOOTER
        assert len(e.get("fields", [])) <= FIELDS
        for f in e.get("fields", []):
            assert 1 <= len(f["name"]) <= FIELD_NAME and 1 <= len(f["value"]) <= FIELD_VALUE
        assert any(e.get(k) for k in ("title", "description", "fields", "footer"))
    return sent


def everything(sent: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for e in sent:
        parts += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
    return "\n".join(parts)


def displayed(sent: list[dict[str, Any]]) -> str:
    """What Discord shows: the text with markdown escapes resolved ("000\\_1" shows "000_1")."""
    return re.sub(r"\\(.)", r"\1", everything(sent))


def alert(**changes: Any) -> Message:
    base: dict[str, Any] = {
        "kind": "alert",
        "title": "Ruritania raises bicycle duty to 18 pct",
        "text": "Ruritania will raise its import duty on bicycles to 18 per cent from July 1.",
        "sections": (
            Section("People", items=("Anna Berg — Trade Minister, Ruritania",)),
            Section("Dates", items=("2025-07-01  July 1 — duty rises",)),
            Section("Tariff changes", table=Table(HEADER, (
                ("Ruritania → all", "bicycles", "-", "12% → 18%", "2025-07-01", "announced"),))),
        ),
        "url": "https://news.example.com/ruritania-bicycles",
        "facts": "2025-06-02 · TRADE POLICY (0.93) · tariffs",
        "footer": "id: ruritania-bikes",
        "key": "ruritania-bikes",
    }
    base.update(changes)
    return Message(**base)


def test_an_alert_reads_like_the_card() -> None:
    [embed] = within_limits(render_embeds(alert()))
    assert embed["title"] == "Ruritania raises bicycle duty to 18 pct"
    assert embed["url"] == "https://news.example.com/ruritania-bicycles"
    assert embed["description"].startswith("Ruritania will raise its import duty")
    names = [f["name"] for f in embed["fields"]]
    assert names == ["People", "Dates", "Tariff changes — Ruritania → all"]
    tariff = embed["fields"][2]["value"]
    assert "goods: bicycles" in tariff and "rate: 12% → 18%" in tariff and "status: announced" in tariff
    assert "value:" not in tariff  # "-" cells are left out
    footer = embed["footer"]["text"]
    assert "TRADE POLICY (0.93)" in footer and "source: news.example.com" in footer
    assert footer.endswith(" · id: ruritania-bikes")


def test_mentions_and_markdown_from_an_article_stay_text() -> None:
    m = alert(title="@everyone <@&123456789012345678> check **this**",
              text="@here [click](https://evil.example) <@123456789012345678> # big",
              sections=(Section("People", items=("__Jo__ @everyone",)),))
    sent = within_limits(render_embeds(m))
    shown = everything(sent)
    assert "@everyone" not in shown and "@here" not in shown
    assert "<@&123456789012345678>" not in shown and "<@123456789012345678>" not in shown
    assert "**this**" not in shown and "__Jo__" not in shown and " [click](" not in shown
    assert "\\[click](" in shown  # shown as typed, not as a link
    assert "check \\*\\*this\\*\\*" in sent[0]["title"]


def test_a_link_discord_would_refuse_is_left_out_not_sent() -> None:
    for url in ("javascript:alert(1)", "news.example.com/story", "https://x.example/a b", "https://" + "a" * 2100):
        [embed] = within_limits(render_embeds(alert(url=url)))
        assert "url" not in embed


def test_huge_content_is_shortened_with_a_visible_mark_never_rejected() -> None:
    rows = tuple((f"Country{i} → Other{i}", "widgets " * 40, "US$1 bn", "5% → 50%", "2025-01-01", "proposed")
                 for i in range(60))
    m = alert(
        title="Headline " * 80,
        text="A very long summary sentence about duties. " * 400,
        sections=(
            Section("People", items=tuple(f"Person Number{i} — Deputy Minister of Many Things" for i in range(200))),
            Section("Dates", items=("2025-07-01 July 1 " + "x" * 2000,)),
            Section("Tariff changes", table=Table(HEADER, rows)),
        ),
        footer="id: ruritania-bikes · source: " + "s" * 3000,
    )
    sent = within_limits(render_embeds(m))
    first = sent[0]
    assert first["title"].endswith("…") and first["description"].endswith("…")
    people = first["fields"][0]["value"]
    assert people.startswith("• Person Number0") and people.rstrip().endswith("more")
    assert any(f["name"] == "…" and "more not shown" in f["value"] for e in sent for f in e["fields"])
    assert sent[-1]["footer"]["text"].endswith(" · id: ruritania-bikes")  # the key survives


def test_more_than_25_fields_continue_in_further_embeds() -> None:
    rows = tuple((f"A{i} → B{i}", "tea", "-", "1% → 2%", "-", "proposed") for i in range(40))
    sent = within_limits(render_embeds(alert(text="", sections=(Section("Measures", table=Table(HEADER, rows)),))))
    assert len(sent) == 2
    assert [len(e["fields"]) for e in sent] == [25, 15]
    assert "footer" not in sent[0] and sent[1]["footer"]["text"].endswith("id: ruritania-bikes")


def test_random_messages_always_fit() -> None:
    rnd = random.Random(6)
    alphabet = string.ascii_letters + " *_`~|>#@<&:\\\n-" + "é→€"

    def words(most: int) -> str:
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, most)))

    for _ in range(150):
        sections = tuple(
            Section(words(300), text=words(1500) if rnd.random() < 0.3 else "",
                    items=tuple(words(400) for _ in range(rnd.randint(0, 12))),
                    table=Table(HEADER, tuple(tuple(words(80) for _ in HEADER) for _ in range(rnd.randint(0, 8))))
                    if rnd.random() < 0.4 else None)
            for _ in range(rnd.randint(0, 40)))
        m = Message(kind=rnd.choice(["alert", "reply", "error"]), title=words(400), text=words(6000),
                    sections=sections, url=rnd.choice([None, "https://e.example/" + words(10).replace(" ", "")]),
                    facts=words(200), footer=words(2500), key=rnd.choice([None, "k" + words(20)]))
        within_limits(render_embeds(m))


def test_an_empty_reply_is_still_a_valid_embed() -> None:
    within_limits(render_embeds(Message(kind="reply", title="")))


def test_shorten_marks_the_cut_and_never_leaves_a_dangling_escape() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("one two three four five", 16) == "one two three…"  # at a word when one is near
    assert shorten("one two three four five", 12) == "one two thr…"
    cut = shorten(escape("a*b*c*d*e*f*g"), 6)
    assert cut.endswith("…") and len(cut) <= 6 and not cut[:-1].endswith("\\")


def test_a_long_item_is_shortened_not_dropped() -> None:
    m = alert(sections=(Section("People", items=("Anna " + "Berg " * 400, "Carl Dahl")),))
    [embed] = within_limits(render_embeds(m))
    value = embed["fields"][0]["value"]
    assert value.startswith("• Anna Berg") and "Berg…\n" in value
    assert value.endswith(("• Carl Dahl", "… 1 more"))
