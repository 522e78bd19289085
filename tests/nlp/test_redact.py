"""PII redaction: what must go and what must stay."""

import pytest

from nlp.redact import EMAIL, NIK, PHONE, redact


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("wa sy 0821-5567-0932 ya", f"wa sy {PHONE} ya"),
        ("hubungi 081234567890.", f"hubungi {PHONE}."),
        ("no hp 0812 3456 7890", f"no hp {PHONE}"),
        ("kontak +62 812-3456-7890", f"kontak {PHONE}"),
        ("kontak 6281234567890", f"kontak {PHONE}"),
        ("telp 0821.5567.0932", f"telp {PHONE}"),
        ("kantor (0548) 21234", f"kantor {PHONE}"),
        ("Ketua RT 08, 0811-5462-7730.", f"Ketua RT 08, {PHONE}."),
    ],
)
def test_phone_numbers(raw: str, expected: str) -> None:
    assert redact(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NIK saya 6474036808910004, iuran saya nunggak", f"NIK saya {NIK}, iuran saya nunggak"),
        ("nik 6474 0368 0891 0004 ya", f"nik {NIK} ya"),
        ("6474036808910004", NIK),
    ],
)
def test_nik(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_email() -> None:
    assert redact("email sy: rizky.f_01@gmail.com buat info") == f"email sy: {EMAIL} buat info"


@pytest.mark.parametrize(
    "text",
    [
        "RT 05 RW 12",
        "Rp 5.000.000",
        "Rp5.000.000,00",
        "Rp 628.000.000",
        "Jl. 21 Mei",
        "tahun 2024",
        "tanggal 08-05-2024",
        "12/05/2024",
        "No. 12 km 7",
        "5 GT",
        "sebulan 1,5jt",
        "17 tahun",
        "ukuran 64740368",
    ],
)
def test_leaves_other_numbers(text: str) -> None:
    assert redact(text) == text


def test_fifteen_or_seventeen_digits_are_not_nik() -> None:
    assert NIK not in redact("647403680891000") and NIK not in redact("64740368089100041")
