"""The spam rules hold obvious ads and leave residents' real aspirations alone."""

import json
from pathlib import Path

import pytest

from nlp.redact import redact
from services.spam import SpamReason, same_text_key, text_reason

DEV = Path("/work/shared/data/aspirasi_dev.jsonl")


@pytest.mark.parametrize(("text", "reason"), [
    ("Promo lampu LED murah cek https://shopee.co.id/xyz", SpamReason.SHOP_LINK),
    ("Info lengkap di bit.ly/abc123 ya kak", SpamReason.SHOP_LINK),
    ("Jual pulsa murah hub 081234567890", SpamReason.PHONE_AD),
    ("0812 3456 7890", SpamReason.PHONE_AD),
    ("Diskon besar ready stock, www.tokobaju.com", SpamReason.AD),
    ("Dijual rumah type 45, harga nego, serius only", SpamReason.AD),
])
def test_obvious_ads_are_held(text: str, reason: str) -> None:
    assert text_reason(redact(text)) == reason


def test_only_the_ad_in_the_dev_data_is_held() -> None:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    held = [r["id"] for r in rows if text_reason(redact(r["text"]))]
    assert held == ["d134"]  # "Dijual rumah type 45 ... harga nego ... serius only"


def test_same_text_key_ignores_case_and_punctuation() -> None:
    assert same_text_key("Jalan RUSAK, tolong!!") == same_text_key("jalan rusak tolong")
