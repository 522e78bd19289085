"""Every page as each role sees it: figures, filters in the URL, a cluster's page, the map, privacy."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from models.db import session_scope
from services.core.texts import status_label
from services.core.texts_web import long_date
from services.privacy.rights import erase_resident
from tests.services.core.shapes import with_one_shape
from tests.web.seed import ADMIN, MOD_NORTH, STAFF, City, client_for, logged_in


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def test_summary_counts_this_week_and_all_time(city: City, staff: TestClient) -> None:
    page = staff.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="id">' in html and 'href="#isi"' in html
    assert "<dt>Aspirasi seluruhnya</dt><dd>6</dd>" in html
    assert "<dt>Kelompok</dt><dd>3</dd>" in html
    assert "<dt>Kelompok yang sudah dijawab</dt><dd>1 (33%)</dd>" in html
    assert "<dt>Median hari sampai jawaban pertama</dt><dd>6,0 hari</dd>" in html  # answered 14 days ago, asked 20
    assert "<svg" in html and "<caption>Aspirasi per kategori</caption>" in html
    assert "Infrastruktur</th><td>3</td>" in html


def test_every_page_needs_a_session(city: City) -> None:
    with client_for(city) as anonymous:
        for path in ("/", "/kelompok", f"/kelompok/{city.codes['jalan']}", "/peta", "/ekspor",
                     "/ekspor/kelompok.csv", "/ekspor/kelompok.xlsx", "/ekspor/musrenbang.xlsx"):
            page = anonymous.get(path)
            assert page.status_code == 401, path
            assert "/web" in page.text


def test_security_headers_on_every_response(city: City, staff: TestClient) -> None:
    page = staff.get("/kelompok")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("query", "expected", "absent"), [
    ("", ["jalan", "air", "sekolah"], []),
    ("forum=bontang-selatan", ["air"], ["jalan", "sekolah"]),
    ("kelurahan=Lok+Tuan", ["jalan"], ["air", "sekolah"]),  # where the work is (its first place: no text names one)
    ("kelurahan=Guntung", [], ["jalan", "air", "sekolah"]),
    ("kelurahan=Guntung&arti=pendukung", ["jalan"], ["air", "sekolah"]),  # where supporters live
    ("kategori=pendidikan", ["sekolah"], ["jalan", "air"]),
    ("status=diteruskan", ["air"], ["jalan", "sekolah"]),
    ("periode=7", ["jalan", "sekolah"], ["air"]),
    ("q=pdam", ["air"], ["jalan", "sekolah"]),
    ("q=kelas+kanaan", ["sekolah"], ["jalan", "air"]),
])
def test_filters_in_the_url(city: City, staff: TestClient, query: str, expected: list[str], absent: list[str]) -> None:
    html = staff.get(f"/kelompok?{query}").text
    for name in expected:
        assert f">{city.codes[name]}</a>" in html, (query, name)
    for name in absent:
        assert f">{city.codes[name]}</a>" not in html, (query, name)
    assert f"{len(expected)} kelompok ditemukan" in html


def test_overdue_filter_lists_unanswered_old_clusters(city: City, staff: TestClient) -> None:
    html = staff.get("/kelompok?terlambat=1").text
    assert f">{city.codes['jalan']}</a>" in html  # 40 days without an answer
    assert f">{city.codes['sekolah']}</a>" not in html  # 2 days old
    assert "terlambat</strong>" in html


def test_sorting_by_supporters_growth_and_age(city: City, staff: TestClient) -> None:
    def order(query: str) -> list[str]:
        html = staff.get(f"/kelompok?{query}").text
        return sorted(city.codes, key=lambda name: html.index(f">{city.codes[name]}</a>"))

    assert order("urut=pendukung") == ["jalan", "air", "sekolah"]
    assert order("urut=pertumbuhan")[:2] == ["jalan", "sekolah"]
    assert order("urut=terlama") == ["jalan", "air", "sekolah"]
    assert order("urut=terbaru") == ["sekolah", "air", "jalan"]


def test_pagination_keeps_the_filters(city: City, staff: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.queries.PAGE_SIZE", 2)
    first = staff.get("/kelompok?urut=terlama").text
    assert "Halaman 1 dari 2" in first and 'href="/kelompok?urut=terlama&amp;hal=2"' in first
    second = staff.get("/kelompok?urut=terlama&hal=2").text
    assert f">{city.codes['sekolah']}</a>" in second and f">{city.codes['jalan']}</a>" not in second


def test_moderators_see_only_their_forum(city: City) -> None:
    for client in logged_in(city, MOD_NORTH):
        html = client.get("/kelompok").text
        assert f">{city.codes['jalan']}</a>" in html and f">{city.codes['air']}</a>" not in html
        assert client.get(f"/kelompok/{city.codes['air']}").status_code == 404
        assert client.get(f"/kelompok/{city.codes['jalan']}").status_code == 200
        assert "<dt>Aspirasi seluruhnya</dt><dd>3</dd>" in client.get("/").text


def test_cluster_page_shows_redacted_texts_pseudonyms_and_history(city: City, staff: TestClient) -> None:
    html = staff.get(f"/kelompok/{city.codes['air']}").text
    assert "Air PDAM sering mati di Tanjung Laut" in html
    assert "081234567890" not in html and "[nomor telepon]" in html
    assert "800010" not in html  # no Telegram id anywhere
    assert f"Warga {city.first_resident + 3} · Tanjung Laut" in html
    assert "Sudah kami teruskan ke PDAM." in html
    assert f"Baru → {status_label('diteruskan')}" in html  # status history from the audit log
    assert "WITA" in html and "Staf</td>" in html and str(STAFF) not in html


def test_erasure_reaches_the_page(city: City, staff: TestClient) -> None:
    with session_scope(city.engine) as session:
        erase_resident(session=session, resident_id=city.first_resident, config=city.config)
    html = staff.get(f"/kelompok/{city.codes['jalan']}").text
    assert "Warga (dihapus)" in html
    assert f"Warga {city.first_resident} ·" not in html
    assert "[nomor telepon]" not in html  # the erased resident's text is gone


def test_map_tiles_and_geojson(city: City, staff: TestClient, tmp_path: Path) -> None:
    html = staff.get("/peta").text
    assert "Bontang Utara" in html and "<svg" in html
    assert '<a href="/kelompok?kelurahan=Lok%20Tuan">Lok Tuan</a></th><td class="num">2</td>' in html
    config = with_one_shape(city.config, tmp_path, "Lok Tuan", [[117.49, 0.17], [117.50, 0.17], [117.50, 0.18],
                                                                 [117.49, 0.17]])
    for client in logged_in(City(city.engine, config, city.codes, city.first_resident), ADMIN):
        drawn = client.get("/peta").text
        assert "<polygon" in drawn and "<title>Lok Tuan: 2</title>" in drawn


def test_dates_read_as_people_in_bontang_write_them() -> None:
    moment = datetime(2026, 11, 29, 4, 17, tzinfo=UTC)
    assert long_date(moment, ZoneInfo("Asia/Makassar")) == "29 November 2026 12.17 WITA"
    assert long_date(moment, ZoneInfo("Asia/Jakarta"), with_time=False) == "29 November 2026"


def test_no_scripts_cdn_or_web_fonts(city: City, staff: TestClient) -> None:
    for path in ("/", "/kelompok", f"/kelompok/{city.codes['air']}", "/peta", "/ekspor"):
        html = staff.get(path).text
        assert "<script" not in html and "https://" not in html and "@font-face" not in html, path
    css = staff.get("/static/style.css")
    assert css.status_code == 200 and "@font-face" not in css.text and "url(" not in css.text
