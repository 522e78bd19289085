"""The Musrenbang workbook: one sheet per kelurahan, each cluster on exactly one sheet, where the work is.

Musrenbang is planned per kelurahan by the place of the work. A cluster's place, first that applies:
1. the kelurahan its aspirations' texts name most often (ties: the one named first);
2. the kelurahan holding most of its residents' location pins (ties: the one pinned first), when config has
   kelurahan boundaries (`web.geojson`, services.core.boundaries); without them, or for pins outside every
   kelurahan, pins place nothing;
3. its home: the kelurahan of its first aspiration (the place that chose its home forum).
Words come before pins: a text saying "di Guntung" is what the resident asked for, a pin may be where they stood.
Moderators have no place decision of their own today; one would come first. The web list's "where the work is"
filter reads the same `work_places`. A row says where its supporters live ("pendukung dari", adding up to the
supporters). Priority on a sheet is by supporters, then by residents who wrote. Activity is the cluster's
(redacted) title, volume its supporters, sector/OPD its category's label, "Kelompok rentan" the vulnerable
groups it concerns (services.core.vulnerable), "Foto" and "Titik lokasi" its photos and pins. The figures are
those of services.core.counting (visible, not-merged clusters; submitted aspirations).
"""

import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session, col, select

from models.attachments import Counts
from models.clusters import Cluster
from models.proposals import Proposal
from nlp.places import PlaceMatcher
from nlp.redact import redact
from services.core import counting
from services.core.boundaries import Shape, kelurahan_at, shapes_of
from services.core.config import AppConfig
from services.core.counting import Scope
from services.core.vulnerable import cluster_labels, label_names
from services.intake.grouping import place_matcher
from services.reports.exports import write_sheets

WIDTHS = (10, 14, 60, 34, 14, 30, 22, 40, 30, 8, 12)


def work_places(*, session: Session, config: AppConfig, cluster_ids: set[int]) -> dict[int, str]:
    """The kelurahan of each cluster's work: the one its texts name most, else its pins' most, else its home."""
    if not cluster_ids:
        return {}
    matcher, shapes = _matcher(config), shapes_of(config)
    named: dict[int, Counter[str]] = {}
    pinned: dict[int, Counter[str]] = {}
    homes: dict[int, str] = {}
    members = select(  # type: ignore[call-overload, misc]
        Proposal.id, Proposal.cluster_id, Proposal.kelurahan, Proposal.text_redacted, Proposal.latitude,
        Proposal.longitude)
    rows = session.exec(counting.counted_aspirations(members, Scope(cluster_ids=frozenset(cluster_ids)))
                        .order_by(col(Proposal.id))).all()
    for pid, cid, kelurahan, text, latitude, longitude in rows:
        if cid is None:
            continue
        homes.setdefault(cid, kelurahan or "")
        named.setdefault(cid, Counter()).update(_named(matcher, pid, text or ""))
        if shapes and latitude is not None and longitude is not None:
            pinned.setdefault(cid, Counter()).update(filter(None, [_pinned(shapes, pid, latitude, longitude)]))
    return {cid: _most(named.get(cid)) or _most(pinned.get(cid)) or home for cid, home in homes.items()}


def _most(counts: Counter[str] | None) -> str | None:
    """The name counted most (ties: the first counted), or None when there is none."""
    return counts.most_common(1)[0][0] if counts else None


_MATCHER: list[tuple[AppConfig, PlaceMatcher]] = []


def _matcher(config: AppConfig) -> PlaceMatcher:
    """The config's place matcher, built once per config object."""
    if not _MATCHER or _MATCHER[0][0] is not config:
        _MATCHER[:] = [(config, place_matcher(config))]
    return _MATCHER[0][1]


_NAMED: dict[tuple[int | None, str], tuple[str, ...]] = {}  # (proposal id, text digest) -> kelurahan named
_NAMED_MAX = 500_000


def _named(matcher: PlaceMatcher, proposal_id: int | None, text: str) -> tuple[str, ...]:
    """The kelurahan a text names, remembered by a digest of the text (never the text: erasure must not linger)."""
    key = (proposal_id, hashlib.blake2b(text.encode(), digest_size=12).hexdigest())
    if key not in _NAMED:
        if len(_NAMED) >= _NAMED_MAX:
            _NAMED.clear()
        _NAMED[key] = matcher.kelurahan(text)
    return _NAMED[key]


_PINNED: dict[tuple[int | None, str], str | None] = {}  # (proposal id, pin digest) -> kelurahan, for _PINNED_IN
_PINNED_IN: list[tuple[Shape, ...]] = []  # the boundaries _PINNED was found in


def _pinned(shapes: tuple[Shape, ...], proposal_id: int | None, latitude: float, longitude: float) -> str | None:
    """The kelurahan holding a pin, remembered by a digest of the pin (never the pin: erasure must not linger)
    until the boundaries change."""
    if not _PINNED_IN or _PINNED_IN[0] is not shapes or len(_PINNED) >= _NAMED_MAX:
        _PINNED_IN[:] = [shapes]
        _PINNED.clear()
    key = (proposal_id, hashlib.blake2b(f"{latitude!r},{longitude!r}".encode(), digest_size=12).hexdigest())
    if key not in _PINNED:
        _PINNED[key] = kelurahan_at(shapes, latitude, longitude)
    return _PINNED[key]


def musrenbang_sheets(
    *, session: Session, config: AppConfig, cluster_ids: set[int] | None, status_label: Callable[[str], str],
    columns: tuple[str, ...],
) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """One (kelurahan, columns, rows) per kelurahan in config order; each cluster on its work's sheet only."""
    scope = Scope(cluster_ids=None if cluster_ids is None else frozenset(cluster_ids))
    figures = counting.cluster_figures(session, scope)
    places = work_places(session=session, config=config, cluster_ids=set(figures))
    spreads = counting.supporter_places(session, set(figures))
    clusters = {c.id: c for c in session.exec(select(Cluster).where(col(Cluster.id).in_(list(figures)))).all()}
    labels = cluster_labels(session, figures)
    attached = counting.attachment_counts(session, scope)
    sheets = []
    for kecamatan in config.city.kecamatan:
        for kelurahan in kecamatan.kelurahan:
            here = sorted((cid for cid, place in places.items() if place == kelurahan.name),
                          key=lambda cid: (-figures[cid].supporters, -figures[cid].residents, cid))
            rows = []
            for priority, cid in enumerate(here, start=1):
                cluster = clusters[cid]
                category = config.categories.get(cluster.category or "")
                rows.append((priority, cluster.code, redact(cluster.title), f"{kelurahan.name}, {kecamatan.name}",
                             figures[cid].supporters, category.label if category else (cluster.category or ""),
                             status_label(cluster.status), supporters_from(spreads.get(cid, [])),
                             ", ".join(label_names("kelompok", labels[cid].groups)),
                             attached.get(cid, Counts()).photos, attached.get(cid, Counts()).pins))
            sheets.append((kelurahan.name, columns, rows))
    return sheets


def supporters_from(spread: list[tuple[str, int]]) -> str:
    """Where supporters live, with counts that add up to the supporters: "Lok Tuan (3), Guntung (1)"."""
    return ", ".join(f"{name} ({n})" for name, n in spread)


def write_musrenbang(sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]],
                     target: Path | IO[bytes]) -> None:
    """Write the workbook."""
    write_sheets(sheets, target, widths=WIDTHS)
