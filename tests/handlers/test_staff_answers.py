"""Staff answer, set status, and residents answer back: through the real Application, seen from Telegram."""

from sqlmodel import Session, select

from bot.console import Console
from models.clusters import Cluster, Support
from models.outbox import OutboxMessage, OutboxPurpose, OutboxState
from models.replies import Reply
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import (
    STAFF_CHAT,
    STAFF_USER,
    engine_of,
    last_to,
    post_to_staff,
    seed_cluster,
    wait_until_sent,
)
from tests.handlers.journey import button_data, onboard, proposals, submit

OTHER = 700_000  # a seeded resident in the same cluster
MODERATOR = 900_002


async def cluster_with_resident(console: Console) -> tuple[int, str]:
    """Resident 900001 writes an aspiration through the chat; another resident supports the same cluster."""
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, "Lampu jalan di Jl. Ahmad Yani mati sudah sebulan, mohon diperbaiki")
    cluster_id = proposals(console)[-1].cluster_id
    assert cluster_id is not None
    other_cluster, _ = seed_cluster(engine_of(console), 1, first_telegram_id=OTHER)
    with Session(engine_of(console)) as session:
        support = session.exec(select(Support).where(Support.cluster_id == other_cluster)).one()
        support.cluster_id = cluster_id
        session.add(support)
        session.commit()
        code = session.get(Cluster, cluster_id).code  # type: ignore[union-attr]
    return cluster_id, str(code)


def staff_payload_text(console: Console) -> str:
    """Everything the bot sent to the staff chat, every parameter of every call, as one string."""
    return "\n".join(str(call.params) for call in console.api.calls if int(call.params.get("chat_id", 0)) == STAFF_CHAT)


async def test_balas_answers_everyone_and_a_reply_reaches_staff_without_identity(console: Console) -> None:
    cluster_id, code = await cluster_with_resident(console)
    await post_to_staff(console, cluster_id)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Sudah kami teruskan ke Dinas PUPR.",
                                          chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    answer = last_to(console, RESIDENT)
    assert "Dinas PUPR" in answer["text"] and code in answer["text"]
    assert "Dinas PUPR" in last_to(console, OTHER)["text"]

    follow_up = "Terima kasih. Hubungi saya di 081234567890 kalau perlu."
    await console.send(console.maker.reply_to(RESIDENT, answer, follow_up))
    await wait_until_sent(console)
    shown = last_to(console, STAFF_CHAT)
    assert "Warga" in shown["text"] and "Lok Tuan" in shown["text"] and "Hubungi saya" in shown["text"]
    sent_to_staff = staff_payload_text(console)
    for secret in (str(RESIDENT), f"Nama{RESIDENT}", "Rahasia", f"pengguna{RESIDENT}", "081234567890"):
        assert secret not in sent_to_staff
    assert not [c for c in console.api.calls if c.method == "forwardMessage"]
    assert "diteruskan" in console.api.texts(RESIDENT)[-1]

    await console.send(console.maker.reply_to(STAFF_USER, shown, "Baik, akan kami hubungi lewat kelurahan.",
                                              chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert "lewat kelurahan" in last_to(console, RESIDENT)["text"]
    assert all("lewat kelurahan" not in text for text in console.api.texts(OTHER))


async def test_a_photo_follow_up_is_copied_with_a_label_not_the_residents_caption(console: Console) -> None:
    _, code = await cluster_with_resident(console)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Mohon kirim fotonya.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    update = console.maker.photo(RESIDENT, "Ini fotonya, NIK saya 6474012345678901")
    update["message"]["reply_to_message"] = last_to(console, RESIDENT)
    await console.send(update)
    await wait_until_sent(console)
    copies = console.api.sent(STAFF_CHAT, "copyMessage")
    assert len(copies) == 1 and "Warga" in copies[0].params["caption"]
    assert "6474012345678901" not in staff_payload_text(console) and "Rahasia" not in staff_payload_text(console)


async def test_status_button_updates_the_staff_message_and_tells_residents(console: Console) -> None:
    cluster_id, code = await cluster_with_resident(console)
    staff_message = await post_to_staff(console, cluster_id)
    assert f"st:{cluster_id}:ditinjau" in button_data(staff_message)
    await console.send(console.maker.press(STAFF_USER, staff_message, f"st:{cluster_id}:ditinjau"))
    await wait_until_sent(console)
    assert "Sedang ditinjau" in console.api.messages[(STAFF_CHAT, staff_message["message_id"])]["text"]
    assert "Sedang ditinjau" in last_to(console, RESIDENT)["text"]

    note = "Sudah diperbaiki oleh Dinas Perhubungan."
    await console.send(console.maker.text(STAFF_USER, f"/status_kelompok {code} selesai {note}", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert note in last_to(console, RESIDENT)["text"] and note in last_to(console, OTHER)["text"]
    with Session(engine_of(console)) as session:
        assert session.get(Cluster, cluster_id).status == "selesai"  # type: ignore[union-attr]
    status_message = last_to(console, RESIDENT)
    await console.send(console.maker.reply_to(RESIDENT, status_message, "Belum semua lampu menyala."))
    await wait_until_sent(console)
    assert "Belum semua lampu" in last_to(console, STAFF_CHAT)["text"]


async def test_non_staff_cannot_answer_change_status_or_read_others(console: Console) -> None:
    cluster_id, code = await cluster_with_resident(console)
    staff_message = await post_to_staff(console, cluster_id)
    for user in (RESIDENT, MODERATOR):
        await console.send(console.maker.text(user, f"/balas {code} jawaban palsu"))
        await console.send(console.maker.text(user, f"/status_kelompok {code} selesai"))
        assert "hanya staf" in console.api.texts(user)[-1]
    await console.send(console.maker.press(RESIDENT, {**staff_message, "chat": {"id": RESIDENT, "type": "private"}},
                                           f"st:{cluster_id}:ditolak"))
    await wait_until_sent(console)
    assert [c for c in console.api.calls if c.method == "answerCallbackQuery"][-1].params.get("show_alert")
    with Session(engine_of(console)) as session:
        assert session.get(Cluster, cluster_id).status == "baru"  # type: ignore[union-attr]
        assert session.exec(select(Reply)).all() == []
    assert all("palsu" not in text for text in console.api.texts(OTHER))

    # a staff answer to one resident's follow-up is not shown to another resident's /status
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Untuk semua warga.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    await console.send(console.maker.reply_to(OTHER, last_to(console, OTHER), "Di depan rumah saya juga."))
    await wait_until_sent(console)
    await console.send(console.maker.reply_to(STAFF_USER, last_to(console, STAFF_CHAT), "Khusus untuk Anda.",
                                              chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    await console.send(console.maker.text(RESIDENT, "/status"))
    status_text = console.api.texts(RESIDENT)[-1]
    assert "Untuk semua warga" in status_text and "Khusus" not in status_text and "rumah saya" not in status_text


async def test_resident_can_stop_following_a_cluster(console: Console) -> None:
    cluster_id, code = await cluster_with_resident(console)
    await console.send(console.maker.text(RESIDENT, "/status"))
    status_message = last_to(console, RESIDENT)
    await console.send(console.maker.press(RESIDENT, status_message, f"unfollow:{cluster_id}"))
    assert code in console.api.texts(RESIDENT)[-1]
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Kabar terbaru.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert all("Kabar terbaru" not in text for text in console.api.texts(RESIDENT))
    assert "Kabar terbaru" in last_to(console, OTHER)["text"]


async def test_a_delivered_card_keeps_no_text_and_a_status_change_renders_it_anew(console: Console) -> None:
    cluster_id, _ = await cluster_with_resident(console)
    staff_message = await post_to_staff(console, cluster_id)
    with Session(engine_of(console)) as session:
        cards = session.exec(select(OutboxMessage).where(OutboxMessage.cluster_id == cluster_id,
                                                         OutboxMessage.purpose == OutboxPurpose.STAFF_CLUSTER)).all()
        assert cards and all(c.state == OutboxState.SENT and "text" not in c.payload for c in cards)
    await console.send(console.maker.press(STAFF_USER, staff_message, f"st:{cluster_id}:ditinjau"))
    await wait_until_sent(console)
    edited = console.api.messages[(STAFF_CHAT, staff_message["message_id"])]["text"]
    assert "Sedang ditinjau" in edited and "Lampu jalan" in edited  # the whole card, from the cluster itself
    with Session(engine_of(console)) as session:
        delivered = session.exec(select(OutboxMessage).where(OutboxMessage.cluster_id == cluster_id,
                                                             OutboxMessage.state == OutboxState.SENT)).all()
        assert [r.id for r in delivered if "text" in r.payload] == []
