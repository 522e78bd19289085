"""What the pages show, read from the database: one row per visible cluster, filtered and sorted in memory.

A cluster belongs to its home forum: moderators see their forums' clusters, staff and admins all. Only
submitted proposals of visible, not-merged clusters count (as in digests and exports).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import type_coerce
from sqlmodel import Session, col, func, select

from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.types import UTCDateTime
from services.config import AppConfig
from services.deadlines import overdue_clusters

GROWTH_DAYS = 7
PAGE_SIZE = 25
PERIODS = (7, 30, 90, 365)
SORTS = ("pendukung", "pertumbuhan", "terbaru", "terlama")


@dataclass
class ClusterRow:
    """A cluster as the list, the summary and the exports see it."""

    cluster: Cluster
    places: Counter[str] = field(default_factory=Counter)  # aspirations per kelurahan
    dates: list[datetime] = field(default_factory=list)  # submission times of its aspirations
    residents: set[int] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # its members' redacted texts, for the search
    supporters: int = 0
    growth: int = 0  # supporters who joined in the last GROWTH_DAYS days
    overdue: bool = False

    @property
    def first(self) -> datetime:
        """When its first aspiration arrived."""
        return min(self.dates)

    @property
    def id(self) -> int:
        """The cluster's id."""
        assert self.cluster.id is not None
        return self.cluster.id


@dataclass(frozen=True)
class Filters:
    """The list's filters, exactly as they stand in the URL."""

    forum: str = ""
    kelurahan: str = ""
    kategori: str = ""
    status: str = ""
    terlambat: bool = False
    periode: int = 0  # days; 0 is all time
    q: str = ""
    urut: str = "pendukung"
    hal: int = 1


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def load_rows(*, session: Session, config: AppConfig, forums: frozenset[str] | None, now: datetime) -> list[ClusterRow]:
    """Every visible cluster with members (of the given home forums; None is all)."""
    query = select(Cluster).where(col(Cluster.hidden).is_(False), col(Cluster.merged_into_id).is_(None))
    if forums is not None:
        query = query.where(col(Cluster.home_forum_id).in_(forums))
    rows = {c.id: ClusterRow(c) for c in session.exec(query).all() if c.id is not None}
    sent = type_coerce(func.coalesce(Proposal.submitted_at, Proposal.created_at), UTCDateTime)  # read as UTC
    members = session.exec(
        select(Proposal.cluster_id, Proposal.kelurahan, sent, Proposal.resident_id)
        .where(Proposal.state == ProposalState.SUBMITTED, col(Proposal.cluster_id).in_(rows))).all()
    for cluster_id, kelurahan, when, resident_id in members:
        if cluster_id is None:  # never: the filter keeps these clusters' members only
            continue
        row = rows[cluster_id]
        row.dates.append(_aware(when))
        if kelurahan:
            row.places[kelurahan] += 1
        if resident_id is not None:
            row.residents.add(resident_id)
    for cluster_id, text in session.exec(select(Proposal.cluster_id, Proposal.text_redacted).where(
            Proposal.state == ProposalState.SUBMITTED, col(Proposal.cluster_id).in_(rows))).all():
        if cluster_id is not None:
            rows[cluster_id].texts.append(text)
    recent = now - timedelta(days=GROWTH_DAYS)
    for cluster_id, joined in session.exec(
            select(Support.cluster_id, Support.created_at).where(col(Support.cluster_id).in_(rows))).all():
        rows[cluster_id].supporters += 1
        rows[cluster_id].growth += _aware(joined) >= recent
    late = {o.cluster_id for o in overdue_clusters(session=session, config=config, now=now)}
    for row in rows.values():
        row.overdue = row.id in late
    return [row for row in rows.values() if row.dates]


def _matches(row: ClusterRow, filters: Filters, config: AppConfig, now: datetime) -> bool:
    """Tell whether a row passes every filter."""
    cluster = row.cluster
    checks = (
        not filters.forum or cluster.home_forum_id == filters.forum,
        not filters.kelurahan or filters.kelurahan in row.places,
        not filters.kategori or cluster.category == filters.kategori,
        not filters.status or cluster.status == filters.status,
        not filters.terlambat or row.overdue,
        not filters.periode or max(row.dates) >= now - timedelta(days=filters.periode),
    )
    if not all(checks):
        return False
    words = filters.q.lower().split()
    haystack = " ".join([cluster.code or "", cluster.title, cluster.keywords, *row.texts]).lower()
    return all(word in haystack for word in words)


def apply_filters(rows: list[ClusterRow], filters: Filters, config: AppConfig, now: datetime) -> list[ClusterRow]:
    """The rows a filter selects, in the chosen order."""
    chosen = [row for row in rows if _matches(row, filters, config, now)]
    orders = {
        "pendukung": lambda r: (-r.supporters, r.id),
        "pertumbuhan": lambda r: (-r.growth, -r.supporters, r.id),
        "terbaru": lambda r: (-r.first.timestamp(), r.id),
        "terlama": lambda r: (r.first.timestamp(), r.id),
    }
    return sorted(chosen, key=orders.get(filters.urut, orders["pendukung"]))


def page_of(rows: list[ClusterRow], page: int) -> tuple[list[ClusterRow], int]:
    """One page of rows and the number of pages."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], pages
