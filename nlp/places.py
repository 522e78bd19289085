"""Place facets: which kelurahan and which streets a message names (names come from config)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlp.features import is_root, root
from nlp.lexicon import lexicon
from nlp.normalize import clean_unicode

_HEAD_WORDS = r"jalan|jln|jl|gang|gg"  # before a street or gang name: "jalan", "Jl.", "gg"
_HEAD = rf"(?:{_HEAD_WORDS})(?:\.|\b)(?!-)\s*"
_STREET_HEAD = re.compile(rf"(?<![\w-])({_HEAD_WORDS})(?:\.|\b)(?!-)\s*", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+\.?|\d+")
# Titles dropped from street names so that "Jl. Jend. Sudirman" and "jalan sudirman" agree.
_TITLES = frozenset(
    {
        "jend",
        "jenderal",
        "jendral",
        "letjen",
        "mayjen",
        "brigjen",
        "kol",
        "kolonel",
        "dr",
        "ir",
        "prof",
        "h",
        "hj",
        "kh",
        "raya",
        "poros",
    }
)
# Words that follow "jalan" in running text without being a name.
_NOT_NAMES = frozenset(
    {
        "rusak",
        "berlubang",
        "bolong",
        "utama",
        "lingkungan",
        "kaki",
        "raya",
        "umum",
        "kampung",
        "rumah",
        "kota",
        "besar",
        "kecil",
        "sempit",
        "gelap",
        "licin",
        "becek",
        "tanah",
        "baru",
        "menuju",
        "masuk",
        "depan",
        "sepanjang",
        "sekitar",
        "dekat",
        "arah",
        "tembus",
        "alternatif",
        "protokol",
        "poros",
        "desa",
        "setapak",
        "pulang",
        "pergi",
        "jalan",
        "nasional",
        "provinsi",
        "ditutup",
        "ke",
        "sekolah",
        "perumahan",
        "permukiman",
        "pasar",
        "dalam",
        "luar",
        "kayu",  # the wooden walkways of kampung over water: "jalan kayu", "jalan papan", "jalan ulin"
        "papan",
        "ulin",
    }
)
_ADMINISTRATIVE = frozenset({"kelurahan", "kecamatan", "rt", "rw", "desa", "kampung"})
# Words before "jalan" that make it the verb "to go, to flow" ("airnya gk jalan bau", "mobil tidak bisa jalan")
# or a likeness ("kayak jalan tambang"), not a street.
_NOT_A_STREET_BEFORE = frozenset({
    "tidak", "belum", "bisa", "sudah", "mau", "masih", "sedang", "lagi", "tetap", "jangan", "biar", "akan", "harus",
    "bakal", "sempat", "mulai", "susah", "lancar", "macet",
    "seperti", "kayak", "kaya", "bagai", "bagaikan", "macam", "mirip", "ibarat",
})
_GANG = frozenset({"gang", "gg"})
# Before a street's distinctive name, these make it a person or another namesake ("pak Haryono",
# "Universitas Mulawarman").
_NOT_A_STREET_NAME_BEFORE = frozenset({
    "pak", "bapak", "bu", "ibu", "mas", "mbak", "kak", "bang", "abang", "om", "tante", "haji", "saudara", "almarhum",
    "universitas", "stadion", "masjid", "gedung", "taman", "bandara", "kodam", "korem", "hotel", "yayasan",
})


@dataclass(frozen=True)
class Facets:
    """The places a message names: canonical kelurahan and normalised street names."""

    kelurahan: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()


def _alias_regex(alias: str) -> str:
    """Regex for one alias where spaces, hyphens and dots between parts are optional."""
    parts = [re.escape(p) for p in re.split(r"[\s.\-]+", alias.strip().lower()) if p]
    return r"[\s.\-]*".join(parts)


class PlaceMatcher:
    """Find kelurahan (from a name -> aliases mapping) and street names in a message."""

    def __init__(self, kelurahan: Mapping[str, Sequence[str]], streets: Mapping[str, Sequence[str]] | None = None):
        """Compile the alias regexes, longest alias first so that longer names win.

        `streets`: the city's known streets, canonical name -> other spellings ("Ahmad Yani": ["A. Yani"]).
        A known name of two or more words is found with or without "jalan" before it, in any case; a
        one-word name only after "jalan"/"gang". A street's distinctive name (its last word: at least five
        letters, no Indonesian root, no other street's) is found alone too, as chat names main streets
        ("lobang2 di haryono", "Pattimura tu gelap"), except after a form of address or an institution.
        """
        pairs = [(alias, name) for name, aliases in kelurahan.items() for alias in (name, *aliases)]
        pairs.sort(key=lambda p: len(re.sub(r"[\s.\-]", "", p[0])), reverse=True)
        self._names = [name for _, name in pairs]
        body = "|".join(f"({_alias_regex(alias)})" for alias, _ in pairs)
        self._regex = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE) if pairs else None
        known = [(alias, self._street_key(canon)) for canon, aliases in (streets or {}).items()
                 for alias in (canon, *aliases)]
        known.sort(key=lambda p: len(re.sub(r"[\s.\-]", "", p[0])), reverse=True)
        self._street_names = [key for _, key in known]
        alternatives = "|".join(
            f"({_HEAD}){'?' if len(self._street_key(alias).split()) > 1 else ''}({_alias_regex(alias)})"
            for alias, _ in known)
        self._known_streets = (re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
                               if known else None)
        self._distinctive = _distinctive_names([self._street_key(canon) for canon in streets or {}])
        self._distinctive_regex = (
            re.compile(rf"(?<![\w-])(?:{'|'.join(self._distinctive)})(?![\w-])", re.IGNORECASE)
            if self._distinctive else None)

    def kelurahan(self, text: str) -> tuple[str, ...]:
        """Canonical kelurahan named in the text, in order of first mention."""
        if self._regex is None:
            return ()
        found: list[str] = []
        for match in self._regex.finditer(clean_unicode(text)):
            name = self._names[match.lastindex - 1] if match.lastindex else None
            if name and name not in found:
                found.append(name)
        return tuple(found)

    def streets(self, text: str) -> tuple[str, ...]:
        """Normalised street and gang names: the city's known streets (also by their distinctive name alone),
        then names introduced by jalan/jl./jln/gang/gg, in order of mention."""
        return tuple(dict.fromkeys(key for _, _, _, key in self._street_mentions(clean_unicode(text))))

    def _street_mentions(self, text: str) -> list[tuple[int, int, int, str]]:
        """(start, end of head word, end, normalised name) of each street mention, in order."""
        mentions = []
        if self._known_streets is not None:
            for match in self._known_streets.finditer(text):
                name = match.lastindex or 0  # each alias is (head)?(name): the name is the last group matched
                head_end = match.end(name - 1) if match.group(name - 1) else match.start()
                mentions.append((match.start(), head_end, match.end(), self._street_names[name // 2 - 1]))
        def taken(pos: int) -> bool:
            return any(start <= pos < end for start, _, end, _ in mentions)

        if self._distinctive_regex is not None:
            for match in self._distinctive_regex.finditer(text):
                if not taken(match.start()) and _word_before(text, match.start()) not in _NOT_A_STREET_NAME_BEFORE:
                    key = self._distinctive[match.group(0).lower()]
                    mentions.append((match.start(), match.start(), match.end(), key))
        for head in _STREET_HEAD.finditer(text):
            if taken(head.start()) or _ends_sentence(text, head) or _not_a_street(text, head):
                continue
            rest = text[head.end() :]
            words = _name_after(rest)
            key = self._street_key(" ".join(words))
            if not key or (self._regex is not None and self._regex.match(rest)):  # "jalan Satimpo": a kelurahan
                continue
            if head.group(1).lower() in _GANG:
                key = f"gang {key}"
            mentions.append((head.start(), head.end(), head.end() + rest.index(words[-1]) + len(words[-1]), key))
        return sorted(mentions)

    def remove_places(self, text: str, keep_head_after: frozenset[str] = frozenset()) -> str:
        """The text without kelurahan and street mentions (places are facets, not shared words).

        The "jalan"/"gang" of a street mention stays when the word before it is in `keep_head_after`
        ("lampu jalan Merdeka" -> "lampu jalan").
        """
        text = clean_unicode(text)
        for start, head_end, end, _ in reversed(self._street_mentions(text)):
            before = text[:start].split()[-1:]
            cut = head_end if before and before[0].lower() in keep_head_after else start
            text = text[:cut] + " " + text[end:]
        if self._regex is not None:
            text = self._regex.sub(" ", text)
        return " ".join(text.split())

    def find(self, text: str) -> Facets:
        """Both facets of a message."""
        return Facets(kelurahan=self.kelurahan(text), streets=self.streets(text))

    @staticmethod
    def _street_key(name: str) -> str:
        """Lower-case a street name, drop dots and titles."""
        words = [w.strip(".").lower() for w in name.split()]
        return " ".join(w for w in words if w and w not in _TITLES)


def _distinctive_names(keys: Sequence[str]) -> dict[str, str]:
    """A street's last name word -> its key, where the word is one street's only, has at least five letters
    and is no Indonesian root ("haryono" -> "mt haryono"; not "long" of Awang Long, nor "hakim")."""
    found: dict[str, list[str]] = {}
    for key in keys:
        last = key.split()[-1] if key else ""
        if len(last) >= 5 and last.isalpha() and not is_root(last):
            found.setdefault(last, []).append(key)
    return {word: owners[0] for word, owners in found.items() if len(set(owners)) == 1}


def _name_after(rest: str) -> list[str]:
    """The street name at the start of `rest`: a capitalised run, or one chat word (two after a title)."""
    words: list[str] = []
    pos, prev_title = 0, False
    for match in _TOKEN.finditer(rest[:60]):
        tok, gap = match.group(0), rest[pos : match.start()]
        bare, pos = tok.rstrip("."), match.end()
        low = bare.lower()
        capital = bare[:1].isupper() or bare.isdigit()
        title = low in _TITLES or len(bare) <= 2
        if gap.strip() or _common_word(low, capital):
            break
        if words and not capital and not prev_title:
            break
        words.append(bare)
        prev_title = title
        if len(words) >= 4 or (tok.endswith(".") and not title):
            break
    while words and words[-1].lower() in _TITLES:
        words.pop()
    return words


def _ends_sentence(text: str, head: re.Match[str]) -> bool:
    """Whether a full "jalan"/"gang" ends its sentence ("solar habis di jalan. Usul…"); "Jl." does not."""
    return head.group(1).lower() in ("jalan", "gang") and text[head.end(1) : head.end(1) + 1] == "."


def _not_a_street(text: str, head: re.Match[str]) -> bool:
    """Whether a "jalan" is the verb or a likeness, after a negation, an auxiliary or "like" ("airnya gk
    jalan", "bisa jalan", "kayak jalan tambang")."""
    if head.group(1).lower() != "jalan":
        return False
    word = _word_before(text, head.start())
    return lexicon().slang.get(word, word) in _NOT_A_STREET_BEFORE


def _word_before(text: str, pos: int) -> str:
    """The word before position `pos`, lower case, without punctuation ("" at the start)."""
    before = text[:pos].split()[-1:]
    return before[0].lower().strip(",.!?") if before else ""


def _common_word(word: str, capital: bool) -> bool:
    """Whether a word after "jalan" is running text rather than a name: a stop word or request word (also as
    chat slang: "jalan trs", "jalan dkt", "jalan. Minta"), an administrative word ("Jalan Kelurahan"), and,
    in lower case, a word that follows "jalan" in prose or an affixed word ("jalan menjadi licin")."""
    words = lexicon()
    standard = words.slang.get(word, word)
    if {word, standard} & (words.stopwords | words.generic_roots | _ADMINISTRATIVE):
        return True
    return not capital and (standard in _NOT_NAMES or (standard.isalpha() and root(standard) != standard))
