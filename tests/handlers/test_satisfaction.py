"""Closing the loop: residents are asked once whether a resolved cluster is solved, not at night, never when
erased, blocked or no longer following; a "Belum" majority reopens it; 👍/👎 count once per resident."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.console import Console
from handlers.deps import deps
from models.clusters import Cluster, ClusterStatus, Support
from models.db import session_scope
from models.residents import Resident
from models.satisfaction import AnswerRating, SatisfactionAsk
from models.types import utcnow
from services.answers.satisfaction import release_due
from services.core.texts import t
from services.privacy.rights import erase_resident
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, last_to, seed_cluster, wait_until_sent
from tests.handlers.journey import button_data

QUESTION = "Apakah masalah ini sudah terselesaikan?"
DAY = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 WITA
NIGHT = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # 23:00 WITA
MORNING = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)  # 08:00 WITA


def set_clock(console: Console, moment: datetime) -> None:
    """Make the bot's clock read `moment`."""
    console.app.bot_data["clock"] = lambda: moment


def questions_to(console: Console, chat_id: int) -> int:
    """How many times a chat was asked whether the problem is solved."""
    return sum(QUESTION in text for text in console.api.texts(chat_id))


def code_of(console: Console, cluster_id: int) -> str:
    """A cluster's public code."""
    with Session(engine_of(console)) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        return str(cluster.code)


def status_of(console: Console, cluster_id: int) -> ClusterStatus:
    """A cluster's status now."""
    with Session(engine_of(console)) as session:
        cluster = session.get(Cluster, cluster_id)
        assert cluster is not None
        return cluster.status


async def set_status(console: Console, cluster_id: int, status: str, note: str = "") -> None:
    """Staff set a cluster's status from the staff chat, and the outbox empties."""
    text = f"/status_kelompok {code_of(console, cluster_id)} {status} {note}".strip()
    await console.send(console.maker.text(STAFF_USER, text, chat_id=STAFF_CHAT))
    await wait_until_sent(console)


async def answer(console: Console, chat: int, verdict: str) -> None:
    """A resident presses Sudah / Belum / Sebagian on the question."""
    message = next(m for (c, _), m in reversed(console.api.messages.items())
                   if c == chat and QUESTION in m.get("text", ""))
    data = next(d for d in button_data(message) if d.startswith(f"puas:{verdict}:"))
    await console.send(console.maker.press(chat, message, data))
    await wait_until_sent(console)


def release(console: Console, now: datetime) -> int:
    """What the scheduled job does: queue the questions due at `now` (also after a restart)."""
    with session_scope(engine_of(console)) as session:
        return release_due(session=session, config=deps(console.app).config, now=now)


async def test_each_reachable_follower_is_asked_once_even_after_a_second_selesai_and_a_restart(
        console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 5)
    asked, erased, blocked, banned, left = chats
    with session_scope(engine_of(console)) as session:
        for resident in session.exec(select(Resident).where(col(Resident.telegram_id).in_(chats[1:4]))):
            if resident.telegram_id == erased:
                resident.deleted_at, resident.telegram_id = utcnow(), None
            resident.active = resident.telegram_id != blocked
            resident.banned = resident.telegram_id == banned
            session.add(resident)
        leaving = session.exec(select(Resident).where(Resident.telegram_id == left)).one()
        support = session.exec(select(Support).where(Support.resident_id == leaving.id)).one()
        support.following = False
        session.add(support)
    await set_status(console, cluster_id, "selesai")
    assert questions_to(console, asked) == 1
    assert all(questions_to(console, chat) == 0 for chat in (erased, blocked, banned, left))

    await set_status(console, cluster_id, "ditinjau")
    await set_status(console, cluster_id, "selesai")
    assert release(console, DAY) == 0  # a restart runs the job again: nothing new
    await wait_until_sent(console)
    assert questions_to(console, asked) == 1


async def test_no_question_at_night_it_waits_for_the_morning(console: Console) -> None:
    set_clock(console, NIGHT)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    await set_status(console, cluster_id, "selesai")
    assert questions_to(console, chat) == 0
    assert release(console, NIGHT) == 0
    assert release(console, MORNING) == 1
    await wait_until_sent(console)
    assert questions_to(console, chat) == 1


async def test_ditindaklanjuti_asks_only_after_the_configured_days(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    await set_status(console, cluster_id, "ditindaklanjuti")
    days = deps(console.app).config.satisfaction.followup_days
    assert days is not None
    assert questions_to(console, chat) == 0 and release(console, DAY) == 0
    assert release(console, DAY + timedelta(days=days + 1)) == 1


async def test_a_belum_majority_reopens_with_a_note_and_comments_for_staff(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 4)
    await set_status(console, cluster_id, "selesai")
    await answer(console, chats[0], "belum")
    question = next(m for (c, _), m in console.api.messages.items() if c == chats[0] and QUESTION in m.get("text", ""))
    await console.send(console.maker.reply_to(chats[0], question, "Jalan masih berlubang, telp 081234567890"))
    assert t("satisfaction_comment_saved", code=code_of(console, cluster_id)) in console.api.texts(chats[0])
    await answer(console, chats[1], "belum")
    assert status_of(console, cluster_id) == ClusterStatus.SELESAI  # two answers: below the minimum of three
    await answer(console, chats[2], "sudah")
    assert status_of(console, cluster_id) == ClusterStatus.DITINJAU
    note = last_to(console, STAFF_CHAT)["text"]
    assert "Warga menyatakan belum selesai: 2 dari 3" in note
    assert "Jalan masih berlubang" in note and "081234567890" not in note
    await answer(console, chats[3], "belum")  # a later answer does not reopen twice
    assert sum("belum selesai" in text for text in console.api.texts(STAFF_CHAT)) == 1


async def test_a_status_staff_chose_later_is_never_undone(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 3)
    await set_status(console, cluster_id, "selesai")
    await set_status(console, cluster_id, "ditolak")
    for chat in chats:
        await answer(console, chat, "belum")
    assert status_of(console, cluster_id) == ClusterStatus.DITOLAK


async def test_a_sudah_majority_keeps_it_solved_and_answers_can_change(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 3)
    await set_status(console, cluster_id, "selesai")
    for chat in chats:
        await answer(console, chat, "sudah")
    await answer(console, chats[0], "sebagian")
    assert status_of(console, cluster_id) == ClusterStatus.SELESAI
    with Session(engine_of(console)) as session:
        verdicts = sorted(a.verdict or "" for a in session.exec(select(SatisfactionAsk)))
    assert verdicts == ["sebagian", "sudah", "sudah"]


async def test_a_rating_counts_once_per_resident_and_cluster(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat, other) = seed_cluster(engine_of(console), 2)
    code = code_of(console, cluster_id)
    for text in ("Sudah kami teruskan ke Dinas PUPR.", "Perbaikan dijadwalkan minggu depan."):
        await console.send(console.maker.text(STAFF_USER, f"/balas {code} {text}", chat_id=STAFF_CHAT))
        await wait_until_sent(console)
    answers = [m for (c, _), m in console.api.messages.items()
               if c == chat and ("Dinas PUPR" in m.get("text", "") or "minggu depan" in m.get("text", ""))]
    for message, data in ((answers[0], "nilai:up:"), (answers[0], "nilai:up:"), (answers[1], "nilai:down:")):
        pressed = next(d for d in button_data(message) if d.startswith(data))
        await console.send(console.maker.press(chat, message, pressed))
    pressed = next(d for d in button_data(answers[0]) if d.startswith("nilai:up:"))
    await console.send(console.maker.press(other, answers[0], pressed))
    with Session(engine_of(console)) as session:
        ratings = sorted(r.value for r in session.exec(select(AnswerRating)))
    assert ratings == [-1, 1]


async def test_an_answer_from_someone_never_asked_is_refused_plainly(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    await console.send(console.maker.text(chat, "halo"))
    message = last_to(console, chat)
    await console.send(console.maker.press(chat, message, f"puas:belum:{cluster_id}"))
    answers = [c.params for c in console.api.calls if c.method == "answerCallbackQuery"]
    assert answers[-1].get("text") == t("satisfaction_unknown")
    assert status_of(console, cluster_id) == ClusterStatus.BARU


async def test_erasure_removes_the_comment_and_keeps_the_answer_as_a_count(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    await set_status(console, cluster_id, "selesai")
    await answer(console, chat, "sebagian")
    question = next(m for (c, _), m in console.api.messages.items() if c == chat and QUESTION in m.get("text", ""))
    await console.send(console.maker.reply_to(chat, question, "Baru separuh jalan yang diaspal di depan rumah saya"))
    with session_scope(engine_of(console)) as session:
        resident = session.exec(select(Resident).where(Resident.telegram_id == chat)).one()
        assert resident.id is not None
        erase_resident(session=session, config=deps(console.app).config, resident_id=resident.id)
    with Session(engine_of(console)) as session:
        ask = session.exec(select(SatisfactionAsk)).one()
    assert ask.comment is None and ask.verdict == "sebagian"
