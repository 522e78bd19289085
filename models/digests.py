"""Digests (ringkasan): one row per forum and period, so that each is built and sent exactly once."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import EnumText, UTCDateTime, utcnow


class DigestState(StrEnum):
    """Where a digest is: built for a closed period, then forwarded to the staff chat once."""

    BUILT = "built"  # a closed period with clusters: waits for a moderator to forward it
    EMPTY = "empty"  # a closed period with nothing to show: never forwarded
    FORWARDED = "forwarded"  # queued for the staff chat (once)
    DRAFT = "draft"  # a moderator's /ringkasan of the running period: becomes BUILT when forwarded


class Digest(SQLModel, table=True):
    """The digest of one forum for one period [period_start, period_end)."""

    __table_args__ = (UniqueConstraint("forum_id", "period_end", name="uq_digest_forum_period"),)

    id: int | None = Field(default=None, primary_key=True)
    forum_id: str = Field(foreign_key="forum.id", max_length=64)
    period_start: datetime = Field(sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: DigestState = Field(default=DigestState.BUILT, sa_type=EnumText(DigestState, 20))
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    forwarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
