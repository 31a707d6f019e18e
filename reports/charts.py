"""Server-drawn bar charts: the geometry of an inline SVG for one statistics table (no script)."""

import unicodedata
from dataclasses import dataclass

from reports.statistics import Table

# Print-safe: a dark and a light fill, told apart in greyscale too.
SERIES_FILLS = ("#2f5d8a", "#9cc3e6")
WIDTH = 600
LABEL_WIDTH = 260
BAR_AREA = 280
BAR_HEIGHT = 14
ROW_GAP = 8
LEGEND_HEIGHT = 22
# A label is wrapped onto as many lines as it needs, never cut: its words go onto lines no wider
# than the room left of the bars, as wide as the labels' 12 px font draws them, about.
LINE_HEIGHT = 14
LABEL_ROOM = LABEL_WIDTH - 10
LATIN_WIDTH = 6.6
WIDE_WIDTH = 12.5


def text_width(text: str) -> float:
    """About how wide the chart's font draws `text`: Hangul and CJK twice a Latin letter."""
    return sum(WIDE_WIDTH if unicodedata.east_asian_width(c) in "WF" else LATIN_WIDTH for c in text)


def label_lines(label: str, room: float = LABEL_ROOM) -> tuple[str, ...]:
    """The label in lines that fit `room`, broken between words (within a word only where the
    word alone is wider than the room)."""
    lines: list[str] = []
    line = ""
    for word in label.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word) > room:
            cut = len(word)
            while cut > 1 and text_width(word[:cut]) > room:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return tuple(lines) or ("",)


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    fill: str
    count: int
    text_x: int
    show_count: bool


@dataclass(frozen=True)
class LabelLine:
    text: str
    y: int


@dataclass(frozen=True)
class ChartRow:
    label: str
    lines: tuple[LabelLine, ...]
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    rows: tuple[ChartRow, ...]
    legend: tuple[LegendItem, ...]


def bar_chart(table: Table) -> Chart:
    """Horizontal bars, one group a row, one bar a column, each with its count at its end."""
    series = len(table.columns)
    largest = max((count for row in table.rows for count in row.counts), default=0) or 1
    legend = (
        tuple(
            LegendItem(label, SERIES_FILLS[i % len(SERIES_FILLS)], LABEL_WIDTH + i * 140)
            for i, label in enumerate(table.columns)
        )
        if series > 1
        else ()
    )
    top = LEGEND_HEIGHT if legend else 0
    bars_height = series * BAR_HEIGHT
    rows = []
    y = top
    for row in table.rows:
        lines = label_lines(row.label)
        block = max(bars_height, len(lines) * LINE_HEIGHT)
        bars_top = y + (block - bars_height) // 2
        lines_top = y + (block - len(lines) * LINE_HEIGHT) // 2
        bars = []
        for i, count in enumerate(row.counts):
            width = round(BAR_AREA * count / largest)
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=bars_top + i * BAR_HEIGHT,
                    width=width,
                    height=BAR_HEIGHT - 2,
                    fill=SERIES_FILLS[i % len(SERIES_FILLS)],
                    count=count,
                    text_x=LABEL_WIDTH + width + 4,
                    # Where bars come in pairs, an empty one goes unlabelled: less clutter.
                    show_count=series == 1 or count > 0,
                )
            )
        placed = tuple(
            LabelLine(line, lines_top + index * LINE_HEIGHT + 11)
            for index, line in enumerate(lines)
        )
        rows.append(ChartRow(row.label, placed, tuple(bars)))
        y += block + ROW_GAP
    return Chart(
        width=WIDTH,
        height=max(y, top + bars_height + ROW_GAP),
        label_width=LABEL_WIDTH - 6,
        rows=tuple(rows),
        legend=legend,
    )
