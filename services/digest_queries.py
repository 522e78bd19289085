"""The aggregate SQL behind a digest: counts, top clusters, places, quotes, answers, suggestions."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Subquery, and_, case, distinct, or_, union
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from models.residents import Resident
from models.suggestions import open_suggestions
from nlp.redact import redact
from services.attachments import cluster_badges
from services.config import AppConfig
from services.deadlines import CLOSED, is_overdue, working_days_between
from services.digest_data import AnsweredLine, ClusterLine, SuggestionLine

QUOTE_CHARS = 160


@dataclass(frozen=True)
class Window:
    """A forum and a period [start, end)."""

    forum_id: str
    start: datetime
    end: datetime

    @property
    def previous_start(self) -> datetime:
        """The start of the period of the same length just before this one."""
        return self.start - (self.end - self.start)


def aware(moment: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite: parse strings and treat naive values as UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def home(forum_id: str) -> ColumnElement[bool]:
    """The cluster (joined) lives in this forum: its home forum, or for a cluster from before homes, the proposal's."""
    return func.coalesce(Cluster.home_forum_id, Proposal.forum_id) == forum_id


def _visible() -> list[ColumnElement[bool]]:
    """Submitted proposals in visible clusters."""
    return [col(Proposal.state) == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False)]


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """A time column within [start, end)."""
    return and_(column >= start, column < end)


def _count_if(condition: ColumnElement[bool]) -> Any:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def counts(session: Session, w: Window) -> tuple[int, int, int, int]:
    """New aspirations, residents, clusters and new clusters of the forum in the period."""
    row = session.exec(
        select(func.count(col(Proposal.id)), func.count(distinct(col(Proposal.resident_id))),
               func.count(distinct(col(Proposal.cluster_id))),
               func.count(distinct(case((_in(Cluster.created_at, w.start, w.end), Cluster.id)))))
        .join(Cluster, col(Cluster.id) == Proposal.cluster_id)
        .where(home(w.forum_id), _in(Proposal.submitted_at, w.start, w.end), *_visible())
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def _active_ids(w: Window) -> Subquery:
    """Clusters with the forum's aspirations or supports in the period (a subquery of ids)."""
    by_proposal: SelectOfScalar[int | None] = select(col(Proposal.cluster_id).label("cluster_id")).join(
        Cluster, col(Cluster.id) == Proposal.cluster_id).where(
        home(w.forum_id), Proposal.state == ProposalState.SUBMITTED, _in(Proposal.submitted_at, w.start, w.end))
    by_support: SelectOfScalar[int] = (
        select(col(Support.cluster_id).label("cluster_id"))
        .join(Cluster, col(Cluster.id) == Support.cluster_id)
        .outerjoin(Proposal, col(Proposal.id) == Support.proposal_id)
        .outerjoin(Resident, col(Resident.id) == Support.resident_id)
        .where(func.coalesce(Cluster.home_forum_id, Proposal.forum_id, Resident.forum_id) == w.forum_id,
               or_(col(Proposal.id).is_(None), col(Proposal.state) == ProposalState.SUBMITTED),
               _in(Support.created_at, w.start, w.end))
    )
    return union(by_proposal, by_support).subquery()


def top_clusters(session: Session, w: Window, *, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The active visible clusters ordered by supporters (at most `limit`), and how many are active."""
    active = _active_ids(w)
    stats = (
        select(col(Support.cluster_id).label("cluster_id"),
               _count_if(col(Support.created_at) < w.end).label("supporters"),
               _count_if(_in(Support.created_at, w.start, w.end)).label("added"),
               _count_if(_in(Support.created_at, w.previous_start, w.start)).label("previous"))
        .where(col(Support.cluster_id).in_(select(active.c.cluster_id)))
        .group_by(col(Support.cluster_id))
        .subquery()
    )
    supporters = func.coalesce(stats.c.supporters, 0)
    base = (
        select(Cluster, supporters, func.coalesce(stats.c.added, 0), func.coalesce(stats.c.previous, 0))
        .join(active, active.c.cluster_id == Cluster.id)
        .outerjoin(stats, stats.c.cluster_id == Cluster.id)
        .where(col(Cluster.hidden).is_(False), col(Cluster.merged_into_id).is_(None))
    )
    rows = session.exec(
        base.order_by(supporters.desc(), func.coalesce(stats.c.added, 0).desc(), col(Cluster.id)).limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    return [{"cluster": c, "supporters": int(s), "added": int(a), "previous": int(p)} for c, s, a, p in rows], total


def _places(session: Session, ids: list[int], end: datetime) -> dict[int, list[tuple[str, int]]]:
    """Kelurahan spread of each cluster (all forums), most aspirations first."""
    n = func.count(col(Proposal.id))
    rows = session.exec(
        select(Proposal.cluster_id, Proposal.kelurahan, n)
        .where(col(Proposal.cluster_id).in_(ids), Proposal.state == ProposalState.SUBMITTED,
               col(Proposal.kelurahan).is_not(None), col(Proposal.submitted_at) < end)
        .group_by(col(Proposal.cluster_id), col(Proposal.kelurahan))
        .order_by(n.desc(), col(Proposal.kelurahan))
    ).all()
    places: dict[int, list[tuple[str, int]]] = {}
    for cluster_id, kelurahan, count in rows:
        if cluster_id is not None:  # always: the ids filter leaves no NULL
            places.setdefault(cluster_id, []).append((str(kelurahan), int(count)))
    return places


def _first_submitted(session: Session, ids: list[int]) -> dict[int, datetime]:
    """Each cluster's first submitted aspiration (when its wait for an answer began)."""
    rows = session.exec(
        select(Proposal.cluster_id, func.min(Proposal.submitted_at))
        .where(col(Proposal.cluster_id).in_(ids), Proposal.state == ProposalState.SUBMITTED)
        .group_by(col(Proposal.cluster_id))
    ).all()
    return {cid: aware(first) for cid, first in rows if cid is not None and first is not None}


def _quotes(session: Session, w: Window, clusters: list[Cluster]) -> dict[int, str]:
    """One short redacted aspiration of the period per cluster, preferring one that is not the title."""
    ids = [c.id for c in clusters if c.id is not None]
    picks = session.exec(
        select(Proposal.cluster_id, func.max(Proposal.id), func.min(Proposal.id))
        .where(col(Proposal.cluster_id).in_(ids), Proposal.state == ProposalState.SUBMITTED,
               _in(Proposal.submitted_at, w.start, w.end))
        .group_by(col(Proposal.cluster_id))
    ).all()
    wanted = {pid for _, newest, oldest in picks for pid in (newest, oldest)}
    texts = dict(session.exec(select(Proposal.id, Proposal.text_redacted).where(col(Proposal.id).in_(wanted))).all())
    titles = {c.id: c.title.strip() for c in clusters}
    quotes = {}
    for cluster_id, newest, oldest in picks:
        if cluster_id is None:  # never: the ids filter leaves no NULL
            continue
        for text in (texts.get(newest, ""), texts.get(oldest, "")):
            if text.strip() and text.strip()[:150] != titles.get(cluster_id, "")[:150]:
                quotes[cluster_id] = shorten(redact(text), QUOTE_CHARS)  # also a text an older redactor stored
                break
    return quotes


def shorten(text: str, limit: int) -> str:
    """Cut a text at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def cluster_lines(session: Session, config: AppConfig, w: Window, active: list[dict[str, Any]], *, now: datetime
                  ) -> list[ClusterLine]:
    """Describe the top clusters: places, wait for an answer, a quote."""
    clusters = [row["cluster"] for row in active]
    ids = [c.id for c in clusters]
    places, firsts, quotes = _places(session, ids, w.end), _first_submitted(session, ids), _quotes(session, w, clusters)
    badges = cluster_badges(session=session, cluster_ids=[i for i in ids if i is not None])
    lines = []
    for row in active:
        c: Cluster = row["cluster"]
        assert c.id is not None
        since = firsts.get(c.id, c.created_at)
        waiting = c.first_answer_at is None and c.status not in CLOSED
        lines.append(ClusterLine(
            id=c.id, code=c.code or f"K-{c.id:04d}", title=shorten(c.title, 150), category=c.category,
            status=c.status, supporters=row["supporters"], added=row["added"], previous_added=row["previous"],
            new=w.start <= c.created_at < w.end, places=places.get(c.id, []),
            waiting_days=working_days_between(since, now, config=config) if waiting else None,
            overdue=waiting and is_overdue(since, now, config=config), quote=quotes.get(c.id),
            attachments=badges.get(c.id, ""),
        ))
    return lines


def _forum_cluster_ids(w: Window) -> Any:
    """Every cluster of the forum with a submitted aspiration (a subquery of ids)."""
    return select(Proposal.cluster_id).join(Cluster, col(Cluster.id) == Proposal.cluster_id).where(
        home(w.forum_id), Proposal.state == ProposalState.SUBMITTED).distinct()


def answered(session: Session, w: Window, limit: int = 10) -> list[AnsweredLine]:
    """The forum's clusters that got staff answers in the period, most answers first."""
    n = func.count(col(Reply.id))
    rows = session.exec(
        select(Cluster, n).join(Reply, col(Reply.cluster_id) == Cluster.id)
        .where(col(Reply.from_staff).is_(True), _in(Reply.created_at, w.start, w.end),
               col(Cluster.hidden).is_(False), col(Cluster.id).in_(_forum_cluster_ids(w)))
        .group_by(col(Cluster.id)).order_by(n.desc(), col(Cluster.id)).limit(limit)
    ).all()
    return [AnsweredLine(id=c.id, code=c.code or "", title=shorten(c.title, 100), status=c.status, answers=int(k))
            for c, k in rows if c.id is not None]


def suggestions(session: Session, w: Window) -> list[SuggestionLine]:
    """Open merge/split suggestions that touch a cluster of the forum."""
    pending = open_suggestions(session=session)
    ids = {cid for s in pending for cid in s.cluster_ids}
    if not ids:
        return []
    ours = set(session.exec(_forum_cluster_ids(w).where(col(Proposal.cluster_id).in_(ids))).all())
    codes = dict(session.exec(select(Cluster.id, Cluster.code).where(col(Cluster.id).in_(ids))).all())
    return [SuggestionLine(id=s.id or 0, kind=s.kind, codes=[codes.get(i) or f"K-{i:04d}" for i in s.cluster_ids],
                           proposals=len(s.proposal_ids), score=round(s.score, 2))
            for s in pending if ours & set(s.cluster_ids)]


def categories(session: Session, w: Window) -> list[tuple[str | None, int, int]]:
    """Aspirations per cluster category in the period and in the period before, most first."""
    now_n = _count_if(col(Proposal.submitted_at) >= w.start)
    before_n = _count_if(col(Proposal.submitted_at) < w.start)
    rows = session.exec(
        select(Cluster.category, now_n, before_n)
        .join(Cluster, col(Cluster.id) == Proposal.cluster_id)
        .where(home(w.forum_id), _in(Proposal.submitted_at, w.previous_start, w.end), *_visible())
        .group_by(col(Cluster.category)).order_by(now_n.desc())
    ).all()
    return [(cat, int(a), int(b)) for cat, a, b in rows]

