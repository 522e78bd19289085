"""Photos and pins on the web page: a cluster shows its photos (downloaded once through the Bot API's getFile,
cached under the data folder, per proposal) and its pins with map links; Peta lists the pins per kelurahan;
the exports carry them; erasing the resident deletes the cached file."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from models.attachments import CachedPhoto
from models.db import session_scope
from models.proposals import Proposal
from models.types import utcnow
from services.answers.photo_cache import PhotoSource, bot_api_fetcher
from services.privacy.rights import erase_resident
from services.privacy.scrub import purge_expired
from services.reports.exports import ASPIRATION_COLUMNS, CLUSTER_COLUMNS, build_tables
from tests.services.core.shapes import with_one_shape
from tests.web.seed import KEY, STAFF, City, logged_in, login
from web.app import create_app

TOKEN = "123:TEST"
JPEG = b"\xff\xd8\xff\xe0 a resident's photo \xff\xd9"


class TelegramFiles:
    """The Bot API's getFile and file download, at the HTTP edge; counts what was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url.path)
        if request.url.path == f"/bot{TOKEN}/getFile":
            file_id = request.url.params["file_id"]
            return httpx.Response(200, json={"ok": True, "result": {
                "file_id": file_id, "file_unique_id": "u", "file_size": len(JPEG), "file_path": "photos/file_7.jpg"}})
        if request.url.path == f"/file/bot{TOKEN}/photos/file_7.jpg":
            return httpx.Response(200, content=JPEG)
        return httpx.Response(404)


def _attach(city: City) -> tuple[int, int, str]:
    """Give the first aspiration of the road cluster a photo and a pin; return its id, resident and code."""
    with session_scope(city.engine) as session:
        proposal = session.exec(select(Proposal).where(Proposal.kelurahan == "Lok Tuan").order_by(Proposal.id)).first()
        assert proposal is not None and proposal.id is not None and proposal.resident_id is not None
        proposal.code, proposal.photo_file_id = "ASP-2026-000101", "AgACAgUAAxkBAAIBZ2"
        proposal.latitude, proposal.longitude = 0.13012, 117.48621
        session.add(proposal)
        return proposal.id, proposal.resident_id, proposal.code


@pytest.fixture
def telegram() -> TelegramFiles:
    return TelegramFiles()


@pytest.fixture
def staff(city: City, telegram: TelegramFiles, tmp_path: Path) -> Iterator[TestClient]:
    photos = PhotoSource(folder=tmp_path / "data" / "foto",
                         fetch=bot_api_fetcher(TOKEN, None, transport=httpx.MockTransport(telegram)))
    app = create_app(config=city.config, engine=city.engine, key=KEY, photos=photos)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        login(client, city, STAFF)
        yield client


def test_cluster_page_shows_photos_and_pins_and_the_photo_is_fetched_once(
        city: City, staff: TestClient, telegram: TelegramFiles, tmp_path: Path) -> None:
    proposal_id, resident_id, asp = _attach(city)
    code = city.codes["jalan"]
    html = staff.get(f"/kelompok/{code}").text
    assert "📷 1 · 📍 1" in html
    assert f'src="/kelompok/{code}/foto/{asp}"' in html
    assert "0.13012, 117.48621" in html and "openstreetmap.org/?mlat=0.13012&amp;mlon=117.48621" in html
    first = staff.get(f"/kelompok/{code}/foto/{asp}")
    assert first.status_code == 200 and first.content == JPEG
    again = staff.get(f"/kelompok/{code}/foto/{asp}")
    assert again.content == JPEG and telegram.calls.count(f"/bot{TOKEN}/getFile") == 1
    with Session(city.engine) as session:
        cached = session.get(CachedPhoto, proposal_id)
        assert cached is not None and Path(cached.path).is_file()
        assert Path(cached.path).is_relative_to((tmp_path / "data").resolve())
    assert staff.get(f"/kelompok/{city.codes['air']}/foto/{asp}").status_code == 404  # not that cluster's

    with session_scope(city.engine) as session:
        erase_resident(session=session, config=city.config, resident_id=resident_id)
    with Session(city.engine) as session:
        assert session.get(CachedPhoto, proposal_id) is None
    assert not Path(cached.path).exists()
    assert staff.get(f"/kelompok/{code}/foto/{asp}").status_code == 404


def test_peta_lists_the_pins_per_kelurahan(city: City, staff: TestClient) -> None:
    _, _, asp = _attach(city)
    html = staff.get("/peta").text
    assert "Titik lokasi dari warga" in html and "<h3>Lok Tuan</h3>" in html
    assert f"{asp}: 0.13012, 117.48621" in html and "<circle" in html


def test_the_list_shows_the_counts_and_the_cluster_page_the_same(city: City, staff: TestClient) -> None:
    _attach(city)
    code = city.codes["jalan"]
    row = staff.get("/kelompok").text.split(f">{code}</a>", 1)[1].split("</tr>", 1)[0]
    assert "📷 1 · 📍 1" in row
    assert "📷" not in staff.get("/kelompok").text.split(f">{city.codes['air']}</a>", 1)[1].split("</tr>", 1)[0]
    assert "Foto dan lokasi dari warga (📷 1 · 📍 1)" in staff.get(f"/kelompok/{code}").text


def test_with_boundaries_a_pin_places_its_cluster_on_peta_and_in_the_filter(city: City, tmp_path: Path) -> None:
    _attach(city)  # a Lok Tuan resident's pin, inside the shape named Guntung below
    config = with_one_shape(city.config, tmp_path, "Guntung",
                            [[117.48, 0.12], [117.49, 0.12], [117.49, 0.14], [117.48, 0.14], [117.48, 0.12]])
    for client in logged_in(City(city.engine, config, city.codes, city.first_resident), STAFF):
        peta = client.get("/peta").text
        assert "<h3>Guntung</h3>" in peta and "<h3>Lok Tuan</h3>" not in peta
        assert city.codes["jalan"] in client.get("/kelompok?kelurahan=Guntung").text
        assert city.codes["jalan"] not in client.get("/kelompok?kelurahan=Lok+Tuan").text
    for client in logged_in(city, STAFF):  # without boundaries the pin places nothing: the road is at its home
        assert "<h3>Lok Tuan</h3>" in client.get("/peta").text
        assert city.codes["jalan"] in client.get("/kelompok?kelurahan=Lok+Tuan").text


def test_exports_carry_photos_and_pins(city: City) -> None:
    _, _, asp = _attach(city)
    with Session(city.engine) as session:
        tables = build_tables(session=session, config=city.config)
    clusters = [dict(zip(CLUSTER_COLUMNS, row, strict=True)) for row in tables.clusters]
    road = next(row for row in clusters if row["Kode kelompok"] == city.codes["jalan"])
    assert road["Foto"] == 1 and road["Titik lokasi"] == 1
    rows = {row[0]: dict(zip(ASPIRATION_COLUMNS, row, strict=True)) for row in tables.aspirations}
    assert rows[asp]["Foto"] == 1 and rows[asp]["Lokasi (lintang, bujur)"] == "0.13012, 117.48621"
    assert rows[asp]["Peta lokasi"].startswith("https://www.openstreetmap.org/?mlat=0.13012")


def test_retention_deletes_the_cached_photo_with_the_file_id(city: City, staff: TestClient) -> None:
    proposal_id, _, asp = _attach(city)
    assert staff.get(f"/kelompok/{city.codes['jalan']}/foto/{asp}").status_code == 200
    with Session(city.engine) as session:
        cached = session.get(CachedPhoto, proposal_id)
        assert cached is not None and Path(cached.path).is_file()
    with session_scope(city.engine) as session:
        purge_expired(session=session, before=utcnow() + timedelta(days=1))
    with Session(city.engine) as session:
        assert session.get(CachedPhoto, proposal_id) is None
    assert not Path(cached.path).exists()
