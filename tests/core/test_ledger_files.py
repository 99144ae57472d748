"""The ledger as files: a CSV a spreadsheet opens safely, a PNG chart of sensible size."""

from __future__ import annotations

import csv
import io
import struct
from datetime import UTC, date, datetime, timedelta

from bot.core.ledger_files import (
    CSV_HEADER,
    MAX_CHART_MEASURES,
    chart_label,
    ledger_chart,
    ledger_csv,
    rate_series,
    safe_cell,
)
from bot.domain import Status, TariffChange
from bot.store import LedgerRow, merge_ledger

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _row(aid: str, day: date, rate: float | None, *, old: float | None = None, status: Status = "announced",
         goods: str = "steel", target: str = "China", title: str | None = None) -> LedgerRow:  # fmt: skip
    c = TariffChange("United States", target, goods, None, old, rate, None, status, "evidence")
    return LedgerRow(aid, title or f"story {aid}", day, datetime(2025, 1, 1, tzinfo=UTC), 0, c,
                     url=f"https://news.example/{aid}")


def test_csv_is_rfc_4180_and_no_cell_runs_as_a_formula() -> None:
    hostile = '=HYPERLINK("http://evil.example","click"), then "quotes"\nand a new line'
    entries = merge_ledger([_row("a", date(2025, 2, 1), 25, title=hostile),
                            _row("b", date(2025, 3, 1), 0, old=25, status="removed", goods="@SUM(A1:A9)"),
                            _row("c", date(2025, 2, 3), 10, goods="-2+3", target="Canada")])
    data = ledger_csv(entries)
    assert data.count(b"\r\n") >= 4  # CRLF line ends, as RFC 4180 has them
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == 4
    by_article = {r[CSV_HEADER.index("article_id")]: dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}
    assert by_article["a"]["title"] == "'" + hostile  # read back whole, and shown, not run
    assert by_article["b"]["goods"] == "'@SUM(A1:A9)" and by_article["c"]["goods"] == "'-2+3"
    assert by_article["a"]["measure"] == by_article["b"]["measure"] != by_article["c"]["measure"]
    assert (by_article["b"]["status"], by_article["b"]["old_rate_pct"], by_article["b"]["new_rate_pct"]) == \
        ("removed", "25", "0")
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "plain", None, 25)] == \
        ["'=1", "'+1", "'-1", "'@a", "'\tx", "plain", "", "25"]


def test_a_removal_steps_down_to_zero() -> None:
    [entry] = merge_ledger([_row("a", date(2025, 2, 1), 25), _row("b", date(2025, 3, 1), 25, status="in_effect"),
                            _row("c", date(2025, 4, 1), 0, old=25, status="removed")])
    assert rate_series(entry) == [(date(2025, 2, 1), 25), (date(2025, 3, 1), 25), (date(2025, 4, 1), 0)]


def test_the_chart_is_a_png_of_chat_size_and_says_what_it_left_out() -> None:
    rows = [_row(f"s{n}", date(2025, 1, 1) + timedelta(days=7 * n), 5 + n, goods=f"goods {n} worth $5 bn")
            for n in range(MAX_CHART_MEASURES + 2)]
    entries = merge_ledger(rows)
    png, left_out = ledger_chart(entries, "Tariff rates — China")
    assert left_out == 2
    width, height = png_size(png)
    assert (width, height) == (1000, 650) and 10_000 < len(png) < 400_000
    assert chart_label(entries[0]).startswith(entries[0].id) and r"\$5 bn" in chart_label(entries[0])


def test_matplotlib_is_loaded_only_when_a_chart_is_drawn() -> None:
    import subprocess
    import sys

    code = ("import sys; import bot.service.app, bot.cli.chat, bot.core.commands; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
