"""What a resident sees with /status: their proposals, clusters, statuses and latest answers."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import resident_proposals
from models.replies import Reply
from models.residents import Resident
from services.intake import ClusterView, cluster_view


@dataclass(frozen=True)
class StatusLine:
    """One of the resident's proposals as /status shows it."""

    code: str
    submitted_at: datetime
    cluster: ClusterView
    latest_answer: Reply | None


def latest_staff_answer(*, session: Session, cluster_id: int) -> Reply | None:
    """Return the newest staff answer to a cluster."""
    return session.exec(
        select(Reply)
        .where(Reply.cluster_id == cluster_id, Reply.from_staff == True)  # noqa: E712
        .order_by(col(Reply.id).desc())
    ).first()


def resident_status(*, session: Session, resident: Resident, limit: int = 10) -> list[StatusLine]:
    """Return the resident's latest proposals with their clusters and answers."""
    assert resident.id is not None
    lines = []
    for proposal in resident_proposals(session=session, resident_id=resident.id, limit=limit):
        cluster = session.get(Cluster, proposal.cluster_id) if proposal.cluster_id else None
        if cluster is None or proposal.code is None or proposal.submitted_at is None:
            continue
        while cluster.merged_into_id is not None:  # follow merges to the surviving cluster
            merged = session.get(Cluster, cluster.merged_into_id)
            if merged is None:
                break
            cluster = merged
        assert cluster.id is not None
        lines.append(
            StatusLine(
                code=proposal.code,
                submitted_at=proposal.submitted_at,
                cluster=cluster_view(session=session, cluster=cluster),
                latest_answer=latest_staff_answer(session=session, cluster_id=cluster.id),
            )
        )
    return lines
