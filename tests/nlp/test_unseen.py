"""Characters nobody sees are gone from every text before anything else reads it."""

import unicodedata

import pytest

from nlp.labels import readable_title
from nlp.normalize import normalize
from nlp.redact import redact
from nlp.unseen import MAX_MARKS, strip_invisible
from services.intake.textcheck import visible_text

ZALGO = "Jalan" + "\u0301\u0336\u0317\u0358" * 750 + " rusak di Gang Mawar"  # 3,000 combining marks


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e", "\u061c",
                                       "\u202e", "\u2066", "\ufe0f", "\ufe00", "\U000e0020", "\U000e0001",
                                       "\U000e0100"])
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert strip_invisible(f"lampu{invisible} mati{invisible}") == "lampu mati"


@pytest.mark.parametrize("blank", ["\u2800", "\u3164", "\u115f", "\uffa0"])
def test_blank_letters_become_spaces(blank: str) -> None:
    assert strip_invisible(f"lampu{blank}mati") == "lampu mati"


def test_stacked_marks_are_cut_and_accents_stay() -> None:
    out = strip_invisible(ZALGO)
    assert out.startswith("Jala") and out.endswith(" rusak di Gang Mawar")
    assert len(out) <= len("Jalan rusak di Gang Mawar") + MAX_MARKS  # "ń" and two marks of the 3,000
    assert strip_invisible("café Ñ") == "café Ñ" and strip_invisible("شَدَّ") == "شَدَّ"


@pytest.mark.parametrize("entry", [visible_text, normalize, redact])
def test_every_entry_point_strips_them(entry: object) -> None:
    assert callable(entry)
    shown = entry(ZALGO + "\u200b\U000e0041")
    assert len(shown) < 40 and not [ch for ch in shown if unicodedata.category(ch) == "Cf"]


def test_a_zalgo_title_is_short() -> None:
    assert len(readable_title(redact(ZALGO))) < 40
