"""Ekspor: CSV and XLSX of exactly the filtered view, and the Musrenbang workbook, redacted only."""

import csv
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from services.core.texts import status_label
from services.reports.exports import CLUSTER_COLUMNS
from tests.web.seed import MOD_NORTH, STAFF, City, logged_in


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def _csv_codes(client: TestClient, query: str) -> list[str]:
    reply = client.get(f"/ekspor/kelompok.csv?{query}")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert "attachment" in reply.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CLUSTER_COLUMNS
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize(("query", "names"), [
    ("", ["jalan", "air", "sekolah"]),
    ("forum=bontang-utara", ["jalan"]),
    ("status=diteruskan", ["air"]),
    ("periode=7&urut=terbaru", ["jalan", "sekolah"]),
    ("q=tidak+ada+yang+begini", []),
])
def test_csv_is_exactly_the_filtered_view(city: City, staff: TestClient, query: str, names: list[str]) -> None:
    assert sorted(_csv_codes(staff, query)) == sorted(city.codes[n] for n in names)


def test_xlsx_has_clusters_and_aspirations_redacted(city: City, staff: TestClient) -> None:
    reply = staff.get("/ekspor/kelompok.xlsx?kelurahan=Lok+Tuan")
    book = load_workbook(io.BytesIO(reply.content))
    clusters = list(book["Kelompok"].iter_rows(values_only=True))
    aspirations = list(book["Aspirasi"].iter_rows(values_only=True))
    assert [row[0] for row in clusters[1:]] == [city.codes["jalan"]]
    assert len(aspirations) == 4  # header and the cluster's three aspirations
    cells = " ".join(str(v) for row in clusters + aspirations for v in row)
    assert "081234567890" not in cells and "[nomor telepon]" in cells and "800000" not in cells


def test_musrenbang_workbook_one_sheet_per_kelurahan(city: City, staff: TestClient) -> None:
    book = load_workbook(io.BytesIO(staff.get("/ekspor/musrenbang.xlsx").content))
    assert len(book.sheetnames) == 15 and book.sheetnames[:3] == ["Bontang Kuala", "Bontang Baru", "Lok Tuan"]
    rows = list(book["Lok Tuan"].iter_rows(values_only=True))
    assert rows[0] == ("Prioritas", "Kode kelompok", "Kegiatan (judul kelompok)", "Lokasi pekerjaan",
                       "Volume (pendukung)", "Sektor / OPD", "Status", "Pendukung dari (tempat tinggal)",
                       "Kelompok rentan", "Foto", "Titik lokasi")
    assert rows[1] == (1, city.codes["jalan"], "Perbaikan jalan berlubang di Jl. Pattimura", "Lok Tuan, Bontang Utara",
                       3, "Infrastruktur", "Baru", "Lok Tuan (2), Guntung (1)", None, 0, 0)  # no group named
    assert len(list(book["Guntung"].iter_rows(values_only=True))) == 1  # one supporter lives there: not its sheet
    assert list(book["Tanjung Laut"].iter_rows(values_only=True))[1][4:] == (2, "Air bersih & sanitasi",
                                                                              status_label("diteruskan"),
                                                                              "Tanjung Laut (2)", None, 0, 0)
    assert len(list(book["Satimpo"].iter_rows(values_only=True))) == 1  # header only


def test_moderators_export_only_their_forum(city: City) -> None:
    for client in logged_in(city, MOD_NORTH):
        assert _csv_codes(client, "") == [city.codes["jalan"]]
        assert "forum=bontang-utara" in client.get("/ekspor?forum=bontang-utara").text
