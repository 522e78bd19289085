"""The cluster page shows the whole conversation in order (staff answers, residents' follow-ups, one-to-one
replies, status notes), pseudonymised and redacted, with who acted; the web answer is audited under the staff
member who sent it; audit entries read as words, undos included."""

import re
from datetime import timedelta

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from models.audit import AuditEntry, record
from models.clusters import get_cluster_by_code
from models.db import session_scope
from models.proposals import Proposal
from models.replies import Reply
from models.types import utcnow
from tests.web.seed import KEY, MOD_SOUTH, STAFF, City, csrf_of, login
from web.app import create_app

FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')
NAME = "Budi (Bapperida)"


def _client(city: City) -> TestClient:
    telegram = city.config.telegram.model_copy(update={"staff_names": {STAFF: NAME}})
    config = city.config.model_copy(update={"telegram": telegram})
    client = TestClient(create_app(config=config, engine=city.engine, key=KEY), base_url="http://127.0.0.1:8080")
    login(client, city, STAFF)
    return client


def _talk(city: City, code: str) -> int:
    """A resident's follow-up (with a phone number) and a one-to-one staff reply to them; return their id."""
    now = utcnow()
    with session_scope(city.engine) as session:
        cluster = get_cluster_by_code(session=session, code=code)
        assert cluster is not None and cluster.id is not None
        resident = session.exec(select(Proposal.resident_id).where(Proposal.cluster_id == cluster.id)
                                .order_by(col(Proposal.id))).first()
        assert resident is not None
        session.add(Reply(cluster_id=cluster.id, from_staff=False, resident_id=resident, source_key="t:1",
                          text="Alhamdulillah sudah diangkut tadi pagi, hubungi 081234567890",
                          created_at=now - timedelta(days=2)))
        session.add(Reply(cluster_id=cluster.id, from_staff=True, resident_id=resident, actor=f"staff:{STAFF}",
                          source_key="t:2", text="Baik, kami cek lewat kelurahan.", created_at=now - timedelta(days=1)))
        record(session=session, actor=f"moderator:{MOD_SOUTH}", action="undo_split", target=f"cluster:{code}",
               before={"undo_of": 1}, after={})
        return resident


def test_the_whole_conversation_in_order_with_who_acted(city: City) -> None:
    client, code = _client(city), city.codes["air"]
    resident = _talk(city, code)
    page = client.get(f"/kelompok/{code}").text
    data = {"csrf": csrf_of(page), "form_id": FORM_ID.search(page).group(1),  # type: ignore[union-attr]
            "status": "ditindaklanjuti", "note": "Truk dijadwalkan Senin, hubungi 081298765432"}
    client.post(f"/kelompok/{code}/status", data=data)
    page = client.get(f"/kelompok/{code}").text
    data = {"csrf": csrf_of(page), "form_id": FORM_ID.search(page).group(1),  # type: ignore[union-attr]
            "text": "Terima kasih, kami pantau terus."}
    html = client.post(f"/kelompok/{code}/jawab", data=data).text
    conversation = html[html.index('id="h-answers"'):html.index('id="h-history"')]
    order = ["Sudah kami teruskan ke PDAM.", "Alhamdulillah sudah diangkut tadi pagi",
             "Baik, kami cek lewat kelurahan.", "Catatan staf: Truk dijadwalkan Senin",
             "Terima kasih, kami pantau terus."]
    positions = [conversation.index(text) for text in order]
    assert positions == sorted(positions)
    assert "081234567890" not in html and "081298765432" not in html  # redacted on the page
    assert f"Warga {resident} · Tanjung Laut" in conversation  # the follow-up's pseudonym
    assert f"Balasan pribadi ke Warga {resident} · Tanjung Laut" in conversation
    assert conversation.count(NAME) >= 3 and "Staf</strong>" in conversation  # named staff; the seed's unnamed
    assert str(STAFF) not in html and "800010" not in html


def test_the_web_answer_is_audited_under_its_sender_in_words(city: City) -> None:
    client, code = _client(city), city.codes["jalan"]
    _talk(city, code)
    page = client.get(f"/kelompok/{code}").text
    data = {"csrf": csrf_of(page), "form_id": FORM_ID.search(page).group(1),  # type: ignore[union-attr]
            "text": "Sudah dijadwalkan pekan depan."}
    html = client.post(f"/kelompok/{code}/jawab", data=data).text
    with Session(city.engine) as session:
        [answer] = session.exec(select(AuditEntry).where(AuditEntry.action == "answer")).all()
        assert answer.actor == f"staff:{STAFF}" and answer.target == f"cluster:{code}"
    audit = html[html.index('id="h-audit"'):]
    assert f"<td>{NAME}</td><td>Jawaban dikirim</td>" in audit
    assert "<td>Moderator</td><td>Pisah dibatalkan</td>" in audit
    assert "undo_split" not in html and "answer</td>" not in audit
