"""Clusters (kelompok) and supports (dukungan)."""

import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint, false
from sqlmodel import Field, Session, SQLModel, func, select

from models.types import EnumText, UTCDateTime, utcnow


class ClusterStatus(StrEnum):
    """Fixed status codes of a cluster; their labels live in the texts file."""

    BARU = "baru"
    DITANGGAPI = "ditanggapi"  # staff answered; set by the first answer while still baru
    DITINJAU = "ditinjau"
    DITERUSKAN = "diteruskan"
    DITINDAKLANJUTI = "ditindaklanjuti"
    SELESAI = "selesai"
    DITOLAK = "ditolak"


class ClusterBase(SQLModel):
    """A cluster's editable description."""

    title: str = ""
    keywords: str = ""  # comma-separated
    category: str | None = Field(default=None, max_length=40)


class Cluster(ClusterBase, table=True):
    """Proposals that ask for the same concrete thing; `code` (K-0042) never changes."""

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=16, unique=True)
    status: ClusterStatus = Field(default=ClusterStatus.BARU, sa_type=EnumText(ClusterStatus, 20))
    hidden: bool = Field(default=False)
    # Decisions a moderator made (/judul, /kategori): relabelling after re-clustering never overwrites them.
    title_set_by_moderator: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    category_set_by_moderator: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    merged_into_id: int | None = Field(default=None, foreign_key="cluster.id")
    # The one forum whose moderators own the cluster and whose digest lists it: the forum of the place the
    # first request is about, else its first resident's forum; only moderators move it.
    home_forum_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_answer_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_answer_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The transaction that created it, in committed order (models.sequences.commit_seq): what "new" means.
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))


class Support(SQLModel, table=True):
    """A resident backing (and following) a cluster; one row per resident and cluster."""

    __table_args__ = (UniqueConstraint("cluster_id", "resident_id", name="uq_support_cluster_resident"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True, ondelete="CASCADE")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    following: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The transaction that added this supporter, in committed order: what "grown" means.
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))


def cluster_code(cluster: Cluster) -> str:
    """Return the stable public code, e.g. K-0042."""
    assert cluster.id is not None
    return f"K-{cluster.id:04d}"


def create_cluster(
    *, session: Session, title: str, home_forum_id: str | None, category: str | None = None
) -> Cluster:
    """Create a cluster in its home forum and give it its code."""
    cluster = Cluster(title=title, category=category, home_forum_id=home_forum_id)
    session.add(cluster)
    session.flush()
    cluster.code = cluster_code(cluster)
    session.add(cluster)
    return cluster


SHORT_CODE = re.compile(r"k-?0*(\d{1,9})", re.IGNORECASE)


def normalise_code(code: str) -> str:
    """A cluster code as people type it ("K-1", "k1", "K0001") in its stored form ("K-0001")."""
    match = SHORT_CODE.fullmatch(code.strip())
    return f"K-{int(match.group(1)):04d}" if match else code.strip().upper()


def get_cluster_by_code(*, session: Session, code: str) -> Cluster | None:
    """Return the cluster with this code (case-insensitive; short forms like K-1 accepted), if any."""
    return session.exec(select(Cluster).where(Cluster.code == normalise_code(code))).first()


def add_support(
    *, session: Session, cluster_id: int, resident_id: int, proposal_id: int | None
) -> Support:
    """Record a resident's support of a cluster once; a repeat keeps the first row."""
    support = session.exec(
        select(Support).where(Support.cluster_id == cluster_id, Support.resident_id == resident_id)
    ).first()
    if support is None:
        support = Support(cluster_id=cluster_id, resident_id=resident_id, proposal_id=proposal_id)
        session.add(support)
        session.flush()
    elif not support.following:
        support.following = True
        session.add(support)
    return support


def supporter_count(*, session: Session, cluster_id: int) -> int:
    """Count the residents backing a cluster."""
    return session.exec(
        select(func.count()).select_from(Support).where(Support.cluster_id == cluster_id)
    ).one()
