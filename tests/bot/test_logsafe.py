"""The logging filter: no phone, NIK, e-mail, SQL parameter or Telegram id reaches a log handler."""

import logging

import pytest

from bot.logsafe import pseudonym, scrub

log = logging.getLogger("tests.logsafe")


def test_scrub_redacts_and_pseudonymises() -> None:
    text = "chat 900001 sent 0812-3456-7890, nik 6474036808910004, a@b.com; group -1001234567890"
    out = scrub(text)
    for secret in ("900001", "3456", "6474036808910004", "a@b.com", "1001234567890"):
        assert secret not in out
    assert pseudonym(900001) in out and pseudonym(900001) == pseudonym("900001") != pseudonym(900002)


def test_sql_parameters_are_dropped() -> None:
    out = scrub("(psycopg.errors.X) boom\n[SQL: INSERT INTO proposal ...]\n[parameters: ('Lampu mati', 900001)]")
    assert "Lampu mati" not in out and "[SQL: INSERT INTO proposal ...]" in out


def test_records_reaching_handlers_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    try:
        raise ValueError("resident 900001 wrote 0812 3456 7890")
    except ValueError:
        log.exception("failed for chat %s with %s", 900001, {"text": "hubungi 081234567890"})
    assert caplog.records and "900001" not in caplog.text and "081234567890" not in caplog.text
    assert "3456 7890" not in caplog.text and "ValueError" in caplog.text and pseudonym(900001) in caplog.text
