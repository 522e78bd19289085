"""Files and payloads the outbox no longer needs: chart images and the texts of delivered messages.

Digest charts are drawn to PNG files (data_dir/digests) because the outbox row that uploads them must
survive a restart; a chart shows cluster titles, i.e. residents' (redacted) words, and a picture cannot be
scrubbed. So a chart file is deleted as soon as no unsent row needs it, the retention job sweeps any left
over, and an erasure deletes them all (cancelling unsent chart messages: the digest text still goes).

A delivered message's payload is cut down to what later steps read: its topic id, and for a staff-chat cluster
card its digest line (forum and figures, no resident's words), from which status changes and erasure render it
anew. No delivered row keeps a message text.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage, OutboxMethod, OutboxState
from services.answers.staffchat import DIGEST_LINE

UNSENT = (OutboxState.PENDING, OutboxState.SENDING)
KEPT_KEYS = ("message_thread_id", DIGEST_LINE)  # no text: nothing a resident wrote


def delivered_payload(row: OutboxMessage) -> dict[str, Any]:
    """What a row's payload keeps once it is delivered or given up."""
    return {key: row.payload[key] for key in KEPT_KEYS if row.payload.get(key) is not None}


def local_photo(payload: dict[str, Any]) -> Path | None:
    """The local file a send_photo payload uploads, if it is one (not a Telegram file id)."""
    photo = payload.get("photo")
    return Path(photo) if isinstance(photo, str) and Path(photo).is_absolute() else None


def _unsent_photos(session: Session, exclude: int | None = None) -> set[Path]:
    """Local photo files that unsent rows still need."""
    rows = session.exec(select(OutboxMessage).where(
        col(OutboxMessage.method) == OutboxMethod.SEND_PHOTO, col(OutboxMessage.state).in_(UNSENT))).all()
    return {p for r in rows if r.id != exclude and (p := local_photo(r.payload)) is not None}


def remove_if_unneeded(session: Session, path: Path, row_id: int | None = None) -> bool:
    """Delete a photo file once no unsent row (other than row_id) uploads it; True if it was deleted."""
    if path in _unsent_photos(session, exclude=row_id) or not path.is_file():
        return False
    path.unlink(missing_ok=True)
    return True


def sweep_charts(*, session: Session, folder: Path, everything: bool = False) -> int:
    """Delete chart files no unsent row needs (or, on erasure, all of them and their unsent rows)."""
    if not folder.is_dir():
        return 0
    if everything:
        for row in session.exec(select(OutboxMessage).where(
                col(OutboxMessage.method) == OutboxMethod.SEND_PHOTO, col(OutboxMessage.state).in_(UNSENT),
                cast(OutboxMessage.payload, Text).contains(str(folder), autoescape=True))).all():
            row.state, row.error, row.payload = OutboxState.FAILED, "chart removed with personal data", {}
            session.add(row)
        session.flush()
    needed = set() if everything else _unsent_photos(session)
    removed = 0
    for path in folder.glob("*.png"):
        if path.resolve() not in needed:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
