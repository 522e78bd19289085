"""Short notices to residents (merges, splits, held items) queued in the outbox with their change."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.outbox import OutboxBase, OutboxPurpose, enqueue
from models.residents import Resident
from services.core import payloads


@dataclass(frozen=True)
class Recipient:
    """A resident who can be told about a change, by pseudonym and chat."""

    resident_id: int
    telegram_id: int


def reachable(*, session: Session, resident_ids: set[int]) -> list[Recipient]:
    """The residents among these ids that can still get a message, in id order."""
    if not resident_ids:
        return []
    rows = session.exec(
        select(Resident)
        .where(col(Resident.id).in_(resident_ids), col(Resident.active).is_(True),
               col(Resident.banned).is_(False), col(Resident.deleted_at).is_(None),
               col(Resident.telegram_id).is_not(None))
        .order_by(col(Resident.id))
    ).all()
    return [Recipient(r.id, r.telegram_id) for r in rows if r.id is not None and r.telegram_id is not None]


def queue_notices(
    *, session: Session, recipients: list[Recipient], key: str, text: str, purpose: OutboxPurpose,
    cluster_id: int | None = None,
) -> int:
    """Queue one HTML message per recipient, once per key; return how many were new."""
    payload = payloads.message(text)
    new = 0
    for recipient in recipients:
        message = OutboxBase(
            dedupe_key=f"{key}:{recipient.resident_id}", chat_id=recipient.telegram_id, payload=payload,
            resident_id=recipient.resident_id, cluster_id=cluster_id, purpose=purpose,
        )
        new += int(enqueue(session=session, message=message)[1])
    return new
