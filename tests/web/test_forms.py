"""Forms on a cluster's page: staff answer (fan-out as /balas) and set status, moderators rename and
recategorise; each audited like its Telegram twin, CSRF-checked, role-checked, never done twice."""

import re

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from models.audit import AuditEntry
from models.clusters import get_cluster_by_code
from models.outbox import OutboxMessage
from models.replies import Reply
from services.answers.staff_answers import ANSWER, STATUS
from tests.web.seed import ADMIN, MOD_NORTH, MOD_SOUTH, STAFF, City, client_for, csrf_of, login

FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')


def _client(city: City, user_id: int) -> TestClient:
    client = client_for(city)  # not entered: each request runs on its own, nothing is left running
    login(client, city, user_id)
    return client


def _form(client: TestClient, code: str) -> tuple[str, str]:
    page = client.get(f"/kelompok/{code}").text
    match = FORM_ID.search(page)
    return csrf_of(page), match.group(1) if match else ""


def _outbox(city: City, purpose: str) -> list[OutboxMessage]:
    with Session(city.engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.purpose == purpose)
                                 .order_by(col(OutboxMessage.id))).all())


def test_staff_answer_reaches_every_follower_once(city: City) -> None:
    client, code = _client(city, STAFF), city.codes["jalan"]
    csrf, form_id = _form(client, code)
    data = {"csrf": csrf, "form_id": form_id, "text": "Sudah dijadwalkan pekan depan."}
    page = client.post(f"/kelompok/{code}/jawab", data=data)
    assert page.status_code == 200 and "Jawaban dikirim ke 3 warga." in page.text
    assert "Sudah dijadwalkan pekan depan." in page.text
    client.post(f"/kelompok/{code}/jawab", data=data)  # the same form sent again (double click, reload)
    sent = _outbox(city, ANSWER)
    assert len(sent) == 3 and {m.chat_id for m in sent} == {800_000, 800_001, 800_002}
    assert all("Sudah dijadwalkan pekan depan." in m.payload["text"] for m in sent)
    with Session(city.engine) as session:
        cluster = get_cluster_by_code(session=session, code=code)
        assert cluster is not None and cluster.first_answer_at is not None
        assert len(session.exec(select(Reply).where(Reply.cluster_id == cluster.id)).all()) == 1


def test_staff_change_status_is_audited_and_told(city: City) -> None:
    client, code = _client(city, STAFF), city.codes["jalan"]
    csrf, form_id = _form(client, code)
    page = client.post(f"/kelompok/{code}/status", data={"csrf": csrf, "form_id": form_id,
                                                          "status": "ditindaklanjuti", "note": "Tim ke lokasi."})
    assert "Status diubah menjadi Sedang ditindaklanjuti; 3 warga diberi tahu." in page.text
    assert "Baru → Sedang ditindaklanjuti" in page.text
    assert len(_outbox(city, STATUS)) == 3
    with Session(city.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.target == f"cluster:{code}")).one()
        assert entry.actor == f"staff:{STAFF}"
        assert entry.after == {"status": "ditindaklanjuti", "note": "Tim ke lokasi."}


def test_moderator_renames_and_recategorises_own_cluster(city: City) -> None:
    client, code = _client(city, MOD_NORTH), city.codes["jalan"]
    csrf, _ = _form(client, code)
    page = client.post(f"/kelompok/{code}/judul", data={"csrf": csrf, "title": "Jalan Pattimura berlubang"})
    assert "Judul disimpan." in page.text and "Jalan Pattimura berlubang" in page.text
    page = client.post(f"/kelompok/{code}/kategori", data={"csrf": csrf, "category": "transportasi"})
    assert "Kategori disimpan." in page.text and "Infrastruktur → Transportasi" in page.text
    with Session(city.engine) as session:
        actions = session.exec(select(AuditEntry.action, AuditEntry.actor)
                               .where(AuditEntry.target == f"cluster:{code}")).all()
    assert sorted(actions) == [("recategorise", f"moderator:{MOD_NORTH}"), ("rename", f"moderator:{MOD_NORTH}")]
    bad = client.post(f"/kelompok/{code}/kategori", data={"csrf": csrf, "category": "sihir"})
    assert "Kategori sihir tidak dikenal." in bad.text


def test_bad_input_is_answered_in_indonesian(city: City) -> None:
    client, code = _client(city, STAFF), city.codes["jalan"]
    csrf, form_id = _form(client, code)
    page = client.post(f"/kelompok/{code}/jawab", data={"csrf": csrf, "form_id": form_id, "text": "   "})
    assert page.status_code == 200 and 'role="alert"' in page.text
    assert _outbox(city, ANSWER) == []


@pytest.mark.parametrize("path", ["jawab", "status", "judul", "kategori"])
def test_every_form_without_csrf_is_refused(city: City, path: str) -> None:
    client, code = _client(city, ADMIN), city.codes["jalan"]
    _, form_id = _form(client, code)
    data = {"form_id": form_id, "text": "x", "status": "selesai", "title": "x", "category": "lainnya"}
    assert client.post(f"/kelompok/{code}/{path}", data=data).status_code == 403
    assert client.post(f"/kelompok/{code}/{path}", data={**data, "csrf": "wrong"}).status_code == 403
    with Session(city.engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.target == f"cluster:{code}")).all() == []


def test_roles_limit_the_forms(city: City) -> None:
    moderator, code = _client(city, MOD_NORTH), city.codes["jalan"]
    csrf, _ = _form(moderator, code)
    assert 'action="/kelompok/K-0001/jawab"' not in moderator.get(f"/kelompok/{code}").text
    assert moderator.post(f"/kelompok/{code}/jawab", data={"csrf": csrf, "form_id": "x" * 22,
                                                           "text": "hai"}).status_code == 403
    staff = _client(city, STAFF)
    csrf, _ = _form(staff, code)
    assert 'action="/kelompok/K-0001/judul"' not in staff.get(f"/kelompok/{code}").text
    assert staff.post(f"/kelompok/{code}/judul", data={"csrf": csrf, "title": "x"}).status_code == 403
    other = _client(city, MOD_SOUTH)
    csrf, _ = _form(other, city.codes["air"])
    assert other.post(f"/kelompok/{code}/judul", data={"csrf": csrf, "title": "x"}).status_code == 404
    assert _outbox(city, ANSWER) == []
