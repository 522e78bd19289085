"""Where derived texts come from: a cluster's title and keywords, a digest, an audit entry, an undo snapshot
or an outbox message is linked to the proposals and clusters whose words it holds (and to the residents whose
own words it quotes outside a proposal, such as a comment on whether a problem is solved), so that an erasure
can follow the link whatever the wording became (normalised, cut, re-cased, slang expanded)."""

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, delete, or_
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import EnumText


class Derived(StrEnum):
    """The kinds of derived text; `ref_id` is the id of the row that holds it."""

    TITLE = "title"  # cluster.title
    KEYWORDS = "keywords"  # cluster.keywords
    DIGEST = "digest"  # digest.content
    AUDIT = "audit"  # auditentry.before / after
    PENDING = "pending"  # pending_action.args (undo snapshots)
    OUTBOX = "outbox"  # outboxmessage.payload (besides its own cluster_id and resident_id columns)


class Provenance(SQLModel, table=True):
    """One link from a derived text to a proposal, a cluster or a resident's own words it was made from."""

    __table_args__ = (Index("ix_provenance_ref", "kind", "ref_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: Derived = Field(sa_type=EnumText(Derived, 16))
    ref_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    proposal_id: int | None = Field(default=None, index=True)
    cluster_id: int | None = Field(default=None, index=True)
    resident_id: int | None = Field(default=None, index=True)  # a resident's comment, not a proposal


def link(*, session: Session, kind: Derived, ref_id: int, proposals: Iterable[int | None] = (),
         clusters: Iterable[int | None] = (), residents: Iterable[int | None] = (), replace: bool = False) -> None:
    """Record that the text of row `ref_id` comes from these proposals and clusters and quotes these residents'
    comments (replace: only these)."""
    if replace:
        forget_refs(session=session, kind=kind, ref_ids=[ref_id])
    rows = [Provenance(kind=kind, ref_id=ref_id, proposal_id=p) for p in sorted({p for p in proposals if p})]
    rows += [Provenance(kind=kind, ref_id=ref_id, cluster_id=c) for c in sorted({c for c in clusters if c})]
    rows += [Provenance(kind=kind, ref_id=ref_id, resident_id=r) for r in sorted({r for r in residents if r})]
    session.add_all(rows)


def forget_refs(*, session: Session, kind: Derived, ref_ids: Iterable[int]) -> None:
    """Drop the links of these rows (their text was rebuilt)."""
    ids = list(ref_ids)
    if ids:
        session.connection().execute(delete(Provenance).where(
            col(Provenance.kind) == kind, col(Provenance.ref_id).in_(ids)))


def derived_from(*, session: Session, kind: Derived, proposals: Iterable[int] = (),
                 clusters: Iterable[int] = (), residents: Iterable[int] = ()) -> set[int]:
    """The rows of a kind whose text comes from one of these proposals or clusters or quotes these residents."""
    session.flush()
    p_ids, c_ids, r_ids = list(proposals), list(clusters), list(residents)
    if not p_ids and not c_ids and not r_ids:
        return set()
    return set(session.exec(select(Provenance.ref_id).where(
        col(Provenance.kind) == kind, or_(col(Provenance.proposal_id).in_(p_ids), col(Provenance.cluster_id).in_(c_ids),
                                          col(Provenance.resident_id).in_(r_ids)))).all())


def sources(*, session: Session, kind: Derived, ref_id: int) -> set[int]:
    """The proposals the text of one row comes from."""
    session.flush()
    return {p for p in session.exec(select(Provenance.proposal_id).where(
        col(Provenance.kind) == kind, col(Provenance.ref_id) == ref_id)).all() if p is not None}


def copy_links(*, session: Session, kind: Derived, ref_id: int, to_kind: Derived, to_ref: int) -> None:
    """Give row `to_ref` the same sources as row `ref_id` (a message made from a digest)."""
    session.flush()
    found = session.exec(select(Provenance).where(col(Provenance.kind) == kind, col(Provenance.ref_id) == ref_id))
    session.add_all([Provenance(kind=to_kind, ref_id=to_ref, proposal_id=p.proposal_id, cluster_id=p.cluster_id,
                                resident_id=p.resident_id) for p in found.all()])
