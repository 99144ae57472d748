"""Reminders and digests: what a channel reads, grouped as promised, escaped and within the
limits of Slack and Discord however many alerts a period gathers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.digest import digest_message, group_of
from bot.core.reminder import reminder_message, what_happens
from bot.domain import Analysis, Article, Person, TariffChange, TradeVerdict
from bot.render.discord_embeds import render_embeds
from bot.render.slack_blocks import render
from bot.render.text import render_text
from bot.schedules import zone
from bot.store.ledger import LedgerEntry, LedgerSource
from tests.chat.slack_helpers import assert_within_slack_limits, pings_or_links
from tests.render.test_discord_embeds import displayed, everything, within_limits

HOSTILE = "<!channel> @everyone <@U0123> <@123456789012345678> <@&123456789012345678> **loud**"


def story(aid: str, tag: str | None, imposer: str | None, target: str | None, title: str = "",
          summary: str = "") -> Analysis:
    art = Article(aid, title or f"Story {aid}", "Body.", date(2026, 12, 2))
    changes = (TariffChange(imposer, target, "steel", None, None, 25, None, "announced", "ev"),) if imposer else ()
    return Analysis(art, TradeVerdict(True, 0.9, (tag,) if tag else ()), tariff_changes=changes,
                    people=(Person("Ann Lee", "minister", "Japan"),) if aid == "p" else (),
                    summary=summary or f"What {aid} says.")


def test_a_digest_groups_alerts_by_tag_and_country_in_tag_order() -> None:
    items = [story("a", "tariffs", "US", "China"), story("b", "disputes", "EU", "Russia"),
             story("c", "tariffs", "China", "US"), story("d", None, None, None), story("p", "tariffs", None, None)]
    assert group_of(items[0]) == ("tariffs", "China, US")
    m = digest_message("digest:2026-12-03", "2026-12-03", "daily", items,
                       datetime(2026, 12, 2, 8, tzinfo=UTC), datetime(2026, 12, 3, 8, tzinfo=UTC), "Europe/Brussels")
    assert m.key == "digest:2026-12-03" and m.title == "Daily digest 2026-12-03: 5 alerts"
    assert [s.title for s in m.sections] == ["tariffs — China, US", "tariffs — Japan", "disputes — EU, Russia",
                                             "other — no country named"]
    assert [len(s.items) for s in m.sections] == [2, 1, 1, 1]
    assert m.sections[0].items[0] == "Story a (2026-12-02) — What a says. · id: a"
    assert "from Wed 02 Dec 08:00 to Thu 03 Dec 08:00 (Europe/Brussels)" in m.text
    card = render_text(m)
    assert card.index("tariffs — China, US") < card.index("disputes — EU, Russia")


def test_a_huge_hostile_digest_fits_slack_and_discord_and_pings_nobody() -> None:
    items = [story(f"s{i}", ("tariffs", "disputes", "export-controls")[i % 3], "US", f"Country{i % 40}",
                   title=f"{HOSTILE} {i}", summary=HOSTILE + " x" * 400) for i in range(400)]
    m = digest_message("digest:2026-W49", "2026-W49", "weekly", items)
    assert m.sections[0].items[0] == f"{HOSTILE} 0 (2026-12-02) · id: s0"  # headlines only when so many
    slack = render(m)
    payload = {"blocks": list(slack.blocks), "text": slack.text}
    assert_within_slack_limits(payload)
    assert pings_or_links(payload) == []
    assert "not shown: shortened to fit Slack's limits" in str(payload["blocks"])
    sent = within_limits(render_embeds(m))
    shown = displayed(sent)
    assert "Weekly digest 2026-W49: 400 alerts" in shown
    for ping in ("@everyone", "<@123456789012345678>", "<@&123456789012345678>", "**loud**"):
        assert ping not in everything(sent)


def entry(**changes: object) -> LedgerEntry:
    base: dict[str, object] = {
        "imposer": "US", "target": "China", "products": "steel pipes", "value_usd": 2_000_000_000,
        "value_text": None, "old_rate_pct": 25.0, "new_rate_pct": 30.0, "effective": "2026-12-15",
        "status": "delayed", "first_seen": date(2026, 11, 1), "last_seen": date(2026, 11, 20),
        "sources": (LedgerSource("a1", f"Pipes {HOSTILE}", date(2026, 11, 1)),), "id": "m-7f3k2qa"}
    base.update(changes)
    return LedgerEntry(**base)  # type: ignore[arg-type]


def test_a_reminder_says_how_soon_and_what_happens() -> None:
    starts = datetime(2026, 12, 15, tzinfo=zone("Europe/Brussels"))
    m = reminder_message("remind:m-7f3k2qa:2026-12-15", entry(), starts, starts - timedelta(days=3), "Europe/Brussels")
    assert m.title == "in 3 days: US tariff on steel pipes rises to 30%"
    assert m.facts == "measure m-7f3k2qa · effective 2026-12-15 · delayed"
    assert "value of trade: US$2 bn" in m.sections[0].items
    assert "takes effect: Tue 15 Dec 2026 (Europe/Brussels)" in m.sections[0].items
    assert what_happens(entry(old_rate_pct=30.0, new_rate_pct=10.0)) == "US tariff on steel pipes falls to 10%"
    assert what_happens(entry(old_rate_pct=None, products=None)) == "US tariff on goods from China takes effect at 30%"
    assert what_happens(entry(new_rate_pct=None)) == "US tariff on steel pipes takes effect"
    slack = render(m)
    payload = {"blocks": list(slack.blocks), "text": slack.text}
    assert_within_slack_limits(payload)
    assert pings_or_links(payload) == []
    assert "@everyone" not in everything(within_limits(render_embeds(m)))
