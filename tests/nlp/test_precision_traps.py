"""Precision traps: shared boilerplate, another kelurahan or street, another kecamatan (issue 23, item 5).

The vectors are one and the same for every text: the worst case, an embedding that sees only what the texts
share. What keeps different requests apart must be the words and the places.
"""

import numpy as np

from nlp.cluster import recluster
from nlp.grouping import Grouper, GroupingParams, Item
from nlp.normalize import normalize
from nlp.places import PlaceMatcher
from nlp.scoring import make_item

MATCHER = PlaceMatcher(
    {"Satimpo": [], "Guntung": [], "Kanaan": [], "Belimbing": [], "Bontang Baru": []},
    {"Ahmad Yani": ["A. Yani"], "Awang Long": []},
)
AREA_OF = {"Satimpo": "Bontang Selatan", "Guntung": "Bontang Utara", "Bontang Baru": "Bontang Utara",
           "Kanaan": "Bontang Barat", "Belimbing": "Bontang Barat"}
SAME = np.eye(384, dtype=np.float32)[0]
BOILERPLATE = ("Kami sudah menyampaikan hal ini berkali-kali kepada pihak kelurahan namun sampai sekarang belum "
               "ada tindak lanjut dari dinas terkait, mohon bapak ibu dewan memperhatikan.")


def text_item(text: str, vector: np.ndarray = SAME, home: str | None = None) -> Item:
    """The grouper's view of a text, as the grouping service builds it."""
    return make_item(vector, normalize(text), MATCHER, area_of=AREA_OF, home=home)


def test_shared_boilerplate_never_joins_a_residents_different_requests() -> None:
    first = text_item(f"Usulan nomor 1: mohon segera ditangani masalah air PDAM keruh di Satimpo. {BOILERPLATE}")
    g = Grouper(GroupingParams())
    g.add(1, 10, first)
    second = text_item(f"Usulan nomor 2: mohon segera ditangani masalah sampah menumpuk di pasar Satimpo. "
                       f"{BOILERPLATE}")
    third = text_item(f"Usulan nomor 3: mohon segera ditangani masalah beasiswa anak nelayan di Satimpo. "
                      f"{BOILERPLATE}")
    assert g.assign(second) is None and g.assign(third) is None
    again = text_item(f"Usulan nomor 4: mohon segera ditangani masalah air PDAM yang keruh di Satimpo. "
                      f"{BOILERPLATE}")
    assert g.assign(again) == 10  # the same request again still joins
    assert g.assign(text_item(first.text)) == 10  # and so does a copy
    labels = recluster([first, second, third, again], GroupingParams())
    assert len({labels[0], labels[1], labels[2]}) == 3 and labels[3] == labels[0]


def test_different_streets_or_kelurahan_are_never_joined_for_a_local_need() -> None:
    g = Grouper(GroupingParams())
    g.add(1, 10, text_item("jalan rusak berlubang di Jl. Ahmad Yani, tolong diperbaiki"))
    g.add(2, 20, text_item("saluran air tersumbat, banjir kalau hujan di Guntung"))
    assert g.assign(text_item("jalan rusak berlubang di Jl. Awang Long, tolong diperbaiki")) is None
    assert g.assign(text_item("saluran air tersumbat, banjir kalau hujan di Kanaan")) is None
    assert g.assign(text_item("jalan ahmad yani rusak dan berlubang")) == 10
    assert g.assign(text_item("saluran air di Guntung tersumbat, banjir")) == 20


def test_a_local_need_is_offered_no_cluster_of_another_kecamatan() -> None:
    g = Grouper(GroupingParams())
    g.add(1, 10, text_item("Jl. Ahmad Yani banyak lubang, bahaya untuk pengendara", home="Bontang Baru"))
    g.add(2, 10, text_item("jalan ahmad yani rusak parah berlubang", home="Guntung"))
    g.add(3, 30, text_item("beasiswa kuliah untuk anak kurang mampu", home="Guntung"))
    local = text_item("jalan di belimbing banyak yg rusak", home="Belimbing")
    assert 10 not in [c for c, _ in g.suggest(local)] and g.assign(local) is None
    assert 10 in [c for c, _ in g.suggest(text_item("jalan di bontang baru banyak yg rusak"))]  # same kecamatan
    city_wide = text_item("beasiswa kuliah anak di belimbing", home="Belimbing")  # not a local need
    assert g.suggest(city_wide)[0][0] == 30 and g.assign(city_wide) == 30
