"""Property: any phone number, NIK or e-mail address, rendered with random separators, invisible characters and
digit forms, is redacted, and nothing derived from the redacted text (normalised text, title) brings it back."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.labels import readable_title
from nlp.normalize import normalize
from nlp.redact import EMAIL, NIK, PHONE, redact

MOBILE_PREFIXES = ["811", "812", "813", "821", "822", "823", "851", "852", "853", "814", "815", "816", "855",
                   "856", "857", "858", "817", "818", "819", "859", "877", "878", "831", "832", "833", "838",
                   "881", "882", "883", "895", "896", "897", "898", "899"]
SEPARATORS = ["", " ", "-", ".", "/", "_", "–", "—", "−", "\u2010", "·", "•", "~", ",", " - ", "   -   ", ". ",
              " · ", "  "]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e", "\u2800", "\ufe0f",
             "\u061c", "\u202a", "\u202c", "\U000e0020", "\U000e0041", "\U000e007f"]
FRAME = ("mohon dibantu jalan rusak, hubungi", "ya pak terima kasih")


def digit_form(digit: str, style: str) -> str:
    """One digit written in a script or form residents' keyboards produce."""
    value = int(digit)
    forms = {"ascii": digit, "fullwidth": chr(0xFF10 + value), "arabic": chr(0x0660 + value),
             "persian": chr(0x06F0 + value), "devanagari": chr(0x0966 + value), "bold": chr(0x1D7CE + value),
             "keycap": f"{digit}\ufe0f\u20e3", "letter": {"0": "O", "1": "l"}.get(digit, digit)}
    return forms[style]


@st.composite
def rendered(draw: st.DrawFn, digits: str, lead: str = "") -> str:
    """Digits cut into random groups, joined by random separators and invisible characters, in random forms."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=5)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    styles = st.sampled_from(["ascii", "ascii", "fullwidth", "arabic", "persian", "devanagari", "bold", "keycap",
                              "letter"])
    out = lead
    for index, group in enumerate(groups):
        style = draw(styles)
        if style == "letter" and set(group) <= {"0", "1"}:
            style = "ascii"  # a group of letters only ("OlOO") is a word: a letter stands for a digit among digits
        out += "".join(digit_form(d, style) for d in group)
        if index < len(groups) - 1:
            sep = draw(st.sampled_from(SEPARATORS))
            hidden = draw(st.lists(st.sampled_from(INVISIBLE), max_size=2))
            out += "".join(hidden) + (sep or ("" if hidden else " "))
    return out


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A valid Indonesian mobile number with any prefix form."""
    subscriber = draw(st.sampled_from(MOBILE_PREFIXES)) + draw(st.text("0123456789", min_size=7, max_size=8))
    lead = draw(st.sampled_from(["0", "+62", "62", "(+62)", "+62 ", "(+62) "]))
    digits = ("0" if lead == "0" else "") + subscriber
    return draw(rendered(digits if lead == "0" else subscriber, "" if lead == "0" else lead))


@st.composite
def niks(draw: st.DrawFn) -> str:
    """A NIK (province, regency, district, birth date, serial), sometimes a digit short or long."""
    province = draw(st.sampled_from(["64", "31", "73", "11", "92", "35"]))
    place = draw(st.text("0123456789", min_size=4, max_size=4))
    day = draw(st.integers(1, 71).filter(lambda d: d <= 31 or d >= 41))
    birth = f"{day:02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(0, 99)):02d}"
    serial = draw(st.text("0123456789", min_size=3, max_size=5))
    return draw(rendered(province + place + birth + serial))


LOCALS = st.sampled_from(["siti.rahma", "budi_santoso77", "warga.loktuan", "rahmawati", "andi-saputra"])
PROVIDERS = st.sampled_from(["gmail.com", "yahoo.co.id", "outlook.com", "bontangkota.go.id"])
ATS = st.sampled_from(["@", " @ ", "＠", "[at]", " (at) ", "{at}", "(@)", "[@]", " at ", " [ at ] "])
DOTS = st.sampled_from([".", " . ", "(dot)", " [dot] ", " dot ", " titik "])


@st.composite
def emails(draw: st.DrawFn) -> tuple[str, str]:
    """An e-mail address with its @ and dots in any dress; also returns the local part."""
    local, provider = draw(LOCALS), draw(PROVIDERS)
    spaced = draw(st.booleans())
    shown_local = re.sub(r"[._-]", lambda m: f" {m.group(0)} ", local) if spaced else local
    dot = draw(DOTS)
    domain = provider.replace(".", dot)
    hidden = draw(st.sampled_from(["", "\u200b", "\u2060", "\U000e0020"]))
    return f"{shown_local}{hidden}{draw(ATS)}{hidden}{domain}", local


def assert_gone(raw: str, placeholder: str, secrets: tuple[str, ...] = ()) -> None:
    """The redacted text, and what is derived from it, keep no digit and no secret word."""
    out = redact(f"{FRAME[0]} {raw} {FRAME[1]}")
    assert placeholder in out, (raw, out)
    for shown in (out, normalize(out), readable_title(out)):
        assert not [ch for ch in shown if unicodedata.decimal(ch, None) is not None], (raw, shown)
        assert not [s for s in secrets if s in shown.lower()], (raw, shown)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(phones())
def test_any_phone_spelling_is_redacted(raw: str) -> None:
    assert_gone(raw, PHONE)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(niks())
def test_any_nik_spelling_is_redacted(raw: str) -> None:
    assert_gone(raw, NIK)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(emails())
def test_any_email_spelling_is_redacted(mail: tuple[str, str]) -> None:
    raw, local = mail
    assert_gone(raw, EMAIL, (*[w for w in re.split(r"[._-]", local) if len(w) > 2], "gmail", "yahoo"))
