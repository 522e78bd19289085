"""Abuse: spam held for a moderator (released or hidden), repeated texts, the admin's ban list, suggestions."""

import re

from sqlmodel import select

from bot.console import Console
from models.proposals import ProposalState
from models.suggestions import RegroupSuggestion, SuggestionState
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, press, proposals, submit
from tests.handlers.moderation_seed import ADMIN, MODERATOR, audit, cluster, command, seed, session_of, supporters

SHOP = "Promo lampu LED tenaga surya murah meriah, cek https://shopee.co.id/lampu-surya sekarang juga."
REAL = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."


async def test_shop_link_is_held_then_released_by_a_moderator(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, SHOP)
    assert "diperiksa moderator" in console.api.calls[-1].params["text"]
    [held] = proposals(console)
    assert held.state == ProposalState.HELD and held.cluster_id is None
    listing = await command(console, MODERATOR, "/ditahan")
    assert held.code in listing and "tautan toko" in listing
    assert re.search(r"\b\d{1,2} [A-Z][a-z]+ 20\d\d \d\d\.\d\d WITA\b", listing), listing  # as everywhere
    assert not re.search(r"\d\d-\d\d-\d{4}", listing)
    await press(console, MODERATOR, "held:lepas:")
    [released] = proposals(console)
    assert released.state == ProposalState.SUBMITTED and released.cluster_id is not None
    assert [e.action for e in audit(console)] == ["hold", "release"]
    await console.flush_outbox()
    assert "diterbitkan" in console.api.texts(RESIDENT)[-1]


async def test_repeated_text_is_held_and_can_be_hidden(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, REAL)
    await submit(console, RESIDENT, REAL.upper() + "!!")
    first, second = proposals(console)
    assert first.state == ProposalState.SUBMITTED and second.state == ProposalState.HELD
    await command(console, MODERATOR, "/ditahan")
    await press(console, MODERATOR, "held:hide:")
    assert proposals(console)[1].state == ProposalState.HIDDEN
    assert "Tidak ada" in await command(console, MODERATOR, "/ditahan")


async def test_ordinary_aspiration_with_a_phone_number_is_published(console: Console) -> None:
    await onboard(console, RESIDENT)
    text = "Bantuan sosial belum cair tiga bulan, anak-anak butuh makan. Hubungi 0821-5567-0932."
    await submit(console, RESIDENT, text)
    assert proposals(console)[0].state == ProposalState.SUBMITTED


async def test_admin_bans_and_unbans_by_pseudonym_number(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, REAL)
    number = proposals(console)[0].resident_id
    assert "tidak ditemukan" in await command(console, ADMIN, "/ban 99999")
    assert "hanya untuk admin" in await command(console, MODERATOR, f"/ban {number}")
    assert f"Warga {number} diblokir" in await command(console, ADMIN, f"/ban {number}")
    await console.send(console.maker.text(RESIDENT, REAL + " Lagi."))
    assert "tidak dapat mengirim" in console.api.texts(RESIDENT)[-1]
    assert len(proposals(console)) == 1
    await command(console, ADMIN, f"/unban {number}")
    await submit(console, RESIDENT, REAL + " Lagi.")
    assert len(proposals(console)) == 2
    assert [(e.action, e.actor) for e in audit(console)] == [("ban", f"admin:{ADMIN}"), ("unban", f"admin:{ADMIN}")]
    assert all(str(RESIDENT) not in str(e.target) for e in audit(console))


async def test_accepting_a_merge_suggestion_applies_it_and_rejecting_changes_nothing(console: Console) -> None:
    a = seed(console, RESIDENT, REAL)
    b = seed(console, 900_011, "Jalan Pattimura banyak lubang besar, tolong ditambal sebelum ada korban.")
    c = seed(console, 900_012, "Jalan di Pattimura rusak parah mohon diaspal ulang.")
    with session_of(console) as session:
        ids = [cluster(console, x.cluster).id for x in (a, b, c)]
        session.add(RegroupSuggestion(kind="merge", cluster_ids=ids[:2], score=0.91))
        session.add(RegroupSuggestion(kind="merge", cluster_ids=[ids[0], ids[2]], score=0.8))
        session.commit()
    listing = await command(console, MODERATOR, "/usulan_regroup")
    assert b.cluster in listing or c.cluster in listing
    messages = [m for (chat, _), m in console.api.messages.items() if chat == MODERATOR and m.get("reply_markup")]
    first, second = messages[-2:]
    await console.send(console.maker.press(MODERATOR, first, first["reply_markup"]["inline_keyboard"][0][0]
                                           ["callback_data"]))
    await console.send(console.maker.press(MODERATOR, second, second["reply_markup"]["inline_keyboard"][0][1]
                                           ["callback_data"]))
    assert cluster(console, b.cluster).merged_into_id is None  # Terima shows a preview first
    preview = console.api.messages[(MODERATOR, first["message_id"])]
    assert "Terapkan usulan" in preview["text"] and "Lanjutkan?" in preview["text"]
    await console.send(console.maker.press(MODERATOR, preview, preview["reply_markup"]["inline_keyboard"][0][0]
                                           ["callback_data"]))
    assert cluster(console, b.cluster).merged_into_id == ids[0]
    assert cluster(console, c.cluster).merged_into_id is None
    assert len(supporters(console, a.cluster)) == 2
    with session_of(console) as session:
        states = [s.state for s in session.exec(select(RegroupSuggestion).order_by(RegroupSuggestion.id))]
    assert states == [SuggestionState.ACCEPTED, SuggestionState.REJECTED]
    assert "hanya untuk moderator" in await command(console, RESIDENT, "/usulan_regroup")
