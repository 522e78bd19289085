"""The Musrenbang workbook: one sheet per kelurahan listing its residents' clusters by priority.

Priority is by the kelurahan's own supporters (residents of that kelurahan in the cluster), then by all
supporters. Activity is the cluster's (redacted) title, volume the number of residents, sector/OPD the
category's label. Only visible, not-merged clusters and submitted aspirations count, as in every export.
"""

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from nlp.redact import redact
from services.config import AppConfig
from services.exports import supporter_counts, write_sheets

WIDTHS = (10, 14, 60, 34, 14, 30, 22)


def musrenbang_sheets(
    *, session: Session, config: AppConfig, cluster_ids: set[int] | None, status_label: Callable[[str], str],
    columns: tuple[str, ...],
) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """One (kelurahan, columns, rows) per kelurahan in config order; clusters by priority."""
    query = (select(Proposal.kelurahan, Proposal.resident_id, Cluster)
             .join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
             .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
                    col(Cluster.merged_into_id).is_(None), col(Proposal.kelurahan).is_not(None)))
    if cluster_ids is not None:
        query = query.where(col(Cluster.id).in_(cluster_ids))
    people: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    clusters: dict[int, Cluster] = {}
    for place, resident_id, cluster in session.exec(query).all():
        assert cluster.id is not None and place is not None
        clusters[cluster.id] = cluster
        people[place][cluster.id].add(resident_id if resident_id is not None else -len(clusters))
    supporters = supporter_counts(session, set(clusters))
    sheets = []
    for kecamatan in config.city.kecamatan:
        for kelurahan in kecamatan.kelurahan:
            here = people.get(kelurahan.name, {})
            order = sorted(here, key=lambda cid: (-len(here[cid]), -supporters.get(cid, 0), cid))
            rows = []
            for priority, cid in enumerate(order, start=1):
                cluster = clusters[cid]
                category = config.categories.get(cluster.category or "")
                rows.append((priority, cluster.code, redact(cluster.title), f"{kelurahan.name}, {kecamatan.name}",
                             len(here[cid]), category.label if category else (cluster.category or ""),
                             status_label(cluster.status)))
            sheets.append((kelurahan.name, columns, rows))
    return sheets


def write_musrenbang(sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]],
                     target: Path | IO[bytes]) -> None:
    """Write the workbook."""
    write_sheets(sheets, target, widths=WIDTHS)
