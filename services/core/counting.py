"""One definition per number: every figure the digest, the web page, /statistik, `aspirasi stats` and the exports show.

The definitions, the same on every screen:
- A counted aspiration is a submitted one in a counted cluster; a counted cluster is neither hidden nor merged
  away and has counted aspirations. Drafts, held, hidden and cancelled aspirations never count.
- A cluster belongs to its home forum (for a cluster from before homes: its first aspiration's forum); a
  forum's figures are its clusters' figures, wherever their residents live.
- Residents: distinct senders of counted aspirations. Supporters: one per resident and counted cluster, so
  the clusters' supporters add up to the supporters figure.
- Aspirations per kelurahan: by the aspiration's own kelurahan (the place its text names, else where its
  sender lived when sending it); they add up to the aspirations. Supporters per kelurahan ("pendukung dari"):
  by where each supporter lives now (their current kelurahan; "-" when unknown), each supporter once, so they
  add up to the supporters beside them. A resident who moved counts once, at their new kelurahan.
- Per category: aspirations by their cluster's category (the moderator's when set); a member never shows
  another one.
- Photos and pins ("📷 2 · 📍 1"): a cluster's counted aspirations that carry a photo, and those that carry a
  location pin.
- Answered: counted clusters with a staff answer. Overdue: services.deadlines.
- Closing the loop (`satisfaction`): each asked resident's latest answer to "is it solved?", one 👍/👎 per
  resident and cluster, clusters reopened by a "Belum" majority, days to the first `selesai`.
- Periods are marks in committed order (models.sequences): (after, upto]. New aspirations by their own mark,
  new clusters by the cluster's, supporters added by the support's; never by comparing timestamps of
  different rows. A moment becomes a mark with `mark_at`.

Everything is SQL aggregates: the web page filters, sorts, counts and pages clusters in SQL (`figures_query`).
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, distinct, literal
from sqlalchemy import select as sa_select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from models.attachments import Counts
from models.clusters import Cluster, ClusterStatus, Support
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from models.satisfaction import AnswerRating, SatisfactionAsk, SatisfactionRound
from models.sequences import CommitMark, committed_mark, mark_at
from services.core.config import AppConfig
from services.core.deadlines import overdue_condition
from services.core.vulnerable import AID_CATEGORY, FACETS, cluster_labels

UNKNOWN = "-"  # the kelurahan or category of a spread when there is none

__all__ = [
    "UNKNOWN",
    "ClusterFigures",
    "Period",
    "Satisfaction",
    "Scope",
    "Totals",
    "answered_ids",
    "aspiration_places",
    "aspirations_per_category",
    "aspirations_per_kelurahan",
    "aspirations_per_period",
    "aspirations_per_week",
    "attachment_counts",
    "cluster_figures",
    "clusters_per_status",
    "committed_mark",
    "counted_aspirations",
    "counted_ids",
    "figures_of",
    "figures_query",
    "mark_at",
    "median_days_to_answer",
    "median_days_to_solved",
    "new_cluster_ids",
    "new_clusters_query",
    "overdue_ids",
    "overdue_query",
    "satisfaction",
    "satisfaction_per_cluster",
    "supporter_places",
    "supporter_total",
    "totals",
]


@dataclass(frozen=True)
class Period:
    """Transactions after `after` up to and including `upto`, in committed order."""

    after: int
    upto: int

    def holds(self, seq: Any) -> ColumnElement[bool]:
        """A mark column within the period (a row from before marks counts as 0)."""
        mark = func.coalesce(seq, 0)
        return (mark > self.after) & (mark <= self.upto)


@dataclass(frozen=True)
class Scope:
    """Which clusters count: of these home forums (None: all), these ids (None: all); aspirations from a mark on."""

    forums: frozenset[str] | None = None
    cluster_ids: frozenset[int] | None = None
    since: int = 0  # only aspirations of transactions after this mark (an export "since" a day)


@dataclass(frozen=True)
class Totals:
    """Counted aspirations, their distinct senders and their clusters."""

    aspirations: int
    residents: int
    clusters: int


@dataclass(frozen=True)
class ClusterFigures:
    """One counted cluster's numbers."""

    id: int
    aspirations: int
    residents: int
    supporters: int  # up to the period's end
    added: int  # supporters added in the period
    previous: int  # supporters added in the period before
    first_at: datetime  # its first counted aspiration (when it was sent)
    last_at: datetime


def home_forum() -> Any:
    """The (joined) cluster's home forum: its own, or for a cluster from before homes, its first aspiration's."""
    first = (select(Proposal.forum_id).where(Proposal.cluster_id == Cluster.id)
             .order_by(col(Proposal.id)).limit(1).correlate(Cluster).scalar_subquery())
    return func.coalesce(Cluster.home_forum_id, first)


def counted_aspirations(query: Any, scope: Scope, period: Period | None = None) -> Any:
    """Restrict a query over Proposal to the counted aspirations of the scope (and period)."""
    query = query.join(Cluster, col(Cluster.id) == col(Proposal.cluster_id)).where(
        Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
        col(Cluster.merged_into_id).is_(None))
    if scope.forums is not None:
        query = query.where(home_forum().in_(sorted(scope.forums)))
    if scope.cluster_ids is not None:
        query = query.where(col(Cluster.id).in_(sorted(scope.cluster_ids)))
    if scope.since:
        query = query.where(func.coalesce(Proposal.seq, 0) > scope.since)
    if period is not None:
        query = query.where(period.holds(Proposal.seq))
    return query


def counted_ids(scope: Scope, period: Period | None = None) -> SelectOfScalar[int | None]:
    """The ids of the counted clusters (with aspirations in the period, when given), as a subquery."""
    query: SelectOfScalar[int | None] = counted_aspirations(select(Proposal.cluster_id), scope, period).distinct()
    return query


def totals(session: Session, scope: Scope, period: Period | None = None) -> Totals:
    """Aspirations, residents and clusters (of the period's aspirations, when given)."""
    query = select(func.count(col(Proposal.id)), func.count(distinct(col(Proposal.resident_id))),
                   func.count(distinct(col(Proposal.cluster_id))))
    row = session.exec(counted_aspirations(query, scope, period)).one()
    return Totals(int(row[0]), int(row[1]), int(row[2]))


def new_cluster_ids(session: Session, scope: Scope, period: Period) -> set[int]:
    """Counted clusters created in the period."""
    return {int(i) for i in session.exec(new_clusters_query(scope, period)).all() if i is not None}


def new_clusters_query(scope: Scope, period: Period) -> SelectOfScalar[int | None]:
    """The ids of `new_cluster_ids`, as a subquery."""
    query: SelectOfScalar[int | None] = select(col(Cluster.id)).where(col(Cluster.id).in_(counted_ids(scope)),
                                                                 period.holds(Cluster.seq))
    return query


def supporter_total(session: Session, scope: Scope, upto: int | None = None) -> int:
    """Supporters of the counted clusters (one per resident and cluster), up to a mark."""
    query = select(func.count(col(Support.id))).where(col(Support.cluster_id).in_(counted_ids(scope)))
    if upto is not None:
        query = query.where(func.coalesce(Support.seq, 0) <= upto)
    return int(session.exec(query).one())


def _count_if(condition: ColumnElement[bool]) -> Any:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def figures_query(scope: Scope, period: Period | None = None, previous: Period | None = None) -> Any:
    """`cluster_figures` as one SQL query (columns id, aspirations, residents, first_at, last_at, supporters,
    added, previous), so pages can filter, sort, count and page the clusters in SQL."""
    upto = period.upto if period is not None else None
    members = counted_aspirations(
        sa_select(col(Proposal.cluster_id).label("id"), func.count(col(Proposal.id)).label("aspirations"),
               func.count(distinct(col(Proposal.resident_id))).label("residents"),
               func.min(Proposal.submitted_at).label("first_at"), func.max(Proposal.submitted_at).label("last_at")),
        scope).group_by(col(Proposal.cluster_id)).subquery()
    supporters = func.count(col(Support.id)) if upto is None else _count_if(func.coalesce(Support.seq, 0) <= upto)
    backing = sa_select(col(Support.cluster_id).label("id"), supporters.label("supporters"),
                     (_count_if(period.holds(Support.seq)) if period is not None else literal(0)).label("added"),
                     (_count_if(previous.holds(Support.seq)) if previous is not None else literal(0)).label("previous"),
                     ).where(col(Support.cluster_id).in_(counted_ids(scope))).group_by(col(Support.cluster_id)).subquery()
    return (sa_select(members.c.id, members.c.aspirations, members.c.residents, members.c.first_at, members.c.last_at,
                   func.coalesce(backing.c.supporters, 0).label("supporters"),
                   func.coalesce(backing.c.added, 0).label("added"),
                   func.coalesce(backing.c.previous, 0).label("previous"))
            .select_from(members).outerjoin(backing, backing.c.id == members.c.id)
            .where(members.c.first_at.is_not(None), members.c.last_at.is_not(None)))


def cluster_figures(session: Session, scope: Scope, period: Period | None = None,
                    previous: Period | None = None) -> dict[int, ClusterFigures]:
    """Every counted cluster's aspirations, residents, supporters (to the period's end) and supporters added."""
    return {int(row.id): figures_of(row) for row in session.execute(figures_query(scope, period, previous)).all()
            if row.id is not None}


def figures_of(row: Any) -> ClusterFigures:
    """A row of `figures_query` as ClusterFigures."""
    return ClusterFigures(int(row.id), int(row.aspirations), int(row.residents), int(row.supporters), int(row.added),
                          int(row.previous), _aware(row.first_at), _aware(row.last_at))


def supporter_places(session: Session, cluster_ids: set[int], upto: int | None = None
                     ) -> dict[int, list[tuple[str, int]]]:
    """Where each cluster's supporters live now, most first (each supporter once: it adds up to the supporters)."""
    place = func.coalesce(Resident.kelurahan, UNKNOWN)
    n = func.count(col(Support.id))
    query = (select(Support.cluster_id, place, n).join(Resident, col(Resident.id) == col(Support.resident_id))
             .where(col(Support.cluster_id).in_(sorted(cluster_ids))))
    if upto is not None:
        query = query.where(func.coalesce(Support.seq, 0) <= upto)
    spreads: dict[int, list[tuple[str, int]]] = {}
    for cid, name, count in session.exec(query.group_by(col(Support.cluster_id), place)
                                         .order_by(n.desc(), place)).all():
        spreads.setdefault(int(cid), []).append((str(name), int(count)))
    return spreads


def attachment_counts(session: Session, scope: Scope) -> dict[int, Counts]:
    """Each counted cluster's photos and location pins (its counted aspirations with one); without either: left out."""
    rows = session.exec(counted_aspirations(
        select(Proposal.cluster_id, func.count(col(Proposal.photo_file_id)), func.count(col(Proposal.latitude))),
        scope).group_by(col(Proposal.cluster_id))).all()
    return {int(cid): Counts(int(photos), int(pins)) for cid, photos, pins in rows
            if cid is not None and (photos or pins)}


def aspirations_per_kelurahan(session: Session, scope: Scope, period: Period | None = None) -> list[tuple[str, int]]:
    """Counted aspirations by their own kelurahan, most first (they add up to the aspirations)."""
    place = func.coalesce(Proposal.kelurahan, UNKNOWN)
    n = func.count(col(Proposal.id))
    rows = session.exec(counted_aspirations(select(place, n), scope, period).group_by(place)
                        .order_by(n.desc(), place)).all()
    return [(str(name), int(count)) for name, count in rows]


def aspirations_per_category(session: Session, scope: Scope, period: Period | None = None
                             ) -> list[tuple[str | None, int]]:
    """Counted aspirations by their cluster's category, most first (None: no category)."""
    n = func.count(col(Proposal.id))
    rows = session.exec(counted_aspirations(select(Cluster.category, n), scope, period).group_by(col(Cluster.category))
                        .order_by(n.desc(), col(Cluster.category))).all()
    return [(category, int(count)) for category, count in rows]


def clusters_per_status(session: Session, scope: Scope) -> Counter[str]:
    """Counted clusters by status."""
    rows = session.exec(select(Cluster.status, func.count(col(Cluster.id)))
                        .where(col(Cluster.id).in_(counted_ids(scope))).group_by(col(Cluster.status))).all()
    return Counter({str(status): int(n) for status, n in rows})


def answered_ids(session: Session, scope: Scope) -> dict[int, datetime]:
    """Counted clusters with a staff answer, and when the first came."""
    rows = session.exec(select(Cluster.id, Cluster.first_answer_at).where(
        col(Cluster.id).in_(counted_ids(scope)), col(Cluster.first_answer_at).is_not(None))).all()
    return {int(cid): _aware(at) for cid, at in rows if cid is not None and at is not None}


def aspiration_places(session: Session, scope: Scope) -> dict[int, list[tuple[str, int]]]:
    """Each counted cluster's aspirations by their own kelurahan, most first (they add up to its aspirations)."""
    place = func.coalesce(Proposal.kelurahan, UNKNOWN)
    n = func.count(col(Proposal.id))
    spreads: dict[int, list[tuple[str, int]]] = {}
    for cid, name, count in session.exec(counted_aspirations(select(Proposal.cluster_id, place, n), scope)
                                         .group_by(col(Proposal.cluster_id), place).order_by(n.desc(), place)).all():
        spreads.setdefault(int(cid), []).append((str(name), int(count)))
    return spreads


def overdue_ids(session: Session, config: AppConfig, scope: Scope, now: datetime) -> set[int]:
    """Counted clusters still waiting for a staff answer past the deadline (services.core.deadlines)."""
    return {int(i) for i in session.exec(overdue_query(config, scope, now)).all() if i is not None}


def overdue_query(config: AppConfig, scope: Scope, now: datetime) -> SelectOfScalar[int | None]:
    """The ids of `overdue_ids`, as a subquery."""
    first = func.min(Proposal.submitted_at)
    query: SelectOfScalar[int | None] = (
        select(col(Cluster.id)).join(Proposal, col(Proposal.cluster_id) == col(Cluster.id))
        .where(col(Cluster.id).in_(counted_ids(scope)), Proposal.state == ProposalState.SUBMITTED,
               col(Proposal.submitted_at).is_not(None))
        .group_by(col(Cluster.id)).having(overdue_condition(first, now, config=config)))
    return query


def median_days_to_answer(session: Session, scope: Scope) -> float | None:
    """The median days from a counted cluster's first aspiration to its first staff answer (None: none yet)."""
    answered = answered_ids(session, scope)
    if not answered:
        return None
    firsts = cluster_figures(session, Scope(scope.forums, frozenset(answered), scope.since))
    waits = [max(0.0, (at - firsts[cid].first_at).total_seconds() / 86400)
             for cid, at in answered.items() if cid in firsts]
    return round(statistics.median(waits), 1) if waits else None


def aspirations_per_week(session: Session, scope: Scope, tz: ZoneInfo) -> list[tuple[date, int]]:
    """Counted aspirations per week (the Monday, in the city's zone) of the transaction that made them count."""
    n = func.count(col(Proposal.id))
    rows = session.exec(counted_aspirations(select(CommitMark.at, n), scope)
                        .join(CommitMark, col(CommitMark.seq) == col(Proposal.seq)).group_by(col(CommitMark.at))).all()
    weeks: Counter[date] = Counter()
    for at, count in rows:
        local = _aware(at).astimezone(tz).date()
        weeks[local - timedelta(days=local.weekday())] += int(count)
    return sorted(weeks.items())


def aspirations_per_period(session: Session, scope: Scope, marks: list[int]) -> list[int]:
    """Counted aspirations in each period between consecutive marks, (marks[i], marks[i + 1]], in one query
    (the weeks of Ringkasan: the marks of their starts, as `mark_at` gives them)."""
    if len(marks) < 2:
        return []
    mark = func.coalesce(Proposal.seq, 0)
    bucket = case(*((mark <= upto, i) for i, upto in enumerate(marks[1:])), else_=-1)
    rows = session.exec(counted_aspirations(select(bucket, func.count(col(Proposal.id))), scope,
                                            Period(marks[0], marks[-1])).group_by(bucket)).all()
    found = {int(i): int(n) for i, n in rows}
    return [found.get(i, 0) for i in range(len(marks) - 1)]


# Vulnerable groups and social aid (services.core.vulnerable): an aspiration counts under every group (aid problem)
# its cluster carries, so the per-group figures do not add up to the aspirations; a cluster without any
# counts under none. Aid problems only for clusters of the social-aid category.


@dataclass(frozen=True)
class AidRow:
    """Social-aid requests of one kelurahan (the aspiration's own) and problem kind."""

    kelurahan: str
    kind: str
    aspirations: int
    residents: int
    clusters: int


def _per_label(session: Session, scope: Scope, period: Period | None, facet: str) -> list[tuple[str, int]]:
    """Counted aspirations by one facet of their cluster's labels, in the facet's order (none left out)."""
    n = func.count(col(Proposal.id))
    per_cluster = {int(cid): int(k) for cid, k in session.exec(counted_aspirations(
        select(Proposal.cluster_id, n), scope, period).group_by(col(Proposal.cluster_id))).all() if cid is not None}
    found: Counter[str] = Counter()
    for cid, labels in cluster_labels(session, per_cluster).items():
        found.update({value: per_cluster[cid] for value in labels.of(facet)})
    return [(value, found[value]) for value in FACETS[facet] if found[value]]


def aspirations_per_group(session: Session, scope: Scope, period: Period | None = None) -> list[tuple[str, int]]:
    """Counted aspirations (of the period) by the vulnerable groups their cluster concerns."""
    return _per_label(session, scope, period, "kelompok")


def aspirations_per_aid_kind(session: Session, scope: Scope, period: Period | None = None
                             ) -> list[tuple[str, int]]:
    """Counted social-aid aspirations (of the period) by the kind of aid problem their cluster is."""
    return _per_label(session, scope, period, "masalah")


def _aid_members(session: Session, scope: Scope) -> list[tuple[int, str, int | None, int | None]]:
    """(cluster, own kelurahan, resident, mark) of every counted aspiration in a social-aid cluster."""
    query = counted_aspirations(select(Proposal.cluster_id, func.coalesce(Proposal.kelurahan, UNKNOWN),
                                       Proposal.resident_id, Proposal.seq), scope)
    return [(int(c), str(k), r, s) for c, k, r, s in session.exec(
        query.where(Cluster.category == AID_CATEGORY)).all() if c is not None]


def aid_spread(session: Session, scope: Scope) -> list[AidRow]:
    """Social-aid aspirations, residents and clusters per kelurahan and problem kind, most aspirations first."""
    members = _aid_members(session, scope)
    labels = cluster_labels(session, {m[0] for m in members})
    rows: dict[tuple[str, str], tuple[int, set[int | None], set[int]]] = {}
    for cid, place, resident, _ in members:
        for kind in labels[cid].aid_kinds or (UNKNOWN,):
            n, residents, clusters = rows.get((place, kind), (0, set(), set()))
            rows[(place, kind)] = (n + 1, residents | {resident}, clusters | {cid})
    out = [AidRow(place, kind, n, len(r), len(c)) for (place, kind), (n, r, c) in rows.items()]
    return sorted(out, key=lambda row: (-row.aspirations, row.kelurahan, row.kind))


def aid_per_week(session: Session, scope: Scope, tz: ZoneInfo) -> list[tuple[date, str, int]]:
    """Social-aid aspirations per week (the Monday, in the city's zone, of their mark) and problem kind."""
    members = _aid_members(session, scope)
    labels = cluster_labels(session, {m[0] for m in members})
    marks = {int(seq): _aware(at) for seq, at in session.exec(select(CommitMark.seq, CommitMark.at).where(
        col(CommitMark.seq).in_(sorted({m[3] for m in members if m[3] is not None})))).all()}
    weeks: Counter[tuple[date, str]] = Counter()
    for cid, _, _, seq in members:
        if seq is not None and seq in marks:
            local = marks[seq].astimezone(tz).date()
            week = local - timedelta(days=local.weekday())
            weeks.update((week, kind) for kind in labels[cid].aid_kinds or (UNKNOWN,))
    return sorted((week, kind, n) for (week, kind), n in weeks.items())
@dataclass(frozen=True)
class Satisfaction:
    """Closing the loop over counted clusters: residents' answers to "is it solved?" (each resident's latest),
    clusters a "Belum" majority reopened, 👍/👎 on staff answers (one per resident and cluster), and the median
    days from a cluster's first aspiration to the first time staff set it `selesai`."""

    answered: int
    sudah: int
    belum: int
    sebagian: int
    reopened: int
    up: int
    down: int
    median_days_to_solved: float | None

    @property
    def solved_share(self) -> float | None:
        """The share of answers saying "Sudah" (None: no answers)."""
        return self.sudah / self.answered if self.answered else None


def satisfaction_per_cluster(session: Session, scope: Scope) -> dict[int, Counter[str]]:
    """Each counted cluster's answers by verdict, ratings ("up", "down") and "reopened" rounds."""
    counted = counted_ids(scope)
    figures: dict[int, Counter[str]] = {}
    for cid, verdict, n in session.exec(
            select(SatisfactionAsk.cluster_id, SatisfactionAsk.verdict, func.count(col(SatisfactionAsk.id)))
            .where(col(SatisfactionAsk.cluster_id).in_(counted), col(SatisfactionAsk.verdict).is_not(None))
            .group_by(col(SatisfactionAsk.cluster_id), col(SatisfactionAsk.verdict))).all():
        figures.setdefault(int(cid), Counter())[str(verdict)] += int(n)
    for cid, value, n in session.exec(
            select(AnswerRating.cluster_id, AnswerRating.value, func.count(col(AnswerRating.id)))
            .where(col(AnswerRating.cluster_id).in_(counted))
            .group_by(col(AnswerRating.cluster_id), col(AnswerRating.value))).all():
        figures.setdefault(int(cid), Counter())["up" if int(value) > 0 else "down"] += int(n)
    for cid, n in session.exec(
            select(SatisfactionRound.cluster_id, func.count(col(SatisfactionRound.id)))
            .where(col(SatisfactionRound.cluster_id).in_(counted), col(SatisfactionRound.reopened_at).is_not(None))
            .group_by(col(SatisfactionRound.cluster_id))).all():
        figures.setdefault(int(cid), Counter())["reopened"] += int(n)
    return figures


def median_days_to_solved(session: Session, scope: Scope) -> float | None:
    """The median days from a counted cluster's first aspiration to the first time staff set it `selesai`."""
    rows = session.exec(select(SatisfactionRound.cluster_id, func.min(SatisfactionRound.started_at))
                        .where(col(SatisfactionRound.cluster_id).in_(counted_ids(scope)),
                               col(SatisfactionRound.status) == ClusterStatus.SELESAI)
                        .group_by(col(SatisfactionRound.cluster_id))).all()
    solved = {int(cid): _aware(at) for cid, at in rows if at is not None}
    if not solved:
        return None
    firsts = cluster_figures(session, Scope(scope.forums, frozenset(solved), scope.since))
    days = [max(0.0, (at - firsts[cid].first_at).total_seconds() / 86400)
            for cid, at in solved.items() if cid in firsts]
    return round(statistics.median(days), 1) if days else None


def satisfaction(session: Session, scope: Scope) -> Satisfaction:
    """The closing-the-loop figures of the counted clusters (sums of satisfaction_per_cluster)."""
    total: Counter[str] = Counter()
    reopened = 0
    for figures in satisfaction_per_cluster(session, scope).values():
        total.update(figures)
        reopened += int(figures["reopened"] > 0)
    answered = total["sudah"] + total["belum"] + total["sebagian"]
    return Satisfaction(answered=answered, sudah=total["sudah"], belum=total["belum"], sebagian=total["sebagian"],
                        reopened=reopened, up=total["up"], down=total["down"],
                        median_days_to_solved=median_days_to_solved(session, scope))


def _aware(moment: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite: parse strings and treat naive values as UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
