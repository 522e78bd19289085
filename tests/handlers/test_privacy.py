"""UU PDP rights: /data_saya shows everything stored; after /hapus_data nothing in any table points to the person."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

from bot.console import Console
from bot.settings import Settings
from handlers.deps import deps
from models.proposals import ProposalState
from tests.conftest import RESIDENT
from tests.handlers.answers_seed import STAFF_CHAT, post_to_staff
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import MODERATOR, audit, command, supporters

FIRST = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan dekat rumah saya nomor 12, sudah banyak yang jatuh."
PHOTO = "Got di depan rumah saya di Gang Melati RT 07 Lok Tuan tersumbat, foto terlampir."
SPAM = "Jual kue kering murah meriah, promo lebaran, cek https://shopee.co.id/kue-bu-rahma"
NEIGHBOUR = 900_011


def every_value(engine: Engine) -> list[tuple[str, str, Any]]:
    """Every value of every column of every table in the database (reflected, so nothing is missed)."""
    metadata = MetaData()
    metadata.reflect(engine)
    found = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                found.extend((table.name, column, value) for column, value in row.items() if value is not None)
    return found


def leaks(engine: Engine, needles: list[str]) -> list[tuple[str, str, str]]:
    """Values that contain one of the needles (JSON as text, numbers as digits; binary vectors skipped)."""
    hits = []
    for table, column, value in every_value(engine):
        if isinstance(value, bytes | memoryview):
            continue
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        hits.extend((table, column, needle) for needle in needles if needle.lower() in text.lower())
    return hits


async def test_my_data_sends_everything_stored_as_json(console: Console) -> None:
    assert "tidak menyimpan" in await command(console, RESIDENT, "/data_saya")
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, FIRST)
    await console.send(console.maker.text(RESIDENT, "/data_saya"))
    summary = console.api.texts(RESIDENT)[-2]
    assert "Usulan terkirim: 1" in summary and str(RESIDENT) in summary
    document = console.api.sent(RESIDENT, "sendDocument")[-1]
    name, content, _ = document.files["document"]
    data = json.loads(content)
    assert name == "data-saya.json" and data["telegram_id"] == RESIDENT and data["kelurahan"] == "Lok Tuan"
    assert data["usulan"][0]["teks_asli"] == FIRST and data["persetujuan_privasi"].endswith(" WITA")
    assert data["dukungan"][0]["kelompok"] == data["usulan"][0]["kelompok"]


async def test_erasure_leaves_no_trace_of_the_person_in_any_table(console: Console) -> None:
    engine = deps(console.app).engine
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, FIRST)
    await console.send(console.maker.photo(RESIDENT, caption=PHOTO))
    await console.send(console.maker.location(RESIDENT, 0.1301, 117.4862))
    await press(console, RESIDENT, "ok:")
    await submit(console, RESIDENT, SPAM)  # held: its text reaches the moderator's /ditahan list
    await onboard(console, NEIGHBOUR)
    await submit(console, NEIGHBOUR, "Jalan Pattimura Lok Tuan berlubang parah, mohon segera ditambal.")
    await command(console, MODERATOR, "/ditahan")
    await command(console, RESIDENT, "/data_saya")
    stored = proposals(console)
    photo_id = next(p.photo_file_id for p in stored if p.photo_file_id)
    clusters = {p.cluster_id for p in stored if p.cluster_id}
    before = {c: len(supporters_of(console, c)) for c in clusters}
    needles = [str(RESIDENT), f"Nama{RESIDENT}", "Rahasia", f"pengguna{RESIDENT}", FIRST, PHOTO, SPAM, photo_id,
               FIRST[:50], PHOTO[:50]]
    assert leaks(engine, needles), "the test must see the data before erasure"

    assert "tidak dapat dibatalkan" in await command(console, RESIDENT, "/hapus_data")
    await press(console, RESIDENT, "hapus:ya")
    assert "sudah dihapus" in console.api.calls[-1].params["text"]

    assert leaks(engine, needles) == []
    after = proposals(console)
    assert len(after) == len(stored)  # anonymous counts stay
    mine = [p for p in after if p.resident_id == stored[0].resident_id]
    assert {p.state for p in mine} >= {ProposalState.SUBMITTED, ProposalState.HELD}
    assert all(p.text_verbatim is None and p.latitude is None and p.embedding is None for p in mine)
    assert {c: len(supporters_of(console, c)) for c in clusters} == before
    [erase] = [e for e in audit(console) if e.action == "erase"]
    assert erase.actor == "resident" and erase.target == f"resident:{stored[0].resident_id}"
    assert "belum mengirim" in await command(console, RESIDENT, "/status")


def supporters_of(console: Console, cluster_id: int) -> list[int]:
    """Resident ids backing a cluster, by cluster id."""
    from sqlmodel import Session
    from sqlmodel import select as sm_select

    from models.clusters import Cluster

    with Session(deps(console.app).engine) as session:
        code = session.exec(sm_select(Cluster.code).where(Cluster.id == cluster_id)).one()
    return supporters(console, code)


MESSY = ("Lampu jalan mati total di Gang Kenanga RT 09\ndepan rumah  Pak Haji Slamet,  sudah seminggu gelap "
         "gulita dan rawan maling. Hubungi saya 0812-3456-7890.")
CAPTION = "Tiang  listrik miring di Gang Kenanga Lok Tuan,\nNIK saya 6474036808910004 kalau perlu."


async def test_erasure_finds_their_words_in_any_spacing_on_cards_charts_files_and_logs(
        console: Console, caplog: pytest.LogCaptureFixture, settings: Settings, database_url: str) -> None:
    engine = deps(console.app).engine
    data_dir = Path(settings.config.data_dir)
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, MESSY)
    await console.send(console.maker.photo(RESIDENT, caption=CAPTION))
    await press(console, RESIDENT, "ok:")
    stored = proposals(console)
    photo_id = next(p.photo_file_id for p in stored if p.photo_file_id)
    lamp = stored[0].cluster_id
    assert lamp is not None and "Gang Kenanga RT 09 depan rumah Pak Haji" in cluster_of(console, lamp).title
    card = await post_to_staff(console, lamp)
    assert "Haji Slamet" in card["text"]
    await command(console, MODERATOR, "/ringkasan")
    await console.flush_outbox()
    assert any(c.method == "sendPhoto" for c in console.api.calls), "the digest must carry a chart"
    assert list(data_dir.rglob("*.png")) == []  # a chart is deleted once sent
    needles = [str(RESIDENT), f"Nama{RESIDENT}", "Rahasia", f"pengguna{RESIDENT}", photo_id, "0812-3456-7890",
               "6474036808910004", "Gang Kenanga", "Haji Slamet", "gelap gulita", "Tiang listrik", "Tiang  listrik"]
    assert leaks(engine, needles)

    await command(console, RESIDENT, "/hapus_data")
    await press(console, RESIDENT, "hapus:ya")
    await console.flush_outbox()

    assert leaks(engine, needles) == []
    assert "Haji Slamet" not in console.api.messages[(STAFF_CHAT, card["message_id"])]["text"]  # card re-titled
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    if database_url.startswith("sqlite"):
        db_dir = Path(database_url.removeprefix("sqlite:///")).parent
        files += [p for p in db_dir.glob("aspirasi.db*") if p.is_file()]
        files += [p for p in db_dir.glob("aspirasi.db*/*") if p.is_file()]  # the saved grouping index
    assert [(p.name, n) for p in files for n in needles if n.encode() in p.read_bytes()] == []
    assert [n for n in needles if n.lower() in caplog.text.lower()] == []


def cluster_of(console: Console, cluster_id: int) -> Any:
    """A cluster by id."""
    from sqlmodel import Session

    from models.clusters import Cluster

    with Session(deps(console.app).engine) as session:
        return session.get(Cluster, cluster_id)


async def test_delivered_messages_keep_no_copy_of_the_residents_words(console: Console) -> None:
    engine = deps(console.app).engine
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, FIRST)
    await command(console, MODERATOR, "/ringkasan")
    await console.flush_outbox()
    assert FIRST[:40] in str(console.api.calls)  # it was shown (to the resident and in the digest)
    assert [hit for hit in leaks(engine, [FIRST[:40], "Pattimura"]) if hit[0] == "outboxmessage"] == []
