"""Statistics for admins (services.core.counting): aspirations per week, kelurahan, category; answers and
time to answer."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.core import counting
from services.core.counting import UNKNOWN, Scope

NO_CATEGORY = UNKNOWN


@dataclass(frozen=True)
class Stats:
    """What /statistik and `aspirasi stats` report."""

    total: int
    per_week: list[tuple[date, int]]  # the Monday of each ISO week in the city's zone, oldest first
    per_kelurahan: list[tuple[str, int]]  # aspirations by their own kelurahan, most first (adds up to total)
    per_category: list[tuple[str, int]]  # most first
    clusters: int
    answered: int
    median_days_to_answer: float | None
    satisfaction: counting.Satisfaction | None = None  # closing the loop (services/answers/satisfaction.py)

    @property
    def answered_share(self) -> float:
        """Share of clusters with at least one staff answer (0..1)."""
        return self.answered / self.clusters if self.clusters else 0.0


def compute_stats(*, session: Session, tz: ZoneInfo, forum_id: str | None = None, weeks: int = 12) -> Stats:
    """Count the aspirations of the forum's clusters (all forums when None) and how quickly they were answered."""
    scope = Scope(forums=None if forum_id is None else frozenset({forum_id}))
    total = counting.totals(session, scope)
    answered = counting.answered_ids(session, scope)
    return Stats(
        total=total.aspirations, per_week=counting.aspirations_per_week(session, scope, tz)[-weeks:],
        per_kelurahan=counting.aspirations_per_kelurahan(session, scope),
        per_category=[(code or NO_CATEGORY, n) for code, n in counting.aspirations_per_category(session, scope)],
        clusters=total.clusters, answered=len(answered),
        median_days_to_answer=counting.median_days_to_answer(session, scope),
        satisfaction=counting.satisfaction(session, scope),
    )
