"""Alert cards with their measures' ids and `tariffs show` answers: the id reads on every
chat, and the biggest cards stay within every platform's limits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from bot.core.alert import alert_message
from bot.core.ledger_messages import MAX_HISTORY_ROWS, measure_message
from bot.domain import Analysis, Article, TariffChange, TradeVerdict
from bot.render.discord_embeds import render_embeds, total_size
from bot.render.slack_blocks import block_texts, render
from bot.render.text import render_text
from bot.store import LedgerRow, merge_ledger
from tests.chat.slack_helpers import assert_within_slack_limits, pings_or_links
from tests.render.test_discord_embeds import within_limits

HOSTILE = "@everyone <!channel> **bold** [x](https://evil.example) " * 20


def _card(changes: int) -> Analysis:
    art = Article("big", "Many tariffs " + HOSTILE, "Body.", date(2025, 3, 6), "https://news.example/big")
    tc = tuple(TariffChange("US", "China", f"goods {n} {HOSTILE}", 10**9 * n, None, 10 + n, "2025-04-01",
                            "announced", "evidence") for n in range(changes))
    return Analysis(art, TradeVerdict(True, 0.9, ("tariffs",), ("duties",)), tariff_changes=tc, summary=HOSTILE)


def test_every_tariff_row_of_a_card_names_its_measure_within_the_limits() -> None:
    ids = {n: f"m-{n:07d}" for n in range(60)}
    message = alert_message(_card(60), ids)
    assert "measure" in render_text(message) and "m-0000000" in render_text(message)
    slack = render(message)
    payload = {"blocks": list(slack.blocks), "text": slack.text}
    assert_within_slack_limits(payload)
    assert pings_or_links(payload, allowed_link="<https://news.example/big|Read the source>") == []
    lines = "\n".join(block_texts(slack.blocks))
    assert "*m-0000000 — US → China*" in lines and "*m-0000007 — US → China*" in lines
    embeds = render_embeds(message)
    sent = within_limits(embeds)
    names = [f["name"] for e in sent for f in e.get("fields", [])]
    tariff_fields = [n for n in names if n.startswith("Tariff changes")]
    assert total_size(embeds) <= 6000 and tariff_fields[0] == "Tariff changes — m-0000000"
    assert all(re.fullmatch(r"Tariff changes — m-\d{7}", n) for n in tariff_fields)
    # a card without ids (tradewatch analyze: no store) keeps its old columns
    assert "measure" not in render_text(alert_message(_card(1)))


def test_a_long_history_fits_every_chat() -> None:
    seen = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [LedgerRow(f"s{n}", HOSTILE, date(2025, 1, 1) + timedelta(days=n), seen, 0,
                      TariffChange("US", "China", HOSTILE, None, None, 25, None, "announced", "e"),
                      url=f"https://news.example/s{n}") for n in range(120)]
    [entry] = merge_ledger(rows)
    message = measure_message(entry)
    history = message.sections[0]
    assert history.table is not None and len(history.table.rows) == MAX_HISTORY_ROWS
    assert f"the latest {MAX_HISTORY_ROWS} of 120" in history.title
    slack = render(message)
    payload = {"blocks": list(slack.blocks), "text": slack.text}
    assert_within_slack_limits(payload)
    assert pings_or_links(payload) == []
    within_limits(render_embeds(message))
