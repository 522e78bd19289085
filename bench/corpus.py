"""Synthetic but realistic Indonesian aspirations for the benchmark: templates × objects × places."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nlp.scoring import Item

TEMPLATES = (
    "Mohon perbaikan {obj} di {place}, sudah lama rusak dan membahayakan warga.",
    "Tolong pak, {obj} di {place} kondisinya parah sekali, kapan diperbaiki?",
    "Warga {kel} mengusulkan pembangunan {obj} baru di {place}.",
    "Kami minta {obj} di {place} segera ditangani dinas terkait.",
    "{obj} di {place} rusak lagi, anak-anak jadi susah lewat. Mohon ditindaklanjuti.",
    "Usul min, {obj} dekat {place} perlu diperbaiki biar warga nyaman.",
    "Sudah tiga bulan {obj} di {place} dibiarkan, mohon perhatian pemerintah kota.",
    "Bagaimana kelanjutan usulan {obj} di {place}? Warga {kel} masih menunggu.",
)
OBJECTS = (
    "jalan berlubang", "lampu jalan", "drainase", "saluran air", "jembatan kayu", "posyandu", "taman bermain",
    "pipa PDAM", "tempat sampah", "gorong-gorong", "trotoar", "lapangan voli", "puskesmas pembantu",
    "pos ronda", "halte angkot", "gedung sekolah", "tanggul sungai", "rambu lalu lintas", "pasar tradisional",
    "musholla", "sumur bor", "jaringan internet", "bak sampah", "parit", "jalan setapak", "tiang listrik",
    "pagar sekolah", "kantor kelurahan", "jalur sepeda", "perpustakaan keliling",
)
STREETS = (
    "Jl. Pattimura", "Jl. MT Haryono", "Jl. Ahmad Yani", "Jl. Brigjen Katamso", "Jl. Imam Bonjol",
    "Jl. Gajah Mada", "Jl. Cipto Mangunkusumo", "Gang Mawar", "Gang Melati", "Gang Kenanga", "Jl. Piere Tendean",
    "Jl. Letjen S. Parman", "Jl. KS Tubun", "Jl. Sutomo", "Jl. Slamet Riyadi",
)
KELURAHAN = ("Bontang Kuala", "Bontang Baru", "Lok Tuan", "Guntung", "Gunung Elai", "Api-Api")
FORUM = "bontang-utara"


@dataclass(frozen=True)
class Aspiration:
    """One synthetic aspiration and the request (object, place) it belongs to."""

    text: str
    kelurahan: str
    group: int


def aspirations(n: int, seed: int = 7) -> list[Aspiration]:
    """n aspirations; the same object at the same street is one request (skewed: some requests are popular)."""
    rng = random.Random(seed)
    requests = list(itertools.product(range(len(OBJECTS)), range(len(STREETS)), range(len(KELURAHAN))))
    rng.shuffle(requests)
    weights = [1 / (k ** 0.7) for k in range(1, len(requests) + 1)]
    picks = rng.choices(range(len(requests)), weights=weights, k=n)
    out = []
    for pick in picks:
        obj, street, kel = requests[pick]
        place = f"{STREETS[street]} RT {rng.randint(1, 40):02d}, {KELURAHAN[kel]}"
        text = rng.choice(TEMPLATES).format(obj=OBJECTS[obj], place=place, kel=KELURAHAN[kel])
        out.append(Aspiration(text[0].upper() + text[1:], KELURAHAN[kel], pick))
    return out


def unit_vectors(n: int, dim: int = 384, seed: int = 0, centres: int = 2000) -> np.ndarray:
    """n float32 unit vectors around `centres` random topics (like embeddings of short requests)."""
    rng = np.random.default_rng(seed)
    hubs = rng.standard_normal((centres, dim), dtype=np.float32)
    hubs /= np.linalg.norm(hubs, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        block = hubs[rng.integers(0, centres, m)] * 3.0 + rng.standard_normal((m, dim), dtype=np.float32) * 0.1
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def term_sets(n: int, seed: int = 0, vocabulary: int = 20_000) -> Iterator[tuple[str, ...]]:
    """n term sets of 3–8 terms from a Zipf-like vocabulary (a few common words, a long tail)."""
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.3, size=(n, 8)), vocabulary) - 1
    sizes = rng.integers(3, 9, n)
    for row, size in zip(ranks.tolist(), sizes.tolist(), strict=True):
        yield tuple(dict.fromkeys(f"t{r}" for r in row[:size]))


def synthetic_items(n: int, seed: int = 0) -> list[Item]:
    """n grouper items with synthetic vectors, terms and (for a tenth of them) a kelurahan."""
    vectors = unit_vectors(n, seed=seed)
    items = []
    for i, terms in enumerate(term_sets(n, seed=seed)):
        kel = (KELURAHAN[i % len(KELURAHAN)],) if i % 10 == 0 else ()
        items.append(Item(vector=vectors[i], text="", kelurahan=kel, terms=terms, local=bool(kel)))
    return items
