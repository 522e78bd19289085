"""The statistics as people read them: weeks as dates, category labels, Indonesian numbers (Telegram HTML)."""

import html

from services.config import AppConfig
from services.counting import Satisfaction
from services.formats import number, week
from services.stats import NO_CATEGORY, Stats
from services.texts import raw, t


def _lines(rows: list[tuple[str, int]], limit: int = 15) -> str:
    """Label-count lines, or a plain "no data"."""
    return "\n".join(t("stats_line", label=label, count=number(count, 0)) for label, count in rows[:limit]) \
        or t("stats_none")


def render_satisfaction(figures: Satisfaction) -> str:
    """One line of closing-the-loop figures (the digest, /statistik and `aspirasi stats` show the same)."""
    share = figures.solved_share
    days = figures.median_days_to_solved
    return t("satisfaction_figures", sudah=number(figures.sudah, 0), answered=number(figures.answered, 0),
             share="-" if share is None else number(100 * share, 0), reopened=number(figures.reopened, 0),
             days="-" if days is None else number(days), up=number(figures.up, 0), down=number(figures.down, 0))


def render_stats(stats: Stats, scope: str, config: AppConfig) -> str:
    """The statistics message."""
    median = t("stats_median_none") if stats.median_days_to_answer is None else t(
        "stats_median", days=number(stats.median_days_to_answer))
    categories = [(config.category_label(code) if code != NO_CATEGORY else t("digest_no_category")) or code
                  for code, _ in stats.per_category]
    parts = [
        raw("stats_summary", scope=html.escape(scope), total=number(stats.total, 0),
            clusters=number(stats.clusters, 0), answered=number(stats.answered, 0),
            share=number(100 * stats.answered_share, 0), median=median),
        t("stats_weeks") + "\n" + _lines([(week(monday), n) for monday, n in stats.per_week]),
        t("stats_kelurahan") + "\n" + _lines(stats.per_kelurahan),
        t("stats_category") + "\n" + _lines(list(zip(categories, [n for _, n in stats.per_category], strict=True))),
    ]
    if stats.satisfaction is not None:
        parts.insert(1, render_satisfaction(stats.satisfaction))
    return "\n\n".join(parts)
