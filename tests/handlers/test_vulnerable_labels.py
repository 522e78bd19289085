"""/rentan and /bansos through the real Application: moderators correct a cluster's labels, audited, and they stick."""

from bot.console import Console
from services.vulnerable import cluster_labels
from tests.conftest import RESIDENT
from tests.handlers.moderation_seed import MODERATOR, audit, cluster, command, seed, session_of

LANSIA = "Posyandu lansia di Lok Tuan tidak ada tenaga kesehatan, mohon ditambah perawat untuk kakek nenek."


async def test_moderator_adds_and_removes_groups_and_it_is_audited(console: Console) -> None:
    a = seed(console, RESIDENT, LANSIA)
    text = await command(console, MODERATOR, f"/rentan {a.cluster} -lansia +disabilitas")
    assert "Penyandang disabilitas" in text and "Lansia" not in text
    cid = cluster(console, a.cluster).id
    assert cid is not None
    with session_of(console) as session:
        assert "lansia" not in cluster_labels(session, [cid])[cid].groups
    assert [e.action for e in audit(console)] == ["tag_kelompok", "tag_kelompok"]
    assert "tidak dikenal" in await command(console, MODERATOR, f"/rentan {a.cluster} +pejabat")
    assert "/rentan K-0001 +lansia" in await command(console, MODERATOR, "/rentan")


async def test_residents_cannot_relabel(console: Console) -> None:
    a = seed(console, RESIDENT, LANSIA)
    assert "hanya untuk moderator" in await command(console, RESIDENT, f"/rentan {a.cluster} -lansia")
    assert audit(console) == []
