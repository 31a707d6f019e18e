"""Server-drawn bar charts: the geometry of an inline SVG for one statistics table (no script)."""

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
class ChartRow:
    label: str
    label_y: int
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
    group_height = series * BAR_HEIGHT + ROW_GAP
    rows = []
    for index, row in enumerate(table.rows):
        y = top + index * group_height
        bars = []
        for i, count in enumerate(row.counts):
            width = round(BAR_AREA * count / largest)
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=y + i * BAR_HEIGHT,
                    width=width,
                    height=BAR_HEIGHT - 2,
                    fill=SERIES_FILLS[i % len(SERIES_FILLS)],
                    count=count,
                    text_x=LABEL_WIDTH + width + 4,
                    # Where bars come in pairs, an empty one goes unlabelled: less clutter.
                    show_count=series == 1 or count > 0,
                )
            )
        rows.append(ChartRow(row.label, y + (series * BAR_HEIGHT) // 2 + 4, tuple(bars)))
    return Chart(
        width=WIDTH,
        height=top + max(len(rows), 1) * group_height,
        label_width=LABEL_WIDTH - 6,
        rows=tuple(rows),
        legend=legend,
    )
