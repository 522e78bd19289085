"""Residents' photos for the web page: downloaded once through the Bot API (getFile), kept in the data folder,
one row per proposal (models.attachments.CachedPhoto) so that erasing a resident deletes every file.

The download talks to Telegram (or the configured self-hosted Bot API server) with httpx, synchronously: the
web page's endpoints run in Starlette's thread pool.
"""

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from models.attachments import CachedPhoto
from models.proposals import Proposal

log = logging.getLogger(__name__)
Fetch = Callable[[str], bytes | None]  # a Telegram file id -> the file's bytes, or None when it cannot be had
DEFAULT_BASE = "https://api.telegram.org/bot"
MAX_BYTES = 10 * 1024 * 1024  # Telegram's own limit for photos


@dataclass(frozen=True)
class PhotoSource:
    """Where the web page keeps photos and how it fetches one it does not have yet."""

    folder: Path
    fetch: Fetch | None


def bot_api_fetcher(token: str, base_url: str | None = None, *,
                    transport: httpx.BaseTransport | None = None, timeout: float = 20.0) -> Fetch:
    """A Fetch through the Bot API: getFile gives the file's path, then the file is downloaded."""
    base = (base_url or DEFAULT_BASE).rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"

    def fetch(file_id: str) -> bytes | None:
        with httpx.Client(transport=transport, timeout=timeout) as client:
            answer = client.get(f"{base}{token}/getFile", params={"file_id": file_id})
            result = answer.json().get("result") if answer.status_code == 200 else None
            result = result if isinstance(result, dict) else {}
            path = result.get("file_path")
            if not isinstance(path, str) or int(result.get("file_size") or 0) > MAX_BYTES:
                log.warning("getFile gave no usable file (HTTP %s)", answer.status_code)
                return None
            body = client.get(f"{file_base}{token}/{path.lstrip('/')}")
            return body.content if body.status_code == 200 and len(body.content) <= MAX_BYTES else None

    return fetch


def cached_photo(*, session: Session, source: PhotoSource, proposal: Proposal) -> Path | None:
    """The proposal's photo as a local file: from the cache, else fetched now and registered; None if none.

    One file per proposal (`<id>.jpg`, written whole then renamed), so two viewers fetching it at once leave one
    file, and the row that erasure follows always names it."""
    assert proposal.id is not None
    row = session.get(CachedPhoto, proposal.id)
    if row is not None and Path(row.path).is_file():
        return Path(row.path)
    if proposal.photo_file_id is None or source.fetch is None:
        return None
    content = source.fetch(proposal.photo_file_id)
    if not content:
        return None
    source.folder.mkdir(parents=True, exist_ok=True)
    path = (source.folder / f"{proposal.id}.jpg").resolve()
    if row is None:
        session.add(CachedPhoto(proposal_id=proposal.id, path=str(path)))
        session.flush()  # registered before the file exists: erasure never misses a file
    partial = path.with_suffix(f".{secrets.token_hex(4)}.part")
    partial.write_bytes(content)
    os.replace(partial, path)
    return path


def delete_cached_photos(*, session: Session, proposal_ids: list[int] | set[int]) -> int:
    """Delete the cached photo files of these proposals and their rows (erasure, retention); return how many."""
    ids = [i for i in proposal_ids if i is not None]
    if not ids:
        return 0
    rows = session.exec(select(CachedPhoto).where(col(CachedPhoto.proposal_id).in_(ids))).all()
    for row in rows:
        Path(row.path).unlink(missing_ok=True)
        session.delete(row)
    session.flush()
    return len(rows)
