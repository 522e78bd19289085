"""Proposals (aspirasi): one message from one resident, verbatim plus its cleaned, redacted text."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.sequences import next_value
from models.types import EnumText, UTCDateTime, utcnow


class ProposalState(StrEnum):
    """Where a proposal is in its life."""

    DRAFT = "draft"  # stored, waiting for the resident to confirm
    SUBMITTED = "submitted"  # confirmed and in a cluster
    CANCELLED = "cancelled"  # the resident pressed Batal
    HELD = "held"  # looks like spam: waits for a moderator
    HIDDEN = "hidden"  # hidden by a moderator; kept, never shown


class ProposalBase(SQLModel):
    """What a proposal carries from the moment it arrives."""

    text_verbatim: str | None = None  # erased by /hapus_data and by retention
    text_clean: str = ""  # normalised text used for grouping
    text_redacted: str = ""  # the only text staff and moderators see
    kelurahan: str | None = Field(default=None, max_length=80)
    forum_id: str | None = Field(default=None, max_length=64)
    streets: str = ""  # street facets, "|"-separated
    photo_file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Proposal(ProposalBase, table=True):
    """A stored proposal; (source_chat_id, source_message_id) makes a repeated update harmless."""

    __table_args__ = (
        UniqueConstraint("source_chat_id", "source_message_id", name="uq_proposal_source"),
        Index("ix_proposal_cluster", "cluster_id"),
        Index("ix_proposal_resident", "resident_id"),
        # the grouping index's membership at start, from the index alone (migration s24)
        Index("ix_proposal_membership", "state", "cluster_id", "embedding_model", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=20, unique=True)  # given when sent (drafts have none)
    resident_id: int | None = Field(default=None, foreign_key="resident.id", ondelete="SET NULL")
    source_chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    source_message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: ProposalState = Field(default=ProposalState.DRAFT, sa_type=EnumText(ProposalState, 16), index=True)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id")
    category: str | None = Field(default=None, max_length=40)
    offered_clusters: str = Field(default="", max_length=200)  # ids shown with the draft, "," separated
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    embedding_model: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # The transaction that made it count (sent, or released from hold), in committed order.
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))


class ProposalCreate(ProposalBase):
    """What intake passes to create a draft."""

    source_chat_id: int
    source_message_id: int


def assign_code(*, session: Session, proposal: Proposal) -> str:
    """Give a sent proposal its public tracking code once (ASP-2026-000123), from the year's own counter."""
    if proposal.code is None:
        year = utcnow().year
        proposal.code = f"ASP-{year}-{next_value(session=session, name=f'asp-{year}'):06d}"
        session.add(proposal)
    return proposal.code


def get_or_create_draft(
    *, session: Session, resident_id: int, data: ProposalCreate
) -> tuple[Proposal, bool]:
    """Store a draft once per source message; return it and whether it is new."""
    existing = session.exec(
        select(Proposal).where(
            Proposal.source_chat_id == data.source_chat_id,
            Proposal.source_message_id == data.source_message_id,
        )
    ).first()
    if existing is not None:
        return existing, False
    proposal = Proposal.model_validate(data, update={"resident_id": resident_id})
    session.add(proposal)
    session.flush()
    return proposal, True


def latest_draft(*, session: Session, resident_id: int) -> Proposal | None:
    """Return the resident's most recent unconfirmed draft."""
    return session.exec(
        select(Proposal)
        .where(Proposal.resident_id == resident_id, Proposal.state == ProposalState.DRAFT)
        .order_by(col(Proposal.id).desc())
    ).first()


def resident_proposals(*, session: Session, resident_id: int, limit: int = 20,
                       states: tuple[ProposalState, ...] = (ProposalState.SUBMITTED,)) -> list[Proposal]:
    """Return the resident's proposals in these states (submitted by default), newest first."""
    return list(
        session.exec(
            select(Proposal)
            .where(Proposal.resident_id == resident_id, col(Proposal.state).in_(states))
            .order_by(col(Proposal.id).desc())
            .limit(limit)
        )
    )


def count_recent_drafts(*, session: Session, resident_id: int, since: datetime) -> int:
    """Count the drafts the resident started since a moment, whatever became of them (for the draft limit)."""
    rows = session.exec(select(Proposal.id).where(Proposal.resident_id == resident_id,
                                                  col(Proposal.created_at) >= since))
    return len(rows.all())


def stored_draft(*, session: Session, source_chat_id: int, source_message_id: int) -> Proposal | None:
    """The proposal already stored for a source message, if any (a repeated update)."""
    return session.exec(select(Proposal).where(Proposal.source_chat_id == source_chat_id,
                                               Proposal.source_message_id == source_message_id)).first()


def count_recent_submissions(*, session: Session, resident_id: int, since: datetime) -> int:
    """Count the resident's proposals submitted since a moment (for the rate limit)."""
    rows = session.exec(
        select(Proposal.id).where(
            Proposal.resident_id == resident_id,
            col(Proposal.submitted_at) >= since,
        )
    )
    return len(rows.all())
