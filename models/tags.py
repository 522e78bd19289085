"""Labels a moderator set or removed on a cluster: a vulnerable group, a social-aid problem or programme.

The reading (nlp.beneficiaries) is never stored: it is read from the members' texts each time. Only a
person's decision is a row here, and it wins over the reading for good (automation never writes this table).
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ClusterTag(SQLModel, table=True):
    """One moderator decision: this cluster does (present) or does not concern `value` of `facet`."""

    __tablename__ = "cluster_tag"
    __table_args__ = (UniqueConstraint("cluster_id", "facet", "value", name="uq_cluster_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True, ondelete="CASCADE")
    facet: str = Field(max_length=20)  # "kelompok", "masalah" or "program"
    value: str = Field(max_length=40)
    present: bool = Field(default=True)
    actor: str = Field(max_length=80)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
