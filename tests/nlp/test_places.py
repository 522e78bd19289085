"""Place facets: kelurahan aliases and street names."""

import numpy as np
import pytest

from nlp.normalize import normalize
from nlp.places import PlaceMatcher
from nlp.scoring import GroupingParams, make_item, place_adjustment, place_sets

KELURAHAN = {
    "Lok Tuan": ["Loktuan"], "Api-Api": [], "Tanjung Laut": ["Tj Laut"], "Tanjung Laut Indah": [],
    "Berbas Tengah": [], "Berbas Pantai": [], "Kanaan": [], "Gunung Elai": [],
}  # fmt: skip


@pytest.fixture
def matcher() -> PlaceMatcher:
    return PlaceMatcher(KELURAHAN, streets={"Ahmad Yani": ["A. Yani", "Achmad Yani"], "MT Haryono": [],
                                            "Awang Long": [], "Bhayangkara": [], "Pattimura": [],
                                            "Mulawarman": []})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pasar loktuan bocor", ("Lok Tuan",)),
        ("warga Lok Tuan dan lok-tuan", ("Lok Tuan",)),
        ("banjir di api api dan Api-api", ("Api-Api",)),
        ("tj. laut tergenang", ("Tanjung Laut",)),
        ("Kelurahan Tanjung Laut Indah", ("Tanjung Laut Indah",)),
        ("Berbas Pantai, bukan Berbas Tengah", ("Berbas Pantai", "Berbas Tengah")),
        ("kanaanbaru", ()),
        ("gunungelai banjir", ("Gunung Elai",)),
        ("jalan utama", ()),
    ],
)
def test_kelurahan(matcher: PlaceMatcher, text: str, expected: tuple[str, ...]) -> None:
    assert matcher.find(text).kelurahan == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jln bhayangkara bolong2 smua", ("bhayangkara",)),
        ("Perbaikan Jalan Bhayangkara. Banyak lubang", ("bhayangkara",)),
        ("jl. a. yani rusak", ("ahmad yani",)),
        ("Jalan A. Yani dekat pasar", ("ahmad yani",)),
        ("Jl. Jend. Sudirman no 5", ("sudirman",)),
        ("di Jl. 21 Mei", ("21 mei",)),
        ("marka jalan mt haryono", ("mt haryono",)),
        ("polisi tidur di Gang Mawar. Banyak", ("gang mawar",)),
        ("gang di rt kami", ()),
        ("Jalan-jalan di Bontang panas", ()),
        ("nenek tidak bisa jalan, mau rekam KTP", ()),
        ("anak jalan kaki ke sekolah", ()),
        # known streets: any case, with or without "jalan", every spelling gives one name
        ("jl ahmad yani bolong2 min", ("ahmad yani",)),
        ("lubang di ahmad yani makin gede", ("ahmad yani",)),
        ("Jl. Achmad Yani rusak", ("ahmad yani",)),
        ("lampu jln awang long mati semua", ("awang long",)),
        ("min mt haryono kpn diaspal", ("mt haryono",)),
        ("bhayangkara rusak", ()),  # a one-word name that is also a word (KBBI) needs "jalan" before it
        ("lobang2 di haryono", ("mt haryono",)),  # a street's distinctive name alone
        ("Pattimura tu kalo malam gelap", ("pattimura",)),
        ("pak Haryono lurah kami", ()),  # a person
        ("kuliah di universitas mulawarman", ()),  # a namesake
        ("jalan kayu di kampung atas laut lapuk", ()),  # a wooden walkway, not a street named Kayu
        # running text after "jalan" is no street
        ("keran kering tp tagihan jalan trs", ()),
        ("lampu jln dkt pelabuhan mati", ()),
        ("solar habis di jalan. Usul dipasang rumpon", ()),
        ("pedagang jualan di pinggir jalan. Minta dibangunkan pasar", ()),
        ("Lampu di sepanjang jalan menjadi gelap", ()),
        ("sampah di tepi jalan Kelurahan Satimpo", ()),
        ("di pinggir jalan api-api ada sampah", ()),
        ("got penuh sampah, airnya gk jalan bau bgt", ()),  # "jalan" as a verb after a negation
        ("jalan utama tp kayak jalan tambang", ()),  # a likeness
    ],
)
def test_streets(matcher: PlaceMatcher, text: str, expected: tuple[str, ...]) -> None:
    assert matcher.find(text).streets == expected


def test_strip_removes_kelurahan_only(matcher: PlaceMatcher) -> None:
    assert matcher.remove_places("banjir di tanjung laut indah parah") == "banjir di parah"


def test_no_places_configured() -> None:
    assert PlaceMatcher({}).find("jalan di kanaan").kelurahan == ()


def test_known_street_mentions_leave_the_topic_words(matcher: PlaceMatcher) -> None:
    assert matcher.remove_places("lampu jalan Awang Long mati", frozenset({"lampu"})) == "lampu jalan mati"
    assert matcher.remove_places("lubang di a. yani dalam") == "lubang di dalam"


def test_spellings_of_one_street_share_the_place() -> None:
    """A. Yani = Ahmad Yani, in any case, so that two reports of one street never read as a place conflict."""
    streets = PlaceMatcher({}, streets={"Ahmad Yani": ["A. Yani"]})
    one, other = (make_item(np.ones(4, np.float32) / 2, normalize(text), streets, streets.streets(text))
                  for text in ("jl ahmad yani bolong2 min", "Jalan A. Yani tu lubangnya banyak banar"))
    assert place_sets(one) == place_sets(other) == {"street:ahmad", "street:yani"}
    assert place_adjustment(place_sets(one), place_sets(other), GroupingParams()) > 0


def test_a_street_and_a_kelurahan_conflict_less_than_two_kelurahan() -> None:
    """"Jl. Soekarno-Hatta" and "Loktuan" may be one place (the street may lie in the kelurahan); two kelurahan
    or two streets that differ are two places."""
    params = GroupingParams()
    street, kelurahan = frozenset({"street:hatta"}), frozenset({"kelurahan:Lok Tuan"})
    other_street, other_kelurahan = frozenset({"street:pattimura"}), frozenset({"kelurahan:Guntung"})
    mixed = place_adjustment(street, kelurahan, params)
    assert -params.place_conflict < mixed < 0
    assert place_adjustment(street, other_street, params) == place_adjustment(kelurahan, other_kelurahan, params)
    assert place_adjustment(kelurahan, other_kelurahan, params) == -params.place_conflict
    assert place_adjustment(street | kelurahan, kelurahan, params) == params.place_match


def test_a_shared_street_counts_when_the_topic_is_shared() -> None:
    """One street: the place bonus needs a shared topic word, or on arrival an embedding that reads the two
    alike while they name no different things ("lobang2 di haryono" / "Kerusakan Jalan M.T. Haryono"). Two
    different things on one street ("lubang" / "lampu jalan mati") never get it (SPEC §4)."""
    from nlp.features import TermStats
    from nlp.scoring import Item, pair_scores

    params = GroupingParams()
    near = np.array([1.0, 0.0], np.float32)
    alike = np.array([0.92, np.sqrt(1 - 0.92**2)], np.float32)  # cosine 0.92, well above the embedding centre
    apart = np.array([0.80, 0.60], np.float32)  # cosine 0.80, below it
    street = ("merdeka",)
    query = Item(vector=near, text="tambal lobang", streets=street)
    stats = TermStats()

    def bonus(vector: np.ndarray, text: str) -> float:
        placed, unplaced = pair_scores(query, [Item(vector=vector, text=text, streets=street),
                                               Item(vector=vector, text=text)], stats, params)
        return float(placed - unplaced)

    assert bonus(alike, "lobang besar") == pytest.approx(params.place_match)  # a shared word
    assert bonus(alike, "kerusakan parah") == pytest.approx(params.place_match)  # read alike, nothing different
    assert bonus(apart, "kerusakan parah") == pytest.approx(0.0)  # read apart
    assert bonus(alike, "lampu jalan mati") == pytest.approx(0.0)  # another thing on the same street
