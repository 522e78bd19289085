"""The aggregate SQL behind a digest: counts, top clusters, places, quotes, answers, suggestions."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, func, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from models.suggestions import open_suggestions
from nlp.redact import redact
from services.answers.attachments import cluster_badges
from services.core import counting
from services.core.config import AppConfig
from services.core.counting import Period, Scope
from services.core.deadlines import CLOSED, is_overdue, working_days_between
from services.core.vulnerable import cluster_labels
from services.digests.data import AnsweredLine, ClusterLine, SuggestionLine

QUOTE_CHARS = 160


@dataclass(frozen=True)
class Window:
    """A forum and a period: [start, end) as people read it, (after, upto] in committed order as it counts."""

    forum_id: str
    start: datetime
    end: datetime
    period: Period = field(default_factory=lambda: Period(0, 0))
    previous: Period = field(default_factory=lambda: Period(0, 0))  # the period before, for "sebelumnya +N"

    @property
    def scope(self) -> Scope:
        """The forum's clusters."""
        return Scope(forums=frozenset({self.forum_id}))


def aware(moment: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite: parse strings and treat naive values as UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def home(forum_id: str) -> ColumnElement[bool]:
    """The cluster (joined) lives in this forum (services.counting.home_forum)."""
    return counting.home_forum() == forum_id  # type: ignore[no-any-return]


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """A time column within [start, end)."""
    return and_(column >= start, column < end)


@dataclass(frozen=True)
class Active:
    """The clusters new or grown in the period: the listed ones (most supporters first) and how many in all."""

    listed: list[tuple[Cluster, counting.ClusterFigures]]
    total: int
    new: set[int]


def active_clusters(session: Session, w: Window, *, limit: int) -> Active:
    """Clusters created in the period or with supporters added in it, most supporters first."""
    new = counting.new_cluster_ids(session, w.scope, w.period)
    figures = counting.cluster_figures(session, w.scope, w.period, w.previous)
    active = sorted((f for f in figures.values() if f.id in new or f.added > 0),
                    key=lambda f: (-f.supporters, -f.added, f.id))
    clusters = {c.id: c for c in session.exec(select(Cluster).where(
        col(Cluster.id).in_([f.id for f in active[:limit]]))).all()}
    return Active([(clusters[f.id], f) for f in active[:limit]], len(active), new)


def counts(session: Session, w: Window, active: Active) -> tuple[int, int, int, int]:
    """The period's aspirations and their senders, and the clusters new or grown (and of them new)."""
    period = counting.totals(session, w.scope, w.period)
    return period.aspirations, period.residents, active.total, len(active.new)


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
               w.period.holds(Proposal.seq))
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


def cluster_lines(session: Session, config: AppConfig, w: Window, active: Active, *, now: datetime
                  ) -> list[ClusterLine]:
    """Describe the listed clusters: where their supporters live, wait for an answer, a quote."""
    clusters = [c for c, _ in active.listed]
    ids = [c.id for c in clusters if c.id is not None]
    places = counting.supporter_places(session, set(ids), w.period.upto)
    firsts, quotes = _first_submitted(session, ids), _quotes(session, w, clusters)
    badges = cluster_badges(session=session, cluster_ids=ids)
    labels = cluster_labels(session, ids)
    lines = []
    for c, f in active.listed:
        assert c.id is not None
        since = firsts.get(c.id, c.created_at)
        waiting = c.first_answer_at is None and c.status not in CLOSED
        lines.append(ClusterLine(
            id=c.id, code=c.code or f"K-{c.id:04d}", title=shorten(c.title, 150), category=c.category,
            status=c.status, supporters=f.supporters, added=f.added, previous_added=f.previous,
            new=c.id in active.new, places=places.get(c.id, []),
            waiting_days=working_days_between(since, now, config=config) if waiting else None,
            overdue=waiting and is_overdue(since, now, config=config), quote=quotes.get(c.id),
            attachments=badges.get(c.id, ""), groups=list(labels[c.id].groups),
            aid_kinds=list(labels[c.id].aid_kinds),
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


def vulnerable_and_aid(session: Session, w: Window) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The period's aspirations per vulnerable group and per social-aid problem kind (services.core.counting)."""
    return (counting.aspirations_per_group(session, w.scope, w.period),
            counting.aspirations_per_aid_kind(session, w.scope, w.period))


def categories(session: Session, w: Window) -> list[tuple[str | None, int, int]]:
    """Aspirations per cluster category in the period and in the period before, most first."""
    now_n = dict(counting.aspirations_per_category(session, w.scope, w.period))
    before_n = dict(counting.aspirations_per_category(session, w.scope, w.previous))
    rows = [(cat, now_n.get(cat, 0), before_n.get(cat, 0)) for cat in {*now_n, *before_n}]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0] or ""))
