"""Place facets: kelurahan aliases and street names."""

import pytest

from nlp.places import PlaceMatcher

KELURAHAN = {
    "Lok Tuan": ["Loktuan"], "Api-Api": [], "Tanjung Laut": ["Tj Laut"], "Tanjung Laut Indah": [],
    "Berbas Tengah": [], "Berbas Pantai": [], "Kanaan": [], "Gunung Elai": [],
}  # fmt: skip


@pytest.fixture
def matcher() -> PlaceMatcher:
    return PlaceMatcher(KELURAHAN, streets={"ahmad yani": ["a yani"]})


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
    ],
)
def test_streets(matcher: PlaceMatcher, text: str, expected: tuple[str, ...]) -> None:
    assert matcher.find(text).streets == expected


def test_strip_removes_kelurahan_only(matcher: PlaceMatcher) -> None:
    assert matcher.remove_places("banjir di tanjung laut indah parah") == "banjir di parah"


def test_no_places_configured() -> None:
    assert PlaceMatcher({}).find("jalan di kanaan").kelurahan == ()
