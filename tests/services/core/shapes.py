"""A small kelurahan GeoJSON for tests: Satimpo and Lok Tuan as squares west of the city (not their real shapes),
Satimpo with a hole, and where pins fall in them."""

import json
from pathlib import Path

from services.core.config import AppConfig

IN_SATIMPO = (0.105, 117.405)  # latitude, longitude
IN_LOK_TUAN = (0.105, 117.425)
IN_THE_HOLE = (0.1025, 117.4025)  # inside Satimpo's outer ring, in its hole
NOWHERE = (0.5, 118.0)


def _square(west: float, south: float, size: float) -> list[list[float]]:
    """A closed square ring of (longitude, latitude) points."""
    return [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]


def write_shapes(folder: Path) -> Path:
    """Write the GeoJSON file (names in the letter case such files often use) and return its path."""
    features = [
        {"type": "Feature", "properties": {"name": "SATIMPO"},
         "geometry": {"type": "Polygon", "coordinates": [_square(117.40, 0.10, 0.01), _square(117.401, 0.101, 0.003)]}},
        {"type": "Feature", "properties": {"kelurahan": "Lok Tuan"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[_square(117.42, 0.10, 0.01)],
                                                              [_square(117.44, 0.10, 0.01)]]}},
    ]
    path = folder / "kelurahan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def with_shapes(config: AppConfig, folder: Path) -> AppConfig:
    """The config with the test GeoJSON as its kelurahan boundaries."""
    web = config.web.model_copy(update={"geojson": str(write_shapes(folder))})
    return config.model_copy(update={"web": web})


def with_one_shape(config: AppConfig, folder: Path, name: str, ring: list[list[float]]) -> AppConfig:
    """The config with a GeoJSON of one kelurahan (`name`, bounded by the closed `ring` of (longitude, latitude)
    points) as its boundaries."""
    feature = {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path = folder / "kel.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return config.model_copy(update={"web": config.web.model_copy(update={"geojson": str(path)})})
