"""Kelurahan boundaries from the GeoJSON file `web.geojson` names: the shapes the Peta page draws, and the
kelurahan that holds a resident's location pin (the Musrenbang workbook and the web list's "where the work is"
place a cluster by its pins; the Peta page lists each pin under its kelurahan).

Each feature is a Polygon or MultiPolygon whose property "name" (or "kelurahan") is a kelurahan of config.yaml,
in any letter case ("LOK TUAN" is Lok Tuan). Coordinates are longitude, latitude (GeoJSON's order). A point is
inside by the even-odd rule over all of a polygon's rings, so holes are outside. Without a file there are no
boundaries, and pins place nothing: they are still listed, under the kelurahan of their aspiration.
"""

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.core.config import AppConfig

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) points; the last may repeat the first


@dataclass(frozen=True)
class Shape:
    """One kelurahan's area: its polygons (outer ring first, then holes) and their bounding box."""

    name: str  # as the file spells it
    polygons: tuple[tuple[Ring, ...], ...]
    box: tuple[float, float, float, float]  # west, south, east, north
    kelurahan: str | None = None  # the config's spelling of the name (None: no kelurahan of the config)

    @property
    def outlines(self) -> list[Ring]:
        """The outer ring of each polygon (what the map draws)."""
        return [polygon[0] for polygon in self.polygons if polygon]

    def holds(self, longitude: float, latitude: float) -> bool:
        """Tell whether the point lies inside (on the even-odd rule; a hole is outside)."""
        west, south, east, north = self.box
        if not (west <= longitude <= east and south <= latitude <= north):
            return False
        return any(_crossings(polygon, longitude, latitude) % 2 == 1 for polygon in self.polygons)


def _crossings(rings: tuple[Ring, ...], x: float, y: float) -> int:
    """How many edges of these rings a ray from (x, y) towards east crosses."""
    count = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                count += 1
    return count


def _polygons(geometry: dict[str, Any]) -> tuple[tuple[Ring, ...], ...]:
    """The rings of a Polygon or MultiPolygon (anything else has none)."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return tuple(tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in polygon) for polygon in polygons)


def read_shapes(path: Path) -> tuple[Shape, ...]:
    """The shapes of a GeoJSON FeatureCollection; a ValueError that says what is wrong with a bad file."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        shapes = []
        for number, feature in enumerate(features):
            name = str(feature["properties"].get("name") or feature["properties"].get("kelurahan") or "").strip()
            polygons = _polygons(feature["geometry"])
            points = [p for polygon in polygons for ring in polygon for p in ring]
            if not name or not points:
                raise ValueError(f"feature {number} needs a property \"name\" (or \"kelurahan\") and a Polygon "
                                 "or MultiPolygon geometry")
            box = (min(p[0] for p in points), min(p[1] for p in points),
                   max(p[0] for p in points), max(p[1] for p in points))
            shapes.append(Shape(name, polygons, box))
    except (OSError, KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        raise ValueError(f"web.geojson: cannot use {path} ({exc}); give the path of a kelurahan GeoJSON "
                         "FeatureCollection, or null for none") from exc
    return tuple(shapes)


def named(shapes: tuple[Shape, ...], kelurahan: list[str]) -> tuple[Shape, ...]:
    """The shapes with the config's spelling of the kelurahan each names, in any letter case."""
    spelled = {" ".join(name.split()).casefold(): name for name in kelurahan}
    return tuple(replace(shape, kelurahan=spelled.get(" ".join(shape.name.split()).casefold())) for shape in shapes)


def unknown_names(config: "AppConfig") -> list[str]:
    """The shapes of `web.geojson` that name no kelurahan of the config (a ValueError when it cannot be read)."""
    return sorted({shape.name for shape in shapes_of(config) if shape.kelurahan is None})


_LOADED: dict[tuple[str, int, tuple[str, ...]], tuple[Shape, ...]] = {}  # (path, its version, kelurahan) -> shapes


def shapes_of(config: "AppConfig") -> tuple[Shape, ...]:
    """The config's kelurahan boundaries, named as config.yaml names them (none without `web.geojson`).

    Read once per file version; a file that went missing or bad since start is a ValueError for the operator."""
    if not config.web.geojson:
        return ()
    path, names = Path(config.web.geojson), tuple(kel.name for kel in config.city.all_kelurahan())
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns, names)
    except OSError as exc:
        raise ValueError(f"web.geojson: cannot use {path} ({exc}); give the path of a kelurahan GeoJSON "
                         "FeatureCollection, or null for none") from exc
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = named(read_shapes(path), list(names))
    return _LOADED[key]


def kelurahan_at(shapes: tuple[Shape, ...], latitude: float, longitude: float) -> str | None:
    """The kelurahan whose shape holds the point (the first, should shapes overlap); None: outside them all."""
    return next((shape.kelurahan for shape in shapes if shape.kelurahan and shape.holds(longitude, latitude)), None)
