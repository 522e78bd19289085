"""The audit log: who did what to which record, with the values before and after."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from models.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One moderator, staff, admin or system action."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=80)  # e.g. "moderator:12345", "system"
    action: str = Field(max_length=40)
    target: str = Field(max_length=80)  # e.g. "cluster:K-0042"
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    target: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the audit log."""
    entry = AuditEntry(actor=actor, action=action, target=target, before=before, after=after)
    session.add(entry)
    return entry
