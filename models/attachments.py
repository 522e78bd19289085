"""What residents attach to aspirations (a photo, a location pin), listed per cluster (services.core.counting
counts them), and the web page's cache of downloaded photos, kept per proposal so that erasure finds every file."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import Field, Session, SQLModel, col, select

from models.proposals import Proposal, ProposalState
from models.types import UTCDateTime, utcnow


class CachedPhoto(SQLModel, table=True):
    """A proposal's photo as the web page downloaded it (through the Bot API's getFile) into the data folder."""

    __tablename__ = "cached_photo"

    proposal_id: int = Field(primary_key=True, foreign_key="proposal.id", ondelete="CASCADE")
    path: str = Field(max_length=300)  # the file, an absolute path under the data folder
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Counts:
    """How many photos and location pins a cluster's aspirations carry."""

    photos: int = 0
    pins: int = 0


@dataclass(frozen=True)
class Attached:
    """One submitted aspiration's attachments: no resident, only the tracking code and the kelurahan."""

    proposal_id: int
    code: str
    cluster_id: int
    kelurahan: str
    photo_file_id: str | None
    latitude: float | None
    longitude: float | None


def _submitted_in(cluster_ids: list[int]) -> ColumnElement[bool]:
    """Submitted aspirations of these clusters."""
    return and_(col(Proposal.cluster_id).in_(cluster_ids), col(Proposal.state) == ProposalState.SUBMITTED)


def attachments(*, session: Session, cluster_ids: list[int]) -> list[Attached]:
    """The submitted aspirations of these clusters that carry a photo or a pin, oldest first."""
    if not cluster_ids:
        return []
    rows = session.exec(
        select(Proposal).where(_submitted_in(cluster_ids))
        .where(col(Proposal.photo_file_id).is_not(None) | col(Proposal.latitude).is_not(None))
        .order_by(col(Proposal.submitted_at), col(Proposal.id))).all()
    return [Attached(proposal_id=p.id or 0, code=p.code or "", cluster_id=p.cluster_id or 0,
                     kelurahan=p.kelurahan or "", photo_file_id=p.photo_file_id, latitude=p.latitude,
                     longitude=p.longitude) for p in rows]
