"""Previews for every cluster-changing command, and Urungkan: the exact previous state back, codes included,
the residents who were told told again, every stale, forged or someone else's button harmless."""

import io
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.console import Console
from bot.settings import Settings
from models.audit import AuditEntry
from models.clusters import Cluster, Support
from models.pending import PendingAction
from models.proposals import Proposal, ProposalState
from models.suggestions import RegroupSuggestion, SuggestionState
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.journey import button_data, last_message_with_buttons, press
from tests.handlers.moderation_seed import (
    MODERATOR,
    audit,
    cluster,
    command,
    confirmed,
    last_text,
    proposal,
    seed,
    session_of,
)

LAMPU = "Lampu jalan di Jl. Cendana Lok Tuan mati sudah sebulan, mohon diperbaiki."
LAMPU_2 = "Penerangan jalan umum di Jalan Cendana padam, gelap dan rawan, tolong diganti."
AIR = "Air PDAM di Jl. Cendana Lok Tuan tidak mengalir seminggu, mohon diperbaiki."
DRAINASE = "Drainase di Jl. Pupuk Raya tersumbat sampah sehingga air meluap ke rumah warga saat hujan."
OTHER_MODERATOR, BYSTANDER = 900_010, 900_012


def state(console: Console) -> dict[str, Any]:
    """Every cluster, aspiration and support row as stored (clusters without updated_at)."""
    with session_of(console) as session:
        clusters = {c.code: c.model_dump(exclude={"updated_at"}) for c in session.exec(select(Cluster))}
        proposals = {p.code: (p.cluster_id, p.state) for p in session.exec(select(Proposal))}
        supports = sorted((s.id, s.cluster_id, s.resident_id, s.proposal_id, s.following, s.created_at)
                          for s in session.exec(select(Support)))
    return {"clusters": clusters, "proposals": proposals, "supports": supports}


def set_cluster(console: Console, code: str, **values: Any) -> None:
    """Change a cluster's columns directly (a state for the undo to bring back)."""
    with session_of(console) as session:
        row = session.exec(select(Cluster).where(Cluster.code == code)).one()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def keyboard(console: Console, user_id: int) -> dict[str, Any]:
    """The newest message with buttons in a chat."""
    return last_message_with_buttons(console, user_id)


async def tap(console: Console, user_id: int, message: dict[str, Any], prefix: str) -> None:
    """Press the button of a message whose data starts with a prefix."""
    data = next(d for d in button_data(message) if d.startswith(prefix))
    await console.send(console.maker.press(user_id, message, data))


def popups(console: Console, user_id: int) -> list[str]:
    """The texts of the pop-ups shown to a user."""
    return [str(c.params.get("text")) for c in console.api.calls
            if c.method == "answerCallbackQuery" and c.params.get("text") and c.params.get("show_alert")]


def shown(console: Console, message: dict[str, Any]) -> dict[str, Any]:
    """A message as it looks now (after edits)."""
    return console.api.messages[(message["chat"]["id"], message["message_id"])]


async def accept_first_suggestion(console: Console) -> tuple[dict[str, Any], dict[str, Any]]:
    """A moderator lists the re-clustering suggestions and accepts the first: the listing and its preview."""
    await command(console, MODERATOR, "/usulan_regroup")
    listing = keyboard(console, MODERATOR)
    await tap(console, MODERATOR, listing, "rg:ok:")
    return listing, shown(console, listing)


async def test_each_command_only_previews_with_titles_sizes_and_category_labels(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    moved = seed(console, 900_011, LAMPU_2, cluster=a.cluster)
    water = seed(console, BYSTANDER, AIR)
    set_cluster(console, a.cluster, category="infrastruktur")
    set_cluster(console, water.cluster, category="air_bersih")
    before = state(console)
    previews = {
        f"/pisah {moved.proposal} {water.cluster}": ["Pindahkan", a.cluster, water.cluster, "(2 aspirasi",
                                                     "Infrastruktur", "Air bersih", "Kategori berbeda"],
        f"/pisah {moved.proposal}": ["kelompok baru (kategori Infrastruktur)", "Penerangan jalan umum"],
        f"/pisah {water.proposal}": ["satu-satunya aspirasi", water.cluster],  # nothing to split it from
        f"/sembunyikan {a.cluster}": ["Sembunyikan", a.cluster, "(2 aspirasi · Infrastruktur)"],
        f"/sembunyikan {moved.proposal}": ["Sembunyikan", moved.proposal, "Penerangan jalan umum"],
        f"/tampilkan {a.cluster}": ["tidak sedang disembunyikan"],
        f"/judul {a.cluster} Lampu Jl. Cendana mati": ["Ganti judul", "Judul baru: Lampu Jl. Cendana mati"],
        f"/kategori {a.cluster} kesehatan": ["Ganti kategori", "Infrastruktur → <b>Kesehatan</b>"],
        f"/pindah {a.cluster} bontang-selatan": ["Forum Warga Bontang Utara → <b>Forum Warga Bontang Selatan"],
        f"/gabung {a.cluster} {water.cluster}": ["Gabungkan", "Air bersih", "Kategori berbeda"],
    }
    for text, expected in previews.items():
        preview = await command(console, MODERATOR, text)
        assert all(e in preview for e in expected), (text, preview)
        assert "infrastruktur" not in preview and "air_bersih" not in preview
        if "Lanjutkan?" not in preview:  # a refusal: nothing to confirm
            assert text.startswith(("/tampilkan", f"/pisah {water.proposal}"))
            continue
        assert any(d.startswith("pa:ya:") for d in button_data(keyboard(console, MODERATOR)))
    assert state(console) == before and audit(console) == []  # nothing done before Ya
    await console.flush_outbox()
    assert console.api.texts(900_011) == console.api.texts(RESIDENT) == []  # nobody told of a mere preview


async def test_merge_then_urungkan_restores_the_absorbed_cluster_exactly(console: Console) -> None:
    keep = seed(console, RESIDENT, LAMPU)
    absorb = seed(console, 900_011, LAMPU_2)
    seed(console, RESIDENT, LAMPU_2 + " Sudah lama sekali.", cluster=absorb.cluster)  # RESIDENT backs both
    seed(console, BYSTANDER, LAMPU + " Tolong.", cluster=keep.cluster)  # follows only the kept cluster
    set_cluster(console, absorb.cluster, category="kesehatan", category_set_by_moderator=True,
                title="Judul moderator", title_set_by_moderator=True, status="ditinjau")
    before = state(console)
    await command(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    [yes, _] = button_data(keyboard(console, MODERATOR))
    await console.send(console.maker.press(MODERATOR, keyboard(console, MODERATOR), yes))
    done = last_text(console, MODERATOR)
    assert "digabung" in done and "Urungkan" in done
    assert cluster(console, absorb.cluster).merged_into_id == cluster(console, keep.cluster).id
    confirmation = keyboard(console, MODERATOR)
    assert [b["text"] for row in confirmation["reply_markup"]["inline_keyboard"] for b in row] == ["↩️ Urungkan"]
    [undo] = button_data(confirmation)
    await console.send(console.maker.press(MODERATOR, confirmation, undo))
    after = shown(console, confirmation)
    assert "Diurungkan" in after["text"] and absorb.cluster in after["text"]
    assert not (after.get("reply_markup") or {}).get("inline_keyboard")
    assert state(console) == before  # same codes, titles, categories, flags, status, members, supporters
    await console.flush_outbox()
    for told in (900_011, RESIDENT):
        texts = console.api.texts(told)
        assert any("digabung" in t for t in texts) and "dibatalkan" in texts[-1] and absorb.cluster in texts[-1]
    assert not any("digabung" in t or "dibatalkan" in t for t in console.api.texts(BYSTANDER))
    actions = [e.action for e in audit(console)]
    assert actions == ["merge", "undo_merge", "undo_merge"]  # both clusters' trails show the undo
    assert {e.target for e in audit(console)[1:]} == {f"cluster:{keep.cluster}", f"cluster:{absorb.cluster}"}
    undone = audit(console)[-1]
    assert undone.target == f"cluster:{absorb.cluster}" and undone.actor == f"moderator:{MODERATOR}"
    assert undone.before["merged_into_id"] == keep.cluster and undone.after == {"merged_into_id": None}
    d = console.app.bot_data["deps"]  # the grouping index files the aspirations under their old cluster again
    [found, *_] = d.grouping.suggest(d.grouping.prepare(LAMPU_2), 1)
    assert found.cluster_id == cluster(console, absorb.cluster).id
    for old in (undo, yes):  # the old Urungkan, the old Ya
        await console.send(console.maker.press(MODERATOR, confirmation, old))
        assert state(console) == before and "sudah dipakai" in popups(console, MODERATOR)[-1]
    assert [e.action for e in audit(console)] == actions


async def test_split_then_urungkan_puts_the_aspiration_back_without_a_new_live_code(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    wrong = seed(console, 900_011, DRAINASE, cluster=a.cluster)
    before = state(console)
    done = await confirmed(console, MODERATOR, f"/pisah {wrong.proposal}")
    new_code = next(c for c in state(console)["clusters"] if c not in before["clusters"])
    assert new_code in done
    await tap(console, MODERATOR, keyboard(console, MODERATOR), "pa:undo:")
    now = state(console)
    assert {k: v for k, v in now["clusters"].items() if k != new_code} == before["clusters"]
    assert now["proposals"] == before["proposals"] and now["supports"] == before["supports"]
    assert now["clusters"][new_code]["merged_into_id"] == cluster(console, a.cluster).id  # an empty pointer
    await console.flush_outbox()
    assert "kembali ke kelompok" in console.api.texts(900_011)[-1] and a.cluster in console.api.texts(900_011)[-1]


async def test_rename_recategorise_move_and_hide_are_undone_with_their_moderator_flags(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    spam = seed(console, 900_011, LAMPU_2, cluster=a.cluster)
    set_cluster(console, a.cluster, category="infrastruktur")
    for text, check in ((f"/judul {a.cluster} Lampu Cendana", lambda c: c.title_set_by_moderator),
                        (f"/kategori {a.cluster} kesehatan", lambda c: c.category_set_by_moderator),
                        (f"/pindah {a.cluster} bontang-selatan", lambda c: c.home_forum_id == "bontang-selatan"),
                        (f"/sembunyikan {a.cluster}", lambda c: c.hidden),
                        (f"/sembunyikan {spam.proposal}", lambda c: True)):
        before = state(console)
        await confirmed(console, MODERATOR, text)
        assert state(console) != before and check(cluster(console, a.cluster))
        await tap(console, MODERATOR, keyboard(console, MODERATOR), "pa:undo:")
        assert state(console) == before, text
    await confirmed(console, MODERATOR, f"/sembunyikan {a.cluster}")
    hidden = state(console)
    await confirmed(console, MODERATOR, f"/tampilkan {a.cluster}")
    await tap(console, MODERATOR, keyboard(console, MODERATOR), "pa:undo:")
    assert state(console) == hidden and cluster(console, a.cluster).hidden  # showing it again, undone
    await confirmed(console, MODERATOR, f"/tampilkan {a.cluster}")
    assert not cluster(console, a.cluster).title_set_by_moderator
    assert proposal(console, spam.proposal).state == ProposalState.SUBMITTED
    await console.flush_outbox()
    texts = console.api.texts(RESIDENT)
    assert any("kategori <b>Kesehatan</b> (sebelumnya Infrastruktur)" in t for t in texts)
    assert any("Kategori kelompok" in t and "ke <b>Infrastruktur</b>" in t for t in texts)
    assert any("ditangani Forum Warga Bontang Selatan" in t for t in texts)
    assert any("kembali ditangani Forum Warga Bontang Utara" in t for t in texts)
    assert any(spam.proposal in t and "ditampilkan lagi" in t for t in console.api.texts(900_011))
    assert [e.action for e in audit(console)].count("undo_hide") == 2


async def test_urungkan_is_refused_once_the_cluster_changed_since(console: Console) -> None:
    keep = seed(console, RESIDENT, LAMPU)
    absorb = seed(console, 900_011, LAMPU_2)
    await confirmed(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    confirmation = keyboard(console, MODERATOR)
    seed(console, BYSTANDER, LAMPU + " Mohon cepat.", cluster=keep.cluster)  # someone joined the merged cluster
    changed = state(console)
    await tap(console, MODERATOR, confirmation, "pa:undo:")
    assert state(console) == changed and "Tidak bisa diurungkan" in popups(console, MODERATOR)[-1]
    assert "<b>" not in popups(console, MODERATOR)[-1]  # pop-ups are plain text
    assert button_data(shown(console, confirmation))  # the button stays; nothing was used up
    assert [e.action for e in audit(console)] == ["merge"]


async def test_forged_stale_and_other_users_buttons_do_nothing(console: Console) -> None:
    keep = seed(console, RESIDENT, LAMPU)
    absorb = seed(console, 900_011, LAMPU_2)
    await confirmed(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    confirmation = keyboard(console, MODERATOR)
    [undo] = button_data(confirmation)
    merged = state(console)
    forged = undo[:-1] + ("0" if undo[-1] != "0" else "1")
    for user, data in ((MODERATOR, forged), (OTHER_MODERATOR, undo), (RESIDENT, undo)):
        await console.send(console.maker.press(user, confirmation, data))
    assert state(console) == merged and len(popups(console, MODERATOR) + popups(console, OTHER_MODERATOR)) >= 2
    preview = await command(console, MODERATOR, f"/judul {keep.cluster} Judul baru")
    assert "Ganti judul" in preview
    message = keyboard(console, MODERATOR)
    yes = next(d for d in button_data(message) if d.startswith("pa:ya:"))
    await console.send(console.maker.press(MODERATOR, message, yes.replace("pa:ya:", "pa:undo:")))  # Ya as undo
    assert state(console) == merged
    with session_of(console) as session:  # the Urungkan is now older than 24 hours
        for row in session.exec(select(PendingAction).where(PendingAction.action == "undo")):
            row.created_at -= timedelta(hours=24, minutes=1)
            session.add(row)
        session.commit()
    await console.send(console.maker.press(MODERATOR, confirmation, undo))
    assert state(console) == merged and "kedaluwarsa" in popups(console, MODERATOR)[-1]
    await console.send(console.maker.press(MODERATOR, message, yes))  # the Ya itself still works once
    assert cluster(console, keep.cluster).title == "Judul baru"
    assert [e.action for e in audit(console)] == ["merge", "rename"]


async def test_accepting_a_regroup_suggestion_previews_then_urungkan_reopens_it(console: Console) -> None:
    keep = seed(console, RESIDENT, LAMPU)
    absorb = seed(console, 900_011, LAMPU_2)
    set_cluster(console, absorb.cluster, category="air_bersih")
    with session_of(console) as session:
        ids = [cluster(console, keep.cluster).id, cluster(console, absorb.cluster).id]
        session.add(RegroupSuggestion(kind="merge", cluster_ids=ids, score=0.9))
        session.commit()
    before = state(console)
    listing, preview = await accept_first_suggestion(console)
    assert "Terapkan usulan" in preview["text"] and "Kategori berbeda" in preview["text"]
    assert state(console) == before
    await tap(console, MODERATOR, preview, "pa:ya:")
    assert cluster(console, absorb.cluster).merged_into_id == ids[0]
    await tap(console, MODERATOR, shown(console, listing), "pa:undo:")
    assert state(console) == before
    with session_of(console) as session:
        suggestion = session.exec(select(RegroupSuggestion)).one()
        assert suggestion.state == SuggestionState.OPEN and suggestion.decided_by is None
        undo_entries = session.exec(select(AuditEntry).where(AuditEntry.action == "undo_regroup")).all()
    assert undo_entries and {e.actor for e in undo_entries} == {f"moderator:{MODERATOR}"}
    await console.flush_outbox()
    assert "dibatalkan" in console.api.texts(900_011)[-1]


async def test_accepting_a_split_suggestion_and_its_urungkan(console: Console) -> None:
    a = seed(console, RESIDENT, LAMPU)
    wrong = seed(console, 900_011, DRAINASE, cluster=a.cluster)
    with session_of(console) as session:
        session.add(RegroupSuggestion(kind="split", cluster_ids=[cluster(console, a.cluster).id],
                                      proposal_ids=[proposal(console, wrong.proposal).id], score=0.4))
        session.commit()
    before = state(console)
    listing, preview = await accept_first_suggestion(console)
    assert "pisahkan dari" in preview["text"] and wrong.proposal in preview["text"] and state(console) == before
    await tap(console, MODERATOR, preview, "pa:ya:")
    assert proposal(console, wrong.proposal).cluster_id != cluster(console, a.cluster).id
    await tap(console, MODERATOR, shown(console, listing), "pa:undo:")
    now = state(console)
    assert now["proposals"] == before["proposals"] and now["supports"] == before["supports"]
    assert {k: v for k, v in now["clusters"].items() if k in before["clusters"]} == before["clusters"]
    await console.flush_outbox()
    assert "kembali ke kelompok" in console.api.texts(900_011)[-1]


async def test_urungkan_survives_a_restart(settings: Settings, embedder: Embedder) -> None:
    console = Console(settings, io.StringIO(), embedder=embedder)
    await console.start()
    try:
        keep = seed(console, RESIDENT, LAMPU)
        absorb = seed(console, 900_011, LAMPU_2)
        before = state(console)
        await confirmed(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
        confirmation = keyboard(console, MODERATOR)
        [undo] = button_data(confirmation)
    finally:
        await console.stop()
    again = Console(settings, io.StringIO(), embedder=embedder)  # the Urungkan is in the database, not in memory
    await again.start()
    try:
        await again.send(again.maker.press(MODERATOR, confirmation, undo))
        assert state(again) == before
        assert cluster(again, absorb.cluster).merged_into_id is None
    finally:
        await again.stop()


async def test_an_erased_resident_is_never_put_back_by_an_urungkan(console: Console) -> None:
    keep = seed(console, RESIDENT, LAMPU)
    absorb = seed(console, 900_011, LAMPU_2)
    await command(console, MODERATOR, f"/gabung {keep.cluster} {absorb.cluster}")
    [yes, _] = button_data(keyboard(console, MODERATOR))
    await console.send(console.maker.press(MODERATOR, keyboard(console, MODERATOR), yes))
    confirmation = keyboard(console, MODERATOR)
    [undo] = button_data(confirmation)
    await command(console, 900_011, "/hapus_data")
    await press(console, 900_011, "hapus:ya")
    with session_of(console) as session:  # the undo's photographs of their support and aspiration are gone
        assert session.exec(select(PendingAction).where(PendingAction.action == "undo")).all() == []
    after_erasure = state(console)
    await console.send(console.maker.press(MODERATOR, confirmation, undo))
    assert state(console) == after_erasure and "kedaluwarsa" in popups(console, MODERATOR)[-1]
