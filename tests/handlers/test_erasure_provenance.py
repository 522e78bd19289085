"""Erasure follows where derived texts come from: a cluster's title and keywords, a stored digest, an audit
entry; a cluster whose members are all erased keeps an anonymous title. Dead letters keep no names, are
listed by /data_saya and go with /hapus_data."""

import json
import re
from datetime import timedelta

from sqlalchemy import select as sa_select
from sqlmodel import select

from bot.console import Console
from handlers.deps import deps
from models.audit import AuditEntry
from models.clusters import Cluster
from models.db import session_scope
from models.digests import Digest
from models.outbox import OutboxMessage
from models.types import utcnow
from models.updates import InboundUpdate, store_update
from services.intake.labelling import relabel_all
from services.privacy.rights import ERASED_TEXT
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, STAFF_USER, last_to, wait_until_sent
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import MODERATOR, command, confirmed, session_of
from tests.handlers.test_privacy import every_value
from tests.handlers.test_staff_answers import cluster_with_resident

SLANG = "pak tlg lampu pju dkt lapangan voli mati trs tiap malem, gelap bgt anak2 takut plg ngaji"
FORMAL = "Lampu penerangan jalan dekat lapangan voli padam setiap malam, mohon segera diganti."
OTHER = 900_012
WORD = re.compile(r"[^\W\d_]{5,}")


def words_left(console: Console, texts: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, word) for every word of >= 5 letters of the texts found in any stored value."""
    words = {w.lower() for text in texts for w in WORD.findall(text)}
    hits = []
    for table, column, value in every_value(deps(console.app).engine):
        if isinstance(value, bytes | memoryview):
            continue
        text = (json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)).lower()
        hits.extend((table, column, w) for w in words if re.search(rf"\b{w}\b", text))
    return hits


async def erase(console: Console, user_id: int) -> str:
    """/hapus_data and confirm; return the confirmation."""
    await command(console, user_id, "/hapus_data")
    await press(console, user_id, "hapus:ya")
    return str(console.api.calls[-1].params["text"])


async def test_a_cluster_whose_members_are_all_erased_keeps_no_word_of_them(console: Console) -> None:
    d = deps(console.app)
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, SLANG)
    await onboard(console, OTHER)
    await console.send(console.maker.text(OTHER, FORMAL))
    await press(console, OTHER, "dukung:")
    with session_scope(d.engine) as session:
        relabel_all(session=session, grouping=d.grouping, city_words=[])  # keywords from both texts
    await command(console, MODERATOR, "/ringkasan")  # a stored (draft) digest with the title and a quote
    await confirmed(console, MODERATOR, "/judul K-0001 Lampu PJU lapangan voli")  # audit: the title before
    with session_of(console) as session:
        cluster = session.exec(select(Cluster)).one()
        assert "tolong lampu" in cluster.title.lower() or "lampu" in cluster.title.lower()
        assert cluster.keywords and len({p.cluster_id for p in proposals(console)}) == 1
    texts = [SLANG, FORMAL] + [p.text_clean for p in proposals(console)]
    clean = [p.text_clean for p in proposals(console)]
    assert words_left(console, texts), "the words must be stored before erasure"

    await erase(console, RESIDENT)
    await erase(console, OTHER)

    with session_of(console) as session:
        cluster = session.exec(select(Cluster)).one()
        assert cluster.keywords == ""
        digests = session.exec(select(Digest)).all()
        renamed = session.exec(select(AuditEntry).where(AuditEntry.action == "rename")).one()
    assert cluster.title == "Lampu PJU lapangan voli"  # the moderator's decision stays
    assert [line["quote"] for d in digests for line in d.content["top"]] == [None]
    assert renamed.after == {"title": "Lampu PJU lapangan voli"}
    left = {w for *_, w in words_left(console, texts)} - {"lampu", "lapangan"}  # the moderator wrote them too
    assert left == set(), (left, clean)


async def test_an_unnamed_cluster_of_erased_members_gets_the_anonymous_title(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, SLANG)
    with session_of(console) as session:
        assert "malem" not in session.exec(select(Cluster)).one().title  # the title is normalised ("malam")
    await erase(console, RESIDENT)
    with session_of(console) as session:
        cluster = session.exec(select(Cluster)).one()
    assert cluster.title == ERASED_TEXT and cluster.keywords == ""
    assert words_left(console, [SLANG, *[p.text_clean for p in proposals(console)]]) == []


async def test_dead_letters_keep_no_names_are_shown_and_erased(console: Console) -> None:
    engine = deps(console.app).engine
    await onboard(console, RESIDENT)
    update = console.maker.text(RESIDENT, "Saluran air di belakang pasar tersumbat sampah plastik.")
    with session_scope(engine) as session:
        store_update(session=session, update_id=update["update_id"] + 10_000, payload=update)
        row = session.get(InboundUpdate, update["update_id"] + 10_000)
        assert row is not None
        row.dead_at = utcnow()
        session.add(row)
    stored = json.dumps(row.payload)
    assert "Rahasia" not in stored and f"pengguna{RESIDENT}" not in stored and f"Nama{RESIDENT}" not in stored
    await command(console, RESIDENT, "/data_saya")
    document = console.api.sent(RESIDENT, "sendDocument")[-1]
    listed = json.loads(document.files["document"][1])["pesan_belum_diproses"]
    assert [(m["teks"], m["gagal_diproses"]) for m in listed] == [
        ("Saluran air di belakang pasar tersumbat sampah plastik.", True)]
    await erase(console, RESIDENT)
    with engine.connect() as connection:
        payloads = connection.execute(sa_select(InboundUpdate.payload)).scalars().all()  # type: ignore[call-overload]
    assert not any("tersumbat" in json.dumps(p) for p in payloads if p)


async def test_follow_up_copies_in_the_staff_chat_are_deleted_within_48_hours_and_older_ones_counted(
        console: Console) -> None:
    _, code = await cluster_with_resident(console)
    await console.send(console.maker.text(STAFF_USER, f"/balas {code} Mohon kirim fotonya.", chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    answer = last_to(console, RESIDENT)
    await console.send(console.maker.reply_to(RESIDENT, answer, "Lampunya berkedip terus."))
    update = console.maker.photo(RESIDENT, "Ini fotonya")
    update["message"]["reply_to_message"] = answer
    await console.send(update)
    await wait_until_sent(console)
    engine = deps(console.app).engine
    with session_scope(engine) as session:
        copies = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "followup")
                              .order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        old, recent = copies
        old.sent_at = utcnow() - timedelta(hours=49)  # Telegram no longer lets a bot delete it
        session.add(old)
        ids = (old.telegram_message_id, recent.telegram_message_id)
    assert all((STAFF_CHAT, i) in console.api.messages for i in ids)
    done = await erase(console, RESIDENT)
    await wait_until_sent(console)
    deleted = [c.params["message_id"] for c in console.api.calls if c.method == "deleteMessage"]
    assert deleted == [ids[1]] and (STAFF_CHAT, ids[0]) in console.api.messages
    assert (STAFF_CHAT, ids[1]) not in console.api.messages
    assert "1 dihapus" in done and "tidak dapat kami jangkau" in done
