"""Moderator actions waiting for Ya / Batal: kept in the database so a preview survives a restart, and
claimed once (an old, repeated or forged button does nothing)."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, update
from sqlmodel import Field, Session, SQLModel, col

from models.provenance import Derived, link
from models.types import UTCDateTime, utcnow


class PendingAction(SQLModel, table=True):
    """A previewed action: who may confirm it, what it is, and whether it was used."""

    __tablename__ = "pending_action"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=16)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    action: str = Field(max_length=20)
    args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def create_pending(*, session: Session, user_id: int, action: str, args: dict[str, Any]) -> PendingAction:
    """Store an action to be confirmed, with a random token for its buttons."""
    pending = PendingAction(token=secrets.token_hex(4), user_id=user_id, action=action, args=args)
    session.add(pending)
    session.flush()
    assert pending.id is not None
    clusters, proposals = photographed(args)
    link(session=session, kind=Derived.PENDING, ref_id=pending.id, proposals=proposals, clusters=clusters)
    return pending


def photographed(args: Any) -> tuple[set[int], set[int]]:
    """The clusters and proposals an action's snapshots (services.moderation.undo) hold, found anywhere in its args."""
    clusters: set[int] = set()
    proposals: set[int] = set()
    if isinstance(args, dict):
        if isinstance(args.get("clusters"), dict) and isinstance(args.get("proposals"), dict):
            clusters |= {int(k) for k in args["clusters"]}
            proposals |= {int(k) for k in args["proposals"]}
        for value in args.values():
            more = photographed(value)
            clusters, proposals = clusters | more[0], proposals | more[1]
    return clusters, proposals


def claim_pending(*, session: Session, pending_id: int, token: str, user_id: int, max_age: timedelta,
                  now: datetime | None = None) -> PendingAction | None:
    """Mark an unused, fresh action of this user used and return it; None when it is not (any longer) valid."""
    now = now or utcnow()
    claimed = session.exec(
        update(PendingAction)
        .where(col(PendingAction.id) == pending_id, col(PendingAction.token) == token,
               col(PendingAction.user_id) == user_id, col(PendingAction.used_at).is_(None),
               col(PendingAction.created_at) >= now - max_age)
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return None
    return session.get(PendingAction, pending_id)
