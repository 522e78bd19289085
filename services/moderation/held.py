"""Aspirations held as likely spam: what moderators see, and releasing one into its cluster."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.audit import AuditEntry, record
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from services.core.notify import Recipient, reachable
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.spam import SpamReason
from services.moderation.merge_split import Actor, ModerationError, own_proposal


@dataclass(frozen=True)
class HeldItem:
    """A held aspiration as a moderator sees it (redacted text only)."""

    id: int
    code: str
    text: str
    kelurahan: str | None
    at: datetime
    reason: SpamReason | None


@dataclass(frozen=True)
class Released:
    """A held aspiration now published, and its author to be told."""

    code: str
    cluster_code: str
    recipients: tuple[Recipient, ...]


def _reason(session: Session, code: str) -> SpamReason | None:
    """Why a proposal was held, from the audit log (None when the log names no known reason)."""
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "hold", AuditEntry.target == f"proposal:{code}")
        .order_by(col(AuditEntry.id).desc())
    ).first()
    logged = (entry.after or {}).get("reason") if entry is not None else None
    return next((reason for reason in SpamReason if reason == logged), None)


def held_items(*, session: Session, forums: frozenset[str], limit: int = 20) -> list[HeldItem]:
    """The oldest held aspirations of these forums."""
    rows = session.exec(
        select(Proposal).where(Proposal.state == ProposalState.HELD, col(Proposal.forum_id).in_(forums))
        .order_by(col(Proposal.id)).limit(limit)
    ).all()
    return [
        HeldItem(p.id, p.code, p.text_redacted, p.kelurahan, p.submitted_at or p.created_at, _reason(session, p.code))
        for p in rows if p.id is not None and p.code is not None
    ]


def release(*, session: Session, grouping: GroupingService, actor: Actor, code: str) -> Released:
    """Publish a held aspiration: it joins the cluster grouping picks (or a new one), as if just sent."""
    proposal = own_proposal(session=session, actor=actor, code=code)
    if proposal.state != ProposalState.HELD or proposal.id is None:
        raise ModerationError("mod_not_held", code=proposal.code)
    resident = session.get(Resident, proposal.resident_id) if proposal.resident_id is not None else None
    if resident is None:
        raise ModerationError("mod_not_held", code=proposal.code)
    proposal.state = ProposalState.DRAFT
    session.add(proposal)
    outcome = intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=proposal.id)
    assert isinstance(outcome, intake.Submitted)
    record(session=session, actor=actor.name, action="release", target=f"proposal:{outcome.code}",
           before={"state": ProposalState.HELD}, after={"state": ProposalState.SUBMITTED,
                                                        "cluster": outcome.cluster.code})
    recipients = reachable(session=session, resident_ids={resident.id} if resident.id else set())
    return Released(outcome.code, outcome.cluster.code, tuple(recipients))
