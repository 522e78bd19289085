"""Who each cluster is for and what kind of aid problem it is: read from members, moderators' decisions stick."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models.audit import AuditEntry
from models.clusters import Cluster
from services.core import counting
from services.core.counting import Scope
from services.core.vulnerable import cluster_labels
from services.intake.grouping import GroupingService
from services.moderation import curation
from services.moderation.merge_split import Actor, ModerationError
from services.moderation.vulnerable_tags import set_label
from tests.services.moderation.test_decisions import _send

MOD = Actor("moderator:9", frozenset({"bontang-utara"}))
LATE_PKH = "PKH untuk lansia di RT kami belum cair sudah tiga bulan, mohon dicek."
JANDA = "Saya janda dengan dua anak, belum terdaftar di DTKS padahal sudah lapor ke RT, datanya salah."
ROAD = "Jalan di depan SD Guntung berlubang besar, mohon diaspal."


def _aid(session: Session, cluster_id: int, category: str = "bantuan_sosial") -> Cluster:
    cluster = session.get(Cluster, cluster_id)
    assert cluster is not None and cluster.code is not None
    curation.recategorise(session=session, actor=MOD, code=cluster.code, category=category)
    return cluster


def test_labels_come_from_the_members_texts(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    late, janda, road = (_send(session, grouping, n, text) for n, text in enumerate((LATE_PKH, JANDA, ROAD), 1))
    _aid(session, late)
    _aid(session, janda, "pemerintahan")  # a moderator put it elsewhere
    labels = cluster_labels(session, [late, janda, road])
    assert labels[late].groups == ("lansia", "keluarga_miskin")  # PKH is for poor families
    assert labels[late].aid_kinds == ("pencairan",)
    assert labels[late].programmes == ("pkh",)
    assert labels[janda].groups == ("perempuan", "anak", "keluarga_miskin")
    assert labels[janda].aid_kinds == ()  # aid problems only in the social-aid category
    assert labels[road].groups == ()


def test_a_moderators_decision_sticks_and_is_audited(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    late = _send(session, grouping, 1, LATE_PKH)
    code = session.get(Cluster, late).code  # type: ignore[union-attr]
    set_label(session=session, actor=MOD, code=code or "", facet="kelompok", value="lansia", present=False)
    set_label(session=session, actor=MOD, code=code or "", facet="kelompok", value="disabilitas", present=True)
    _send(session, grouping, 2, "Lansia di RT kami juga belum dapat PKH, sudah tiga bulan belum cair.", 2)
    assert cluster_labels(session, [late])[late].groups == ("disabilitas", "keluarga_miskin")  # a new lansia
    # member changes nothing
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "tag_kelompok")).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"kelompok": ["lansia", "keluarga_miskin"]}, {"kelompok": ["keluarga_miskin"]}),
        ({"kelompok": ["keluarga_miskin"]}, {"kelompok": ["disabilitas", "keluarga_miskin"]})]
    with pytest.raises(ModerationError):
        set_label(session=session, actor=MOD, code=code or "", facet="kelompok", value="pejabat", present=True)


def test_counts_by_group_and_aid_kind_agree(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    late = _send(session, grouping, 1, LATE_PKH)
    janda = _send(session, grouping, 2, JANDA)
    _send(session, grouping, 3, ROAD)
    _aid(session, late), _aid(session, janda)
    session.flush()
    assert counting.aspirations_per_group(session, Scope()) == [
        ("perempuan", 1), ("anak", 1), ("lansia", 1), ("keluarga_miskin", 2)]
    assert counting.aspirations_per_aid_kind(session, Scope()) == [
        ("belum_terdaftar", 1), ("pencairan", 1), ("data", 1)]
    rows = counting.aid_spread(session, Scope())
    assert {(r.kind, r.aspirations, r.residents, r.clusters) for r in rows} == {
        ("belum_terdaftar", 1, 1, 1), ("pencairan", 1, 1, 1), ("data", 1, 1, 1)}
    weeks = counting.aid_per_week(session, Scope(), ZoneInfo("Asia/Makassar"))
    assert sorted(kind for _, kind, _ in weeks) == ["belum_terdaftar", "data", "pencairan"]
    assert all(week.weekday() == 0 and week <= datetime.now().date() for week, _, _ in weeks)
