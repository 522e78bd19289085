"""Erasure by provenance: every text derived from an erased resident's proposals is found through its link
(models.provenance), not by its wording, and rebuilt or removed.

A cluster titled with their words gets the title of one of its remaining members (or an anonymous
placeholder); keywords are recomputed without their texts. Digests, audit entries, undo snapshots and unsent
outbox messages made from those clusters or proposals have the old title and keywords swapped for the new
ones wherever they show them, whole or cut short, and quotes of the cluster dropped. Text matching
(services/privacy/scrub.py) runs afterwards as a second net only.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from models.audit import AuditEntry
from models.clusters import Cluster
from models.digests import Digest
from models.outbox import OutboxMessage
from models.pending import PendingAction
from models.proposals import Proposal, ProposalState
from models.provenance import Derived, derived_from, forget_refs, link
from nlp.labels import cluster_keywords, readable_title, title_index
from services.intake.labelling import TITLE_CHARS
from services.privacy.scrub import ERASED, Needles

ERASED_TEXT = "[dihapus atas permintaan warga]"  # a proposal's text, or a title with nothing left to take
CUT_CHARS = 16  # a title cut shorter than this is not looked for (it could be anyone's words)
TEXT_KEYS = ("title", "text", "quote", "keywords")  # JSON keys whose values are residents' words


@dataclass(frozen=True)
class Relabel:
    """A cluster's title and keywords before and after the erasure."""

    cluster_id: int
    old_title: str
    new_title: str
    old_keywords: str
    new_keywords: str


def _remaining(session: Session, cluster_id: int, erased: set[int]) -> list[Proposal]:
    """The cluster's submitted members that can still title it (not erased, embedded), oldest first."""
    members = session.exec(select(Proposal).where(Proposal.cluster_id == cluster_id,
                                                  Proposal.state == ProposalState.SUBMITTED)
                           .order_by(col(Proposal.id))).all()
    return [p for p in members if p.id not in erased and p.embedding]


def _retitle(session: Session, cluster: Cluster, erased: set[int], names: tuple[str, ...]) -> None:
    """Title a cluster from its remaining members, as labelling does, or with the placeholder."""
    assert cluster.id is not None
    members = _remaining(session, cluster.id, erased)
    if not members:
        cluster.title = ERASED_TEXT
        forget_refs(session=session, kind=Derived.TITLE, ref_ids=[cluster.id])
        return
    vectors = np.stack([np.frombuffer(p.embedding or b"", dtype=np.float32) for p in members])
    source = members[title_index(vectors, [p.text_redacted for p in members])]
    cluster.title = readable_title(source.text_redacted, TITLE_CHARS, names)  # as GroupingService.title does
    link(session=session, kind=Derived.TITLE, ref_id=cluster.id, proposals=[source.id], replace=True)


def _rekey(session: Session, clusters: list[Cluster], erased: set[int], city_words: list[str]) -> None:
    """Recompute the keywords of these clusters (c-TF-IDF against all visible clusters) without erased texts."""
    docs: dict[int, list[str]] = {}
    members: dict[int, list[int]] = {}
    rows = session.exec(select(Proposal.id, Proposal.cluster_id, Proposal.text_redacted)
                        .join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
                        .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
                               col(Cluster.merged_into_id).is_(None))).all()  # as services.index.visible_submitted
    for proposal_id, cluster_id, text in rows:
        if cluster_id is not None and proposal_id is not None and proposal_id not in erased:
            docs.setdefault(cluster_id, []).append(text)
            members.setdefault(cluster_id, []).append(proposal_id)
    keywords = cluster_keywords(docs, top_n=5, extra_stopwords=city_words) if docs else {}
    for cluster in clusters:
        assert cluster.id is not None
        cluster.keywords = ", ".join(keywords.get(cluster.id, []))
        link(session=session, kind=Derived.KEYWORDS, ref_id=cluster.id, proposals=members.get(cluster.id, []),
             replace=True)


def relabel(*, session: Session, erased: set[int], clusters: set[int], needles: Needles,
            city_words: list[str], names: tuple[str, ...]) -> list[Relabel]:
    """Re-title and re-key the clusters whose title or keywords come from erased proposals (or quote them);
    `names`: the place names titles keep capitalised.

    A title a moderator chose is their decision and stays, unless it quotes the resident's words.
    """
    titled = derived_from(session=session, kind=Derived.TITLE, proposals=erased)
    keyed = derived_from(session=session, kind=Derived.KEYWORDS, proposals=erased) | clusters
    ids = titled | keyed
    rows = list(session.exec(select(Cluster).where(col(Cluster.id).in_(ids))).all()) if ids else []
    old = {c.id: (c.title, c.keywords) for c in rows}
    for cluster in rows:
        quoted = needles.scrub_text(cluster.title) != cluster.title
        if quoted or (cluster.id in titled and not cluster.title_set_by_moderator):
            _retitle(session, cluster, erased, names)
    _rekey(session, [c for c in rows if c.id in keyed], erased, city_words)
    session.add_all(rows)
    session.flush()
    return [Relabel(c.id, old[c.id][0], c.title, old[c.id][1], c.keywords) for c in rows
            if c.id is not None and (c.title, c.keywords) != old[c.id]]


def _cut_pattern(text: str) -> str:
    """A regex for a text or any cut of it (>= CUT_CHARS characters, maybe with an ellipsis), whatever its
    whitespace; the longest cut wins."""
    flat = " ".join(text.split())
    cuts = [flat[:n].rstrip() for n in range(len(flat), min(CUT_CHARS, len(flat)) - 1, -1)]
    loose = [r"\s+".join(re.escape(w) for w in cut.split()) for cut in dict.fromkeys(cuts) if cut.strip()]
    return "(?:" + "|".join(loose) + r")(?:\s*(?:…|\.\.\.))?"


def swapper(changes: list[Relabel]) -> Callable[[str], str]:
    """A function that shows each changed cluster's new title and keywords where a text shows the old ones
    (in one pass: a new title that begins like the old one is not swapped again)."""
    patterns: list[str] = []
    news: list[str] = []
    for change in changes:
        for form in dict.fromkeys((html.escape(change.old_title, quote=False), change.old_title)):  # longer first
            if form.strip() and change.old_title != change.new_title:
                patterns.append(_cut_pattern(form))
                news.append(change.new_title if form == change.old_title
                            else html.escape(change.new_title, quote=False))
        if change.old_keywords.strip() and change.old_keywords != change.new_keywords:
            patterns.append(re.escape(change.old_keywords))
            news.append(change.new_keywords)
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]

    def swap(text: str) -> str:
        out: list[str] = []
        at = 0
        while True:  # the earliest match, the longest there: the cut of the escaped or the plain form that fits
            found = [(m.start(), -len(m.group(0)), i, m) for i, c in enumerate(compiled) if (m := c.search(text, at))]
            if not found:
                return "".join(out) + text[at:]
            _, _, i, match = min(found, key=lambda f: (f[0], f[1], f[2]))
            out += [text[at:match.start()], news[i]]
            at = max(match.end(), match.start() + 1)

    return swap


def rewrite_json(doc: Any, swap: Callable[[str], str], blank: bool = False) -> Any:
    """Apply `swap` to every string of a JSON document; `blank`: words under TEXT_KEYS not swapped go too."""
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            new = rewrite_json(value, swap, blank)
            if blank and isinstance(value, str) and new == value and any(k in str(key) for k in TEXT_KEYS):
                new = ERASED if value.strip() else value
            out[key] = new
        return out
    if isinstance(doc, list):
        return [rewrite_json(v, swap, blank) for v in doc]
    return swap(doc) if isinstance(doc, str) else doc


def rewrite_digests(*, session: Session, erased: set[int], changes: list[Relabel], needles: Needles) -> list[int]:
    """Give every digest made from the erased proposals or re-titled clusters the new titles and no quotes of
    clusters they belonged to; return the ids of the digests rewritten."""
    titles = {c.cluster_id: c.new_title for c in changes}
    ids = derived_from(session=session, kind=Derived.DIGEST, proposals=erased, clusters=titles)
    touched = set(session.exec(select(Proposal.cluster_id).where(col(Proposal.id).in_(erased))).all())
    swap = swapper(changes)
    done = []
    for digest in session.exec(select(Digest).where(col(Digest.id).in_(ids))).all() if ids else []:
        content = dict(digest.content)
        for section in ("top", "answered"):
            content[section] = [{**line, "title": titles.get(line["id"], line["title"]),
                                 **({"quote": None} if "quote" in line and line["id"] in touched else {})}
                                for line in content.get(section, [])]
        digest.content = needles.scrub_json(rewrite_json(content, swap))
        session.add(digest)
        done.append(int(digest.id or 0))
    return done


def rewrite_records(*, session: Session, erased: set[int], changes: list[Relabel], needles: Needles) -> int:
    """Swap the titles in audit entries, undo snapshots and unsent messages made from these clusters or
    proposals (an audit entry made from an erased proposal loses the words it held before); return how many."""
    swap, clusters = swapper(changes), {c.cluster_id for c in changes}
    from_erased = derived_from(session=session, kind=Derived.AUDIT, proposals=erased)
    audits = from_erased | derived_from(session=session, kind=Derived.AUDIT, clusters=clusters)
    count = 0
    for entry in session.exec(select(AuditEntry).where(col(AuditEntry.id).in_(audits))).all() if audits else []:
        blank = entry.id in from_erased
        entry.before = needles.scrub_json(rewrite_json(entry.before, swap, blank))
        entry.after = needles.scrub_json(rewrite_json(entry.after, swap))  # after: a person's decision
        session.add(entry)
        count += 1
    pendings = derived_from(session=session, kind=Derived.PENDING, proposals=erased, clusters=clusters)
    for pending in session.exec(select(PendingAction).where(col(PendingAction.id).in_(pendings))).all():
        pending.args = needles.scrub_json(rewrite_json(pending.args, swap))
        session.add(pending)
        count += 1
    linked = derived_from(session=session, kind=Derived.OUTBOX, proposals=erased, clusters=clusters)
    for row in session.exec(select(OutboxMessage).where(  # sent ones kept only a card's text, if anything
            col(OutboxMessage.cluster_id).in_(clusters) | col(OutboxMessage.id).in_(linked))).all():
        row.payload = needles.scrub_json(rewrite_json(row.payload, swap))
        session.add(row)
        count += 1
    return count
