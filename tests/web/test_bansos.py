"""The web page's Kelompok rentan filter and column, the Bansos view and Dinas Sosial's export."""

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from models.clusters import Support, create_cluster
from models.db import session_scope
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from models.types import utcnow
from services.core import counting
from services.core.counting import Scope
from tests.services.digests.digest_data import committed_at
from tests.web.seed import MOD_NORTH, MOD_SOUTH, STAFF, City, logged_in

TEXTS = ("PKH untuk lansia di RT kami belum cair, hubungi 081234567890",
         "pkh lansia blm cair min, sudah tiga bulan")


def aid_cluster(city: City) -> str:
    """A social-aid cluster in the north with two residents' late PKH payments for the elderly."""
    now = utcnow()
    with session_scope(city.engine) as session:
        cluster = create_cluster(session=session, title="PKH lansia belum cair", home_forum_id="bontang-utara",
                                 category="bantuan_sosial")
        for i, text in enumerate(TEXTS):
            resident = Resident(telegram_id=870_000 + i, kelurahan="Guntung", forum_id="bontang-utara",
                                consent_at=now)
            session.add(resident)
            session.flush()
            assert resident.id is not None and cluster.id is not None
            session.add(Proposal(source_chat_id=870_000 + i, source_message_id=1, resident_id=resident.id,
                                 cluster_id=cluster.id, state=ProposalState.SUBMITTED, submitted_at=now,
                                 created_at=now - timedelta(hours=i), text_verbatim=text, text_clean=text.lower(),
                                 text_redacted=text.replace("081234567890", "[nomor telepon]"),
                                 kelurahan="Guntung", forum_id="bontang-utara", category="bantuan_sosial"))
            session.add(Support(cluster_id=cluster.id, resident_id=resident.id, created_at=now))
            session.flush()
            committed_at(session, now)
        return str(cluster.code)


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def test_list_has_a_vulnerable_filter_and_column(city: City, staff: TestClient) -> None:
    code = aid_cluster(city)
    everything = staff.get("/kelompok").text
    assert "<th scope=\"col\">Kelompok rentan</th>" in everything and code in everything
    assert city.codes["jalan"] in everything
    only = staff.get("/kelompok?rentan=lansia").text
    assert code in only and city.codes["jalan"] not in only
    assert '<option value="lansia" selected>Lansia</option>' in only
    assert "Lansia, Keluarga miskin</td>" in only  # PKH is for poor families


def test_bansos_view_counts_like_the_count_layer(city: City, staff: TestClient) -> None:
    aid_cluster(city)
    html = staff.get("/bansos").text
    with Session(city.engine) as session:
        [row] = counting.aid_spread(session, Scope())
    assert (row.kelurahan, row.kind, row.aspirations, row.residents, row.clusters) == ("Guntung", "pencairan", 2, 2, 1)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html.split('id="bansos-spread"')[1].split("</table>")[0])
    assert cells[-5:] == ["Guntung", "Pencairan telat/berhenti", "2", "2", "1"]
    weeks = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html.split('id="bansos-weeks"')[1].split("</table>")[0])
    assert weeks[-2:] == ["Pencairan telat/berhenti", "2"]


def test_bansos_export_has_one_row_per_cluster_and_no_personal_data(city: City, staff: TestClient) -> None:
    code = aid_cluster(city)
    response = staff.get("/bansos/ekspor.xlsx")
    assert response.status_code == 200 and "aspirasi-bansos-" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Bansos"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Kode kelompok", "Judul", "Kelurahan", "Masalah bansos") and len(rows) == 2
    assert rows[1][0] == code and rows[1][3] == "Pencairan telat/berhenti" and rows[1][4] == "PKH"
    assert rows[1][5] == "Lansia, Keluarga miskin" and rows[1][6] == 2
    everything = str(rows) + str(list(book["Catatan"].iter_rows(values_only=True)))
    assert "081234567890" not in everything and "870000" not in everything
    assert "cekbansos.kemensos.go.id" in everything


def test_a_moderator_sees_only_their_forums_aid(city: City) -> None:
    aid_cluster(city)
    for client in logged_in(city, MOD_NORTH):
        assert "Pencairan telat/berhenti</td>" in client.get("/bansos").text
    for client in logged_in(city, MOD_SOUTH):
        assert "Belum ada aspirasi bantuan sosial." in client.get("/bansos").text
