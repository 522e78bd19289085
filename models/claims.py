"""PostgreSQL queries for several copies on one database: pending chats, claiming a chat's oldest update,
uncertain sends, and the figures a copy's health page reports.

Advisory-lock keys are named (`chat:<id>`, `sender`, `scheduler`, `grouper`) and hashed with the schema's name,
so two deployments (or two test schemas) in one database never share a lock.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text, update
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage, OutboxState

LOCK_KEY = "hashtextextended(current_schema() || ':' || %s, 0)"  # psycopg placeholder (lock connections)
NO_CHAT = 0  # updates without a chat (none among the allowed kinds today) share one key


def chat_key(chat_id: int | None) -> str:
    """The advisory-lock name of a chat."""
    return f"chat:{chat_id if chat_id is not None else NO_CHAT}"


def pending_chats(connection: Connection, *, limit: int) -> list[int | None]:
    """Chats with an update waiting (not handled, not dead, pause over), the longest-waiting first."""
    rows = connection.execute(text(
        "SELECT chat_id, min(update_id) AS oldest FROM inboundupdate"
        " WHERE processed_at IS NULL AND dead_at IS NULL AND payload IS NOT NULL"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= now())"
        " GROUP BY chat_id ORDER BY oldest LIMIT :limit"), {"limit": limit})
    return [row.chat_id for row in rows]


def claim_oldest(connection: Connection, chat_id: int | None) -> tuple[int, dict[str, Any]] | None:
    """Inside the update's transaction: lock the chat's oldest unhandled update (waiting for a copy that still
    holds it, then seeing its outcome) and return it, or None when there is none or its retry pause runs."""
    same_chat = "chat_id IS NULL" if chat_id is None else "chat_id = :chat"
    row = connection.execute(text(
        f"SELECT update_id, payload, next_attempt_at <= now() AS due, next_attempt_at IS NULL AS fresh"
        f" FROM inboundupdate WHERE {same_chat} AND processed_at IS NULL AND dead_at IS NULL"
        f" ORDER BY update_id LIMIT 1 FOR UPDATE"), {"chat": chat_id}).first()
    if row is None or row.payload is None or not (row.fresh or row.due):
        return None  # order: a later update of this chat never overtakes one waiting for its retry
    return int(row.update_id), row.payload


def mark_uncertain(*, session: Session) -> int:
    """A new sender takes over: rows left `sending` may or may not have reached Telegram. They are sent again
    (a duplicate beats a loss) and flagged, so operators can count them; return how many."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.state) == OutboxState.SENDING)
        .values(state=OutboxState.PENDING, claimed_at=None, uncertain=True)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def recent_group_sends(*, session: Session, now: datetime, seconds: float) -> dict[int, list[float]]:
    """Ages in seconds of the outbox rows sent to each group chat within the last `seconds` (rows still
    `sending` count as sent now): what a new sender counts against a group's limit per minute."""
    since = now - timedelta(seconds=seconds)
    rows = session.exec(select(OutboxMessage.chat_id, OutboxMessage.state, OutboxMessage.sent_at).where(
        col(OutboxMessage.chat_id) < 0,
        (col(OutboxMessage.state) == OutboxState.SENDING)
        | ((col(OutboxMessage.state) == OutboxState.SENT) & (col(OutboxMessage.sent_at) >= since))))
    ages: dict[int, list[float]] = {}
    for chat_id, state, sent_at in rows:
        age = 0.0 if state == OutboxState.SENDING or sent_at is None else (now - sent_at).total_seconds()
        ages.setdefault(chat_id, []).append(max(age, 0.0))
    return ages


def health_figures(connection: Connection) -> dict[str, Any]:
    """Queue depths and ages from the database: what every copy reports on its health page."""
    updates = connection.execute(text(
        "SELECT count(*) AS pending, min(received_at) AS oldest FROM inboundupdate"
        " WHERE processed_at IS NULL AND dead_at IS NULL")).one()
    outbox = connection.execute(text(
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')) AS waiting,"
        " count(*) FILTER (WHERE uncertain) AS uncertain FROM outboxmessage")).one()
    now: datetime = connection.execute(text("SELECT now()")).scalar_one()
    oldest = updates.oldest
    return {"updates_pending": int(updates.pending),
            "oldest_update_age_s": round((now - oldest).total_seconds(), 1) if oldest is not None else 0.0,
            "outbox_waiting": int(outbox.waiting), "outbox_uncertain": int(outbox.uncertain)}
