"""The audit log: who did what to which record, with the values before and after.

An entry is linked (models.provenance) to the cluster or proposal it targets, the other clusters it names,
and the proposals their titles come from at that moment, so an erasure finds a title it quotes.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from models.clusters import Cluster, normalise_code
from models.proposals import Proposal
from models.provenance import Derived, link, sources
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
    clusters: tuple[int | None, ...] = (),
) -> AuditEntry:
    """Append an entry to the audit log, linked to its target and the other `clusters` it names."""
    entry = AuditEntry(actor=actor, action=action, target=target, before=before, after=after)
    session.add(entry)
    session.flush()
    assert entry.id is not None
    kind, _, key = target.partition(":")
    ids = {c for c in clusters if c is not None}
    proposals: set[int] = set()
    if kind == "cluster":
        ids |= {c for c in session.exec(select(Cluster.id).where(Cluster.code == normalise_code(key))).all() if c}
    elif kind == "proposal":
        proposals |= {p for p in session.exec(select(Proposal.id).where(Proposal.code == key)).all() if p}
    for cluster_id in ids:
        proposals |= sources(session=session, kind=Derived.TITLE, ref_id=cluster_id)
    link(session=session, kind=Derived.AUDIT, ref_id=entry.id, proposals=proposals, clusters=ids)
    return entry
