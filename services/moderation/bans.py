"""The ban list, managed by admins: residents are named by their pseudonym number, never a Telegram id."""

from sqlmodel import Session

from models.audit import record
from models.residents import Resident


class BanError(Exception):
    """A ban request naming no known resident."""


def set_banned(*, session: Session, resident_id: int, banned: bool, actor: str) -> Resident:
    """Ban or unban a resident by pseudonym number; the change is audited."""
    resident = session.get(Resident, resident_id)
    if resident is None or resident.deleted_at is not None:
        raise BanError(str(resident_id))
    record(session=session, actor=actor, action="ban" if banned else "unban", target=f"resident:{resident_id}",
           before={"banned": resident.banned}, after={"banned": banned})
    resident.banned = banned
    session.add(resident)
    return resident
