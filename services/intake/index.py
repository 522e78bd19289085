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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from tqdm import tqdm

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
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


def _read_entries(session: Session, grouping: GroupingService, ids: Sequence[int],
                  progress: Callable[[int], object]) -> list[Entry]:
    """Items of the given proposals, built from their stored texts and embeddings (only those columns are read:
    no ORM objects, so nothing piles up in the session while a large index is rebuilt)."""
    out: list[Entry] = []
    for start in range(0, len(ids), BATCH * 4):
        chunk = list(ids[start : start + BATCH * 4])
        rows = session.execute(sa_select(col(Proposal.id), col(Proposal.cluster_id), col(Proposal.text_clean),
                                         col(Proposal.embedding), col(Proposal.streets), col(Proposal.kelurahan))
                               .where(col(Proposal.id).in_(chunk))).all()
        for proposal_id, cluster_id, clean, embedding, streets, kelurahan in rows:
            if proposal_id is None or cluster_id is None or embedding is None:
                continue
            streets_read = [x for x in streets.split("|") if x]
            item = grouping.item(clean, np.frombuffer(embedding, dtype=np.float32), streets_read, kelurahan)
            out.append(Entry(proposal_id, cluster_id, item))
        progress(len(chunk))
    return out


read_entries = _read_entries


def _from_snapshot(snapshot: Path | None, grouping: GroupingService, key: str) -> tuple[list[Entry], str | None]:
    """The snapshot's entries, or none and why it was refused (None when there was no file at all)."""
    if snapshot is None or not snapshot.exists():
        return [], None
    try:
        _, entries = index_store.load(snapshot, model=grouping.model_name or "", key=key)
    except SnapshotRefused as exc:
        log.warning("saved grouping index refused (%s): rebuilding it from the database", exc)
        return [], str(exc)
    return entries, None


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
    kept = [Entry(e.proposal_id, wanted[e.proposal_id], e.item) for e in saved if e.proposal_id in wanted]
    moved = sum(e.cluster_id != wanted[e.proposal_id] for e in saved if e.proposal_id in wanted)
    have = {e.proposal_id for e in kept}
    missing = sorted(pid for pid in wanted if pid not in have)
    with tqdm(total=len(missing), desc="index", unit="usulan", disable=not show_progress) as bar:
        entries = sorted(kept + _read_entries(session, grouping, missing, bar.update), key=lambda e: e.proposal_id)
    grouping.add_items((e.proposal_id, e.cluster_id, e.item) for e in entries)
    grouping.warm()
    changed = len(kept) != len(saved) or bool(missing) or moved > 0
    if snapshot is not None and (changed or refused is not None or not snapshot.exists()):
        save_index(grouping, snapshot, key)
    return Loaded(count=len(entries), from_snapshot=len(kept), read=len(missing), refused=refused)


def save_index(grouping: GroupingService, snapshot: Path, key: str) -> int:
    """Write the index as it is now into `snapshot`; return how many proposals it holds."""
    entries = [Entry(pid, cid, item) for pid, cid, item in grouping.entries()]
    index_store.save(snapshot, entries, model=grouping.model_name or "", key=key, dim=grouping.dim)
    return len(entries)


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
