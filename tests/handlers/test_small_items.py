"""Small things residents trip over: kecamatan headings, /start again, thanks, a stale Kirim after /batal."""

from bot.console import Console
from models.proposals import ProposalState
from tests.conftest import RESIDENT
from tests.handlers.journey import button_data, last_message_with_buttons, onboard, press, proposals


async def test_kecamatan_heading_explains_itself(console: Console) -> None:
    await console.send(console.maker.text(RESIDENT, "/start"))
    await press(console, RESIDENT, "consent")
    keyboard = last_message_with_buttons(console, RESIDENT)
    heading = next(d for d in button_data(keyboard) if not d.startswith("kel:"))
    await console.send(console.maker.press(RESIDENT, keyboard, heading))
    [popup] = [c for c in console.api.calls if c.method == "answerCallbackQuery"][-1:]
    assert "Pilih kelurahan" in popup.params["text"] and popup.params.get("show_alert")


async def test_start_for_a_registered_resident_does_not_ask_the_kelurahan_again(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "/start"))
    answer = console.api.texts(RESIDENT)[-1]
    assert "Lok Tuan" in answer and "/kelurahan" in answer
    assert "kel:" not in str(console.api.calls[-1].params.get("reply_markup"))


async def test_thanks_gets_thanks_not_the_how_to_write_hint(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "makasih ya"))
    answer = console.api.texts(RESIDENT)[-1]
    assert "Sama-sama" in answer and "Silakan tuliskan usulan" not in answer
    await console.send(console.maker.text(RESIDENT, "halo"))
    assert "Silakan tuliskan usulan" in console.api.texts(RESIDENT)[-1]
    assert proposals(console) == []


async def test_a_stale_kirim_after_batal_says_the_draft_was_cancelled(console: Console) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "Mohon perbaikan jalan berlubang di Jl. Pattimura Lok Tuan."))
    draft = last_message_with_buttons(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "/batal"))
    kirim = next(d for d in button_data(draft) if d.startswith("ok:"))
    await console.send(console.maker.press(RESIDENT, draft, kirim))
    shown = console.api.messages[(RESIDENT, draft["message_id"])]
    assert "sudah dibatalkan" in shown["text"] and "sudah diproses" not in shown["text"]
    assert not (shown.get("reply_markup") or {}).get("inline_keyboard")
    [cancelled] = proposals(console)
    assert cancelled.state == ProposalState.CANCELLED and cancelled.code is None
