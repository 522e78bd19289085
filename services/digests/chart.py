"""The digest chart: new supporters of the top clusters and aspirations per category, this period vs before."""

import textwrap
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator

from services.core.config import AppConfig
from services.core.texts import raw
from services.digests.data import DigestData

NOW_COLOUR, BEFORE_COLOUR = "#1f6feb", "#b8c4d6"
MAX_BARS = 8


def _label(code: str, title: str) -> str:
    """A bar label: the code and the start of the title on two short lines."""
    short = textwrap.shorten(title, width=44, placeholder=" …")
    return f"{code}\n" + "\n".join(textwrap.wrap(short, 26)[:2])


def _bars(ax: Axes, labels: list[str], now: list[int], before: list[int], title: str) -> None:
    """Draw paired horizontal bars (this period on top) with value labels."""
    ys = list(range(len(labels)))
    height = 0.38
    ax.barh([y - height / 2 for y in ys], now, height, color=NOW_COLOUR, label=raw("chart_period_now"))
    ax.barh([y + height / 2 for y in ys], before, height, color=BEFORE_COLOUR, label=raw("chart_period_before"))
    for y, value in zip(ys, now, strict=True):
        ax.text(value, y - height / 2, f" {value}", va="center", fontsize=9, color="#0b3d91")
    ax.set_yticks(ys, labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11, loc="left", fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    ticks = AutoLocator()  # a linear axis' default locator: supporter counts get whole-number ticks
    ticks.set_params(integer=True)
    ax.xaxis.set_major_locator(ticks)
    ax.margins(x=0.12)


def category_rows(data: DigestData, config: AppConfig) -> list[tuple[str, int, int]]:
    """The category bars as people read them: (label from config, this period, before)."""
    return [(config.category_label(cat) or raw("chart_category_none"), now, before)
            for cat, now, before in data.categories][:MAX_BARS]


def render_chart(
    data: DigestData, path: Path, *, tz: tzinfo, config: AppConfig, excluded: Iterable[int] = ()
) -> Path | None:
    """Draw the chart to a PNG file; None when there is nothing to draw."""
    skip = set(excluded)
    top = [c for c in data.top if c.id not in skip][:MAX_BARS]
    cats = category_rows(data, config)
    if not top:
        return None
    with_categories = len(cats) > 1
    rows = max(len(top), len(cats) if with_categories else 0)
    figure = Figure(figsize=(11 if with_categories else 7.5, 1.6 + 0.72 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if with_categories else 1, squeeze=False)[0]
    _bars(axes[0], [_label(c.code, c.title) for c in top], [c.added for c in top],
          [c.previous_added for c in top], raw("chart_top_title"))
    if with_categories:
        _bars(axes[1], [label for label, _, _ in cats], [n for _, n, _ in cats], [b for _, _, b in cats],
              raw("chart_category_title"))
    axes[0].legend(loc="lower right", fontsize=8, frameon=False)
    start, end = (moment.astimezone(tz).strftime("%d-%m-%Y") for moment in (data.period_start, data.period_end))
    figure.suptitle(raw("chart_title", forum=data.forum_name, start=start, end=end), fontsize=12, x=0.01, ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
