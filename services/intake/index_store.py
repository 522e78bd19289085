"""The grouping index on disk: every indexed proposal's item (vector, terms, places, facets) and cluster.

No text is saved: scoring reads an item's terms and facets, never its text, and the shared-boilerplate check
(nlp.boilerplate) its words, which are saved in its stead. An erasure saves the index again at once.

A folder of `.npy` arrays (read with `allow_pickle=False`) and a `header.json` holding the format, the
embedding model, a fingerprint of the code and data that turn texts into items, the watermark (the highest
proposal id saved) and a CRC-32 of every array. Anything that does not match is refused: the caller rebuilds
the index from the database. The folder is written beside it and swapped in whole.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.grouping import NO_VECTOR
from nlp.scoring import Item

FORMAT_VERSION = 4  # 2: an item's area (kecamatan) and whether the text named it; 3: the vectors' width;
# 4: an item's words (nlp.boilerplate), without which a restart lost the shared-boilerplate check
HEADER = "header.json"
VECTORS = "vectors"
CRC_SLICE = 1 << 24
NLP_DIR = Path(__file__).resolve().parents[2] / "nlp"
_FACETS = ("kelurahan", "streets", "groups", "needs", "utilities")  # few distinct values: stored once each
_SETS = ("groups", "needs", "utilities")


class SnapshotRefused(Exception):
    """The saved index cannot be used (absent, damaged, or made by other code, data or model)."""


@dataclass(frozen=True)
class Entry:
    """One indexed proposal."""

    proposal_id: int
    cluster_id: int
    item: Item


def fingerprint(extra: str) -> str:
    """A hash of what turns a text into an item: the nlp code and word lists, and `extra` (config)."""
    digest = hashlib.sha256(extra.encode("utf-8"))
    for path in sorted([*NLP_DIR.glob("*.py"), *(NLP_DIR / "data").glob("*")]):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _strings(values: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 blob and offsets of a list of strings."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _unstrings(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    """The strings of `_strings`."""
    data = blob.tobytes()
    bounds = offsets.tolist()
    return [data[a:b].decode("utf-8") for a, b in itertools.pairwise(bounds)]


def _lists(rows: Sequence[Sequence[str]]) -> dict[str, np.ndarray]:
    """A list of string lists as a vocabulary and CSR indices."""
    vocab: dict[str, int] = {}
    indices = [vocab.setdefault(s, len(vocab)) for row in rows for s in row]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    blob, offsets = _strings(list(vocab))
    return {"vocab": blob, "vocab_offsets": offsets, "indptr": indptr, "indices": np.asarray(indices, np.int32)}


def _unlists(arrays: dict[str, np.ndarray], name: str) -> list[list[str]]:
    """The string lists of `_lists`."""
    vocab = np.array(_unstrings(arrays[f"{name}.vocab"], arrays[f"{name}.vocab_offsets"]) or [""], dtype=object)
    flat: list[str] = vocab[np.asarray(arrays[f"{name}.indices"])].tolist()
    bounds = np.asarray(arrays[f"{name}.indptr"]).tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)]


def _arrays(entries: Sequence[Entry], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Every array of a snapshot."""
    items = [e.item for e in entries]
    out: dict[str, np.ndarray] = {
        "ids": np.array([e.proposal_id for e in entries], dtype=np.int64),
        "clusters": np.array([e.cluster_id for e in entries], dtype=np.int64),
        "vectors": vectors,
        "local": np.array([bool(it.local) for it in items], dtype=bool),
    }
    out.update({f"terms.{k}": v for k, v in _lists([it.terms for it in items]).items()})
    out.update({f"words.{k}": v for k, v in _lists([it.words for it in items]).items()})
    for name in _FACETS:
        kinds: dict[tuple[str, ...], int] = {}
        of = [kinds.setdefault(tuple(sorted(getattr(it, name) or ())) if name in _SETS else getattr(it, name),
                               len(kinds)) for it in items]
        out.update({f"{name}.{k}": v for k, v in _lists(list(kinds)).items()})
        out[f"{name}.of"] = np.asarray(of, dtype=np.int32)
    areas: dict[tuple[str, ...], int] = {}
    out["area.of"] = np.asarray([areas.setdefault((it.area,) if it.area else (), len(areas)) for it in items],
                                dtype=np.int32)
    out.update({f"area.{k}": v for k, v in _lists(list(areas)).items()})
    out["area_named"] = np.array([it.area_named for it in items], dtype=bool)
    return out


def save(folder: Path, entries: Sequence[Entry], *, model: str, key: str, dim: int,
         vectors: np.ndarray | None = None) -> None:
    """Write the entries (sorted by proposal id) into `folder`, replacing what was there. `vectors`: their
    vectors, one row each (the entries then in proposal-id order), when the items do not carry them (a
    grouper's items hold NO_VECTOR)."""
    if vectors is None:
        entries = sorted(entries, key=lambda e: e.proposal_id)
        vectors = (np.stack([e.item.vector for e in entries]).astype(np.float32, copy=False) if entries
                   else np.zeros((0, dim), np.float32))
    elif len(vectors) != len(entries) or any(a.proposal_id >= b.proposal_id for a, b in itertools.pairwise(entries)):
        raise ValueError("entries with their vectors must come in proposal-id order, one vector each")
    arrays = _arrays(entries, vectors)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, array in arrays.items():
            np.save(work / f"{name}.npy", array, allow_pickle=False)
        header = {"format": FORMAT_VERSION, "model": model, "key": key, "count": len(entries), "dim": dim,
                  "watermark": entries[-1].proposal_id if entries else 0,
                  "crc": {name: _crc(a) for name, a in arrays.items()}}
        (work / HEADER).write_text(json.dumps(header), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(work, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _crc(array: np.ndarray) -> int:
    """CRC-32 of an array's bytes (in slices: no copy of a whole large array)."""
    flat = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    crc = 0
    for start in range(0, len(flat), CRC_SLICE):
        crc = zlib.crc32(flat[start : start + CRC_SLICE].tobytes(), crc)
    return crc


def _read(folder: Path, model: str, key: str) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """The header and checked arrays (all but the vectors, checked as they are read), or SnapshotRefused."""
    try:
        header = json.loads((folder / HEADER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotRefused(f"no readable header: {exc}") from exc
    if header.get("format") != FORMAT_VERSION or header.get("model") != model or header.get("key") != key:
        raise SnapshotRefused("made by another format, model, code or config")
    crcs = dict(header.get("crc") or {})
    arrays: dict[str, np.ndarray] = {}
    for name, crc in crcs.items():
        if name == VECTORS:
            continue
        try:
            array = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise SnapshotRefused(f"{name}: {exc}") from exc
        if _crc(array) != crc:
            raise SnapshotRefused(f"{name}: checksum differs")
        arrays[name] = array
    complete = {"ids", "clusters", "local"} <= set(arrays) and VECTORS in crcs and isinstance(header.get("dim"), int)
    if not complete or len(arrays["ids"]) != header.get("count"):
        raise SnapshotRefused("arrays missing or of another length")
    return header, arrays


@dataclass(frozen=True)
class Snapshot:
    """A saved index, read and checked but for its vectors: `read_vectors` reads those straight into the
    caller's matrix (no second copy of the largest array) and checks them as it goes."""

    folder: Path
    watermark: int
    entries: list[Entry]  # in proposal-id order; the items hold NO_VECTOR
    crc: int  # of the vectors
    dim: int

    def read_vectors(self, out: np.ndarray, rows: np.ndarray) -> None:
        """Put saved vector i into out[rows[i]] (rows[i] < 0: skip it); SnapshotRefused when the file does not
        match its checksum, shape or type (`out` then holds garbage)."""
        n = len(self.entries)
        try:
            with open(self.folder / f"{VECTORS}.npy", "rb") as file:
                version = np.lib.format.read_magic(file)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read_header(file)
                if shape != (n, self.dim) or fortran or dtype != np.dtype(np.float32):
                    raise SnapshotRefused(f"{VECTORS}: of another shape or type")
                crc, chunk = 0, np.empty((max(1, CRC_SLICE // (4 * max(1, self.dim))), self.dim), np.float32)
                for start in range(0, n, len(chunk)):
                    part = chunk[: min(len(chunk), n - start)]
                    if file.readinto(part.data.cast("B")) != part.nbytes:
                        raise SnapshotRefused(f"{VECTORS}: shorter than its header says")
                    crc = zlib.crc32(part.data, crc)
                    to = rows[start : start + len(part)]
                    out[to[to >= 0]] = part[to >= 0]
        except (OSError, ValueError) as exc:
            raise SnapshotRefused(f"{VECTORS}: {exc}") from exc
        if crc != self.crc:
            raise SnapshotRefused(f"{VECTORS}: checksum differs")


def load(folder: Path, *, model: str, key: str) -> Snapshot:
    """The snapshot in `folder` (its vectors read later, by `Snapshot.read_vectors`); SnapshotRefused when it
    cannot be trusted."""
    header, arrays = _read(folder, model, key)
    try:
        entries = list(_entries(arrays))
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise SnapshotRefused(f"inconsistent arrays: {exc}") from exc
    watermark = header.get("watermark")
    return Snapshot(folder, int(watermark) if isinstance(watermark, int) else 0, entries,
                    int(dict(header.get("crc") or {})[VECTORS]), int(header["dim"]))  # type: ignore[call-overload]


def _tuples(arrays: dict[str, np.ndarray], name: str) -> list[tuple[str, ...]]:
    """Each item's value of a facet (one shared tuple per distinct value)."""
    kinds = [tuple(k) for k in _unlists(arrays, name)]
    return [kinds[i] for i in np.asarray(arrays[f"{name}.of"]).tolist()]


def _sets(arrays: dict[str, np.ndarray], name: str) -> list[frozenset[str]]:
    """Each item's value of a set facet (one shared frozenset per distinct value)."""
    kinds = [frozenset(k) for k in _unlists(arrays, name)]
    return [kinds[i] for i in np.asarray(arrays[f"{name}.of"]).tolist()]


def _entries(arrays: dict[str, np.ndarray]) -> Iterator[Entry]:
    """Rebuild the entries (their items without vectors)."""
    terms, words = _unlists(arrays, "terms"), _unlists(arrays, "words")
    kelurahan, streets = _tuples(arrays, "kelurahan"), _tuples(arrays, "streets")
    groups, needs, utilities = (_sets(arrays, name) for name in _SETS)
    ids, clusters, local, named = (np.asarray(arrays[n]).tolist() for n in ("ids", "clusters", "local", "area_named"))
    areas = _tuples(arrays, "area")
    if not len(ids) == len(clusters) == len(local) == len(terms) == len(words) == len(groups):
        raise ValueError("arrays of different lengths")
    if any(a >= b for a, b in itertools.pairwise(ids)):
        raise ValueError("ids out of order")
    for row, (proposal_id, cluster_id) in enumerate(zip(ids, clusters, strict=True)):
        item = Item(vector=NO_VECTOR, text="", kelurahan=kelurahan[row], streets=streets[row],
                    terms=tuple(terms[row]), words=tuple(words[row]), local=local[row], groups=groups[row],
                    needs=needs[row], utilities=utilities[row], area=areas[row][0] if areas[row] else None,
                    area_named=named[row])
        yield Entry(proposal_id, cluster_id, item)
