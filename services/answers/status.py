"""What a resident sees with /status: their proposals, clusters, statuses and latest answers."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from models.clusters import Cluster, Support
from models.proposals import ProposalState, resident_proposals
from models.replies import Reply
from models.residents import Resident
from models.satisfaction import SatisfactionAsk
from services.answers.staff_answers import merged_family
from services.intake.drafts import ClusterView, cluster_view


@dataclass(frozen=True)
class StatusLine:
    """One of the resident's proposals as /status shows it."""

    code: str
    submitted_at: datetime
    cluster: ClusterView | None  # None while a moderator checks it (held)
    latest_answer: Reply | None
    following: bool = True
    text: str = ""  # the resident's own (redacted) words, shown while held
    asked: bool = False  # asked whether the problem is solved (services/answers/satisfaction.py): can answer or change
    verdict: str | None = None  # their answer so far


def latest_staff_answer(*, session: Session, cluster_id: int, resident_id: int | None = None) -> Reply | None:
    """Return the newest staff answer to a cluster (to all its residents, or to this resident only)."""
    return session.exec(
        select(Reply)
        .where(Reply.cluster_id == cluster_id, Reply.from_staff == True)  # noqa: E712
        .where(or_(col(Reply.resident_id).is_(None), col(Reply.resident_id) == resident_id))
        .order_by(col(Reply.id).desc())
    ).first()


def _support(session: Session, resident_id: int, cluster_id: int) -> Support | None:
    """The resident's support row of a cluster, if any."""
    return session.exec(
        select(Support).where(Support.resident_id == resident_id, Support.cluster_id == cluster_id)
    ).first()


def unfollow(*, session: Session, resident: Resident, cluster_id: int) -> str | None:
    """Stop telling the resident about a cluster (their support stays); return its code, None if not followed."""
    assert resident.id is not None
    cluster = session.get(Cluster, cluster_id)
    supports = [_support(session, resident.id, c) for c in merged_family(session, cluster_id)]
    followed = [s for s in supports if s is not None and s.following]
    if cluster is None or not followed:
        return None
    for support in followed:
        support.following = False
        session.add(support)
    return cluster.code


def resident_status(*, session: Session, resident: Resident, limit: int = 10) -> list[StatusLine]:
    """Return the resident's latest proposals with their clusters and answers."""
    assert resident.id is not None
    lines = []
    sent = (ProposalState.SUBMITTED, ProposalState.HELD)
    for proposal in resident_proposals(session=session, resident_id=resident.id, limit=limit, states=sent):
        if proposal.state == ProposalState.HELD and proposal.code is not None:
            lines.append(StatusLine(code=proposal.code, submitted_at=proposal.created_at, cluster=None,
                                    latest_answer=None, following=False, text=proposal.text_redacted))
            continue
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
                latest_answer=latest_staff_answer(session=session, cluster_id=cluster.id, resident_id=resident.id),
                following=_following(session, resident.id, proposal.cluster_id or cluster.id, cluster.id),
                **_asked(session, resident.id, cluster.id),
            )
        )
    return lines


def _following(session: Session, resident_id: int, *cluster_ids: int) -> bool:
    """Tell whether the resident still follows a cluster (or the one it was merged into)."""
    supports = [_support(session, resident_id, c) for c in dict.fromkeys(cluster_ids)]
    return any(s is not None and s.following for s in supports)


def _asked(session: Session, resident_id: int, cluster_id: int) -> dict[str, Any]:
    """Whether the resident was asked if the cluster's problem is solved, and their answer."""
    ask = session.exec(select(SatisfactionAsk).where(SatisfactionAsk.cluster_id == cluster_id,
                                                     SatisfactionAsk.resident_id == resident_id)).first()
    return {"asked": ask is not None, "verdict": None if ask is None or ask.verdict is None else str(ask.verdict)}
