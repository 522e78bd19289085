"""Residents (warga): who talks to the bot, their kelurahan and consent. No names or usernames are kept."""

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Session, SQLModel, select

from models.types import UTCDateTime, utcnow


class ResidentBase(SQLModel):
    """Fields a resident has from their first message on."""

    telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    kelurahan: str | None = Field(default=None, max_length=80)
    forum_id: str | None = Field(default=None, max_length=64)


class Resident(ResidentBase, table=True):
    """A resident; `id` is the public pseudonym number ("Warga 83"), never the Telegram id."""

    id: int | None = Field(default=None, primary_key=True)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = Field(default=True)  # false once Telegram says the bot is blocked
    banned: bool = Field(default=False)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def get_or_create_resident(*, session: Session, telegram_id: int) -> Resident:
    """Return the resident with this Telegram id, creating the row on first contact."""
    resident = session.exec(select(Resident).where(Resident.telegram_id == telegram_id)).first()
    if resident is None:
        resident = Resident(telegram_id=telegram_id)
        session.add(resident)
        session.flush()
    return resident


def find_resident(*, session: Session, telegram_id: int) -> Resident | None:
    """Return the resident with this Telegram id, if known."""
    return session.exec(select(Resident).where(Resident.telegram_id == telegram_id)).first()


def set_kelurahan(*, session: Session, resident: Resident, kelurahan: str, forum_id: str | None) -> None:
    """Record the resident's kelurahan and the forum that covers it."""
    resident.kelurahan = kelurahan
    resident.forum_id = forum_id
    session.add(resident)


def give_consent(*, session: Session, resident: Resident) -> None:
    """Record that the resident accepted the privacy notice."""
    if resident.consent_at is None:
        resident.consent_at = utcnow()
        session.add(resident)
