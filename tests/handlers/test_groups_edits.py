"""Forum groups, anonymous senders and edits: /usul only where a forum lives, in the right topic, once."""

import io
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, select

from bot.console import Console
from bot.settings import Settings
from models.clusters import Cluster
from models.proposals import Proposal
from models.residents import Resident
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, engine_of, post_to_staff, seed_cluster
from tests.handlers.journey import onboard, press, proposals

FORUM_GROUP, OTHER_GROUP, TOPIC = -100_555_001, -100_555_002, 42
ANONYMOUS_ADMIN = 1087968824  # Telegram's GroupAnonymousBot


@pytest.fixture
async def forum(settings: Settings, embedder: Embedder) -> AsyncIterator[Console]:
    """The bot with bontang-utara's forum group configured."""
    forums = [f.model_copy(update={"chat_id": FORUM_GROUP}) if f.id == "bontang-utara" else f
              for f in settings.config.forums]
    configured = Settings(settings.config.model_copy(update={"forums": forums}), settings.secrets,
                          settings.config_path)
    bot = Console(configured, io.StringIO(), embedder=embedder)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_usul_outside_forum_groups_is_refused_politely(forum: Console) -> None:
    await onboard(forum, RESIDENT)
    await forum.send(forum.maker.text(RESIDENT, "/usul Mohon perbaikan jalan rusak di Jl. Pattimura",
                                      chat_id=OTHER_GROUP))
    assert "hanya diterima di grup forum warga" in forum.api.texts(OTHER_GROUP)[-1]
    assert proposals(forum) == []


async def test_usul_in_a_topic_answers_in_the_topic_and_drops_the_tag_in_any_case(forum: Console) -> None:
    await onboard(forum, RESIDENT)
    await forum.send(forum.maker.text(RESIDENT, "#USUL Mohon perbaikan lampu jalan di Gang Kenanga Lok Tuan",
                                      chat_id=FORUM_GROUP, message_thread_id=TOPIC, is_topic_message=True))
    ack = forum.api.sent(FORUM_GROUP)[-1]
    assert ack.params.get("message_thread_id") == TOPIC
    assert proposals(forum)[0].text_verbatim == "Mohon perbaikan lampu jalan di Gang Kenanga Lok Tuan"


async def test_anonymous_admins_are_refused_not_merged_into_one_resident(forum: Console) -> None:
    sender_chat = {"id": FORUM_GROUP, "type": "supergroup", "title": "Forum"}
    for text in ("/usul Mohon perbaikan jalan di Jl. Pattimura", "#usul Lampu jalan mati di Gang Mawar"):
        await forum.send(forum.maker.text(ANONYMOUS_ADMIN, text, chat_id=FORUM_GROUP, sender_chat=sender_chat))
        assert "admin anonim" in forum.api.texts(FORUM_GROUP)[-1]
    assert proposals(forum) == []
    with Session(engine_of(forum)) as session:
        assert session.exec(select(Resident).where(Resident.telegram_id == ANONYMOUS_ADMIN)).first() is None


async def test_an_edited_usul_updates_the_open_draft_without_a_second_acknowledgement(forum: Console) -> None:
    await onboard(forum, RESIDENT)
    original = forum.maker.text(RESIDENT, "#usul Mohon perbaikan lampu jalan di Gang Kenanga",
                                chat_id=FORUM_GROUP)
    await forum.send(original)
    acks = len(forum.api.sent(FORUM_GROUP))
    await forum.send(forum.maker.edit_of(original, "#usul Mohon perbaikan lampu jalan di Gang Melati"))
    assert len(forum.api.sent(FORUM_GROUP)) == acks  # nothing new in the group
    assert [p.text_verbatim for p in proposals(forum)] == ["Mohon perbaikan lampu jalan di Gang Melati"]
    assert "Gang Melati" in forum.api.texts(RESIDENT)[-1]  # the draft shown again with the new text
    await press(forum, RESIDENT, "ok:")
    await forum.send(forum.maker.edit_of(original, "#usul Mohon perbaikan lampu jalan di Gang Anggrek"))
    code = proposals(forum)[0].code
    assert f"Usulan {code} sudah terkirim" in forum.api.texts(RESIDENT)[-1]
    assert [p.text_verbatim for p in proposals(forum)] == ["Mohon perbaikan lampu jalan di Gang Melati"]


async def test_an_edited_private_text_after_sending_is_kept_and_explained(forum: Console) -> None:
    await onboard(forum, RESIDENT)
    original = forum.maker.text(RESIDENT, "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan")
    await forum.send(original)
    await press(forum, RESIDENT, "ok:")
    await forum.send(forum.maker.edit_of(original, "Mohon perbaikan jalan di Jl. Ahmad Yani"))
    assert "sudah terkirim" in forum.api.texts(RESIDENT)[-1]
    with Session(engine_of(forum)) as session:
        assert "Pattimura" in (session.exec(select(Proposal)).one().text_verbatim or "")


async def test_an_edited_balas_is_not_sent_or_reported_again(forum: Console) -> None:
    cluster_id, chats = seed_cluster(engine_of(forum), 2)
    await post_to_staff(forum, cluster_id)
    with Session(engine_of(forum)) as session:
        code = session.get(Cluster, cluster_id).code  # type: ignore[union-attr]
    balas = forum.maker.text(STAFF_USER, f"/balas {code} Jalan diperbaiki minggu depan.", chat_id=STAFF_CHAT)
    await forum.send(balas)
    await forum.send(forum.maker.edit_of(balas, f"/balas {code} Jalan diperbaiki bulan depan."))
    staff_texts = forum.api.texts(STAFF_CHAT)
    assert sum("dikirim ke 2 warga" in text for text in staff_texts) == 1
    assert "tidak diproses ulang" in staff_texts[-1]
    await forum.flush_outbox()
    assert not any("bulan depan" in text for chat in chats for text in forum.api.texts(chat))
