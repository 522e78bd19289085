"""Several copies on one PostgreSQL: updates received by any copy are stored once and handled once, each chat in
order; a copy that dies mid-update leaves it to another; one sender and one scheduler, taken over when lost."""

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from telegram import Update

from bot.cluster.locks import conninfo
from bot.cluster.node import health_route
from bot.fake_updates import UpdateMaker
from bot.settings import Settings
from bot.webhook import webhook_app
from handlers.deps import deps
from handlers.outbox_worker import pacer_of, running_worker
from models.claims import LOCK_KEY
from models.db import session_scope
from models.outbox import OutboxMessage, OutboxState
from models.residents import get_or_create_resident, give_consent, set_kelurahan
from models.updates import InboundUpdate
from nlp.embed import Embedder
from services.intake import drafts as intake
from tests.bot.cluster_copies import Copy, cluster_settings, until

PRIVACY = "UU No. 27 Tahun 2022"
STAFF_GROUP = -100_930


@pytest.fixture
async def copies(settings: Settings, embedder: Embedder) -> AsyncIterator[list[Copy]]:
    both = [Copy(cluster_settings(settings), embedder) for _ in range(2)]
    for copy in both:
        await copy.start()
    try:
        yield both
    finally:
        for copy in both:
            await copy.stop()


def sent_texts(copies: list[Copy], chat_id: int) -> list[str]:
    return [text for copy in copies for text in copy.api.texts(chat_id)]


def processed(copy: Copy) -> list[InboundUpdate]:
    with Session(deps(copy.app).engine) as session:
        return list(session.exec(select(InboundUpdate).order_by(col(InboundUpdate.update_id))))


async def put(copy: Copy, update: dict[str, object]) -> None:
    parsed = Update.de_json(update, copy.app.bot)
    assert parsed is not None
    await copy.app.update_queue.put(parsed)


async def test_updates_received_by_any_copy_are_handled_once_each_chat_in_order(copies: list[Copy]) -> None:
    maker = UpdateMaker()
    residents = [910_000 + i for i in range(12)]
    updates = [maker.text(r, "/start") for r in residents] + [maker.text(r, "/bantuan") for r in residents]
    for i, update in enumerate(updates):
        await put(copies[i % 2], update)
        await put(copies[(i + 1) % 2], update)  # Telegram's retry reaching the other copy: stored once
    rows = await until_all_processed(copies[0], len(updates))
    assert len(rows) == len(updates) and not copies[0].app.update_queue.qsize()
    for resident in residents:
        mine = sorted((r for r in rows if r.chat_id == resident), key=lambda r: r.update_id)
        assert [r.processed_at for r in mine] == sorted(r.processed_at for r in mine)  # in order
        await until(lambda resident=resident: sum(PRIVACY in t for t in sent_texts(copies, resident)) == 1)
    assert sum(copy.node.worker.handled for copy in copies) == len(updates)  # each handled exactly once


async def until_all_processed(copy: Copy, count: int) -> list[InboundUpdate]:
    await until(lambda: len(rows := processed(copy)) == count and all(r.processed_at for r in rows), 60)
    return processed(copy)


async def test_an_update_held_by_a_dead_copy_is_redone_by_another(copies: list[Copy]) -> None:
    resident = 920_001
    update = UpdateMaker(start_update_id=500).text(resident, "/start")
    engine = deps(copies[0].app).engine
    dying = psycopg.connect(conninfo(engine))  # a third copy, mid-update: chat lock and row lock held
    dying.execute(f"SELECT pg_advisory_lock({LOCK_KEY})", (f"chat:{resident}",))
    await put(copies[0], update)
    dying.execute("SELECT 1 FROM inboundupdate WHERE update_id = 500 FOR UPDATE")
    dying.execute("UPDATE inboundupdate SET processed_at = now() WHERE update_id = 500")  # not committed
    with pytest.raises(AssertionError, match="timed out"):
        await until(lambda: bool(processed(copies[0])[0].processed_at), 1.5)
    dying.close()  # without a commit, as with kill -9: its transaction and its locks are gone
    await until(lambda: bool(processed(copies[0])[0].processed_at))
    await until(lambda: sum(PRIVACY in t for t in sent_texts(copies, resident)) == 1)


def leaders(copies: list[Copy], role: str) -> list[Copy]:
    return [copy for copy in copies if getattr(copy.node, role).leading]


async def test_one_sender_and_one_scheduler_and_a_standby_takes_over(copies: list[Copy]) -> None:
    await until(lambda: len(leaders(copies, "sender")) == 1 and len(leaders(copies, "scheduler")) == 1)
    scheduler = leaders(copies, "scheduler")[0]
    standby = next(copy for copy in copies if copy is not scheduler)
    assert scheduler.app.job_queue is not None and standby.app.job_queue is not None
    assert scheduler.app.job_queue.jobs() and not standby.app.job_queue.jobs()
    sender = leaders(copies, "sender")[0]
    engine = deps(sender.app).engine
    with engine.begin() as connection:  # a row the sender was sending when it lost its connection
        connection.execute(text(
            "INSERT INTO outboxmessage (dedupe_key, chat_id, method, payload, purpose, state, attempts,"
            " next_attempt_at, created_at, uncertain) VALUES ('t:1', 930001, 'send_message',"
            " '{\"text\": \"halo\"}', 'reply', 'sending', 1, now(), now(), false)"))
        connection.execute(text(  # the staff chat's twenty messages of this minute, sent by the old sender
            "INSERT INTO outboxmessage (dedupe_key, chat_id, method, payload, purpose, state, attempts,"
            " next_attempt_at, created_at, sent_at, uncertain) SELECT 'g:' || n, :group, 'send_message', '{}',"
            " 'digest', 'sent', 1, now(), now(), now(), false FROM generate_series(1, 20) n"),
            {"group": STAFF_GROUP})
    for role, holder in (("sender", sender), ("scheduler", scheduler)):
        pid = await getattr(holder.node, role).locks.backend_pid()
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        took = await until(lambda role=role: len(leaders(copies, role)) == 1
                           and getattr(leaders(copies, role)[0].node, role).locks.held == {role}, 10)
        assert took < 5
    new_sender = leaders(copies, "sender")[0]
    await until(lambda: running_worker(new_sender.app) is not None)
    assert pacer_of(new_sender.app.bot).chat_wait(STAFF_GROUP) > 50  # the group's minute counts the old sends
    new_scheduler = leaders(copies, "scheduler")[0]
    assert new_scheduler.app.job_queue is not None and new_scheduler.app.job_queue.jobs()
    await until(lambda: sent_texts(copies, 930001) == ["halo"])
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == "t:1")).one()
    assert row.state == OutboxState.SENT and row.uncertain  # sent again and counted as maybe twice
    assert sum(copy.node.uncertain_taken for copy in copies) == 1


async def test_health_reports_roles_and_lag(copies: list[Copy]) -> None:
    await until(lambda: len(leaders(copies, "sender")) == 1)
    await put(copies[0], UpdateMaker(start_update_id=700).text(940_001, "/start"))
    answers = []
    for copy in copies:
        asgi = webhook_app(copy.app, path="tg", secret="s", extra_routes=[health_route(copy.app)])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://copy") as client:
            answers.append(await client.get("/health"))
    assert [answer.status_code for answer in answers] == [200, 200]
    reports = [answer.json() for answer in answers]
    assert sorted(role for report in reports for role in report["roles"]) == ["scheduler", "sender"]
    assert {"updates_pending", "oldest_update_age_s", "outbox_waiting", "outbox_uncertain"} <= set(reports[0])
    assert reports[0]["copy"] != reports[1]["copy"] or reports[0]["copy"].endswith(str(__import__("os").getpid()))


def submit_through(copy: Copy, telegram_id: int, text: str) -> int:
    """A resident's aspiration confirmed in this copy (the machine picks its cluster); return the cluster id."""
    d = deps(copy.app)
    forum = d.config.forum_of("Lok Tuan")
    with session_scope(d.engine) as session:
        resident = get_or_create_resident(session=session, telegram_id=telegram_id)
        give_consent(session=session, resident=resident)
        set_kelurahan(session=session, resident=resident, kelurahan="Lok Tuan", forum_id=forum.id)
        draft, _ = intake.save_draft(session=session, grouping=d.grouping, resident=resident,
                                     source_chat_id=telegram_id, source_message_id=telegram_id, text=text)
        assert draft.id is not None
        done = intake.confirm(session=session, grouping=d.grouping, resident=resident, proposal_id=draft.id)
        assert isinstance(done, intake.Submitted) and done.cluster.id is not None
        return done.cluster.id


async def test_every_copy_s_index_follows_and_one_request_opens_one_cluster(copies: list[Copy]) -> None:
    text = "Jalan di depan SD 005 Lok Tuan berlubang besar dan sering membuat motor jatuh, mohon segera diperbaiki"
    first = submit_through(copies[0], 950_001, text)
    second = submit_through(copies[1], 950_002, text)  # at once, on the other copy: it caught up first
    assert second == first
    await until(lambda: all(len(deps(copy.app).grouping) == 2 for copy in copies), 10)
    assert sum(copy.node.follower.applied for copy in copies) >= 1
