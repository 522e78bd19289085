"""Bulk-fill a benchmark database: residents, clusters, aspirations and supports in a few INSERTs."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import numpy as np
import psycopg
from sqlalchemy import Engine, insert
from sqlmodel import Session

from bench.corpus import FORUM, Aspiration
from models.clusters import Cluster, Support
from models.db import make_engine, upgrade
from models.proposals import Proposal
from models.residents import Resident
from models.sequences import history_marks
from models.types import utcnow

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SEED_TELEGRAM = 20_000_000  # seeded residents' Telegram ids start here (bench residents use smaller ids)
CHUNK = 5000


def postgres_url() -> str | None:
    """A PostgreSQL admin URL when the server answers, else None."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return PG_ADMIN
    except psycopg.Error:
        return None


@contextmanager
def database(kind: str, workdir: str) -> Iterator[str]:
    """A fresh empty database URL: a SQLite file in workdir, or a new PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:8]}.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def fresh_engine(url: str) -> Engine:
    """An engine on a migrated database."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _insert(session: Session, table: type, rows: list[dict[str, object]]) -> None:
    """Insert rows in chunks (keeps PostgreSQL parameter counts and memory bounded)."""
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def seed(engine: Engine, corpus: Sequence[Aspiration], cleans: Sequence[str] | None = None,
         vectors: np.ndarray | None = None, *, model: str | None = None, weeks: int = 12) -> int:
    """Store one resident, submitted aspiration and support per corpus entry; a cluster per request."""
    now = utcnow()
    rng = random.Random(3)
    groups = sorted({a.group for a in corpus})
    cluster_of = {g: i + 1 for i, g in enumerate(groups)}
    times = sorted(now - timedelta(seconds=rng.random() * weeks * 7 * 86400) for _ in corpus)
    with Session(engine) as session:
        first = _first_texts(corpus)
        seqs = history_marks(session=session, moments=times)  # committed order, as if sent one by one
        _insert(session, Cluster, [
            {"id": cid, "code": f"K-{cid:04d}", "title": first[g][:200], "status": "baru", "hidden": False,
             "created_at": times[0], "updated_at": times[0], "category": "infrastruktur", "seq": seqs[0]}
            for g, cid in cluster_of.items()])
        _insert(session, Resident, [
            {"id": i, "telegram_id": SEED_TELEGRAM + i, "kelurahan": a.kelurahan, "forum_id": FORUM,
             "active": True, "banned": False, "created_at": times[0], "consent_at": times[0]}
            for i, a in enumerate(corpus, 1)])
        _insert(session, Proposal, [{**_proposal(i, a, cleans, vectors, model, cluster_of[a.group], times[i - 1]),
                                     "seq": seqs[i - 1]} for i, a in enumerate(corpus, 1)])
        _insert(session, Support, [
            {"cluster_id": cluster_of[a.group], "resident_id": i, "proposal_id": i, "following": True,
             "created_at": times[i - 1], "seq": seqs[i - 1]} for i, a in enumerate(corpus, 1)])
        session.commit()
    _advance_sequences(engine)
    return len(cluster_of)


def _first_texts(corpus: Sequence[Aspiration]) -> dict[int, str]:
    """The first text of each request (a cluster's title)."""
    first: dict[int, str] = {}
    for a in corpus:
        first.setdefault(a.group, a.text)
    return first


def _proposal(i: int, a: Aspiration, cleans: Sequence[str] | None, vectors: np.ndarray | None,
              model: str | None, cluster_id: int, at: datetime) -> dict[str, object]:
    """One submitted aspiration row."""
    clean = cleans[i - 1] if cleans is not None else a.text.lower()
    return {"id": i, "code": f"ASP-2026-{i:07d}", "resident_id": i, "source_chat_id": SEED_TELEGRAM + i,
            "source_message_id": 1, "state": "submitted", "cluster_id": cluster_id, "text_verbatim": a.text,
            "text_clean": clean, "text_redacted": a.text, "kelurahan": a.kelurahan, "forum_id": FORUM,
            "streets": "", "created_at": at, "submitted_at": at, "category": "infrastruktur",
            "embedding": None if vectors is None else vectors[i - 1].tobytes(), "embedding_model": model}


def _advance_sequences(engine: Engine) -> None:
    """On PostgreSQL, move the id sequences past the explicit ids just inserted."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("cluster", "resident", "proposal", "support"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def seed_residents(engine: Engine, telegram_ids: Sequence[int], kelurahan: str = "Lok Tuan") -> None:
    """Residents who consented and chose a kelurahan (ready to send aspirations)."""
    now = utcnow()
    with Session(engine) as session:
        _insert(session, Resident, [
            {"telegram_id": t, "kelurahan": kelurahan, "forum_id": FORUM, "active": True, "banned": False,
             "created_at": now, "consent_at": now} for t in telegram_ids])
        session.commit()
