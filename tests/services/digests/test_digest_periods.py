"""The running period: /ringkasan drafts, closing a period early exactly once, and each cluster's home forum."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.settings import load_config
from models.clusters import create_cluster
from models.db import session_scope
from models.digests import Digest, DigestState
from models.outbox import OutboxMessage
from services.core.config import AppConfig
from services.digests.delivery import DigestError, draft_digest, forward_digest, issue_digest, issue_running_digest
from services.digests.periods import build_digest, due_period, running_period
from tests.services.digests.digest_data import aspiration, week

ROOT = Path(__file__).resolve().parents[3]
STAFF = -100_555


@pytest.fixture
def config(tmp_path: Path) -> AppConfig:
    """The project's config with a staff chat, a moderator and charts in a temporary folder."""
    config = load_config(ROOT / "config.yaml")
    forums = [f.model_copy(update={"moderator_ids": [900_002]}) for f in config.forums]
    return config.model_copy(update={"data_dir": str(tmp_path), "forums": forums, "telegram": (
        config.telegram.model_copy(update={"staff_chat_id": STAFF}))})


def test_running_period_never_goes_backwards_and_works_in_the_first_week(engine: Engine) -> None:
    with session_scope(engine) as session:
        empty = running_period(session=session, forum_id="bontang-utara", now=week(0, 6))
        assert empty == (week(0, 6) - timedelta(days=7), week(0, 6))
        first = aspiration(session, text="Perbaiki jalan berlubang di Jl. Pattimura", at=week(0, 5))
        assert running_period(session=session, forum_id="bontang-utara", now=week(0, 6)) == (
            first.submitted_at, week(0, 6))
        session.add(Digest(forum_id="bontang-utara", period_start=week(0, 0), period_end=week(0, 30)))
        session.add(Digest(forum_id="bontang-utara", period_start=week(0, 30), period_end=week(0, 40),
                           state=DigestState.DRAFT))
        session.flush()
        start, end = running_period(session=session, forum_id="bontang-utara", now=week(0, 50))
        assert (start, end) == (week(0, 30), week(0, 50))  # a draft is no period
        start, end = running_period(session=session, forum_id="bontang-utara", now=week(0, 20))
        assert start <= end


def test_forwarding_a_draft_closes_the_period_exactly_once_and_the_next_digest_starts_there(
        engine: Engine, config: AppConfig) -> None:
    with session_scope(engine) as session:
        aspiration(session, text="Perbaiki jalan berlubang di Jl. Pattimura", at=week(0, 5))
        aspiration(session, text="Lampu jalan mati di gang Mawar", at=week(0, 7))
    with session_scope(engine) as session:
        first = draft_digest(session=session, config=config, forum_id="bontang-utara", now=week(0, 10))
        again = draft_digest(session=session, config=config, forum_id="bontang-utara", now=week(0, 10))
        second = draft_digest(session=session, config=config, forum_id="bontang-utara", now=week(0, 11))
        assert first.id == again.id != second.id and first.state == DigestState.DRAFT
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(1)) is not None
        ids = [first.id, second.id]
    outcomes: list[str] = []

    def press(digest_id: int | None) -> None:
        assert digest_id is not None
        try:
            with session_scope(engine) as session:
                forward_digest(session=session, config=config, digest_id=digest_id, actor="moderator:1",
                               now=week(0, 12))
            outcomes.append("forwarded")
        except DigestError as exc:
            outcomes.append(exc.key)

    threads = [threading.Thread(target=press, args=(i,)) for i in (*ids, ids[0])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("forwarded") == 1, outcomes
    with session_scope(engine) as session:
        closed = session.exec(select(Digest).where(Digest.state != DigestState.DRAFT)).all()
        assert len(closed) == 1 and closed[0].period_start == week(0, 5)
        headers = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == STAFF)).all()
        assert sum("masing-masing satu pesan" in str(r.payload.get("text")) for r in headers) == 1
        aspiration(session, text="Posyandu butuh timbangan", at=week(0, 20))
    with session_scope(engine) as session:
        scheduled = issue_digest(session=session, config=config, forum_id="bontang-utara", now=week(1, 0))
        assert scheduled is not None and scheduled.period_start == closed[0].period_end
        assert scheduled.content["aspirations"] == 1


def test_send_issues_the_running_period_in_the_first_week(engine: Engine, config: AppConfig) -> None:
    with session_scope(engine) as session:
        aspiration(session, text="Perbaiki jalan berlubang di Jl. Pattimura", at=week(0, 5))
        assert due_period(session=session, config=config, forum_id="bontang-utara", now=week(0, 9)) is None
        digest = issue_running_digest(session=session, config=config, forum_id="bontang-utara", now=week(0, 9))
        assert (digest.period_start, digest.period_end, digest.state) == (week(0, 5), week(0, 9), "built")
        assert digest.content["aspirations"] == 1
        assert session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 900_002)).all()


def test_a_cluster_is_listed_in_its_home_forums_digest_only(engine: Engine, config: AppConfig) -> None:
    with session_scope(engine) as session:
        cluster = create_cluster(session=session, title="Lampu jalan mati di Berbas Pantai",
                                 home_forum_id="bontang-selatan")
        aspiration(session, text="Lampu jalan mati di Berbas Pantai", at=week(0, 5), cluster=cluster,
                   kelurahan="Lok Tuan", forum_id="bontang-utara")  # written by a Bontang Utara resident
        digests = {forum: build_digest(session=session, config=config, forum_id=forum, period_end=week(1, 0),
                                       now=week(1, 0), period_start_at=week(0, 0))
                   for forum in ("bontang-utara", "bontang-selatan")}
    assert [line.code for line in digests["bontang-selatan"].top] == [cluster.code]
    assert digests["bontang-selatan"].aspirations == 1
    assert digests["bontang-utara"].top == [] and digests["bontang-utara"].aspirations == 0
