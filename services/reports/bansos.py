"""The Bansos export for Dinas Sosial: one row per social-aid cluster, its problems and programmes, redacted texts.

No personal data leaves: texts are redacted (again, also one an older redactor stored), no resident is named
or counted by identity. A resident who wants their own case checked is told to reach the office themselves
(texts_id.yaml: bansos_office), so nothing about a person has to be forwarded.
"""

from typing import Any

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal
from nlp.redact import redact
from services.core import counting
from services.core.config import AppConfig
from services.core.counting import Scope
from services.core.texts import section, status_label, t
from services.core.vulnerable import AID_CATEGORY, cluster_labels, label_names
from services.reports.musrenbang import work_places

TEXTS_PER_ROW = 20  # the newest member texts shown per cluster
WIDTHS = (12, 50, 20, 30, 20, 30, 10, 10, 10, 16, 100)


def columns() -> tuple[str, ...]:
    """The export's column headers (texts_id.yaml: bansos_columns)."""
    return tuple(str(c) for c in section("bansos_export")["columns"])


def aid_rows(*, session: Session, config: AppConfig, forums: frozenset[str] | None) -> list[tuple[Any, ...]]:
    """One row per counted social-aid cluster, most residents first."""
    scope = Scope(forums=forums)
    figures = counting.cluster_figures(session, scope)
    clusters = {c.id: c for c in session.exec(select(Cluster).where(
        col(Cluster.id).in_(list(figures)), Cluster.category == AID_CATEGORY)).all() if c.id is not None}
    labels = cluster_labels(session, clusters)
    places = work_places(session=session, config=config, cluster_ids=set(clusters))
    texts: dict[int, list[str]] = {}
    for cid, text in session.exec(counting.counted_aspirations(
            select(Proposal.cluster_id, Proposal.text_redacted), Scope(cluster_ids=frozenset(clusters)))
            .order_by(col(Proposal.id).desc())).all():
        if cid is not None and len(texts.setdefault(cid, [])) < TEXTS_PER_ROW:
            texts[cid].append(redact(text or ""))
    rows = []
    for cid, cluster in clusters.items():
        f, mine = figures[cid], labels[cid]
        rows.append((cluster.code, redact(cluster.title), places.get(cid, ""),
                     ", ".join(label_names("masalah", mine.aid_kinds)) or t("tag_none"),
                     ", ".join(label_names("program", mine.programmes)) or t("tag_none"),
                     ", ".join(label_names("kelompok", mine.groups)) or t("tag_none"),
                     f.residents, f.aspirations, f.supporters, status_label(cluster.status),
                     " | ".join(texts.get(cid, []))))
    return sorted(rows, key=lambda row: (-row[6], str(row[0])))
