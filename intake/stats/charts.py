"""Bar charts drawn on the server: round scales and the place of every bar, line and label.

Plain numbers only: nothing here knows Flask or a language. Labels come in already written in the
reader's language, numbers go out through the `format_number` the caller gives, and a right-to-left
page gets the mirror image (the time axis runs from the right, the scale sits on the right). Text
anchors are logical (`start` is the right-hand side in Arabic), so the mirror keeps them as they are.
The template (templates/admin/dashboard.html) only writes out what a `Drawing` holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

FormatNumber = Callable[[int], str]
Anchor = Literal["start", "middle", "end"]

# Steps of 1, 2 or 5 × 10^n: the values a reader adds up without effort.
NICE_MULTIPLES = (1, 2, 5)
MOST_INTERVALS = 5

# Sizes in the SVG's user units, which the stylesheet's font sizes share (static/css/site.css).
WIDTH = 600
TICK_FONT = 12
LABEL_FONT = 12
VALUE_FONT = 11
# A digit or a letter is about 0.6 em wide in common sans-serif faces (DejaVu Sans: 0.64), a group
# separator or a full stop about half that: a little generous, so that a value said to fit does fit.
CHARACTER_EM = 0.64
NARROW_EM = 0.32
NARROW_CHARACTERS = frozenset(" \u00a0\u202f.,'’")


def nice_step(maximum: int, most_intervals: int = MOST_INTERVALS) -> int:
    """The smallest step of 1, 2 or 5 × 10^n that reaches `maximum` in at most `most_intervals`
    steps; never below 1, since counts are whole (one report reads 0–1, not 0–0.2)."""
    if maximum < 0:
        raise ValueError(f"a count is never negative (not {maximum})")
    magnitude = 1
    while True:
        for multiple in NICE_MULTIPLES:
            step = multiple * magnitude
            if step * most_intervals >= maximum:
                return step
        magnitude *= 10


def nice_ticks(maximum: int, most_intervals: int = MOST_INTERVALS) -> list[int]:
    """0, one step, two steps… up to the first round value at or above `maximum`. A chart of zeros
    still has a scale, 0 and 1, so that an empty month reads as zero rather than as nothing."""
    step = nice_step(maximum, most_intervals)
    top = max(1, -(-maximum // step)) * step
    return list(range(0, top + step, step))


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of the width of a short text of digits or letters, in user units."""
    ems = sum(NARROW_EM if character in NARROW_CHARACTERS else CHARACTER_EM for character in text)
    return ems * font_size


@dataclass(frozen=True)
class Entry:
    """One bar: its label as the reader reads it, its count, a second line under the label (the year
    under the first month of each year), and what a pointer over the bar shows."""

    label: str
    value: int
    sublabel: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: Literal["grid", "axis"]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    tooltip: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: Anchor
    kind: Literal["caption", "tick", "label", "sublabel", "value", "value-inside"]


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    ticks: tuple[int, ...]
    lines: tuple[Line, ...]
    bars: tuple[Bar, ...]
    texts: tuple[Text, ...]

    def texts_of(self, kind: str) -> list[str]:
        return [text.text for text in self.texts if text.kind == kind]


def _r(value: float) -> float:
    return round(value, 1)


def mirrored(drawing: Drawing) -> Drawing:
    """The drawing seen in a mirror, for a right-to-left page: what was at the left is at the right."""
    width = drawing.width
    return replace(
        drawing,
        lines=tuple(replace(ln, x1=_r(width - ln.x1), x2=_r(width - ln.x2)) for ln in drawing.lines),
        bars=tuple(replace(bar, x=_r(width - bar.x - bar.width)) for bar in drawing.bars),
        texts=tuple(replace(text, x=_r(width - text.x)) for text in drawing.texts),
    )


# The column chart (one column per month): the scale on the start side, the months along the bottom.
COLUMN_CAPTION_Y = 12
COLUMN_PLOT_TOP = 30
COLUMN_PLOT_HEIGHT = 180
COLUMN_BASELINE = COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT
COLUMN_HEIGHT = COLUMN_BASELINE + 42
COLUMN_SHARE = 0.62  # of its slot that a column fills; the rest is the gap between columns
END_PADDING = 4


def column_chart(
    entries: Sequence[Entry], format_number: FormatNumber, caption: str = "", rtl: bool = False
) -> Drawing:
    """Vertical bars in the order given (oldest month first), a scale of round ticks with gridlines,
    each value above its column when it fits in the column's slot."""
    if not entries:
        raise ValueError("a column chart needs at least one column")
    ticks = nice_ticks(max(entry.value for entry in entries))
    top = ticks[-1]
    tick_labels = [format_number(tick) for tick in ticks]
    gutter = _r(max(20.0, max(text_width(label, TICK_FONT) for label in tick_labels) + 10))
    plot_start, plot_end = gutter, WIDTH - END_PADDING

    def y_of(value: int) -> float:
        return COLUMN_BASELINE - value / top * COLUMN_PLOT_HEIGHT

    lines = [Line(plot_start, _r(y_of(t)), plot_end, _r(y_of(t)), "grid") for t in ticks if t]
    lines += [
        Line(plot_start, COLUMN_PLOT_TOP, plot_start, COLUMN_BASELINE, "axis"),
        Line(plot_start, COLUMN_BASELINE, plot_end, COLUMN_BASELINE, "axis"),
    ]
    texts = [
        Text(_r(plot_start - 6), _r(y_of(t) + 4), label, "end", "tick")
        for t, label in zip(ticks, tick_labels, strict=True)
    ]
    if caption:
        texts.append(Text(0, COLUMN_CAPTION_Y, caption, "start", "caption"))
    slot = (plot_end - plot_start) / len(entries)
    column = slot * COLUMN_SHARE
    bars = []
    for index, entry in enumerate(entries):
        centre = plot_start + slot * index + slot / 2
        # a count of one among a hundred thousand still shows, as a sliver above the axis
        height = max(entry.value / top * COLUMN_PLOT_HEIGHT, 1.0 if entry.value else 0.0)
        bars.append(
            Bar(
                _r(centre - column / 2),
                _r(COLUMN_BASELINE - height),
                _r(column),
                _r(height),
                entry.value,
                entry.tooltip,
            )
        )
        texts.append(Text(_r(centre), COLUMN_BASELINE + 16, entry.label, "middle", "label"))
        if entry.sublabel:
            texts.append(Text(_r(centre), COLUMN_BASELINE + 32, entry.sublabel, "middle", "sublabel"))
        value = format_number(entry.value)
        if text_width(value, VALUE_FONT) <= slot - 2:
            texts.append(Text(_r(centre), _r(COLUMN_BASELINE - height - 4), value, "middle", "value"))
    drawing = Drawing(WIDTH, COLUMN_HEIGHT, tuple(ticks), tuple(lines), tuple(bars), tuple(texts))
    return mirrored(drawing) if rtl else drawing


# The bar chart (categories, regions, statuses): each label on its own line above its bar, so that a
# long name is never cut, and the scale along the bottom.
ROW_HEIGHT = 40
ROW_LABEL_BASELINE = 14
ROW_BAR_TOP = 19
ROW_BAR_HEIGHT = 14
BARS_TOP = 4


def bar_chart(entries: Sequence[Entry], format_number: FormatNumber, rtl: bool = False) -> Drawing:
    """Horizontal bars from the start side, in the order given, each value beside its bar's end or,
    for a bar that reaches the end of the scale, inside it."""
    if not entries:
        raise ValueError("a bar chart needs at least one bar")
    ticks = nice_ticks(max(entry.value for entry in entries))
    top = ticks[-1]
    plot_start, plot_end = float(END_PADDING), float(WIDTH - END_PADDING)
    span = plot_end - plot_start
    rows_bottom = BARS_TOP + ROW_HEIGHT * len(entries)

    def x_of(value: int) -> float:
        return plot_start + value / top * span

    lines = [Line(_r(x_of(t)), BARS_TOP, _r(x_of(t)), rows_bottom, "grid") for t in ticks if t]
    lines.append(Line(plot_start, BARS_TOP, plot_start, rows_bottom, "axis"))
    texts = []
    for index, tick in enumerate(ticks):
        # the first and last tick labels align inwards, so that none runs off the drawing
        anchor: Anchor = "start" if index == 0 else "end" if index == len(ticks) - 1 else "middle"
        texts.append(Text(_r(x_of(tick)), rows_bottom + 14, format_number(tick), anchor, "tick"))
    bars = []
    for index, entry in enumerate(entries):
        row_top = BARS_TOP + ROW_HEIGHT * index
        length = max(entry.value / top * span, 1.0 if entry.value else 0.0)
        bar_top = row_top + ROW_BAR_TOP
        bars.append(Bar(plot_start, bar_top, _r(length), ROW_BAR_HEIGHT, entry.value, entry.tooltip))
        texts.append(Text(plot_start, row_top + ROW_LABEL_BASELINE, entry.label, "start", "label"))
        value = format_number(entry.value)
        value_y = bar_top + ROW_BAR_HEIGHT - 3
        end = plot_start + length
        if end + 4 + text_width(value, VALUE_FONT) <= plot_end:
            texts.append(Text(_r(end + 4), value_y, value, "start", "value"))
        else:
            texts.append(Text(_r(end - 4), value_y, value, "end", "value-inside"))
    drawing = Drawing(WIDTH, rows_bottom + 20, tuple(ticks), tuple(lines), tuple(bars), tuple(texts))
    return mirrored(drawing) if rtl else drawing
