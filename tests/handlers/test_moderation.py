"""Moderator tools through the real Application: merge, split, hide, rename, recategorise, refusals, audit."""

import io
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.console import Console
from bot.settings import Settings
from models.clusters import Cluster
from models.proposals import ProposalState
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.journey import last_message_with_buttons, press
from tests.handlers.moderation_seed import (
    MODERATOR,
    audit,
    cluster,
    command,
    confirmed,
    proposal,
    seed,
    session_of,
    supporters,
)

LAMPU = "Lampu jalan di Jl. Cendana Lok Tuan mati sudah sebulan, mohon diperbaiki."
LAMPU_2 = "Penerangan jalan umum di Jalan Cendana padam, gelap dan rawan, tolong diganti."
DRAINASE = "Drainase di Jl. Pupuk Raya tersumbat sampah sehingga air meluap ke rumah warga saat hujan."
OTHER_MODERATOR = 900_010


async def confirm_merge(console: Console, keep: str, absorb: str) -> str:
    """/gabung, then Ya on its preview; return what the moderator reads last."""
    preview = await command(console, MODERATOR, f"/gabung {keep} {absorb}")
    assert "Gabungkan" in preview and cluster(console, absorb).merged_into_id is None  # nothing done yet
    await press(console, MODERATOR, "pa:ya:")
    return str(console.api.messages[max(k for k in console.api.messages if k[0] == MODERATOR)].get("text"))


async def test_merge_moves_proposals_and_supports_once_and_tells_residents(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    b = seed(console, 900_011, LAMPU_2)
    seed(console, RESIDENT, LAMPU_2 + " Sudah lama sekali.", cluster=b.cluster)  # RESIDENT backs both
    text = await confirm_merge(console, a.cluster, b.cluster)
    assert "digabung" in text and a.cluster in text
    assert cluster(console, b.cluster).merged_into_id == cluster(console, a.cluster).id
    assert proposal(console, b.proposal).cluster_id == cluster(console, a.cluster).id
    assert len(supporters(console, a.cluster)) == 2 and supporters(console, b.cluster) == []
    [entry] = [e for e in audit(console) if e.action == "merge"]
    assert entry.actor == f"moderator:{MODERATOR}" and entry.before["absorbed"] == b.cluster
    assert entry.after["kept"] == a.cluster and entry.at is not None
    await console.flush_outbox()
    assert any(b.cluster in t and "digabung" in t for t in console.api.texts(900_011))
    assert sum("digabung" in t for t in console.api.texts(RESIDENT)) == 1
    again = await command(console, MODERATOR, f"/gabung {a.cluster} {b.cluster}")
    assert "sudah digabung" in again


async def test_split_moves_one_aspiration_and_its_authors_support(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    wrong = seed(console, 900_011, DRAINASE, cluster=a.cluster)
    text = await confirmed(console, MODERATOR, f"/pisah {wrong.proposal}")
    assert wrong.proposal in text
    moved = proposal(console, wrong.proposal)
    assert moved.cluster_id != cluster(console, a.cluster).id
    with session_of(console) as session:
        new_code = session.get(Cluster, moved.cluster_id).code
    assert len(supporters(console, new_code)) == 1 and len(supporters(console, a.cluster)) == 1
    other = seed(console, 900_012, DRAINASE + " Mohon dikeruk.")
    await confirmed(console, MODERATOR, f"/pisah {wrong.proposal} {other.cluster}")
    assert proposal(console, wrong.proposal).cluster_id == cluster(console, other.cluster).id
    assert len(supporters(console, other.cluster)) == 2
    assert cluster(console, new_code).merged_into_id == cluster(console, other.cluster).id  # emptied
    assert [e.action for e in audit(console)].count("split") == 2
    await console.flush_outbox()
    assert any("dipindahkan" in t for t in console.api.texts(900_011))


async def test_hide_and_show_cluster_and_aspiration(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    spam = seed(console, 900_011, LAMPU_2, cluster=a.cluster)
    assert "disembunyikan" in await confirmed(console, MODERATOR, f"/sembunyikan {spam.proposal}")
    assert proposal(console, spam.proposal).state == ProposalState.HIDDEN
    assert len(supporters(console, a.cluster)) == 1
    await confirmed(console, MODERATOR, f"/sembunyikan {a.cluster}")
    assert cluster(console, a.cluster).hidden
    await confirmed(console, MODERATOR, f"/tampilkan {a.cluster}")
    await confirmed(console, MODERATOR, f"/tampilkan {spam.proposal}")
    assert not cluster(console, a.cluster).hidden
    assert proposal(console, spam.proposal).state == ProposalState.SUBMITTED
    actions = [(e.action, e.target) for e in audit(console) if e.actor == f"moderator:{MODERATOR}"]
    assert actions == [("hide", f"proposal:{spam.proposal}"), ("hide", f"cluster:{a.cluster}"),
                       ("unhide", f"cluster:{a.cluster}"), ("unhide", f"proposal:{spam.proposal}")]


async def test_rename_and_recategorise_are_audited_with_before_and_after(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    old_title = cluster(console, a.cluster).title
    assert "Lampu jalan mati" in await confirmed(console, MODERATOR,
                                                 f"/judul {a.cluster} Lampu jalan mati Jl. Cendana")
    assert "tidak dikenal" in await command(console, MODERATOR, f"/kategori {a.cluster} penerangan")
    await confirmed(console, MODERATOR, f"/kategori {a.cluster} infrastruktur")
    assert cluster(console, a.cluster).title == "Lampu jalan mati Jl. Cendana"
    rename, category = [e for e in audit(console) if e.action in {"rename", "recategorise"}]
    assert rename.before == {"title": old_title} and rename.after == {"title": "Lampu jalan mati Jl. Cendana"}
    assert category.after == {"category": "infrastruktur"}
    assert "Cara pakai" in await command(console, MODERATOR, "/judul")


async def test_resident_cannot_use_moderator_commands(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    text = await command(console, RESIDENT, f"/sembunyikan {a.cluster}")
    assert "hanya untuk moderator" in text
    assert not cluster(console, a.cluster).hidden and audit(console) == []


@pytest.fixture
async def two_forum_console(settings: Settings, embedder: Embedder) -> AsyncIterator[Console]:
    """A bot where OTHER_MODERATOR moderates only Bontang Selatan."""
    forums = [f.model_copy(update={"moderator_ids": [OTHER_MODERATOR]}) if f.id == "bontang-selatan" else f
              for f in settings.config.forums]
    other = Settings(settings.config.model_copy(update={"forums": forums}), settings.secrets, settings.config_path)
    bot = Console(other, io.StringIO(), embedder=embedder)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_moderator_of_another_forum_is_refused(two_forum_console: Console) -> None:
    console = two_forum_console
    a = seed(console, RESIDENT, LAMPU)  # Lok Tuan: Bontang Utara
    b = seed(console, 900_011, LAMPU_2)
    south = seed(console, 900_012, DRAINASE, kelurahan="Tanjung Laut")
    for text in (f"/gabung {a.cluster} {b.cluster}", f"/sembunyikan {a.cluster}", f"/pisah {a.proposal}",
                 f"/judul {a.cluster} Judul lain", f"/gabung {south.cluster} {a.cluster}"):
        assert "bukan bagian dari forum" in await command(console, OTHER_MODERATOR, text)
    assert cluster(console, b.cluster).merged_into_id is None and not cluster(console, a.cluster).hidden
    assert audit(console) == []
    assert "disembunyikan" in await confirmed(console, OTHER_MODERATOR, f"/sembunyikan {south.cluster}")
    with session_of(console) as session:
        assert session.exec(select(Cluster).where(Cluster.hidden == True)).one().code == south.cluster  # noqa: E712


async def test_menus_are_set_per_role(console: Console) -> None:
    calls = [c.params for c in console.api.calls if c.method == "setMyCommands"]
    scopes = {(c["scope"]["type"], c["scope"].get("chat_id")): [x["command"] for x in c["commands"]] for c in calls}
    assert "gabung" not in scopes[("all_private_chats", None)]
    assert "hapus_data" in scopes[("all_private_chats", None)]
    assert "gabung" in scopes[("chat", MODERATOR)] and "ekspor" not in scopes[("chat", MODERATOR)]
    assert "ekspor" in scopes[("chat", 900_005)]
    assert "balas" in scopes[("chat", -100_900_003)]


async def test_short_codes_usage_lists_and_honest_merge_wording(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    b = seed(console, 900_011, DRAINASE)
    number = int(a.cluster.split("-")[1])
    usage = await command(console, MODERATOR, f"/kategori K{number}")
    assert f"/kategori K-{number:04d} kode" in usage  # the short code understood, the choices listed
    assert "pendidikan</code> — Pendidikan" in usage and "air_bersih</code> — Air bersih" in usage
    text = await confirmed(console, MODERATOR, f"/kategori k{number} kesehatan")
    assert a.cluster in text and cluster(console, a.cluster).category == "kesehatan"
    preview = await command(console, MODERATOR, f"/gabung K-{number} {b.cluster.lower().replace('-', '')}")
    assert f"Gabungkan {b.cluster} ke {a.cluster}" in preview
    await press(console, MODERATOR, "pa:ya:")
    assert cluster(console, b.cluster).merged_into_id == cluster(console, a.cluster).id
    await console.flush_outbox()
    [notice] = [t for t in console.api.texts(900_011) if "digabung" in t]
    assert "moderator" in notice and "meminta hal yang sama" not in notice
    assert "disembunyikan" in await confirmed(console, MODERATOR, f"/sembunyikan k{number}")
    assert cluster(console, a.cluster).hidden


async def test_merge_preview_warns_and_its_buttons_work_once_for_the_asker_even_after_a_restart(
    settings: Settings, embedder: Embedder
) -> None:
    console = Console(settings, io.StringIO(), embedder=embedder)
    await console.start()
    road = seed(console, RESIDENT, LAMPU)
    water = seed(console, 900_011, "Air PDAM di Jl. Cendana Lok Tuan tidak mengalir seminggu, mohon diperbaiki.")
    with session_of(console) as session:
        for code, category in ((road.cluster, "infrastruktur"), (water.cluster, "air_bersih")):
            c = session.exec(select(Cluster).where(Cluster.code == code)).one()
            c.category = category
            session.add(c)
        session.commit()
    preview = await command(console, MODERATOR, f"/gabung {road.cluster} {water.cluster}")
    assert "Infrastruktur" in preview and "Air bersih" in preview and "Kategori berbeda" in preview
    assert "(1 aspirasi" in preview
    message = last_message_with_buttons(console, MODERATOR)
    yes = next(d for row in message["reply_markup"]["inline_keyboard"] for b in row if (d := b["callback_data"])
               .startswith("pa:ya:"))
    forged = yes[:-1] + ("0" if yes[-1] != "0" else "1")
    await console.send(console.maker.press(MODERATOR, message, forged))
    await console.send(console.maker.press(OTHER_MODERATOR, message, yes))  # not the moderator who asked
    assert cluster(console, water.cluster).merged_into_id is None and audit(console) == []
    await console.stop()
    again = Console(settings, io.StringIO(), embedder=embedder)  # the preview is in the database, not in memory
    await again.start()
    try:
        await again.send(again.maker.press(MODERATOR, message, yes))
        assert cluster(again, water.cluster).merged_into_id == cluster(again, road.cluster).id
        await again.send(again.maker.press(MODERATOR, message, yes))  # used: a second Ya does nothing
        assert [e.action for e in audit(again)].count("merge") == 1
        await again.flush_outbox()
        [notice] = [t for t in again.api.texts(900_011) if "digabung" in t]
        assert "meminta hal yang sama" not in notice and "moderator" in notice
        other = seed(again, 900_012, DRAINASE)
        await command(again, MODERATOR, f"/gabung {road.cluster} {other.cluster}")
        await press(again, MODERATOR, "pa:no:")
        assert cluster(again, other.cluster).merged_into_id is None
        assert "Dibatalkan" in again.api.texts(MODERATOR)[-1] or any(
            "Dibatalkan" in str(c.params.get("text")) for c in again.api.calls if c.method == "editMessageText")
    finally:
        await again.stop()
