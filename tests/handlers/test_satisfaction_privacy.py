"""Closing the loop and a resident's data rights: /data_saya lists their answers, comments and 👍/👎; erasure
reaches the reopen note in the staff chat that quoted their comment (found by provenance, edited there) and
leaves no word of the comment anywhere, while the answers stay as anonymous counts."""

import json
from typing import Any

from sqlmodel import Session, select

from bot.console import Console
from models.satisfaction import SatisfactionAsk
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, seed_cluster, wait_until_sent
from tests.handlers.journey import button_data, press
from tests.handlers.test_privacy import leaks
from tests.handlers.test_satisfaction import DAY, QUESTION, answer, code_of, set_clock, set_status

MINE = "Gorong-gorong depan mushola Al Ikhlas masih mampet kalau hujan"
THEIRS = "Aspalnya cuma ditambal separuh, sisi utara dekat pasar Rawa Indah belum"


def question_to(console: Console, chat: int) -> dict[str, Any]:
    """The question "is it solved?" as a resident received it."""
    return next(m for (c, _), m in console.api.messages.items() if c == chat and QUESTION in m.get("text", ""))


async def comment(console: Console, chat: int, text: str) -> None:
    """A resident replies to the question with a comment."""
    await console.send(console.maker.reply_to(chat, question_to(console, chat), text))
    await wait_until_sent(console)


def reopen_note(console: Console) -> tuple[int, dict[str, Any]]:
    """The reopen note in the staff chat (its message id and the message as last edited)."""
    return next((key[1], m) for key, m in console.api.messages.items()
                if key[0] == STAFF_CHAT and "belum selesai" in m.get("text", ""))


async def erase(console: Console, chat: int) -> None:
    """/hapus_data, confirmed, and the outbox empties (the edits in other chats are sent)."""
    await console.send(console.maker.text(chat, "/hapus_data"))
    await press(console, chat, "hapus:ya")
    await wait_until_sent(console)


async def test_my_data_lists_answers_comments_and_ratings(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, (chat,) = seed_cluster(engine_of(console), 1)
    code = code_of(console, cluster_id)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Sudah kami perbaiki minggu ini.",
                                          chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    staff_answer = next(m for (c, _), m in console.api.messages.items() if c == chat and "minggu ini" in m["text"])
    await console.send(console.maker.press(chat, staff_answer, next(
        d for d in button_data(staff_answer) if d.startswith("nilai:down:"))))
    await set_status(console, cluster_id, "selesai")
    await answer(console, chat, "belum")
    await comment(console, chat, MINE)

    await console.send(console.maker.text(chat, "/data_saya"))
    await wait_until_sent(console)
    summary = console.api.texts(chat)[-2]
    assert f"{code}" in summary and "Perbaikan jalan berlubang" in summary
    assert "Jawaban Anda: Belum (8 Desember 2026 10.00 WITA)" in summary
    assert f"Komentar Anda: {MINE}" in summary and "jawaban staf: 👎 (8 Desember 2026 10.00 WITA)" in summary
    _, content, _ = console.api.sent(chat, "sendDocument")[-1].files["document"]
    data = json.loads(content)
    [mine] = data["jawaban_penyelesaian"]
    when = "8 Desember 2026 10.00 WITA"  # the bot's clock: DAY
    assert mine == {"kelompok": code, "judul": "Perbaikan jalan berlubang di Jl. Pattimura", "ditanya": when,
                    "jawaban": "Belum", "dijawab": when, "komentar": MINE}
    [rating] = data["penilaian_jawaban"]
    assert rating["kelompok"] == code and rating["nilai"] == "👎" and rating["waktu"] == when
    assert rating["jawaban_staf"].endswith(" WITA")  # when staff answered (the real clock)


async def test_erasure_edits_the_reopen_note_that_quoted_the_comment(console: Console) -> None:
    set_clock(console, DAY)
    cluster_id, chats = seed_cluster(engine_of(console), 3)
    await set_status(console, cluster_id, "selesai")
    await answer(console, chats[0], "belum")
    await comment(console, chats[0], MINE)
    await answer(console, chats[1], "sebagian")
    await comment(console, chats[1], THEIRS)
    await answer(console, chats[2], "belum")  # 2 of 3 say Belum: reopened, the note quotes both comments
    message_id, note = reopen_note(console)
    assert MINE in note["text"] and THEIRS in note["text"]
    assert leaks(engine_of(console), [MINE]), "the comment must be stored before erasure"

    await erase(console, chats[0])

    edited = console.api.messages[(STAFF_CHAT, message_id)]["text"]
    assert MINE not in edited and "mushola" not in edited
    assert THEIRS in edited and "Warga menyatakan belum selesai: 2 dari 3" in edited  # the counts stay
    assert leaks(engine_of(console), [MINE, "mushola Al Ikhlas"]) == []
    with Session(engine_of(console)) as session:
        verdicts = sorted(str(a.verdict) for a in session.exec(select(SatisfactionAsk)))
    assert verdicts == ["belum", "belum", "sebagian"]  # anonymous counts: the figures do not change

    await erase(console, chats[1])  # the note still knows where the other comment came from

    edited = console.api.messages[(STAFF_CHAT, message_id)]["text"]
    assert THEIRS not in edited and "Warga menyatakan belum selesai: 2 dari 3" in edited
    assert leaks(engine_of(console), [THEIRS, "Rawa Indah"]) == []
