"""Residents' photos and location pins on the web page: a cluster's attachments, the photo itself (from the
cache in the data folder, fetched once through the Bot API), and the pins per kelurahan for the Peta page.
Nothing here names who sent them: aspirations are shown by tracking code and kelurahan only."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from models.attachments import Attached, attachments
from models.proposals import Proposal, ProposalState
from services.answers.attachments import coordinates, map_link
from services.answers.photo_cache import cached_photo
from services.answers.staff_answers import merged_family
from services.core.boundaries import Shape, kelurahan_at
from web.security import context_of, require_viewer, visible_cluster


@dataclass(frozen=True)
class Pin:
    """A location pin as the page shows it."""

    cluster: str
    asp: str
    kelurahan: str
    latitude: float
    longitude: float

    @property
    def where(self) -> str:
        """"0.13360, 117.48560"."""
        return coordinates(self.latitude, self.longitude)

    @property
    def link(self) -> str:
        """A map link for the pin."""
        return map_link(self.latitude, self.longitude)


def _pin(item: Attached, cluster_code: str) -> Pin | None:
    if item.latitude is None or item.longitude is None:
        return None
    return Pin(cluster_code, item.code, item.kelurahan, item.latitude, item.longitude)


def of_cluster(session: Session, cluster_id: int, code: str) -> tuple[list[str], list[Pin]]:
    """The tracking codes of the cluster's aspirations with a photo, and its pins (merged clusters included)."""
    found = attachments(session=session, cluster_ids=merged_family(session, cluster_id))
    return [a.code for a in found if a.photo_file_id], [p for a in found if (p := _pin(a, code)) is not None]


def pins_per_kelurahan(session: Session, codes: dict[int, str], shapes: tuple[Shape, ...]
                       ) -> list[tuple[str, list[Pin]]]:
    """Every pin of these clusters (id -> code), grouped by kelurahan, kelurahan A-Z: the kelurahan whose shape
    holds it ("-" outside them all), or without boundaries the kelurahan of its aspiration."""
    groups: dict[str, list[Pin]] = defaultdict(list)
    for item in attachments(session=session, cluster_ids=list(codes)):
        pin = _pin(item, codes.get(item.cluster_id, ""))
        if pin is not None:
            where = kelurahan_at(shapes, pin.latitude, pin.longitude) if shapes else pin.kelurahan
            groups[where or "-"].append(pin)
    return sorted(groups.items())


def photo(request: Request) -> Response:
    """One aspiration's photo, for a viewer who may see its cluster; 404 when there is none or it cannot be had."""

    viewer = require_viewer(request)
    ctx = context_of(request)
    if ctx.photos is None:
        raise HTTPException(404)
    with Session(ctx.engine) as session:
        cluster = visible_cluster(session, viewer, request.path_params["code"])
        assert cluster.id is not None
        proposal = session.exec(select(Proposal).where(
            Proposal.code == request.path_params["asp"].upper(), Proposal.state == ProposalState.SUBMITTED,
            col(Proposal.cluster_id).in_(merged_family(session, cluster.id)))).first()
        try:
            path = cached_photo(session=session, source=ctx.photos, proposal=proposal) if proposal else None
            session.commit()
        except IntegrityError:  # another viewer registered it a moment ago: theirs is the same file
            session.rollback()
            path = cached_photo(session=session, source=ctx.photos, proposal=proposal) if proposal else None
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})
