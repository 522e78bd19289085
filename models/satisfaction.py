"""Closing the loop: resolution rounds, residents' answers ("sudah terselesaikan?") and answer ratings."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.clusters import Cluster, ClusterStatus
from models.types import EnumText, UTCDateTime, utcnow

ASKED_AFTER = (ClusterStatus.SELESAI, ClusterStatus.DITINDAKLANJUTI)  # statuses that start a round


class Verdict(StrEnum):
    """A resident's answer to "Apakah masalah ini sudah terselesaikan?"."""

    SUDAH = "sudah"
    BELUM = "belum"
    SEBAGIAN = "sebagian"


class SatisfactionRound(SQLModel, table=True):
    """One resolution of a cluster (staff set `status`); residents are asked about the latest round."""

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    status: ClusterStatus = Field(sa_type=EnumText(ClusterStatus, 20))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reopened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # "Belum" majority sent it back
    belum: int = 0  # the answers that reopened it
    answered: int = 0


class SatisfactionAsk(SQLModel, table=True):
    """The question to one resident about one cluster: asked once, ever; the answer can change later."""

    __table_args__ = (UniqueConstraint("cluster_id", "resident_id", name="uq_satisfaction_cluster_resident"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True, ondelete="CASCADE")
    round_id: int = Field(foreign_key="satisfactionround.id")
    queued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    verdict: Verdict | None = Field(default=None, sa_type=EnumText(Verdict, 16))
    comment: str | None = Field(default=None, max_length=300)  # redacted, one line
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AnswerRating(SQLModel, table=True):
    """👍 (+1) or 👎 (-1) on a staff answer: one per resident and cluster (a second tap replaces it)."""

    __table_args__ = (UniqueConstraint("cluster_id", "resident_id", name="uq_rating_cluster_resident"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True, ondelete="CASCADE")
    reply_id: int = Field(foreign_key="reply.id")
    value: int  # +1 or -1
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def open_round(*, session: Session, cluster: Cluster, now: datetime | None = None) -> SatisfactionRound | None:
    """Start a round when staff set a status residents are asked about (selesai, ditindaklanjuti)."""
    if cluster.id is None or cluster.status not in ASKED_AFTER:
        return None
    round_ = SatisfactionRound(cluster_id=cluster.id, status=cluster.status, started_at=now or utcnow())
    session.add(round_)
    session.flush()
    return round_


def latest_round(*, session: Session, cluster_id: int) -> SatisfactionRound | None:
    """The cluster's newest round, if any."""
    return session.exec(select(SatisfactionRound).where(SatisfactionRound.cluster_id == cluster_id)
                        .order_by(col(SatisfactionRound.id).desc())).first()


def forget_comments(*, session: Session, resident_id: int) -> list[str]:
    """Erase a resident's comments (their answers stay as anonymous counts); return the erased texts."""
    asks = session.exec(select(SatisfactionAsk).where(SatisfactionAsk.resident_id == resident_id,
                                                      col(SatisfactionAsk.comment).is_not(None))).all()
    texts: list[str] = [ask.comment for ask in asks if ask.comment is not None]
    for ask in asks:
        ask.comment = None
        session.add(ask)
    return texts
