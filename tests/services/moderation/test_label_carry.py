"""A merged cluster's label decisions carry over to the cluster it joins, audited, and Urungkan takes them back."""

import json

import pytest
from sqlmodel import Session, select

from bot.settings import Settings
from models.audit import AuditEntry
from models.clusters import Cluster
from models.tags import ClusterTag
from services.core.vulnerable import cluster_labels
from services.intake.grouping import GroupingService
from services.moderation import actions
from services.moderation.merge_split import Actor, ModerationError, merge
from services.moderation.vulnerable_tags import set_label
from tests.services.moderation.test_decisions import _send

MOD = Actor("moderator:9", frozenset({"bontang-utara"}))
OTHER_MOD = Actor("moderator:8", frozenset({"bontang-utara"}))
KEEP = "PKH untuk lansia di RT kami belum cair sudah tiga bulan, mohon dicek."  # lansia, keluarga miskin
ABSORB = "Janda lansia di gang kami belum pernah dapat PKH, tolong didata."  # perempuan, lansia, keluarga miskin


def _two(session: Session, grouping: GroupingService) -> tuple[str, str]:
    """Two clusters whose moderators decided labels: the one to keep (A) and the one to absorb (B)."""
    keep = session.get(Cluster, _send(session, grouping, 1, KEEP))
    absorb = session.get(Cluster, _send(session, grouping, 2, ABSORB, new_cluster=True))
    assert keep is not None and absorb is not None and keep.id != absorb.id and keep.code and absorb.code
    set_label(session=session, actor=MOD, code=keep.code, facet="kelompok", value="nelayan", present=False)
    for value, present in (("disabilitas", True), ("nelayan", True), ("lansia", False), ("perempuan", False)):
        set_label(session=session, actor=OTHER_MOD, code=absorb.code, facet="kelompok", value=value,
                  present=present)
    assert _groups(session, keep.code) == ("lansia", "keluarga_miskin")
    return keep.code, absorb.code


def _groups(session: Session, code: str) -> tuple[str, ...]:
    cluster = session.exec(select(Cluster).where(Cluster.code == code)).one()
    assert cluster.id is not None
    return cluster_labels(session, [cluster.id])[cluster.id].groups


def _tags(session: Session, code: str) -> set[tuple[str, bool, str]]:
    cluster = session.exec(select(Cluster).where(Cluster.code == code)).one()
    rows = session.exec(select(ClusterTag).where(ClusterTag.cluster_id == cluster.id)).all()
    return {(t.value, t.present, t.actor) for t in rows}


def test_merge_carries_the_absorbed_clusters_decisions(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    keep, absorb = _two(session, grouping)
    merge(session=session, grouping=grouping, actor=MOD, keep_code=keep, absorb_code=absorb)
    # + disabilitas carried; A's removal of nelayan stays; B's removal of lansia is not carried (A's own member
    # shows it); B's removal of perempuan is carried (B's janda no longer brings it in)
    assert _groups(session, keep) == ("lansia", "disabilitas", "keluarga_miskin")
    assert _tags(session, keep) == {("nelayan", False, MOD.name), ("disabilitas", True, OTHER_MOD.name),
                                    ("perempuan", False, OTHER_MOD.name)}
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert entry.after["labels"] == ["+disabilitas", "=+nelayan", "=-lansia", "-perempuan"]  # type: ignore[index]


def test_merge_without_decisions_audits_no_labels(world: tuple[Session, GroupingService]) -> None:
    session, grouping = world
    keep = session.get(Cluster, _send(session, grouping, 1, KEEP))
    absorb = session.get(Cluster, _send(session, grouping, 2, ABSORB, new_cluster=True))
    assert keep is not None and absorb is not None and keep.code and absorb.code
    merge(session=session, grouping=grouping, actor=MOD, keep_code=keep.code, absorb_code=absorb.code)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert "labels" not in entry.after  # type: ignore[operator]
    assert _groups(session, keep.code) == ("perempuan", "lansia", "keluarga_miskin")  # the members' reading


def test_urungkan_takes_the_carried_decisions_back(world: tuple[Session, GroupingService], settings: Settings
                                                   ) -> None:
    session, grouping = world
    keep, absorb = _two(session, grouping)
    before_keep, before_absorb = _tags(session, keep), _tags(session, absorb)
    done = actions.perform(session=session, grouping=grouping, config=settings.config, actor=MOD, action="merge",
                           args={"keep": keep, "absorb": absorb}, pending_id=1)
    assert ("disabilitas", True, OTHER_MOD.name) in _tags(session, keep)
    undo_args = json.loads(json.dumps(done.undo))  # as the Urungkan button's row stores it
    actions.take_back(session=session, grouping=grouping, actor=MOD, undo_args=undo_args, pending_id=2)
    assert (_tags(session, keep), _tags(session, absorb)) == (before_keep, before_absorb)
    assert _groups(session, keep) == ("lansia", "keluarga_miskin")
    assert _groups(session, absorb) == ("disabilitas", "keluarga_miskin", "nelayan")


def test_a_label_decided_after_the_merge_blocks_its_urungkan(world: tuple[Session, GroupingService],
                                                             settings: Settings) -> None:
    session, grouping = world
    keep, absorb = _two(session, grouping)
    done = actions.perform(session=session, grouping=grouping, config=settings.config, actor=MOD, action="merge",
                           args={"keep": keep, "absorb": absorb}, pending_id=1)
    set_label(session=session, actor=MOD, code=keep, facet="kelompok", value="anak", present=True)
    with pytest.raises(ModerationError) as refused:
        actions.take_back(session=session, grouping=grouping, actor=MOD, undo_args=json.loads(json.dumps(done.undo)),
                          pending_id=2)
    assert refused.value.key == "mod_undo_changed"
    assert ("anak", True, MOD.name) in _tags(session, keep)
