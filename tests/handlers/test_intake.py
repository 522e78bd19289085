"""The resident journey through the real Application: start, consent, kelurahan, draft, confirm, status."""

import re

from bot.console import Console
from handlers.deps import deps
from models.proposals import ProposalState
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, press, proposals, submit

TEXT = "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan, sudah banyak pengendara jatuh."


async def test_start_shows_privacy_notice_then_kelurahan_by_kecamatan(console: Console) -> None:
    await console.send(console.maker.text(RESIDENT, "/start"))
    texts = console.api.texts(RESIDENT)
    assert "UU No. 27 Tahun 2022" in texts[-1]
    await press(console, RESIDENT, "consent")
    keyboard = console.api.sent(RESIDENT)[-1].params["reply_markup"]["inline_keyboard"]
    labels = [b["text"] for row in keyboard for b in row]
    assert labels[0] == "— Bontang Utara —"
    assert labels.index("— Bontang Selatan —") > labels.index("Api-Api")
    assert "Kanaan" in labels and len([x for x in labels if not x.startswith("—")]) == 15


async def test_full_journey_gives_tracking_code_and_status(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, TEXT)
    confirmation = console.api.calls[-1]
    assert confirmation.method == "editMessageText"
    code = re.search(r"ASP-\d{4}-\d{6}", confirmation.params["text"])
    assert code is not None
    [stored] = proposals(console)
    assert stored.state == ProposalState.SUBMITTED and stored.code == code.group(0)
    assert stored.kelurahan == "Lok Tuan" and stored.forum_id == "bontang-utara"
    assert stored.text_verbatim == TEXT
    await console.send(console.maker.text(RESIDENT, "/status"))
    status = console.api.texts(RESIDENT)[-1]
    assert code.group(0) in status and "Baru" in status


async def test_text_before_consent_is_not_kept_and_is_sent_again_after_onboarding(console: Console) -> None:
    await console.send(console.maker.text(RESIDENT, TEXT))
    assert proposals(console) == []  # nothing kept before consent (issue 20); the resident is asked to resend
    assert "pemberitahuan privasi" in console.api.texts(RESIDENT)[0] and "kirim lagi" in console.api.texts(RESIDENT)[0]
    await press(console, RESIDENT, "consent")
    await press(console, RESIDENT, "kel:64.74.01.1003")
    await console.send(console.maker.text(RESIDENT, TEXT))
    await press(console, RESIDENT, "ok:")
    assert [p.state for p in proposals(console)] == [ProposalState.SUBMITTED]


async def test_cancel_button_and_command(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, TEXT))
    await press(console, RESIDENT, "batal:")
    await console.send(console.maker.text(RESIDENT, TEXT + " Terima kasih."))
    await console.send(console.maker.text(RESIDENT, "/batal"))
    assert [p.state for p in proposals(console)] == [ProposalState.CANCELLED, ProposalState.CANCELLED]
    assert "Draf dibatalkan" in console.api.texts(RESIDENT)[-1]


async def test_greeting_gets_help_not_a_draft(console: Console) -> None:
    await onboard(console, RESIDENT)
    for text in ("halo", "tes", "makasih min"):
        await console.send(console.maker.text(RESIDENT, text))
    assert proposals(console) == []
    hello, test, thanks = console.api.texts(RESIDENT)[-3:]
    assert "tuliskan usulan" in hello and "tuliskan usulan" in test
    assert "Sama-sama" in thanks and "tulis saja di sini" in thanks  # thanks get thanks, and still the way on


async def test_photo_with_caption_and_location(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.photo(RESIDENT, caption=None))
    assert "keterangan" in console.api.texts(RESIDENT)[-1]
    await console.send(console.maker.photo(RESIDENT, caption=TEXT))
    await console.send(console.maker.location(RESIDENT, 0.1301, 117.4862))
    [draft] = proposals(console)
    assert draft.photo_file_id is not None and draft.latitude == 0.1301
    await press(console, RESIDENT, "ok:")
    assert proposals(console)[0].state == ProposalState.SUBMITTED


async def test_rate_limit_keeps_the_draft(console: Console) -> None:
    await onboard(console, RESIDENT)
    limit = deps(console.app).config.limits.aspirations_per_hour
    for i in range(limit):
        await submit(console, RESIDENT, f"{TEXT} Usulan nomor {i} untuk gang {i}.")
    await submit(console, RESIDENT, TEXT + " Satu lagi.")
    assert "Mohon tunggu" in console.api.texts(RESIDENT)[-1]
    assert proposals(console)[-1].state == ProposalState.DRAFT
