"""What the pages show, read through services.core.counting: one row per counted cluster, filtered and sorted in memory.

A cluster belongs to its home forum: moderators see their forums' clusters, staff and admins all. The figures
are the ones every screen shows (services.core.counting has the definitions).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
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


@dataclass
class ClusterRow:
    """A cluster as the list and the summary see it (its numbers from services.core.counting)."""

    cluster: Cluster
    aspirations: int = 0
    residents: int = 0
    texts: list[str] = field(default_factory=list)  # its members' redacted texts, for the search
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


def load_rows(*, session: Session, config: AppConfig, forums: frozenset[str] | None, now: datetime) -> list[ClusterRow]:
    """Every counted cluster (of the given home forums; None is all) with its figures."""
    scope = Scope(forums=forums)
    recent = Period(counting.mark_at(session, now - timedelta(days=GROWTH_DAYS)), counting.committed_mark(session))
    figures = counting.cluster_figures(session, scope, recent)
    clusters = {c.id: c for c in session.exec(select(Cluster).where(col(Cluster.id).in_(list(figures)))).all()}
    spreads = counting.supporter_places(session, set(figures))
    places = counting.aspiration_places(session, scope)
    work = work_places(session=session, config=config, cluster_ids=set(figures))
    late = counting.overdue_ids(session, config, scope, now)
    labels = cluster_labels(session, figures)
    attached = counting.attachment_counts(session, scope)
    texts: dict[int, list[str]] = {}
    for cluster_id, text in session.exec(select(Proposal.cluster_id, Proposal.text_redacted).where(
            Proposal.state == ProposalState.SUBMITTED, col(Proposal.cluster_id).in_(list(figures)))).all():
        texts.setdefault(cluster_id or 0, []).append(text)
    return [ClusterRow(clusters[cid], aspirations=f.aspirations, residents=f.residents, supporters=f.supporters,
                       growth=f.added, first=f.first_at, last=f.last_at, supporter_places=spreads.get(cid, []),
                       places=Counter(dict(places.get(cid, []))), work_place=work.get(cid, ""),
                       overdue=cid in late, texts=texts.get(cid, []), groups=labels[cid].groups,
                       aid_kinds=labels[cid].aid_kinds, attached=attached.get(cid, Counts()))
            for cid, f in figures.items()]


def _matches(row: ClusterRow, filters: Filters, config: AppConfig, now: datetime) -> bool:
    """Tell whether a row passes every filter."""
    cluster = row.cluster
    checks = (
        not filters.forum or cluster.home_forum_id == filters.forum,
        not filters.kelurahan or _in_kelurahan(row, filters),
        not filters.kategori or cluster.category == filters.kategori,
        not filters.status or cluster.status == filters.status,
        not filters.terlambat or row.overdue,
        not filters.periode or row.last >= now - timedelta(days=filters.periode),
        not filters.rentan or filters.rentan in row.groups,
    )
    if not all(checks):
        return False
    words = filters.q.lower().split()
    haystack = " ".join([cluster.code or "", cluster.title, cluster.keywords, *row.texts]).lower()
    return all(word in haystack for word in words)


def _in_kelurahan(row: ClusterRow, filters: Filters) -> bool:
    """The kelurahan filter in its chosen meaning: where the work is, or where supporters live."""
    if filters.arti == "pendukung":
        return any(name == filters.kelurahan for name, _ in row.supporter_places)
    return row.work_place == filters.kelurahan


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
