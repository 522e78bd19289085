"""Kelurahan boundaries: which kelurahan holds a pin (holes and the space between shapes hold none), names in
any letter case, and a GeoJSON the config cannot use is refused with the key and the fix."""

from pathlib import Path

import pytest
import yaml

from services.core.boundaries import kelurahan_at, shapes_of
from services.core.config import AppConfig
from tests.services.core.shapes import IN_LOK_TUAN, IN_SATIMPO, IN_THE_HOLE, NOWHERE, with_shapes, write_shapes

ROOT = Path(__file__).resolve().parents[3]


def test_a_pin_lies_in_the_kelurahan_whose_shape_holds_it(config: AppConfig, tmp_path: Path) -> None:
    shapes = shapes_of(with_shapes(config, tmp_path))
    assert [s.kelurahan for s in shapes] == ["Satimpo", "Lok Tuan"]  # "SATIMPO" is the config's Satimpo
    assert kelurahan_at(shapes, *IN_SATIMPO) == "Satimpo"
    assert kelurahan_at(shapes, *IN_LOK_TUAN) == "Lok Tuan"
    assert kelurahan_at(shapes, 0.105, 117.445) == "Lok Tuan"  # its second polygon
    assert kelurahan_at(shapes, *IN_THE_HOLE) is None
    assert kelurahan_at(shapes, 0.105, 117.435) is None  # between Lok Tuan's two polygons
    assert kelurahan_at(shapes, *NOWHERE) is None


def test_without_boundaries_no_pin_lies_anywhere(config: AppConfig) -> None:
    assert config.web.geojson is None and shapes_of(config) == ()
    assert kelurahan_at(shapes_of(config), *IN_SATIMPO) is None


def _load_with(tmp_path: Path, geojson: str) -> AppConfig:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["web"]["geojson"] = geojson
    return AppConfig.model_validate(raw)


def test_the_config_takes_a_good_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    assert _load_with(tmp_path, str(write_shapes(tmp_path))).web.geojson is not None
    with pytest.raises(ValueError, match=r"web\.geojson: cannot use .*missing\.geojson"):
        _load_with(tmp_path, str(tmp_path / "missing.geojson"))
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"properties": {}, "geometry": null}]}')
    with pytest.raises(ValueError, match=r"web\.geojson: cannot use .*broken\.geojson"):
        _load_with(tmp_path, str(broken))
    elsewhere = tmp_path / "elsewhere.geojson"
    elsewhere.write_text(write_shapes(tmp_path).read_text().replace("SATIMPO", "Sangatta"))
    with pytest.raises(ValueError, match=r"the shapes Sangatta name no kelurahan under city\.kecamatan"):
        _load_with(tmp_path, str(elsewhere))
