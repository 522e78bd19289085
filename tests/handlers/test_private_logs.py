"""Logs and admin alerts carry no personal data: a full journey and a failing handler, grepped."""

import logging

import pytest
from sqlalchemy import text
from telegram.error import BadRequest

from bot.console import Console
from handlers.deps import deps
from handlers.sender import claim_row, record_result
from models.db import session_scope
from models.outbox import OutboxBase, enqueue
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, press, submit
from tests.handlers.moderation_seed import ADMIN, MODERATOR, command

PHONE = "0812-3456-7890"
FIRST = f"Lampu jalan di Gang Kenanga RT 09 Lok Tuan mati total, hubungi saya di {PHONE} ya."
LATER = "Selokan  di depan\nrumah Pak Haji Slamet Lok Tuan tersumbat, mohon dikeruk segera."


def identity() -> list[str]:
    """What must never appear in a log line or an alert."""
    return [str(RESIDENT), f"Nama{RESIDENT}", "Rahasia", f"pengguna{RESIDENT}", PHONE, "3456",
            "Gang Kenanga", "Haji Slamet", "Selokan"]


async def test_a_full_journey_leaves_no_personal_data_in_the_logs(console: Console,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, FIRST)
    await submit(console, RESIDENT, LATER)
    await console.send(console.maker.text(RESIDENT, "/status"))
    await command(console, MODERATOR, "/ringkasan")
    await command(console, RESIDENT, "/data_saya")
    await command(console, RESIDENT, "/hapus_data")
    await press(console, RESIDENT, "hapus:ya")
    await console.flush_outbox()
    assert caplog.records, "the journey must log something for this test to mean anything"
    leaked = [line for line in caplog.text.splitlines() if any(n.lower() in line.lower() for n in identity())]
    assert leaked == []


async def test_an_error_alert_names_type_handler_and_reference_only(console: Console,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    await onboard(console, RESIDENT)
    with deps(console.app).engine.begin() as connection:  # a real database fault mid-journey
        connection.execute(text("ALTER TABLE proposal RENAME TO proposal_gone"))
    await console.send(console.maker.text(RESIDENT, FIRST))
    [alert] = [c.params["text"] for c in console.api.calls
               if c.method == "sendMessage" and c.params["chat_id"] == ADMIN]
    assert "Galat" in alert and "Error" in alert and "handlers.intake." in alert
    reference = alert.split("Nomor rujukan: <code>")[1].split("<")[0]
    assert [n for n in [*identity(), "parameters", "INSERT", "SELECT"] if n.lower() in alert.lower()] == []
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_text and "Traceback" in logged[0].exc_text
    assert [n for n in identity() if n.lower() in caplog.text.lower()] == []


async def test_a_dropped_message_is_logged_without_its_payload_or_chat(console: Console,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    engine = deps(console.app).engine
    with session_scope(engine) as session:
        row, _ = enqueue(session=session, message=OutboxBase(
            chat_id=RESIDENT, method="send_message", payload={"text": FIRST}, purpose="reply", dedupe_key="t:1"))
        row_id = row.id
    assert row_id is not None and claim_row(engine, row_id, 60) is not None
    record_result(engine, row_id, message_id=None, error=BadRequest("Chat not found"))
    assert "dropped outbox message" in caplog.text
    assert [n for n in identity() if n.lower() in caplog.text.lower()] == []
