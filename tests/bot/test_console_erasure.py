"""Erasure walkthrough in the console: a resident whose words titled a shared cluster, with a photo, a follow-up
and a digest, erases their data; nothing of their words is left in the database (the SQLite file itself, or
every PostgreSQL table), the data folder, the logs or the staff's and moderators' chats."""

import io
import json
import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlmodel import Session

from bot.console import PERSONAS, Console
from bot.settings import Settings
from models.clusters import Cluster
from models.db import make_engine
from nlp.embed import Embedder
from tests.bot.test_console import Typist
from tests.bot.test_console_walkthrough import number_of, onboard, press

# Chat spelling: the title is its normalised, re-cased, greeting-free slice ("Jalan di Gang Kenari ... banyak").
MINE = "pak tlg jln d gg Kenari Lok Tuan rusak parah bnyk lubang dalem, kmrn tetangga sy jatuh dr motornya"
THEIRS = "Jalan di Gang Kenari Lok Tuan rusak dan berlubang, mohon segera diperbaiki."
ANSWER = "Perbaikan Gang Kenari dijadwalkan bulan depan."
FOLLOW_UP = "Mohon dipercepat karena anakku bersekolah lewat situ setiap pagi."
WORD = re.compile(r"[^\W\d_]{5,}")


def private_words(mine: list[str], others: list[str]) -> set[str]:
    """Every word of >= 5 letters of the erased texts that no other text of the walkthrough has."""
    theirs = {w.lower() for text in others for w in WORD.findall(text)}
    return {w.lower() for text in mine for w in WORD.findall(text)} - theirs


def database_text(settings: Settings) -> str:
    """The database as bytes decoded loosely: the SQLite file and its WAL, or every PostgreSQL value."""
    url = settings.database_url
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return "".join(p.read_bytes().decode("utf-8", "replace") for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = make_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    values = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                values.extend(json.dumps(v, ensure_ascii=False, default=str) for v in row.values()
                              if not isinstance(v, bytes | memoryview))
    engine.dispose()
    return "\n".join(values)


def folder_text(folder: Path) -> str:
    """Every file under a folder (the database files excepted), decoded loosely."""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*")
                   if p.is_file() and ".db" not in p.name)


async def share_a_cluster(type_: Typist) -> str:
    """I send a photo with my words (they title K-0001); a neighbour supports K-0001 with their own text."""
    await onboard(type_, "warga")
    draft = await type_(f"/foto {MINE}")
    sent = await type_(press(draft, "Kirim"))
    assert "K-0001" in sent
    await onboard(type_, "warga2")
    draft = await type_(THEIRS)
    supported = await type_(press(draft, "Dukung K-0001"))
    assert "2 pendukung" in supported
    await type_("/as moderator")
    digest = await type_("/ringkasan bontang-utara")
    assert "K-0001 · Jalan di Gang Kenari Lok Tuan rusak parah banyak" in digest  # my words, normalised and cut
    return await type_(press(digest, "Teruskan"), until="📌 K-0001")


async def answer_and_follow_up(type_: Typist, cards: str) -> None:
    """Staff answer K-0001; I reply with a follow-up (copied to the staff chat); an admin digest is issued."""
    await type_("/as staf")
    answered = await type_(f"/reply {number_of(cards, 'staf', '📌 K-0001')} {ANSWER}")
    await type_("/as warga")
    follow_up = await type_(f"/reply {number_of(answered, 'warga', 'dijadwalkan')} {FOLLOW_UP}")
    assert "→ staf" in follow_up and "dipercepat" in follow_up
    await type_("/as moderator")
    assert "→ moderator" in await type_("/digest")
    await type_("/as warga")
    assert "data-saya.json" in await type_("/data_saya")


@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_erasure_leaves_no_trace_of_a_title_made_from_my_words(
    settings: Settings, embedder: Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    files = Path(settings.config.data_dir) / "konsol"
    console = Console(settings, io.StringIO(), embedder=embedder, files_dir=files)
    await console.start()
    type_ = Typist(console)
    try:
        cards = await share_a_cluster(type_)
        await answer_and_follow_up(type_, cards)
        with Session(console.app.bot_data["deps"].engine) as session:
            mine = [p.text_clean for p in session.exec(select_proposals(1))] + [MINE, FOLLOW_UP]
        words = private_words(mine, [THEIRS, ANSWER])
        assert {"tetangga", "motornya", "dipercepat", "banyak"} <= words  # "banyak": only in the normalised form
        await type_("/as warga")
        erased = await type_(press(await type_("/hapus_data"), "Ya"), until="diubah")
        assert "sudah dihapus" in erased and "dihapus" in erased
        await type_("/as staf", until="dihapus")
        for _ in range(20):
            await console.flush_outbox()
        with Session(console.app.bot_data["deps"].engine) as session:
            title = session.get(Cluster, 1).title  # type: ignore[union-attr]
        assert "Kenari" in title and not words & {w.lower() for w in WORD.findall(title)}  # the neighbour's words
        shown = {chat: json.dumps(m, ensure_ascii=False) for (chat, _), m in console.api.messages.items()
                 if chat != PERSONAS["warga"].chat_id}  # my own chat is mine
    finally:
        await console.stop()
    places = {"database": database_text(settings).lower(), "data folder": folder_text(Path(settings.config.data_dir))
              .lower(), "logs": caplog.text.lower(), "chats": " ".join(shown.values()).lower()}
    left = {where: sorted(w for w in words if re.search(rf"\b{w}\b", text)) for where, text in places.items()}
    assert left == {where: [] for where in places}


def select_proposals(resident_id: int):  # type: ignore[no-untyped-def]
    """The proposals of one resident."""
    from sqlmodel import select as sql_select

    from models.proposals import Proposal

    return sql_select(Proposal).where(Proposal.resident_id == resident_id)
