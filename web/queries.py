"""What the pages show, read through services.core.counting: clusters filtered, sorted, counted and paged in SQL,
then the figures of the rows shown.

A cluster belongs to its home forum: moderators see their forums' clusters, staff and admins all. The figures
are the ones every screen shows (services.core.counting has the definitions). Two filters read the members'
texts and so run in Python over the clusters the SQL filters leave: the kelurahan of the work (`lokasi`,
services.reports.musrenbang) and the vulnerable groups (`rentan`, services.core.vulnerable).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from services.answers.attachments import Counts, badge
from services.core import counting
from services.core.config import AppConfig
from services.core.counting import Period, Scope
from services.core.vulnerable import cluster_labels
from services.reports.musrenbang import work_places

GROWTH_DAYS = 7
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_SIZE = 25
PERIODS = (7, 30, 90, 365)
SORTS = ("pendukung", "pertumbuhan", "terbaru", "terlama")
MEANINGS = ("lokasi", "pendukung")  # the kelurahan filter: where the work is, or where supporters live
TOP = 10  # clusters in each of Ringkasan's lists


@dataclass
class ClusterRow:
    """A cluster as the list and the summary see it (its numbers from services.core.counting)."""

    cluster: Cluster
    aspirations: int = 0
    residents: int = 0
    supporters: int = 0
    growth: int = 0  # supporters who joined in the last GROWTH_DAYS days
    first: datetime = EPOCH  # its first counted aspiration
    last: datetime = EPOCH  # its latest one
    supporter_places: list[tuple[str, int]] = field(default_factory=list)  # where supporters live, adds up
    places: Counter[str] = field(default_factory=Counter)  # aspirations per their own kelurahan
    work_place: str = ""  # the kelurahan of the work: texts, else pins, else home (services.reports.musrenbang)
    overdue: bool = False
    groups: tuple[str, ...] = ()  # the vulnerable groups it concerns (services.core.vulnerable)
    aid_kinds: tuple[str, ...] = ()  # its social-aid problem kinds
    attached: Counts = field(default_factory=Counts)  # its photos and location pins

    @property
    def badge(self) -> str:
        """"📷 2 · 📍 1", as the digest and the staff card show it ("" without either)."""
        return badge(self.attached)

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
    arti: str = "lokasi"  # what the kelurahan filter means: "lokasi" (where the work is) or "pendukung"
    kategori: str = ""
    status: str = ""
    terlambat: bool = False
    periode: int = 0  # days; 0 is all time
    rentan: str = ""  # a vulnerable group the cluster concerns
    q: str = ""
    urut: str = "pendukung"
    hal: int = 1


def recent_period(session: Session, now: datetime) -> Period:
    """The last GROWTH_DAYS days, in committed order (the rows' growth)."""
    return Period(counting.mark_at(session, now - timedelta(days=GROWTH_DAYS)), counting.committed_mark(session))


def load_rows(*, session: Session, config: AppConfig, forums: frozenset[str] | None, now: datetime) -> list[ClusterRow]:
    """Every counted cluster (of the given home forums; None is all) with its figures."""
    return rows_of(session, config, forums, None, now)


def rows_of(session: Session, config: AppConfig, forums: frozenset[str] | None, ids: Sequence[int] | None,
            now: datetime) -> list[ClusterRow]:
    """The rows of these counted clusters (None: all), in this order, with their figures."""
    scope = Scope(forums=forums, cluster_ids=None if ids is None else frozenset(ids))
    figures = counting.cluster_figures(session, scope, recent_period(session, now))
    order = list(figures) if ids is None else [i for i in ids if i in figures]
    clusters = {c.id: c for c in session.exec(select(Cluster).where(col(Cluster.id).in_(order))).all()}
    spreads = counting.supporter_places(session, set(order))
    places = counting.aspiration_places(session, scope)
    work = work_places(session=session, config=config, cluster_ids=set(order))
    late = counting.overdue_ids(session, config, scope, now)
    labels = cluster_labels(session, order)
    attached = counting.attachment_counts(session, scope)
    return [ClusterRow(clusters[cid], aspirations=f.aspirations, residents=f.residents, supporters=f.supporters,
                       growth=f.added, first=f.first_at, last=f.last_at, supporter_places=spreads.get(cid, []),
                       places=Counter(dict(places.get(cid, []))), work_place=work.get(cid, ""),
                       overdue=cid in late, groups=labels[cid].groups, aid_kinds=labels[cid].aid_kinds,
                       attached=attached.get(cid, Counts()))
            for cid, f in ((cid, figures[cid]) for cid in order)]


def _selected(session: Session, config: AppConfig, forums: frozenset[str] | None, filters: Filters, now: datetime,
              *, figures_needed: bool = True) -> tuple[Any, Any]:
    """(query of the chosen clusters' ids, its figures subquery): every filter that SQL can answer. Without
    `figures_needed` (to count them), the figures are joined only when a filter reads one."""
    scope = Scope(forums=forums)
    if not figures_needed and not filters.periode:
        figures, query = None, select(col(Cluster.id)).where(col(Cluster.id).in_(counting.counted_ids(scope)))
    else:
        figures = counting.figures_query(scope, recent_period(session, now)).subquery()
        query = select(figures.c.id).join(Cluster, col(Cluster.id) == figures.c.id)
    if filters.forum:
        query = query.where(Cluster.home_forum_id == filters.forum)
    if filters.kelurahan and filters.arti == "pendukung":
        query = query.where(exists(select(Support.id).join(Resident, col(Resident.id) == col(Support.resident_id))
                                   .where(col(Support.cluster_id) == col(Cluster.id),
                                          func.coalesce(Resident.kelurahan, counting.UNKNOWN) == filters.kelurahan)))
    if filters.kategori:
        query = query.where(Cluster.category == filters.kategori)
    if filters.status:
        query = query.where(Cluster.status == filters.status)
    if filters.terlambat:
        query = query.where(col(Cluster.id).in_(counting.overdue_query(config, scope, now)))
    if filters.periode and figures is not None:
        query = query.where(figures.c.last_at >= now - timedelta(days=filters.periode))
    for word in filters.q.lower().split():
        query = query.where(or_(*(func.lower(field).contains(word, autoescape=True) for field in (
            func.coalesce(Cluster.code, ""), Cluster.title, Cluster.keywords)), exists(select(Proposal.id).where(
            col(Proposal.cluster_id) == col(Cluster.id), col(Proposal.state) == ProposalState.SUBMITTED,
            func.lower(Proposal.text_redacted).contains(word, autoescape=True)))))
    return query, figures


def _ordered(query: Any, figures: Any, urut: str) -> Any:
    """The query in the chosen order (ties by id)."""
    orders = {
        "pendukung": (figures.c.supporters.desc(), figures.c.id),
        "pertumbuhan": (figures.c.added.desc(), figures.c.supporters.desc(), figures.c.id),
        "terbaru": (figures.c.first_at.desc(), figures.c.id),
        "terlama": (figures.c.first_at, figures.c.id),
    }
    return query.order_by(*orders.get(urut, orders["pendukung"]))


def _in_python(filters: Filters) -> bool:
    """Whether a filter reads the members' texts (the kelurahan of the work, a vulnerable group)."""
    return bool(filters.rentan or (filters.kelurahan and filters.arti != "pendukung"))


def _text_filters(session: Session, config: AppConfig, ids: list[int], filters: Filters) -> list[int]:
    """The ids (kept in order) that pass the filters reading the members' texts."""
    if filters.kelurahan and filters.arti != "pendukung":
        work = work_places(session=session, config=config, cluster_ids=set(ids))
        ids = [i for i in ids if work.get(i, "") == filters.kelurahan]
    if filters.rentan:
        labels = cluster_labels(session, ids)
        ids = [i for i in ids if filters.rentan in labels[i].groups]
    return ids


def chosen_ids(session: Session, config: AppConfig, forums: frozenset[str] | None, filters: Filters,
               now: datetime) -> list[int]:
    """The ids of every cluster the filters choose, in the chosen order."""
    query, figures = _selected(session, config, forums, filters, now)
    ids = [int(i) for i in session.exec(_ordered(query, figures, filters.urut)).all()]
    return _text_filters(session, config, ids, filters) if _in_python(filters) else ids


def list_page(session: Session, config: AppConfig, forums: frozenset[str] | None, filters: Filters,
              now: datetime) -> tuple[list[ClusterRow], int, int]:
    """(the rows of the page asked for, how many clusters the filters choose, how many pages)."""
    if _in_python(filters):
        ids = chosen_ids(session, config, forums, filters, now)
        total = len(ids)
    else:
        counted, _ = _selected(session, config, forums, filters, now, figures_needed=False)
        total = int(session.exec(select(func.count()).select_from(counted.subquery())).one())
    pages = max(1, -(-total // PAGE_SIZE))
    start = (min(max(filters.hal, 1), pages) - 1) * PAGE_SIZE
    if _in_python(filters):
        shown = ids[start : start + PAGE_SIZE]
    else:
        query, figures = _selected(session, config, forums, filters, now)
        shown = [int(i) for i in session.exec(_ordered(query, figures, filters.urut).limit(PAGE_SIZE).offset(start))]
    return rows_of(session, config, forums, shown, now), total, pages


def top_rows(session: Session, config: AppConfig, forums: frozenset[str] | None, now: datetime, *,
             among: Any = None, growing: bool = False) -> list[ClusterRow]:
    """Ringkasan's lists: the TOP clusters by supporters (of `among`, a subquery of ids, when given), or the
    TOP that grew most in the last GROWTH_DAYS days (`growing`)."""
    query, figures = _selected(session, config, forums, Filters(), now)
    if among is not None:
        query = query.where(figures.c.id.in_(among))
    if growing:
        query = query.where(figures.c.added > 0).order_by(figures.c.added.desc(), figures.c.id)
    else:
        query = _ordered(query, figures, "pendukung")
    ids = [int(i) for i in session.exec(query.limit(TOP)).all()]
    return rows_of(session, config, forums, ids, now)
