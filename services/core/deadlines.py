"""Answer deadlines in working days (LAPOR!-style): weekends, Indonesian public holidays and config days off."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import holidays
from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, func, select

from models.clusters import Cluster, ClusterStatus
from models.proposals import Proposal, ProposalState
from services.core.config import AppConfig

CLOSED = (ClusterStatus.SELESAI, ClusterStatus.DITOLAK)


@dataclass(frozen=True)
class OverdueCluster:
    """A cluster still waiting for its first staff answer past the deadline."""

    cluster_id: int
    code: str
    title: str
    status: ClusterStatus
    since: datetime  # the cluster's first submitted proposal (UTC)
    working_days: int  # working days waited so far
    due: date  # the last working day staff had to answer (city time)


@cache
def _national(year: int) -> frozenset[date]:
    """Indonesian public holidays of one year, from the maintained `holidays` package."""
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: date, *, config: AppConfig) -> bool:
    """Tell whether a city-calendar date is a working day (Mon-Fri, no holiday, not a configured day off)."""
    if day.weekday() >= 5 or day in _national(day.year):
        return False
    return day not in config.deadlines.extra_holidays


def _local_date(moment: datetime, config: AppConfig) -> date:
    """The date of a moment in the city's time zone."""
    return moment.astimezone(config.city.tz).date()


def working_days_between(start: datetime, end: datetime, *, config: AppConfig) -> int:
    """Count working days after start's city date up to and including end's city date."""
    first, last = _local_date(start, config), _local_date(end, config)
    count, day = 0, first + timedelta(days=1)
    while day <= last:
        count += is_working_day(day, config=config)
        day += timedelta(days=1)
    return count


def answer_due(start: datetime, *, config: AppConfig) -> date:
    """The city date of the N-th working day after start: staff should have answered by its end."""
    day, left = _local_date(start, config), config.deadlines.answer_working_days
    while left > 0:
        day += timedelta(days=1)
        left -= is_working_day(day, config=config)
    return day


def is_overdue(start: datetime, now: datetime, *, config: AppConfig) -> bool:
    """Tell whether more than N working days have passed since start."""
    return working_days_between(start, now, config=config) > config.deadlines.answer_working_days


def _waiting_clusters(session: Session, before: datetime | None = None) -> list[tuple[Cluster, datetime]]:
    """Open, visible, unanswered clusters with the moment of their first submitted proposal (before `before`)."""
    first = func.min(Proposal.submitted_at)
    query = (
        select(Cluster, first)
        .join(Proposal, col(Proposal.cluster_id) == Cluster.id)
        .where(
            col(Cluster.first_answer_at).is_(None),
            col(Cluster.hidden).is_(False),
            col(Cluster.merged_into_id).is_(None),
            col(Cluster.status).not_in([str(s) for s in CLOSED]),
            Proposal.state == ProposalState.SUBMITTED,
            col(Proposal.submitted_at).is_not(None),
        )
        .group_by(col(Cluster.id))
        .order_by(col(Cluster.id))
    )
    if before is not None:
        query = query.having(first < before)
    return [(cluster, _aware(since)) for cluster, since in session.exec(query).all() if since is not None]


def _aware(moment: datetime) -> datetime:
    """Aggregates bypass the column type on SQLite: treat naive values as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def overdue_clusters(*, session: Session, config: AppConfig, now: datetime) -> list[OverdueCluster]:
    """Clusters without a staff answer after `deadlines.answer_working_days` working days, longest wait first."""
    result = []
    for cluster, since in _waiting_clusters(session, waiting_since_before(now, config=config)):
        waited = working_days_between(since, now, config=config)
        if waited <= config.deadlines.answer_working_days or cluster.id is None:
            continue
        result.append(OverdueCluster(
            cluster_id=cluster.id, code=cluster.code or f"K-{cluster.id:04d}", title=cluster.title,
            status=cluster.status, since=since, working_days=waited, due=answer_due(since, config=config),
        ))
    return sorted(result, key=lambda item: (-item.working_days, item.cluster_id))


def waiting_since_before(now: datetime, *, config: AppConfig) -> datetime:
    """The moment a wait must have begun before to be overdue at `now`: `working_days_between` grows as the
    start goes back, so a start is overdue exactly when its city date is on or before the latest overdue date,
    that is before the next day's midnight (city time), given here in UTC (SQL compares it with a column)."""
    day, found = _local_date(now, config), 0
    while True:
        found += is_working_day(day, config=config)
        if found > config.deadlines.answer_working_days:
            return datetime.combine(day, time(0), tzinfo=config.city.tz).astimezone(UTC)
        day -= timedelta(days=1)


def overdue_condition(first_submitted: Any, now: datetime, *, config: AppConfig) -> ColumnElement[bool]:
    """SQL: a waiting cluster (first_answer_at empty, open, visible) whose first submitted aspiration, given
    as `first_submitted`, is past the deadline (the same as `overdue_clusters`)."""
    return and_(col(Cluster.first_answer_at).is_(None), col(Cluster.hidden).is_(False),
                col(Cluster.merged_into_id).is_(None), col(Cluster.status).not_in([str(s) for s in CLOSED]),
                first_submitted < waiting_since_before(now, config=config))


def report_time(config: AppConfig) -> time:
    """The daily overdue report's time (`deadlines.overdue_report`, "HH:MM") in the city's time zone."""
    hour, minute = (int(part) for part in config.deadlines.overdue_report.split(":"))
    return time(hour, minute, tzinfo=config.city.tz)
