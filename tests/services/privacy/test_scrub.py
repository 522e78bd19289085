"""Needles: a resident's words are found however a title or digest line re-spaced or re-cased them."""

from services.privacy.scrub import ERASED, Needles

TEXT = "Lampu jalan mati total di Gang Kenanga RT 09\ndepan rumah  Pak Haji Slamet, sudah seminggu gelap gulita."


def test_whole_text_in_any_spacing_and_case() -> None:
    needles = Needles.of([TEXT], 900001)
    flat = " ".join(TEXT.split())
    assert needles.scrub_text(f"Judul: {flat}") == f"Judul: {ERASED}"
    assert needles.scrub_text(flat.upper()) == ERASED
    assert needles.scrub_text("dari 900001 ke 9000012") == f"dari {ERASED} ke 9000012"


def test_a_cut_short_title_goes_to_the_end_of_its_line() -> None:
    needles = Needles.of([TEXT], None)
    title = "Lampu jalan mati total di Gang Kenanga RT 09 depan rumah Pak Haji…"
    assert needles.scrub_text(f"K-0001 · {title}\n12 pendukung") == f"K-0001 · {ERASED}\n12 pendukung"


def test_other_texts_stay() -> None:
    needles = Needles.of([TEXT], 900001)
    other = "Lampu jalan di Jl. Cendana mati, mohon diganti."
    assert needles.scrub_text(other) == other
    assert any(p in {"lampu"} for p in needles.sql_patterns())
