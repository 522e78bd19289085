"""Forged or damaged buttons (oversized numbers, empty or unknown data) are refused before any query, with a
clear Indonesian pop-up; nothing fails, nothing becomes a dead letter."""

import pytest
from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.updates import InboundUpdate
from services.core import callbacks
from services.core.texts import t
from tests.conftest import RESIDENT
from tests.handlers.journey import last_message_with_buttons, onboard
from tests.handlers.moderation_seed import ADMIN

HUGE = "9" * 30
BIG = str(2**31)  # fits SQLite's 64 bits, not PostgreSQL's integer column
FORGED = [
    "", f"ok:{HUGE}", f"baru:{BIG}", f"batal:{HUGE}", f"dukung:1:{HUGE}", f"unfollow:{HUGE}", f"st:{BIG}:selesai",
    f"dg:f:{HUGE}", f"dg:h:1:{BIG}", f"pa:undo:{HUGE}:ab", f"rg:ok:{HUGE}", "kel:", "kel:tidak-ada", "zzz",
    "ok:-1", "ok:1\n", "ok:１２", f"puas:sudah:{HUGE}", f"nilai:up:{BIG}", "puas:lain:1", "nilai:ya:1",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_button_gets_a_clear_answer_and_no_error(console: Console, data: str) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, "Lampu jalan di Jl. Cendana Lok Tuan mati, mohon diperbaiki."))
    message = last_message_with_buttons(console, RESIDENT)
    await console.send(console.maker.press(RESIDENT, message, data))
    answers = [c.params for c in console.api.calls if c.method == "answerCallbackQuery"]
    assert answers[-1].get("text") in (t("button_invalid"), t("kelurahan_unknown")), answers[-1]
    assert t("error_generic") not in console.api.texts(RESIDENT)
    assert not deps(console.app).failed_updates
    with Session(deps(console.app).engine) as session:
        rows = session.exec(select(InboundUpdate)).all()
    assert all(r.attempts == 0 and r.dead_at is None for r in rows)


def test_every_id_in_button_data_fits_a_database_integer() -> None:
    assert callbacks.valid(callbacks.draft(callbacks.SEND, 2**31 - 1))
    assert not callbacks.valid(callbacks.draft(callbacks.SEND, 2**31))
    assert not callbacks.valid("") and not callbacks.valid(None) and not callbacks.valid("x" * 65)
    assert callbacks.valid(callbacks.CONSENT) and callbacks.valid(callbacks.status(7, "selesai"))


@pytest.mark.parametrize("number", [HUGE, BIG, "²"])
async def test_a_ban_of_an_impossible_number_is_answered_not_failed(console: Console, number: str) -> None:
    await console.send(console.maker.text(ADMIN, f"/ban {number}"))
    assert console.api.texts(ADMIN)[-1] in (t("ban_unknown", number=number), t("ban_usage"))
    assert not deps(console.app).failed_updates
