"""Figures for the Ringkasan and Peta pages and the details of one cluster, from rows and the database."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from nlp.redact import redact
from services.access.people import resident_label
from services.core import counting
from services.core.config import AppConfig
from web.queries import ClusterRow, top_rows

WEEKS = 12


@dataclass(frozen=True)
class Summary:
    """What Ringkasan shows (services.core.counting: the same figures as the digest, /statistik and the exports)."""

    week_start: datetime
    aspirations_week: int
    aspirations_all: int
    residents_all: int
    clusters_all: int
    supporters_all: int
    new: list[ClusterRow]
    growing: list[ClusterRow]
    overdue: int
    answered: int
    answered_share: float
    median_days: float | None
    per_week: list[tuple[datetime, int]]  # week start (city time), aspirations
    per_category: list[tuple[str, int]]  # category code ("-": none), aspirations
    per_kelurahan: list[tuple[str, int]]  # aspirations by their own kelurahan
    loop: counting.Satisfaction | None = None  # closing the loop: residents' answers, reopened clusters, ratings


def week_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 of this week in the city's zone."""
    local = now.astimezone(tz)
    return datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=tz)


def summarise(session: Session, config: AppConfig, forums: frozenset[str] | None, *, now: datetime) -> Summary:
    """Counts, new and growing clusters, answers and the weekly and per-category series of the viewer's forums
    (each list of clusters chosen, sorted and cut in SQL)."""
    tz = config.city.tz
    scope = counting.Scope(forums=forums)
    start = week_start(now, tz)
    week = counting.Period(counting.mark_at(session, start), counting.committed_mark(session))
    total, answered = counting.totals(session, scope), counting.answered_ids(session, scope)
    weeks = [start - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    marks = [counting.mark_at(session, w) for w in [*weeks, start + timedelta(weeks=1)]]
    return Summary(
        week_start=start, aspirations_week=counting.totals(session, scope, week).aspirations,
        aspirations_all=total.aspirations, residents_all=total.residents, clusters_all=total.clusters,
        supporters_all=counting.supporter_total(session, scope),
        new=top_rows(session, config, forums, now, among=counting.new_clusters_query(scope, week)),
        growing=top_rows(session, config, forums, now, growing=True),
        overdue=len(counting.overdue_ids(session, config, scope, now)), answered=len(answered),
        answered_share=len(answered) / total.clusters if total.clusters else 0.0,
        median_days=counting.median_days_to_answer(session, scope),
        per_week=list(zip(weeks, counting.aspirations_per_period(session, scope, marks), strict=True)),
        per_category=[(c or counting.UNKNOWN, n) for c, n in counting.aspirations_per_category(session, scope)],
        per_kelurahan=counting.aspirations_per_kelurahan(session, scope),
        loop=counting.satisfaction(session, scope),
    )


def per_kelurahan(rows: list[ClusterRow]) -> Counter[str]:
    """Aspirations per their own kelurahan (they add up to the aspirations)."""
    total: Counter[str] = Counter()
    for row in rows:
        total.update(row.places)
    return total


@dataclass(frozen=True)
class Member:
    """One aspiration of a cluster as staff see it."""

    code: str
    label: str  # "Warga 83 · Lok Tuan"
    kelurahan: str
    text: str  # redacted
    at: datetime


def members(session: Session, cluster: Cluster) -> list[Member]:
    """The cluster's submitted aspirations, oldest first, with pseudonyms and redacted texts only."""
    rows = session.exec(
        select(Proposal, Resident).join(Resident, col(Resident.id) == col(Proposal.resident_id), isouter=True)
        .where(Proposal.cluster_id == cluster.id, Proposal.state == ProposalState.SUBMITTED)
        .order_by(col(Proposal.submitted_at), col(Proposal.id))).all()
    return [Member(code=p.code or "", label=resident_label(r, p.kelurahan), kelurahan=p.kelurahan or "",
                   text=redact(p.text_redacted), at=p.submitted_at or p.created_at) for p, r in rows]


def supporters_per_week(session: Session, cluster: Cluster, tz: ZoneInfo) -> list[tuple[datetime, int]]:
    """New supporters per week, from the first week to this one."""
    joined = session.exec(select(Support.created_at).where(Support.cluster_id == cluster.id)).all()
    counts = Counter(week_start(moment, tz) for moment in joined)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    weeks, week = [], first
    while week <= last:
        weeks.append((week, counts.get(week, 0)))
        week = week_start(week + timedelta(days=7, hours=12), tz)
    return weeks[-26:]


def audit_trail(session: Session, cluster: Cluster) -> list[AuditEntry]:
    """Every audited action on the cluster, oldest first."""
    return list(session.exec(select(AuditEntry).where(AuditEntry.target == f"cluster:{cluster.code}")
                             .order_by(col(AuditEntry.at), col(AuditEntry.id))).all())


def change_summary(entry: AuditEntry, config: AppConfig, status_label: Any) -> str:
    """A short "before → after" of an audited change, in the words people read."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in ("status", "title", "category", "hidden", "absorbed", "cluster", "merged_into_id",
                        "home_forum_id") if k in after or k in before]
    parts = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key == "status":
            old, new = status_label(old) if old else old, status_label(new) if new else new
        if key == "category":
            old, new = _category(config, old), _category(config, new)
        parts.append(f"{old} → {new}" if old is not None and new is not None else str(new if new is not None else old))
    return redact("; ".join(parts))  # titles in audit values are redacted already; this makes sure


def _category(config: AppConfig, code: Any) -> Any:
    category = config.categories.get(str(code)) if code else None
    return category.label if category else code
