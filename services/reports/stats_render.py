"""The statistics as people read them: weeks as dates, category labels, Indonesian numbers (Telegram HTML)."""

import html

from services.answers.satisfaction import render_satisfaction
from services.core.config import AppConfig
from services.core.formats import number, week
from services.core.texts import raw, t
from services.reports.stats import NO_CATEGORY, Stats


def _lines(rows: list[tuple[str, int]], limit: int = 15) -> str:
    """Label-count lines, or a plain "no data"."""
    return "\n".join(t("stats_line", label=label, count=number(count, 0)) for label, count in rows[:limit]) \
        or t("stats_none")


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
