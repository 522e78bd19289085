"""Replies (tanggapan): staff answers to a cluster and residents' follow-ups."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Reply(SQLModel, table=True):
    """One message about a cluster: staff to all its residents, staff to one resident, or a resident's follow-up."""

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    from_staff: bool = True
    resident_id: int | None = Field(default=None, foreign_key="resident.id", ondelete="SET NULL")
    text: str = ""  # redacted when it comes from a resident
    actor: str | None = Field(default=None, max_length=80)  # the staff member who sent it, e.g. "staff:123"
    source_key: str | None = Field(default=None, max_length=120, unique=True, index=True)  # once per source
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
