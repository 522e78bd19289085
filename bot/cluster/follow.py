"""Every copy's grouping index follows the database: what other copies submitted, moved, hid or erased.

At start the index is the saved one caught up with the database (as in one process). Afterwards a copy looks
every poll interval at a fingerprint of the membership (count, largest id and sum of clusters of the proposals
the index should hold, read from the membership index alone); when it changed, the index is compared with the
membership and brought level. Unlike an `id > last_seen` watermark this never skips a proposal whose
transaction committed late. Before assigning a new proposal a copy takes the `grouper` lock for the rest of its
update's transaction and catches up first, so two copies never open two clusters for one request at once.
"""

import logging
import threading

from sqlalchemy import Engine, text
from sqlmodel import Session

from models.db import session_scope
from services.intake.grouping import GroupingService
from services.intake.index import membership, read_entries

log = logging.getLogger(__name__)
FINGERPRINT = text(
    "SELECT count(*), coalesce(max(p.id), 0), coalesce(sum(p.cluster_id), 0) FROM proposal p"
    " JOIN cluster c ON c.id = p.cluster_id WHERE p.state = 'submitted' AND NOT c.hidden"
    " AND c.merged_into_id IS NULL AND p.embedding_model IS NOT NULL")
GROUPER_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || 'grouper', 0))")


class IndexFollower:
    """Brings one copy's grouping index level with the database."""

    def __init__(self, engine: Engine, grouping: GroupingService) -> None:
        self._engine = engine
        self._grouping = grouping
        self._seen: tuple[int, int, int] | None = None
        self._level = threading.Lock()  # one catch-up at a time (the poll and an assignment)
        self.applied = 0  # changes applied from the database so far

    def poll(self) -> int:
        """Catch up if the membership changed since the last look; return how many changes were applied."""
        with session_scope(self._engine) as session:
            return self.catch_up(session)

    def catch_up(self, session: Session) -> int:
        """Compare the index with the database (seen through `session`) and apply the difference."""
        row = session.connection().execute(FINGERPRINT).one()
        now = (int(row[0]), int(row[1]), int(row[2]))
        with self._level:
            if now == self._seen:
                return 0
            changes = self._level_with(session)
            self._seen = now
        self.applied += changes
        return changes

    def _level_with(self, session: Session) -> int:
        """Add what is missing, re-file what moved, forget what left; return how many."""
        wanted = membership(session)
        have = self._grouping.membership()
        for pid in [pid for pid in have if pid not in wanted]:
            self._grouping.remove(pid)
        moved = [(pid, wanted[pid]) for pid, cid in have.items() if pid in wanted and wanted[pid] != cid]
        for pid, cid in moved:
            self._grouping.move_cluster(have[pid], cid, [pid])
        missing = sorted(pid for pid in wanted if pid not in have)
        entries = read_entries(session, self._grouping, missing, lambda _n: None)
        self._grouping.add_items((e.proposal_id, e.cluster_id, e.item) for e in entries)
        changes = len(have) - len(set(have) & set(wanted)) + len(moved) + len(entries)
        if changes:
            log.info("grouping index followed the database: %d change(s)", changes)
        return changes

    def before_assign(self, session: object) -> None:
        """Inside an update's transaction: take the `grouper` lock (held until that transaction ends), then
        catch up with everything committed before it."""
        assert isinstance(session, Session)
        session.connection().execute(GROUPER_LOCK)
        self.catch_up(session)

