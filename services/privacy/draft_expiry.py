"""Drafts that were never sent (unconfirmed, or cancelled) are emptied after `retention.draft_days`: their
texts, embedding, photo and place go, and so does the copy of the text in the bot's draft message. The row
stays, cancelled and empty, so an old Kirim button under it says the draft is gone instead of sending nothing.
"""

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from models.proposals import Proposal, ProposalState

UNSENT = (ProposalState.DRAFT, ProposalState.CANCELLED)


def expire_drafts(*, session: Session, before: datetime) -> int:
    """Empty the unsent drafts started before a moment (and their draft messages); return how many."""
    old = session.exec(select(Proposal).where(
        col(Proposal.state).in_(UNSENT), col(Proposal.created_at) < before,
        or_(col(Proposal.text_verbatim).is_not(None), col(Proposal.text_clean) != "",
            col(Proposal.embedding).is_not(None), col(Proposal.photo_file_id).is_not(None)),
    )).all()
    for proposal in old:
        proposal.state = ProposalState.CANCELLED
        proposal.text_verbatim = proposal.photo_file_id = proposal.embedding = proposal.embedding_model = None
        proposal.text_clean = proposal.text_redacted = proposal.streets = proposal.offered_clusters = ""
        proposal.latitude = proposal.longitude = None
        session.add(proposal)
        session.connection().execute(  # the draft's own message echoed the text ("u<update>:draft<id>")
            update(OutboxMessage).where(col(OutboxMessage.dedupe_key).like(f"%:draft{proposal.id}"))
            .values(payload={}))
    return len(old)
