"""Who each cluster is for (kelompok rentan) and, for social aid, what kind of problem and which programme.

A cluster's labels are the union of its submitted members' readings (nlp.beneficiaries, on the redacted
texts), with the moderator's decisions (models.tags) on top: an added label stays, a removed one never comes
back, whatever the members say later. Aid problems and programmes are read only for clusters of the social-aid
category. Figures built on these labels live in services.counting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.tags import ClusterTag
from nlp.beneficiaries import AID_KINDS, GROUPS, PROGRAMMES, Reading, read
from services.core.texts import section, t

AID_CATEGORY = "bantuan_sosial"
FACETS: dict[str, tuple[str, ...]] = {"kelompok": GROUPS, "masalah": AID_KINDS, "program": PROGRAMMES}


@dataclass(frozen=True)
class Labels:
    """A cluster's vulnerable groups, aid problems and aid programmes (each in the order of its list)."""

    groups: tuple[str, ...] = ()
    aid_kinds: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()

    def of(self, facet: str) -> tuple[str, ...]:
        """The values of one facet ("kelompok", "masalah", "program")."""
        return {"kelompok": self.groups, "masalah": self.aid_kinds, "program": self.programmes}[facet]


_READ: dict[str, Reading] = {}  # text digest -> reading (never the text: erasure must not linger)
_READ_MAX = 200_000


def _reading(text: str) -> Reading:
    """A text's reading, remembered by a digest of the text."""
    key = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    if key not in _READ:
        if len(_READ) >= _READ_MAX:
            _READ.clear()
        _READ[key] = read(text)
    return _READ[key]


def _ordered(values: Iterable[str], order: tuple[str, ...]) -> tuple[str, ...]:
    """Values in the order of their list."""
    chosen = set(values)
    return tuple(v for v in order if v in chosen)


def cluster_labels(session: Session, cluster_ids: Iterable[int]) -> dict[int, Labels]:
    """Each cluster's labels: its submitted members' readings, with the moderators' decisions on top."""
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    read_values: dict[int, dict[str, set[str]]] = {cid: {f: set() for f in FACETS} for cid in ids}
    rows = session.exec(select(Proposal.cluster_id, Proposal.text_redacted).where(
        col(Proposal.cluster_id).in_(ids), Proposal.state == ProposalState.SUBMITTED)).all()
    for cid, text in rows:
        if cid is not None:
            reading = _reading(text or "")
            read_values[cid]["kelompok"] |= reading.groups
            read_values[cid]["masalah"] |= reading.aid_kinds
            read_values[cid]["program"] |= reading.programmes
    aid = {cid for cid, in_aid in session.exec(select(Cluster.id, Cluster.category).where(
        col(Cluster.id).in_(ids))).all() if in_aid == AID_CATEGORY and cid is not None}
    for cid in set(ids) - aid:
        read_values[cid]["masalah"], read_values[cid]["program"] = set(), set()
    for tag in session.exec(select(ClusterTag).where(col(ClusterTag.cluster_id).in_(ids))).all():
        values = read_values[tag.cluster_id][tag.facet]
        if tag.present:
            values.add(tag.value)
        else:
            values.discard(tag.value)
    return {cid: Labels(*(_ordered(v[f], FACETS[f]) for f in FACETS)) for cid, v in read_values.items()}



_SECTIONS = {"kelompok": "vulnerable_groups", "masalah": "aid_kinds", "program": "aid_programmes"}


def label_names(facet: str, values: Iterable[str]) -> list[str]:
    """The people-facing names of labels (texts_id.yaml), in the given order."""
    names = section(_SECTIONS[facet])
    return [str(names.get(v, v)) for v in values]


def counted_text(facet: str, counts: Iterable[tuple[str, int]]) -> str:
    """Labels with their counts: "Lansia 3, Perempuan 1" (empty when none)."""
    pairs = list(counts)
    return ", ".join(t("digest_label_count", label=name, count=n)
                     for name, (_, n) in zip(label_names(facet, [v for v, _ in pairs]), pairs, strict=True))


def labels_text(groups: Iterable[str], aid_kinds: Iterable[str]) -> str:
    """A cluster's groups and aid problems on one line: "🫂 Lansia · 🧾 Salah sasaran" (empty when none)."""
    groups, aid_kinds = list(groups), list(aid_kinds)
    parts = [t("vulnerable_mark", groups=", ".join(label_names("kelompok", groups)))] if groups else []
    parts += [t("aid_mark", kinds=", ".join(label_names("masalah", aid_kinds)))] if aid_kinds else []
    return " · ".join(parts)


def office_note(session: Session, cluster_id: int) -> str | None:
    """For a social-aid request: how the resident gets their own case checked at the office (else None)."""
    cluster = session.get(Cluster, cluster_id)
    return t("bansos_office") if cluster is not None and cluster.category == AID_CATEGORY else None
