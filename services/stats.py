"""Statistics for admins: aspirations per week, kelurahan and category; answers and time to answer."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.replies import Reply

NO_CATEGORY = "-"


@dataclass(frozen=True)
class Stats:
    """What /statistik and `aspirasi stats` report."""

    total: int
    per_week: list[tuple[date, int]]  # the Monday of each ISO week in the city's zone, oldest first
    per_kelurahan: list[tuple[str, int]]  # most first
    per_category: list[tuple[str, int]]  # most first
    clusters: int
    answered: int
    median_days_to_answer: float | None

    @property
    def answered_share(self) -> float:
        """Share of clusters with at least one staff answer (0..1)."""
        return self.answered / self.clusters if self.clusters else 0.0


def _first_answers(session: Session) -> dict[int, datetime]:
    """The first staff answer per cluster, from the replies table."""
    rows = session.exec(select(Reply.cluster_id, func.min(Reply.created_at)).where(col(Reply.from_staff))
                        .group_by(col(Reply.cluster_id))).all()
    return {cid: at for cid, at in rows if at is not None}


def _week(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday of the moment's week in the city's zone."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def _aware(moment: datetime) -> datetime:
    """Return a datetime with a time zone (a database may give a plain one back from min())."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def compute_stats(*, session: Session, tz: ZoneInfo, forum_id: str | None = None, weeks: int = 12) -> Stats:
    """Count published aspirations and how quickly their clusters were answered."""
    query = (select(Proposal, Cluster).join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
             .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
                    col(Cluster.merged_into_id).is_(None)))
    if forum_id is not None:
        query = query.where(Proposal.forum_id == forum_id)
    rows = session.exec(query).all()
    per_week: Counter[date] = Counter()
    places: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    opened: dict[int, datetime] = {}
    clusters: dict[int, Cluster] = {}
    for proposal, cluster in rows:
        when = proposal.submitted_at or proposal.created_at
        per_week[_week(when, tz)] += 1
        places[proposal.kelurahan or NO_CATEGORY] += 1
        categories[cluster.category or proposal.category or NO_CATEGORY] += 1
        assert cluster.id is not None
        opened[cluster.id] = min(opened.get(cluster.id, when), when)
        clusters[cluster.id] = cluster
    replies = _first_answers(session)
    firsts = {cid: at for cid, cluster in clusters.items()
              if (at := _first_answer(cluster, replies.get(cid))) is not None}
    waits = [max(0.0, (firsts[cid] - opened[cid]).total_seconds() / 86400) for cid in firsts]
    return Stats(
        total=len(rows), per_week=sorted(per_week.items())[-weeks:], per_kelurahan=places.most_common(),
        per_category=categories.most_common(), clusters=len(opened), answered=len(firsts),
        median_days_to_answer=round(statistics.median(waits), 1) if waits else None,
    )


def _first_answer(cluster: Cluster, first_reply: datetime | None) -> datetime | None:
    """The earlier of the cluster's recorded first answer and its first staff reply."""
    times = [_aware(at) for at in (first_reply, cluster.first_answer_at) if at is not None]
    return min(times) if times else None
