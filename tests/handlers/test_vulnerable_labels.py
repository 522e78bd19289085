"""/rentan and /bansos through the real Application: moderators correct a cluster's labels, audited, and they stick."""

from bot.console import Console
from services.core.vulnerable import cluster_labels
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, submit
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


async def test_a_resident_with_an_aid_problem_is_told_how_to_check_their_own_case(console: Console) -> None:
    await onboard(console, RESIDENT)
    await submit(console, RESIDENT, "Bansos PKH untuk lansia di rumah kami belum cair tiga bulan, tolong dicek.")
    shown = " ".join(str(m.get("text")) for k, m in console.api.messages.items() if k[0] == RESIDENT)
    assert "Terima kasih, usulan Anda sudah tercatat" in shown and "cekbansos.kemensos.go.id" in shown
    await onboard(console, 900_020)
    await submit(console, 900_020, "Lampu jalan di Jl. Cendana Lok Tuan mati sudah sebulan.")
    other = " ".join(str(m.get("text")) for k, m in console.api.messages.items() if k[0] == 900_020)
    assert "cekbansos" not in other
