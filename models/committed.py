"""Stamp what the figures count with its transaction's number in committed order (models.sequences).

A cluster when it is created, a support when it is added, an aspiration when it starts to count (sent, or
released from hold). One listener does it for every path, so no service can forget it; a stamp is never
changed afterwards (a moved support keeps the period it joined in).
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.sequences import commit_seq


def _stamp(session: Session, _context: Any, _instances: Any) -> None:
    """Give each new cluster and support, and each newly counted aspiration, this transaction's number."""
    for row in list(session.new) + list(session.dirty):
        counted = isinstance(row, Cluster | Support) or (
            isinstance(row, Proposal) and row.state == ProposalState.SUBMITTED)
        if counted and row.seq is None:
            row.seq = commit_seq(session)  # type: ignore[arg-type]


event.listen(Session, "before_flush", _stamp)
