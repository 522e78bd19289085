"""Bad input: each gets a clear Indonesian answer, nothing breaks, nothing is stored twice."""

import pytest

from bot.console import Console
from tests.conftest import RESIDENT
from tests.handlers.journey import last_message_with_buttons, onboard, proposals


@pytest.fixture
async def onboarded(console: Console) -> Console:
    await onboard(console, RESIDENT)
    return console


async def test_empty_text(onboarded: Console) -> None:
    await onboarded.send(onboarded.maker.text(RESIDENT, "   \u200b  "))
    assert "kosong" in onboarded.api.texts(RESIDENT)[-1]
    assert proposals(onboarded) == []


async def test_five_thousand_characters(onboarded: Console) -> None:
    text = "Jalan rusak di Kanaan, tolong " + "x" * 4970
    await onboarded.send(onboarded.maker.text(RESIDENT, text))
    answer = onboarded.api.texts(RESIDENT)[-1]
    assert "terlalu panjang" in answer and "5000 karakter" in answer
    assert proposals(onboarded) == []


async def test_only_emoji(onboarded: Console) -> None:
    await onboarded.send(onboarded.maker.text(RESIDENT, "😡😡😡🙏🙏"))
    assert "tidak berisi kata-kata" in onboarded.api.texts(RESIDENT)[-1]


async def test_html_is_escaped_in_every_reply(onboarded: Console) -> None:
    text = "Tolong <b>perbaiki</b> <script>alert(1)</script> jalan & selokan di Lok Tuan"
    await onboarded.send(onboarded.maker.text(RESIDENT, text))
    shown = last_message_with_buttons(onboarded, RESIDENT)["text"]
    assert "&lt;script&gt;" in shown and "<script>" not in shown and "&amp; selokan" in shown
    assert proposals(onboarded)[0].text_verbatim == text


async def test_invisible_and_direction_characters_are_removed_from_what_is_shown(onboarded: Console) -> None:
    text = "Lampu jalan\u200b mati di \u202eGuntung\u202c sudah dua minggu, mohon diperbaiki"
    await onboarded.send(onboarded.maker.text(RESIDENT, text))
    shown = last_message_with_buttons(onboarded, RESIDENT)["text"]
    assert "\u202e" not in shown and "\u200b" not in shown and "Guntung" in shown


@pytest.mark.parametrize("kind", ["sticker", "voice"])
async def test_media_the_bot_cannot_read(onboarded: Console, kind: str) -> None:
    await onboarded.send(getattr(onboarded.maker, kind)(RESIDENT))
    assert "hanya bisa mencatat usulan berupa teks" in onboarded.api.texts(RESIDENT)[-1]
    assert proposals(onboarded) == []


async def test_edited_message(onboarded: Console) -> None:
    await onboarded.send(onboarded.maker.edited(RESIDENT, "Jalan rusak di Kanaan, mohon diperbaiki segera"))
    assert "tidak mengubah usulan" in onboarded.api.texts(RESIDENT)[-1]


async def test_same_update_twice_stores_one_proposal_and_replies_once(onboarded: Console) -> None:
    update = onboarded.maker.text(RESIDENT, "Mohon perbaikan drainase di Jl. Kapten Tendean Guntung")
    before = len(onboarded.api.sent(RESIDENT))
    await onboarded.send(update)
    await onboarded.send(update)
    assert len(proposals(onboarded)) == 1
    assert len(onboarded.api.sent(RESIDENT)) == before + 1


async def test_same_update_processed_twice_by_the_application(onboarded: Console) -> None:
    from telegram import Update

    update = Update.de_json(onboarded.maker.text(RESIDENT, "Mohon lampu jalan di Api-Api diganti LED"),
                            onboarded.app.bot)
    await onboarded.app.process_update(update)
    await onboarded.app.process_update(update)
    assert len(proposals(onboarded)) == 1
