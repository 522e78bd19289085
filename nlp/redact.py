"""PII redaction: phone numbers, NIK, e-mail addresses, names, house numbers and bank accounts become
placeholders, however they are written.

Every text first loses what nobody sees (nlp.unseen: invisible characters, stacked combining marks), is
NFKC-normalised (full-width digits and `＠` become plain ones) and has its digits made plain (Arabic-Indic
and other decimal digits, keycaps). Then, in this order: e-mail addresses (nlp.redact_email), bank accounts
after a bank or "rek" (nlp.redact_people), phone numbers and NIK (nlp.redact_numbers), self-introductions
("nama saya …", "saya Bu …", "a.n. …", "dari …") and house numbers of personal addresses. Amounts, dates,
RT/RW, letter numbers, streets and landmarks stay. Redacting a redacted text changes nothing.

Place names come from the city's configuration (`use_place_names`, called when config is loaded), so that
"dari Satimpo" stays a place while "dari Rahmat" is a name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from nlp import redact_people
from nlp.redact_email import EMAIL, redact_emails
from nlp.redact_numbers import NIK, PHONE, redact_numbers
from nlp.redact_people import ACCOUNT, HOUSE, NAME
from nlp.unseen import strip_invisible

__all__ = ["ACCOUNT", "EMAIL", "HOUSE", "NAME", "NIK", "PHONE", "PLACEHOLDERS", "redact", "use_place_names"]

PLACEHOLDERS = (PHONE, NIK, EMAIL, NAME, HOUSE, ACCOUNT)
_KEYCAP = re.compile("(?<=[0-9#*])\u20e3")
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def use_place_names(areas: Iterable[str], streets: Iterable[str] = ()) -> None:
    """Tell the redactor the city's areas and institutions (never a name) and streets (no name after "dari")."""
    redact_people.use_place_names(areas, streets)


def _plain_digit(match: re.Match[str]) -> str:
    """A decimal digit of any script as its ASCII digit; anything else unchanged."""
    value = unicodedata.decimal(match.group(0), None)
    return match.group(0) if value is None else str(value)


def plain_text(text: str) -> str:
    """Invisible characters and stacked marks removed, NFKC, every decimal digit and keycap as an ASCII digit."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    return _NON_ASCII_DIGIT.sub(_plain_digit, _KEYCAP.sub("", text)) if not text.isascii() else text


def redact(text: str) -> str:
    """Replace personal data by placeholders; leave amounts, RT/RW, dates, streets and landmarks alone."""
    text = redact_emails(plain_text(text))
    text = redact_people.redact_accounts(text)
    text = redact_numbers(text)
    return redact_people.redact_people(text)
