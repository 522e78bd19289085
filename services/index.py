"""Fill the grouping index from the database at start; re-embed only when the model changed."""

from __future__ import annotations

import logging

import numpy as np
from sqlmodel import Session, col, select
from tqdm import tqdm

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from services.grouping import GroupingService

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


def load_index(*, session: Session, grouping: GroupingService, show_progress: bool = False) -> int:
    """Re-embed what is stale, then put every visible submitted proposal in the index."""
    reembed_stale(session=session, grouping=grouping, show_progress=show_progress)
    session.flush()
    rows = [
        (p.id, p.cluster_id, p.text_clean, np.frombuffer(p.embedding, dtype=np.float32),
         [x for x in p.streets.split("|") if x], p.kelurahan)
        for p in visible_submitted(session)
        if p.id is not None and p.cluster_id is not None and p.embedding is not None
    ]
    with tqdm(total=len(rows), desc="index", unit="usulan", disable=not show_progress) as bar:
        grouping.add_many(rows, progress=bar.update)
    return len(rows)
