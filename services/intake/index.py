"""Fill the grouping index at start: from the saved snapshot caught up with the database, else from the
stored embeddings; re-embed only when the model changed.

The snapshot (services/intake/index_store.py) holds every indexed item as it was when saved, with a watermark (the
highest proposal id saved). At start the database's current membership (proposal id and cluster, two
integer columns) is compared with it: proposals after the watermark, or otherwise missing, are read and
turned into items; ones gone (hidden, erased, merged away) are dropped; moved ones change cluster. The
items are then indexed in proposal-id order, exactly as a rebuild from the database would. A damaged or
stale snapshot is never trusted: the index is rebuilt from the database and saved again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from tqdm import tqdm

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from nlp.grouping import NO_VECTOR, Item, spare_rows
from services.core.config import AppConfig
from services.intake import index_store
from services.intake.grouping import GroupingService
from services.intake.index_store import Entry, SnapshotRefused

log = logging.getLogger(__name__)
BATCH = 256


def visible_submitted(session: Session) -> list[Proposal]:
    """Submitted proposals in visible, unmerged clusters, oldest first."""
    return list(
        session.exec(
            select(Proposal)
            .join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
            .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
                   col(Cluster.merged_into_id).is_(None))
            .order_by(col(Proposal.id))
        )
    )


def reembed_stale(*, session: Session, grouping: GroupingService, show_progress: bool = True) -> int:
    """Embed proposals with no embedding or one from another model; return how many."""
    stale = list(
        session.exec(
            select(Proposal).where(
                col(Proposal.state).in_([ProposalState.SUBMITTED, ProposalState.DRAFT, ProposalState.HELD]),
                (col(Proposal.embedding_model) != grouping.model_name) | col(Proposal.embedding).is_(None),
            )
        )
    )
    if not stale:
        return 0
    log.warning("re-embedding %d proposal(s) for model %s", len(stale), grouping.model_name)
    with tqdm(total=len(stale), desc="re-embedding", unit="usulan", disable=not show_progress) as bar:
        for start in range(0, len(stale), BATCH):
            chunk = stale[start : start + BATCH]
            vectors = grouping.embed([p.text_clean for p in chunk])
            for proposal, vector in zip(chunk, vectors, strict=True):
                proposal.embedding = vector.astype(np.float32).tobytes()
                proposal.embedding_model = grouping.model_name
                session.add(proposal)
            bar.update(len(chunk))
    return len(stale)


@dataclass(frozen=True)
class Loaded:
    """How the index was filled."""

    count: int  # proposals in the index
    from_snapshot: int  # of which taken from the saved snapshot as they were
    read: int  # read from the database and turned into items (all of them when rebuilt)
    refused: str | None  # why the snapshot was not used (None: it was, or there was none to use)


def _membership(session: Session) -> dict[int, int]:
    """Proposal id -> cluster of every proposal the index should hold, read from an index of the table alone
    (ix_proposal_membership; an embedded proposal has its model's name, an erased one has neither)."""
    rows = session.exec(
        select(Proposal.id, Proposal.cluster_id)
        .join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
        .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
               col(Cluster.merged_into_id).is_(None), col(Proposal.embedding_model).is_not(None))
    ).all()
    return {int(pid): int(cid) for pid, cid in rows if pid is not None and cid is not None}


membership = _membership  # for copies that follow the database (bot/cluster/follow.py)


def _rows(session: Session, grouping: GroupingService, ids: Sequence[int], progress: Callable[[int], object]
          ) -> Iterator[tuple[int, int, Item]]:
    """(proposal id, cluster id, item) of the given proposals in id order, built from their stored texts and
    embeddings (only those columns are read: no ORM objects, so nothing piles up in the session while a large
    index is rebuilt)."""
    for start in range(0, len(ids), BATCH * 4):
        chunk = sorted(ids[start : start + BATCH * 4])
        rows = session.execute(sa_select(col(Proposal.id), col(Proposal.cluster_id), col(Proposal.text_clean),
                                         col(Proposal.embedding), col(Proposal.streets), col(Proposal.kelurahan))
                               .where(col(Proposal.id).in_(chunk)).order_by(col(Proposal.id))).all()
        for proposal_id, cluster_id, clean, embedding, streets, kelurahan in rows:
            if proposal_id is None or cluster_id is None or embedding is None:
                continue
            streets_read = [x for x in streets.split("|") if x]
            yield proposal_id, cluster_id, grouping.item(clean, np.frombuffer(embedding, dtype=np.float32),
                                                         streets_read, kelurahan)
        progress(len(chunk))


def read_entries(session: Session, grouping: GroupingService, ids: Sequence[int],
                 progress: Callable[[int], object]) -> list[Entry]:
    """Items (with their vectors) of the given proposals, in id order."""
    return [Entry(pid, cid, item) for pid, cid, item in _rows(session, grouping, sorted(ids), progress)]


def _read_matrix(session: Session, grouping: GroupingService, ids: Sequence[int],
                 progress: Callable[[int], object]) -> tuple[list[Entry], np.ndarray]:
    """Entries of the given proposals in id order, their items without vectors, and a matrix holding their
    vectors in its first rows, with spare rows after them (no vector is held twice while a large index is
    rebuilt)."""
    matrix = np.zeros((len(ids) + spare_rows(len(ids)), grouping.dim), dtype=np.float32)
    out: list[Entry] = []
    for pid, cid, item in _rows(session, grouping, ids, progress):
        matrix[len(out)] = item.vector
        out.append(Entry(pid, cid, replace(item, vector=NO_VECTOR)))
    return out, matrix


def _from_snapshot(snapshot: Path | None, grouping: GroupingService, key: str
                   ) -> tuple[index_store.Snapshot | None, str | None]:
    """The snapshot, or none and why it was refused (None when there was no file at all)."""
    if snapshot is None or not snapshot.exists():
        return None, None
    try:
        return index_store.load(snapshot, model=grouping.model_name or "", key=key), None
    except SnapshotRefused as exc:
        log.warning("saved grouping index refused (%s): rebuilding it from the database", exc)
        return None, str(exc)


def load_index(*, session: Session, grouping: GroupingService, show_progress: bool = False) -> int:
    """Re-embed what is stale, then put every visible submitted proposal in the index; return how many."""
    return fill_index(session=session, grouping=grouping, show_progress=show_progress).count


def fill_index(*, session: Session, grouping: GroupingService, show_progress: bool = False,
               snapshot: Path | None = None, key: str = "") -> Loaded:
    """`load_index`, from `snapshot` caught up with the database when it can be trusted; the snapshot is
    (re)written afterwards when anything changed since it was saved."""
    reembed_stale(session=session, grouping=grouping, show_progress=show_progress)
    session.flush()
    with _no_gc():
        return _fill(session, grouping, show_progress, snapshot, key)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made (it would scan them
    over and over for nothing); collect once afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fill(session: Session, grouping: GroupingService, show_progress: bool, snapshot: Path | None, key: str
          ) -> Loaded:
    """`fill_index` after re-embedding."""
    wanted = _membership(session)
    saved, refused = _from_snapshot(snapshot, grouping, key)
    try:
        loaded = _caught_up(session, grouping, show_progress, wanted, saved)
    except SnapshotRefused as exc:  # its vectors did not match their checksum: nothing was loaded from it
        log.warning("saved grouping index refused (%s): rebuilding it from the database", exc)
        loaded, refused = _caught_up(session, grouping, show_progress, wanted, None), str(exc)
    if snapshot is not None and (loaded.changed or refused is not None or not snapshot.exists()):
        save_index(grouping, snapshot, key)
    return Loaded(count=loaded.count, from_snapshot=loaded.from_snapshot, read=loaded.read, refused=refused)


@dataclass(frozen=True)
class _CaughtUp:
    """What `_caught_up` put in the index."""

    count: int
    from_snapshot: int
    read: int
    changed: bool  # whether the index differs from the snapshot (or there was none)


def _caught_up(session: Session, grouping: GroupingService, show_progress: bool, wanted: dict[int, int],
               saved: index_store.Snapshot | None) -> _CaughtUp:
    """Put the saved entries still wanted (in their current clusters) and the wanted ones read from the
    database in the index, in proposal-id order; SnapshotRefused (and nothing put) when the saved vectors
    do not match their checksum."""
    entries = saved.entries if saved is not None else []
    keep = np.fromiter((e.proposal_id in wanted for e in entries), dtype=bool, count=len(entries))
    kept = [Entry(e.proposal_id, wanted[e.proposal_id], e.item) for e in entries if e.proposal_id in wanted]
    moved = sum(e.cluster_id != wanted[e.proposal_id] for e in entries if e.proposal_id in wanted)
    have = {e.proposal_id for e in kept}
    missing = sorted(pid for pid in wanted if pid not in have)
    with tqdm(total=len(missing), desc="index", unit="usulan", disable=not show_progress) as bar:
        read, read_vectors = _read_matrix(session, grouping, missing, bar.update)
    if saved is None or not kept:
        merged, matrix = read, read_vectors
    else:
        merged = sorted(kept + read, key=lambda e: e.proposal_id)
        ids = np.fromiter((e.proposal_id for e in merged), dtype=np.int64, count=len(merged))
        matrix = np.zeros((len(merged) + spare_rows(len(merged)), grouping.dim), dtype=np.float32)
        rows = np.full(len(entries), -1, dtype=np.int64)
        rows[keep] = np.searchsorted(ids, [e.proposal_id for e in kept])
        saved.read_vectors(matrix, rows)
        if read:
            matrix[np.searchsorted(ids, [e.proposal_id for e in read])] = read_vectors[: len(read)]
        del read_vectors
    grouping.load([e.proposal_id for e in merged], [e.cluster_id for e in merged], [e.item for e in merged], matrix)
    grouping.warm()
    changed = saved is None or len(kept) != len(entries) or bool(missing) or moved > 0
    return _CaughtUp(count=len(merged), from_snapshot=len(kept), read=len(missing), changed=changed)


def save_index(grouping: GroupingService, snapshot: Path, key: str) -> int:
    """Write the index as it is now into `snapshot`; return how many proposals it holds."""
    rows, vectors = grouping.export()
    index_store.save(snapshot, [Entry(pid, cid, item) for pid, cid, item in rows], model=grouping.model_name or "",
                     key=key, dim=grouping.dim, vectors=vectors)
    return len(rows)


def snapshot_place(engine: Engine, data_dir: Path) -> Path:
    """Where the index of this database is saved: a folder per database in data_dir (by default the folder of
    the SQLite file too), named by a hash of the database's address (password hidden)."""
    name = engine.url.render_as_string(hide_password=True)
    return data_dir / f"index-{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def snapshot_of(engine: Engine, config: AppConfig, grouping: GroupingService) -> tuple[Path, str]:
    """Where this database's grouping index is saved, and the key it must carry to be trusted."""
    config_part = {"city": config.city.model_dump(), "institutions": config.nlp.institutions}
    return snapshot_place(engine, Path(config.data_dir)), snapshot_key(grouping, config_part)


def snapshot_key(grouping: GroupingService, config_part: object) -> str:
    """What the saved items depend on besides the model: the nlp code and data, the city and institutions."""
    return index_store.fingerprint(json.dumps(config_part, sort_keys=True, default=str) + repr(grouping.params))
