"""The dashboard's chart layouts (intake/stats/charts.py): round scales that cover the largest count,
readable with one report or a hundred thousand, and the mirror image for Arabic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.stats.charts import (
    COLUMN_BASELINE,
    COLUMN_PLOT_HEIGHT,
    COLUMN_PLOT_TOP,
    END_PADDING,
    WIDTH,
    Drawing,
    Entry,
    bar_chart,
    column_chart,
    nice_ticks,
)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def grouped(number: int) -> str:
    """A stand-in for the locale's grouping: `100 000`, with the narrow no-break space of French."""
    return f"{number:,}".replace(",", "\u202f")


def months(*counts: int) -> list[Entry]:
    """Twelve months, the counts given for the last ones, zeros before."""
    values = [0] * (12 - len(counts)) + list(counts)
    return [
        Entry(name, value, tooltip=f"{name}: {value}") for name, value in zip(MONTHS, values, strict=True)
    ]


def values_shown(drawing: Drawing) -> list[str]:
    return drawing.texts_of("value") + drawing.texts_of("value-inside")


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (11, [0, 5, 10, 15]),
        (38, [0, 10, 20, 30, 40]),
        (999, [0, 200, 400, 600, 800, 1000]),
        (100_000, [0, 20_000, 40_000, 60_000, 80_000, 100_000]),
        (100_001, [0, 50_000, 100_000, 150_000]),
    ],
)
def test_ticks_are_round_and_cover_the_largest_count(maximum: int, ticks: list[int]) -> None:
    assert nice_ticks(maximum) == ticks


@given(st.integers(min_value=0, max_value=10**12))
def test_any_count_gets_a_short_scale_of_round_steps(maximum: int) -> None:
    ticks = nice_ticks(maximum)
    step = ticks[1]
    assert ticks[0] == 0 and ticks == list(range(0, ticks[-1] + 1, step))
    assert 2 <= len(ticks) <= 6
    digits = str(step).rstrip("0")
    assert digits in {"1", "2", "5"}  # 1, 2 or 5 × 10^n
    assert ticks[-1] >= maximum and (maximum == 0 or ticks[-2] < maximum)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        nice_ticks(-1)


def test_no_report_draws_twelve_empty_months_on_a_scale_of_zero_to_one() -> None:
    drawing = column_chart(months(), grouped, "Reports")
    assert drawing.ticks == (0, 1)
    assert drawing.texts_of("tick") == ["0", "1"]
    assert drawing.texts_of("label") == MONTHS
    assert len(drawing.bars) == 12 and all(bar.height == 0 for bar in drawing.bars)
    assert drawing.texts_of("value") == ["0"] * 12
    assert drawing.texts_of("caption") == ["Reports"]


def test_one_report_fills_the_scale_of_zero_to_one() -> None:
    drawing = column_chart(months(1), grouped)
    assert drawing.texts_of("tick") == ["0", "1"]
    last = drawing.bars[-1]
    assert (last.y, last.height) == (COLUMN_PLOT_TOP, COLUMN_PLOT_HEIGHT)
    assert drawing.texts_of("value") == ["0"] * 11 + ["1"]
    gridlines = [line for line in drawing.lines if line.kind == "grid"]
    assert [line.y1 for line in gridlines] == [COLUMN_PLOT_TOP]  # at 1; the axis is at 0


def test_a_hundred_thousand_reads_in_thousands() -> None:
    drawing = column_chart(months(100_000, 12_345, 1), grouped)
    assert drawing.texts_of("tick") == [
        "0",
        "20\u202f000",
        "40\u202f000",
        "60\u202f000",
        "80\u202f000",
        "100\u202f000",
    ]
    tallest, middle, smallest = drawing.bars[-3:]
    assert tallest.height == COLUMN_PLOT_HEIGHT
    assert middle.height == pytest.approx(12_345 / 100_000 * COLUMN_PLOT_HEIGHT, abs=0.1)
    assert smallest.height == 1  # one report among a hundred thousand still shows
    # "100 000" is wider than a month's slot: its value is left to the tooltip and the table
    assert "100\u202f000" not in drawing.texts_of("value") and "12\u202f345" in drawing.texts_of("value")
    assert tallest.tooltip == "Oct: 100000"


def test_columns_stand_on_the_axis_within_the_drawing() -> None:
    drawing = column_chart(months(3, 7, 2), grouped)
    assert all(bar.y + bar.height == pytest.approx(COLUMN_BASELINE) for bar in drawing.bars)
    assert all(bar.x >= 0 and bar.x + bar.width <= WIDTH for bar in drawing.bars)
    assert all(0 <= text.x <= WIDTH and 0 < text.y < drawing.height for text in drawing.texts)
    xs = [bar.x for bar in drawing.bars]
    assert xs == sorted(xs)  # oldest month at the left


def test_in_arabic_the_latest_month_is_at_the_left_and_the_scale_on_the_right() -> None:
    ltr = column_chart(months(3, 7, 2), grouped, "Reports")
    rtl = column_chart(months(3, 7, 2), grouped, "Reports", rtl=True)
    xs = [bar.x for bar in rtl.bars]
    assert xs == sorted(xs, reverse=True)  # the last month (the latest) has the smallest x
    ticks = [text for text in rtl.texts if text.kind == "tick"]
    assert min(text.x for text in ticks) > max(bar.x + bar.width for bar in rtl.bars)
    assert all(text.anchor == "end" for text in ticks)  # "end" is the left-hand side in Arabic
    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        assert right.x == pytest.approx(WIDTH - left.x - left.width, abs=0.1)
        assert (right.y, right.height) == (left.y, left.height)


def test_the_year_is_written_under_the_months_that_need_it() -> None:
    entries = [Entry(name, 0, sublabel="2026" if name in {"Jan", "Mar"} else "") for name in MONTHS[:3]]
    assert column_chart(entries, grouped).texts_of("sublabel") == ["2026", "2026"]


def test_bars_by_category_have_their_label_scale_and_values() -> None:
    entries = [Entry("Phishing", 40), Entry("Sextortion", 17), Entry("Investment fraud", 1)]
    drawing = bar_chart(entries, grouped)
    assert drawing.ticks == (0, 10, 20, 30, 40)
    assert drawing.texts_of("tick") == ["0", "10", "20", "30", "40"]
    assert drawing.texts_of("label") == ["Phishing", "Sextortion", "Investment fraud"]
    # the longest bar reaches the end of the scale: its value is written inside it
    assert drawing.texts_of("value-inside") == ["40"] and drawing.texts_of("value") == ["17", "1"]
    lengths = [bar.width for bar in drawing.bars]
    span = WIDTH - 2 * END_PADDING
    assert lengths == [span, pytest.approx(17 / 40 * span, abs=0.1), pytest.approx(span / 40, abs=0.1)]
    assert all(bar.x == END_PADDING for bar in drawing.bars)


def test_one_report_by_category() -> None:
    drawing = bar_chart([Entry("Phishing", 1)], grouped)
    assert drawing.texts_of("tick") == ["0", "1"] and values_shown(drawing) == ["1"]


def test_in_arabic_bars_grow_from_the_right() -> None:
    entries = [Entry("التصيد", 100_000), Entry("الابتزاز", 12)]
    drawing = bar_chart(entries, grouped, rtl=True)
    assert all(bar.x + bar.width == pytest.approx(WIDTH - END_PADDING) for bar in drawing.bars)
    labels = [text for text in drawing.texts if text.kind == "label"]
    assert all(text.x == WIDTH - END_PADDING and text.anchor == "start" for text in labels)
    ticks = [text for text in drawing.texts if text.kind == "tick"]
    assert ticks[0].text == "0" and ticks[0].x == WIDTH - END_PADDING  # zero on the right
    assert ticks[-1].text == "100\u202f000" and ticks[-1].x == END_PADDING
    assert drawing.texts_of("value-inside") == ["100\u202f000"] and drawing.texts_of("value") == ["12"]


def test_an_empty_chart_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        column_chart([], grouped)
    with pytest.raises(ValueError, match="at least one"):
        bar_chart([], grouped)
