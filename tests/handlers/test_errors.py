"""The one error handler: an exception in a handler alerts the admin chat, tells the resident, logs the trace.

A database fault is covered in test_private_logs.py; here a failure at the Bot API while answering a button.
"""

import logging
from typing import Any

import pytest
from sqlmodel import Session

from bot.console import Console
from handlers.deps import deps
from models.updates import InboundUpdate
from tests.conftest import RESIDENT
from tests.handlers.journey import last_message_with_buttons, onboard
from tests.handlers.moderation_seed import ADMIN

TEXT = "Mohon perbaikan jalan berlubang di Jl. Cendana Lok Tuan, sudah banyak motor jatuh."


class BrokenConnection(Exception):
    """A failure inside the HTTP layer (PTB turns it into a NetworkError the handler does not catch)."""


async def test_an_exception_in_a_handler_reaches_the_admin_the_resident_and_the_log(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard(console, RESIDENT)
    await console.send(console.maker.text(RESIDENT, TEXT))
    draft_message = last_message_with_buttons(console, RESIDENT)
    data = next(b["callback_data"] for row in draft_message["reply_markup"]["inline_keyboard"] for b in row
                if b["callback_data"].startswith("ok:"))

    def break_once(method: str, params: dict[str, Any]) -> None:
        if method == "answerCallbackQuery":
            console.api.inject = None
            raise BrokenConnection("connection reset while answering the button")

    console.api.inject = break_once
    update = console.maker.press(RESIDENT, draft_message, data)
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await console.send(update)

    [notice] = [text for text in console.api.texts(ADMIN) if "Nomor rujukan" in text]
    assert "NetworkError" in notice and "handlers.intake.draft_button" in notice
    assert "connection reset" not in notice  # the error's message may hold a resident's words: log only
    assert any("terjadi gangguan" in text for text in console.api.texts(RESIDENT))
    reference = notice.split("Nomor rujukan: <code>")[1].split("<")[0]
    [record] = [r for r in caplog.records if r.name == "handlers.errors" and reference in r.getMessage()]
    assert record.exc_text is not None and "Traceback" in record.exc_text and "BrokenConnection" in record.exc_text
    with Session(deps(console.app).engine) as session:  # kept to be handled again at the next start
        row = session.get(InboundUpdate, update["update_id"])
        assert row is not None and row.processed_at is None
