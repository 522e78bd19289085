"""The spam rules hold obvious ads and leave residents' real aspirations alone (repeats: tests/handlers/test_abuse.py).

Every example is written for the rule it exercises, in the general language of Indonesian ads and complaints.
"""

import pytest

from nlp.redact import redact
from services.intake.spam import SpamReason, same_text_key, text_reason


@pytest.mark.parametrize(("text", "reason"), [
    # a marketplace, chat or shortener link is an ad whatever the words around it
    ("Promo lampu LED murah cek https://shopee.co.id/xyz", SpamReason.SHOP_LINK),
    ("Info lengkap di bit.ly/abc123 ya kak", SpamReason.SHOP_LINK),
    ("Langsung chat aja wa.me/6281234567890", SpamReason.SHOP_LINK),
    # any other link next to a selling word
    ("Diskon besar, cek katalog di www.tokobaju.com", SpamReason.AD),
    ("Open order kue kering lebaran, lihat menu di kuenenek.site", SpamReason.AD),
    # a phone number next to a selling word, or with hardly any words around it
    ("Jual pulsa murah hub 081234567890", SpamReason.PHONE_AD),
    ("Terima reseller baju anak, hubungi 0812-3456-7890", SpamReason.PHONE_AD),
    ("0812 3456 7890", SpamReason.PHONE_AD),
    ("minat wa 081298765432", SpamReason.PHONE_AD),
    # two selling phrases without any link or number
    ("Dijual motor bekas mulus, harga nego", SpamReason.AD),
    ("Promo akhir tahun, gratis ongkir se-Bontang", SpamReason.AD),
])
def test_obvious_ads_are_held(text: str, reason: str) -> None:
    assert text_reason(redact(text)) == reason


@pytest.mark.parametrize("text", [
    # one selling word in a real complaint
    "Pedagang yang jual di trotoar Jalan Ahmad Yani bikin pejalan kaki turun ke jalan",
    "Mohon pasar murah sembako diadakan lagi menjelang lebaran, harga beras naik terus",
    # a link without selling words: a resident pointing at news or an official page
    "Banjir kemarin sudah diberitakan di https://bontangkota.go.id/berita, mohon drainase diperbaiki",
    # a phone number inside a real request with enough words and nothing for sale
    "Lampu jalan di RT 05 Loktuan mati sejak seminggu, ketua RT bisa dihubungi di 081234567890 untuk lokasinya",
    # ordinary aspirations
    "Tolong jalan di depan SD 003 ditambal, lubangnya besar dan sering bikin motor jatuh",
    "Air PDAM keruh sudah tiga hari di Berbas Pantai",
    "Anak saya butuh beasiswa, bapaknya nelayan dan penghasilan tidak tetap",
])
def test_real_aspirations_pass(text: str) -> None:
    assert text_reason(redact(text)) is None


def test_selling_words_are_whole_words() -> None:
    """'jual' inside another word (penjualan) and 'cod' inside 'kode' are not selling words."""
    assert text_reason(redact("Penjualan tiket kapal ke Pulau Beras Basah, kode antrean sering error")) is None


def test_same_text_key_ignores_case_and_punctuation() -> None:
    assert same_text_key("Jalan RUSAK, tolong!!") == same_text_key("jalan rusak tolong")
