"""PII redaction: phone numbers, 16-digit NIK and e-mail addresses become placeholders."""

from __future__ import annotations

import re

PHONE = "[nomor telepon]"
NIK = "[NIK]"
EMAIL = "[email]"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.IGNORECASE)
# 16 digits, written in one run or in groups of four separated by a space, dot or dash.
_NIK = re.compile(r"(?<![\d.,-])\d{4}([ .-]?)\d{4}\1\d{4}\1\d{4}(?!\d|[.,]\d)")
# Mobile numbers: 08.., 62 8.., +62 8.., in groups of 3-4 digits.
_MOBILE = re.compile(r"(?<![\w.,+-])(?:\+62|62|0)[ .-]?\(?8\d{1,3}\)?(?:[ .-]?\d{3,4}){1,3}(?!\d|[.,]\d)")
# Landlines with an area code: (0548) 21234, 0548-21234, +62 548 21234.
_LANDLINE = re.compile(
    r"(?<![\w.,+-])(?:\(0\d{2,3}\)|0[1-79]\d{1,2}|\+62[ .-]?[1-79]\d{1,2})[ .-]\d{3,4}[ .-]?\d{2,4}(?!\d|[.,]\d)"
)
_CURRENCY = re.compile(r"(rp|idr|rupiah)[\s.:]*$", re.IGNORECASE)


def _digits(text: str) -> int:
    """Number of digits in a string."""
    return sum(ch.isdigit() for ch in text)


def _phone(match: re.Match[str]) -> str:
    """Replace a phone-like match unless it is an amount of money or has the wrong length."""
    before = match.string[max(0, match.start() - 6) : match.start()]
    if _CURRENCY.search(before) or not 9 <= _digits(match.group(0)) <= 14:
        return match.group(0)
    return PHONE


def redact(text: str) -> str:
    """Replace phone numbers, NIK and e-mail addresses by placeholders; leave amounts, RT/RW, dates alone."""
    text = _EMAIL.sub(EMAIL, text)
    text = _NIK.sub(NIK, text)
    text = _MOBILE.sub(_phone, text)
    return _LANDLINE.sub(_phone, text)
