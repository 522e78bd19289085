"""Web page sessions kept on the server: the cookie carries only a random session id, so logging out or
running past `web.session_hours` ends the session here and an old cookie opens nothing any more."""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Column, delete
from sqlmodel import Field, Session, SQLModel, col

from models.types import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    """One login to the web page, from the confirmed link until logout or expiry."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)  # random; the only thing the cookie names
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def open_web_session(*, session: Session, user_id: int) -> str:
    """Store a new session for a user and return its id."""
    row = WebSession(id=secrets.token_urlsafe(32), user_id=user_id)
    session.add(row)
    session.flush()
    return row.id


def live_user(*, session: Session, session_id: str, max_age: timedelta, now: datetime | None = None) -> int | None:
    """The user of a session that is neither ended nor older than `max_age` (which ends it), else None."""
    row = session.get(WebSession, session_id)
    if row is None or row.ended_at is not None:
        return None
    now = now or utcnow()
    if now - row.started_at > max_age:
        row.ended_at = now
        session.add(row)
        return None
    return row.user_id


def end_web_session(*, session: Session, session_id: str) -> None:
    """End a session (logout): its cookie opens nothing any more."""
    row = session.get(WebSession, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        session.add(row)


def forget_web_sessions(*, session: Session, before: datetime) -> None:
    """Delete sessions started before a moment (long over: no session lasts longer than web.session_hours)."""
    session.connection().execute(delete(WebSession).where(col(WebSession.started_at) < before))
