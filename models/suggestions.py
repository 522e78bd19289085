"""Merge and split proposals from re-clustering, waiting for a moderator's decision."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import EnumText, UTCDateTime, utcnow


class SuggestionKind(StrEnum):
    """What re-clustering proposes."""

    MERGE = "merge"  # clusters `cluster_ids` ask for the same thing
    SPLIT = "split"  # proposals `proposal_ids` of cluster `cluster_ids[0]` ask for something else


class SuggestionState(StrEnum):
    """A moderator's decision."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    STALE = "stale"  # the clusters changed before anyone decided


class RegroupSuggestion(SQLModel, table=True):
    """One merge or split that re-clustering proposes; nothing moves until a moderator accepts."""

    id: int | None = Field(default=None, primary_key=True)
    kind: SuggestionKind = Field(sa_type=EnumText(SuggestionKind, 8))
    cluster_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    proposal_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    score: float = 0.0
    state: SuggestionState = Field(default=SuggestionState.OPEN, sa_type=EnumText(SuggestionState, 12), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=80)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


def open_suggestions(*, session: Session) -> list[RegroupSuggestion]:
    """Return the suggestions nobody has decided yet, oldest first."""
    return list(
        session.exec(
            select(RegroupSuggestion)
            .where(RegroupSuggestion.state == SuggestionState.OPEN)
            .order_by(col(RegroupSuggestion.id))
        )
    )
