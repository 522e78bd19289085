"""Cluster labels: a representative redacted title, c-TF-IDF keywords and a category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, link
from models.types import utcnow
from nlp.labels import TitleTerms, cluster_keywords, title_index
from services.intake.grouping import TITLE_CHARS as TITLE_CHARS  # exports and privacy read it here
from services.intake.grouping import GroupingService
from services.intake.index import visible_submitted

# The visible clusters' titles, counted once per process and kept: each submission weighs its cluster's keywords
# against every other title (fill_keywords), and only the titles changed since are counted again.
TITLE_TERMS = TitleTerms()


def label_on_arrival(*, session: Session, grouping: GroupingService, proposal: Proposal, cluster: Cluster,
                     new_cluster: bool) -> None:
    """Give a proposal its category, and a new cluster its first title and category."""
    if proposal.embedding is None:
        return
    vector = np.frombuffer(proposal.embedding, dtype=np.float32)[None, :]
    proposal.category = grouping.categorise([proposal.text_clean], vector)[0]
    session.add(proposal)
    if new_cluster:
        cluster.title = grouping.title(proposal.text_redacted)
        cluster.category = proposal.category
        session.add(cluster)
        assert cluster.id is not None
        link(session=session, kind=Derived.TITLE, ref_id=cluster.id, proposals=[proposal.id], replace=True)


def relabel_all(*, session: Session, grouping: GroupingService, city_words: list[str]) -> int:
    """Recompute every visible cluster's keywords, and the title and category nobody set by hand; return how many.

    A title or category a moderator set (/judul, /kategori) is a decision and stays.
    """
    members: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in visible_submitted(session):
        if proposal.cluster_id is not None:
            members[proposal.cluster_id].append(proposal)
    if not members:
        return 0
    docs = {cid: [p.text_redacted for p in ps] for cid, ps in members.items()}
    keywords = cluster_keywords(docs, top_n=5, extra_stopwords=city_words)
    clusters = {c.id: c for c in session.exec(select(Cluster).where(col(Cluster.id).in_(list(members))))}
    for cluster_id, proposals in members.items():
        cluster = clusters[cluster_id]
        vectors = np.stack([np.frombuffer(p.embedding, dtype=np.float32) for p in proposals if p.embedding])
        if not cluster.title_set_by_moderator:
            titled = [p for p in proposals if p.embedding]
            texts = [p.text_redacted for p in titled]
            source = titled[title_index(vectors, texts)]
            cluster.title = grouping.title(source.text_redacted)
            link(session=session, kind=Derived.TITLE, ref_id=cluster_id, proposals=[source.id], replace=True)
        cluster.keywords = ", ".join(keywords.get(cluster_id, []))
        link(session=session, kind=Derived.KEYWORDS, ref_id=cluster_id, proposals=[p.id for p in proposals],
             replace=True)
        if not cluster.category_set_by_moderator:
            cluster.category = grouping.cluster_category([p.category or "lainnya" for p in proposals])
        cluster.updated_at = utcnow()
        session.add(cluster)
    return len(members)


def fill_keywords(*, session: Session, cluster_ids: list[int] | None = None, city_words: Sequence[str] = ()) -> int:
    """Give clusters keywords now: the ones named, or (None) every visible cluster that has none; return how many.

    Their members are weighed (c-TF-IDF) against the titles of the other visible clusters, a cheap contrast
    that keeps "mohon" and "jalan" out (the titles' words counted once, in TITLE_TERMS); re-grouping before each
    digest recomputes them against every member.
    """
    if cluster_ids is None and session.exec(select(col(Cluster.id)).where(
            col(Cluster.hidden).is_(False), col(Cluster.merged_into_id).is_(None), col(Cluster.keywords) == "")
            .limit(1)).first() is None:
        return 0  # every start asks: answered by one indexed look, not by reading every cluster
    visible = select(Cluster.id, Cluster.title, Cluster.keywords).where(
        col(Cluster.hidden).is_(False), col(Cluster.merged_into_id).is_(None))
    titles: dict[int, str] = {}  # columns, not objects: on each submission this reads every visible cluster
    unlabelled: list[int] = []
    for cluster_id, title, labels in session.exec(visible):
        if cluster_id is not None:
            titles[cluster_id] = title
            if not labels:
                unlabelled.append(cluster_id)
    wanted = [i for i in cluster_ids if i in titles] if cluster_ids is not None else unlabelled
    if not wanted:
        return 0
    members: dict[int, list[str]] = defaultdict(list)
    for cluster_id, text in session.exec(select(Proposal.cluster_id, Proposal.text_redacted).where(
            col(Proposal.cluster_id).in_(wanted), Proposal.state == ProposalState.SUBMITTED,
            Proposal.text_clean != "")):  # an erased text has none: its words leave the keywords
        if cluster_id is not None:
            members[cluster_id].append(text)
    chosen = set(wanted)
    contrast = {i: title for i, title in titles.items() if i not in chosen or i in members}
    keywords = TITLE_TERMS.keywords(contrast, members, top_n=5, extra_stopwords=city_words)
    for cluster in session.exec(select(Cluster).where(col(Cluster.id).in_(wanted))):
        assert cluster.id is not None
        cluster.keywords = ", ".join(keywords.get(cluster.id, []))
        session.add(cluster)
    return len(wanted)
