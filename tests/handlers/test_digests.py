"""Weekly digests through the real Application with a controllable clock: schedule, exactly once, review, staff."""

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select
from telegram.error import TimedOut

from bot.console import Console
from bot.settings import Settings
from handlers.deps import deps
from handlers.outbox_worker import stop_outbox
from models.digests import Digest
from models.outbox import OutboxMessage, OutboxState
from models.types import utcnow
from nlp.embed import Embedder
from services.digests.periods import scheduled_after
from tests.handlers.journey import button_data, onboard, submit

MODERATOR, STAFF_CHAT, OTHER = 900_002, -100_900_003, 900_001
ROAD = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."
POSYANDU = "Posyandu di RT 12 Guntung butuh timbangan bayi dan meja baru, yang lama rusak. Hubungi 081234567890."


async def two_aspirations(console: Console) -> None:
    """Two residents of Bontang Utara send two different aspirations."""
    await onboard(console, 900_201)
    await submit(console, 900_201, ROAD)
    await onboard(console, 900_202, "64.74.01.1004")
    await submit(console, 900_202, POSYANDU)


def next_digest_time(console: Console) -> datetime:
    """The next scheduled digest time after the aspirations were sent (real time)."""
    return scheduled_after(console.settings.config, utcnow())


def set_clock(console: Console, moment: datetime) -> None:
    """Make the bot believe it is `moment`."""
    console.app.bot_data["clock"] = lambda: moment


def stored(console: Console, model: Any) -> list[Any]:
    """Every row of a table."""
    with Session(deps(console.app).engine) as session:
        return list(session.exec(select(model)))


async def restart(settings: Settings, embedder: Embedder, moment: datetime,
                  inject: Callable[[str, dict[str, Any]], Any] | None = None) -> Console:
    """Start the bot again (catch-up included) on the same database, at a given time; sends what is due."""
    again = Console(settings, io.StringIO(), embedder=embedder)
    set_clock(again, moment)
    again.api.inject = inject
    await again.start()
    await settle(again)
    await again.stop()
    return again


async def settle(console: Console) -> None:
    """Send what is due, and wait for the background worker's sends in flight to finish."""
    for _ in range(250):
        await console.flush_outbox()
        busy = [r for r in stored(console, OutboxMessage) if r.state in {OutboxState.PENDING, OutboxState.SENDING}
                and r.next_attempt_at <= utcnow()]
        if not busy:
            return
        await asyncio.sleep(0.02)


def moderator_digest(console: Console) -> dict[str, Any]:
    """The moderator's digest message that carries the review buttons."""
    return next(m for (chat, _), m in reversed(console.api.messages.items())
                if chat == MODERATOR and "dg:f:" in str(m.get("reply_markup")))


async def test_job_is_registered_weekly_at_monday_0800_wita(console: Console) -> None:
    [job] = console.app.job_queue.get_jobs_by_name("digest:bontang-utara")  # type: ignore[union-attr]
    wita = console.settings.config.city.tz
    assert job.job.id == "digest:bontang-utara" and job.job.coalesce is True
    assert job.job.misfire_grace_time == 168 * 3600
    assert job.next_t == next_digest_time(console)
    local = job.next_t.astimezone(wita)  # type: ignore[union-attr]
    assert (local.weekday(), local.hour, local.minute) == (0, 8, 0)
    sunday = datetime(2026, 12, 6, 23, 59, tzinfo=wita)
    assert job.job.trigger.get_next_fire_time(None, sunday) == datetime(2026, 12, 7, 8, 0, tzinfo=wita)


async def test_job_fires_at_the_wita_time_and_sends_to_moderators(console: Console) -> None:
    await two_aspirations(console)
    [job] = console.app.job_queue.get_jobs_by_name("digest:bontang-utara")  # type: ignore[union-attr]
    set_clock(console, next_digest_time(console) - timedelta(minutes=1))
    await job.run(console.app)
    assert stored(console, Digest) == []
    set_clock(console, next_digest_time(console))
    await job.run(console.app)
    await settle(console)
    [digest] = stored(console, Digest)
    assert digest.forum_id == "bontang-utara" and digest.period_end == next_digest_time(console)
    photo = console.api.sent(MODERATOR, "sendPhoto")
    assert len(photo) == 1 and "Forum Warga Bontang Utara" in photo[0].params["caption"]
    text = "\n".join(console.api.texts(MODERATOR))
    assert "Ringkasan Forum Warga Bontang Utara" in text and "2</b> aspirasi baru dari <b>2</b> warga" in text
    assert "Pattimura" in text and "Posyandu" in text and "081234567890" not in text
    assert any(d.startswith("dg:h:") for d in button_data(moderator_digest(console)))


async def test_restarts_and_a_crash_mid_send_still_give_exactly_one_digest(
        console: Console, settings: Settings, embedder: Embedder) -> None:
    await two_aspirations(console)
    await stop_outbox(console.app)  # this process "dies": only the restarted ones send
    late = next_digest_time(console) + timedelta(hours=3)
    sends = 0

    def crash_after_first(method: str, params: dict[str, Any]) -> TimedOut | None:
        nonlocal sends
        if method in {"sendMessage", "sendPhoto"} and int(params["chat_id"]) == MODERATOR:
            sends += 1
            return TimedOut() if sends > 1 else None
        return None

    first = await restart(settings, embedder, late, crash_after_first)
    with Session(deps(console.app).engine) as session:
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))  # the retry time has come
        session.commit()
    second = await restart(settings, embedder, late + timedelta(minutes=5))
    third = await restart(settings, embedder, late + timedelta(hours=2))
    assert len(stored(console, Digest)) == 1
    rows = [r for r in stored(console, OutboxMessage) if r.purpose == "digest"]
    assert len(rows) >= 2 and all(r.state == OutboxState.SENT for r in rows)
    received = [m for bot in (first, second, third) for (chat, _), m in bot.api.messages.items() if chat == MODERATOR]
    assert len(received) == len(rows)
    assert len({str(m.get("text") or m.get("caption")) for m in received}) == len(rows)


async def test_missed_periods_coalesce_into_one_digest(console: Console, settings: Settings,
                                                       embedder: Embedder) -> None:
    await two_aspirations(console)
    await stop_outbox(console.app)  # this process "dies": only the restarted ones send
    three_weeks_later = next_digest_time(console) + timedelta(weeks=2, hours=1)
    await restart(settings, embedder, three_weeks_later)
    [digest] = stored(console, Digest)
    assert digest.period_end == next_digest_time(console) + timedelta(weeks=2)
    assert digest.content["aspirations"] == 2 and digest.period_start < next_digest_time(console)


async def test_moderator_hides_a_cluster_and_forwards_others_are_refused(console: Console) -> None:
    await two_aspirations(console)
    set_clock(console, next_digest_time(console) + timedelta(minutes=1))
    [job] = console.app.job_queue.get_jobs_by_name("digest:bontang-utara")  # type: ignore[union-attr]
    await job.run(console.app)
    await settle(console)
    message = moderator_digest(console)
    forward = next(d for d in button_data(message) if d.startswith("dg:f:"))
    await console.send(console.maker.press(OTHER, message, forward))
    refusal = console.api.calls[-1]
    assert refusal.method == "answerCallbackQuery" and "hanya moderator" in refusal.params["text"]
    assert console.api.sent(STAFF_CHAT) == []
    hide = [d for d in button_data(message) if d.startswith("dg:h:")]
    [posyandu] = [c["id"] for c in stored(console, Digest)[0].content["top"] if "Posyandu" in c["title"]]
    await console.send(console.maker.press(MODERATOR, message, next(d for d in hide if d.endswith(f":{posyandu}"))))
    assert "Tampilkan lagi" in str(console.api.messages[(MODERATOR, message["message_id"])]["reply_markup"])
    await console.send(console.maker.press(MODERATOR, message, forward))
    await console.send(console.maker.press(MODERATOR, message, forward))
    await settle(console)
    staff = console.api.texts(STAFF_CHAT)
    [header] = [text for text in staff if "masing-masing satu pesan" in text]
    assert "diteruskan oleh moderator" in header
    assert len(console.api.sent(STAFF_CHAT, "sendPhoto")) == 1
    clusters = [c for c in console.api.sent(STAFF_CHAT, "sendMessage") if c.params["text"] != header]
    assert len(clusters) == 1 and "Pattimura" in clusters[0].params["text"]
    assert "Posyandu" not in "\n".join(staff)
    keyboard = clusters[0].params["reply_markup"]["inline_keyboard"]
    assert any(b["callback_data"].startswith("st:") for row in keyboard for b in row)
    answers = [c for c in console.api.calls if c.method == "answerCallbackQuery"]
    assert "sudah diteruskan" in answers[-1].params["text"]
    assert stored(console, Digest)[0].state == "forwarded"


async def test_auto_forward_after_the_delay(console: Console) -> None:
    await two_aspirations(console)
    built = next_digest_time(console) + timedelta(minutes=1)
    set_clock(console, built)
    [job] = console.app.job_queue.get_jobs_by_name("digest:bontang-utara")  # type: ignore[union-attr]
    await job.run(console.app)
    [auto] = console.app.job_queue.get_jobs_by_name("digest:auto-forward")  # type: ignore[union-attr]
    set_clock(console, built + timedelta(hours=23))
    await auto.run(console.app)
    await settle(console)
    assert console.api.sent(STAFF_CHAT) == []
    set_clock(console, built + timedelta(hours=24, minutes=1))
    await auto.run(console.app)
    await auto.run(console.app)
    await settle(console)
    assert any("diteruskan otomatis" in text for text in console.api.texts(STAFF_CHAT))
    assert len(console.api.sent(STAFF_CHAT, "sendMessage")) == 3  # header and two clusters, once


async def test_ringkasan_shows_the_running_period_and_teruskan_closes_it_once(console: Console) -> None:
    await two_aspirations(console)
    closing = utcnow()
    set_clock(console, closing)
    await console.send(console.maker.text(MODERATOR, "/ringkasan bontang-utara"))
    texts = console.api.texts(MODERATOR)
    assert "Periode berjalan" in texts[-1] and "Pattimura" in texts[-1] and "Posyandu" in texts[-1]
    assert len(console.api.sent(MODERATOR, "sendPhoto")) == 1
    [draft] = stored(console, Digest)
    assert draft.state == "draft" and draft.period_end == closing
    message = moderator_digest(console)
    [posyandu] = [c["id"] for c in draft.content["top"] if "Posyandu" in c["title"]]
    await console.send(console.maker.press(MODERATOR, message, f"dg:h:{draft.id}:{posyandu}"))
    set_clock(console, closing + timedelta(seconds=30))
    await console.send(console.maker.text(MODERATOR, "/ringkasan"))  # a second look: another draft
    later = moderator_digest(console)
    await console.send(console.maker.press(MODERATOR, message, f"dg:f:{draft.id}"))
    await console.send(console.maker.press(MODERATOR, message, f"dg:f:{draft.id}"))
    forward_later = next(d for d in button_data(later) if d.startswith("dg:f:"))
    await console.send(console.maker.press(MODERATOR, later, forward_later))
    await settle(console)
    answers = [str(c.params.get("text")) for c in console.api.calls if c.method == "answerCallbackQuery"]
    assert "sudah diteruskan" in answers[-2] and "sudah ditutup" in answers[-1]
    staff = console.api.texts(STAFF_CHAT)
    assert sum("masing-masing satu pesan" in text for text in staff) == 1
    assert any("Pattimura" in text for text in staff) and not any("Posyandu" in text for text in staff)
    closed = [d for d in stored(console, Digest) if d.state != "draft"]
    assert len(closed) == 1 and closed[0].period_end == closing and closed[0].state == "forwarded"
    await submit(console, 900_201, "Lampu jalan di gang Mawar Lok Tuan mati sudah seminggu, mohon diganti.")
    [job] = console.app.job_queue.get_jobs_by_name("digest:bontang-utara")  # type: ignore[union-attr]
    set_clock(console, next_digest_time(console))
    await job.run(console.app)
    scheduled = [d for d in stored(console, Digest) if d.state not in {"draft", "forwarded"}]
    assert len(scheduled) == 1 and scheduled[0].period_start == closing
    assert scheduled[0].content["aspirations"] == 1


async def test_ringkasan_is_for_moderators_only(console: Console) -> None:
    await console.send(console.maker.text(OTHER, "/ringkasan"))
    assert "hanya untuk moderator" in console.api.texts(OTHER)[-1]


async def test_teruskan_is_answered_before_the_work_and_the_result_follows(console: Console) -> None:
    await two_aspirations(console)
    set_clock(console, utcnow())
    await console.send(console.maker.text(MODERATOR, "/ringkasan bontang-utara"))
    [draft] = stored(console, Digest)
    seen_at_answer: list[tuple[str, int]] = []

    def at_answer(call: Any) -> None:
        """When the button is answered, what has been done yet: the digest's state, staff messages queued."""
        if call.method == "answerCallbackQuery":
            staff = [r for r in stored(console, OutboxMessage) if r.chat_id == STAFF_CHAT]
            seen_at_answer.append((stored(console, Digest)[0].state, len(staff)))

    console.api.listeners.append(at_answer)
    before = len(console.api.calls)
    await console.send(console.maker.press(MODERATOR, moderator_digest(console), f"dg:f:{draft.id}"))
    await settle(console)
    assert seen_at_answer == [("draft", 0)]  # answered before anything was forwarded
    [answer] = [c for c in console.api.calls[before:] if c.method == "answerCallbackQuery"]
    assert "Meneruskan" in answer.params["text"] and not answer.params.get("show_alert")
    result = [c for c in console.api.sent(MODERATOR, "sendMessage") if "Ringkasan diteruskan" in c.params["text"]]
    assert len(result) == 1 and console.api.calls.index(result[0]) > console.api.calls.index(answer)
    assert stored(console, Digest)[0].state == "forwarded"
    assert any("Pattimura" in text for text in console.api.texts(STAFF_CHAT))
