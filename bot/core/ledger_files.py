"""The tariff ledger as files: a CSV export of its rows and a PNG step chart of its rates.

Pure functions of ledger entries (`bot.store.ledger.LedgerEntry`) to bytes; the command
layer puts them on a `Message` as an `Attachment`. matplotlib is imported only when a chart
is drawn (not when the bot starts), and only its object API with the Agg canvas is used:
no pyplot, no global state, no display.

Text in the ledger comes from articles and is untrusted. In the CSV, a cell that starts
with `=`, `+`, `-`, `@` (or a tab or carriage return) gets a leading `'`, so a spreadsheet
shows it instead of running it as a formula. On the chart, `$` is escaped so matplotlib
does not read a goods name as mathematics, and control characters are removed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, timedelta

from bot.store.ledger import LedgerEntry, LedgerRow

CSV_HEADER = ("measure", "reported", "status", "imposer", "target", "goods", "value_usd",
              "value_text", "old_rate_pct", "new_rate_pct", "effective", "change", "article_id",
              "title", "url")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

MAX_CHART_MEASURES = 8
"""Lines on one chart: more are not readable at chat-preview size."""
CHART_SIZE = (10.0, 6.5)
CHART_DPI = 100
"""1000 x 650 pixels: a chat preview shrinks it to about half, where 16-24 point text still reads."""
LABEL_CHARS = 28
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------- CSV


def safe_cell(value: object) -> str:
    """A cell as text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _figure(value: float | int | None) -> str:
    return "" if value is None else format(value, "g") if isinstance(value, float) else str(value)


def csv_rows(entries: Sequence[LedgerEntry]) -> list[tuple[str, ...]]:
    """One row a story's report of a measure: measures newest first, each one's steps oldest first."""
    rows: list[tuple[str, ...]] = []
    for e in entries:
        for r in e.steps:
            c = r.change
            rows.append(tuple(safe_cell(v) for v in (
                e.id, r.reported.isoformat(), c.status, c.imposer, c.target, c.products,
                _figure(c.value_usd), c.value_text, _figure(c.old_rate_pct), _figure(c.new_rate_pct),
                c.effective, c.change_text, r.article_id, r.title, r.url)))
    return rows


def ledger_csv(entries: Sequence[LedgerEntry]) -> bytes:
    """The ledger's rows as RFC 4180 CSV (UTF-8, CRLF line ends, a header row)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(entries))
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- chart


def step_rate(row: LedgerRow) -> float | None:
    """The rate a story says the measure has from then on: 0 once removed."""
    c = row.change
    if c.status == "removed":
        return 0.0
    return c.new_rate_pct


def rate_series(entry: LedgerEntry) -> list[tuple[date, float]]:
    """(day, rate) at each step that gives a rate, oldest first (a day's last story wins)."""
    points: list[tuple[date, float]] = []
    for r in entry.steps:
        rate = step_rate(r)
        if rate is None:
            continue
        if points and points[-1][0] == r.reported:
            points[-1] = (r.reported, rate)
        else:
            points.append((r.reported, rate))
    return points


def chart_label(entry: LedgerEntry) -> str:
    """`m-7f3k2qa steel and aluminium` (goods shortened), safe for matplotlib text."""
    goods = " ".join(_CONTROL.sub(" ", entry.products or "goods not named").split())
    if len(goods) > LABEL_CHARS:
        goods = goods[: LABEL_CHARS - 1].rstrip() + "…"
    return f"{entry.id} {goods}".replace("$", r"\$")


def chartable(entries: Sequence[LedgerEntry]) -> list[LedgerEntry]:
    """The measures that give a rate at least once (the others have nothing to draw)."""
    return [e for e in entries if rate_series(e)]


def ledger_chart(entries: Sequence[LedgerEntry], title: str) -> tuple[bytes, int]:
    """A PNG step chart: one line a measure (its id and goods), rate in % over the days its
    stories were reported; the newest `MAX_CHART_MEASURES` measures that give a rate.
    Returns the PNG and how many measures with a rate were left out."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawn = chartable(entries)
    left_out = max(len(drawn) - MAX_CHART_MEASURES, 0)
    drawn = drawn[:MAX_CHART_MEASURES]
    fig = Figure(figsize=CHART_SIZE, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    series = [rate_series(e) for e in drawn]
    days = [d for s in series for d, _ in s]
    end = max(days, default=date(2000, 1, 1))
    start = min(days, default=end)
    end += max((end - start) / 12, timedelta(days=3))
    for entry, points in zip(drawn, series, strict=True):
        xs = mdates.date2num([d for d, _ in points] + [end])  # type: ignore[no-untyped-call]
        ys = [r for _, r in points] + [points[-1][1]]
        ax.step(xs, ys, where="post", linewidth=3, label=chart_label(entry))
        ax.plot(xs[:-1], ys[:-1], "o", markersize=8, color=ax.lines[-1].get_color())
    safe_title = " ".join(_CONTROL.sub(" ", title).split()).replace("$", r"\$")
    ax.set_title(safe_title, fontsize=24, loc="left")
    ax.set_ylabel("rate (%)", fontsize=18)
    ax.tick_params(labelsize=18)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.get_offset_text().set_fontsize(16)
    ax.xaxis_date()
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    if drawn:
        fig.legend(fontsize=16, loc="outside lower center", ncols=2, frameon=False, handlelength=1.5)
    else:
        ax.text(0.5, 0.5, "no measure gives a rate", ha="center", va="center", fontsize=18,
                transform=ax.transAxes)
    if left_out:
        fig.suptitle(f"+{left_out} older measure(s) not shown", fontsize=16, x=0.99, ha="right")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue(), left_out
