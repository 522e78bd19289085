"""Vulnerable groups and aid problems on the digest and the exports, with the count layer's figures."""


from sqlalchemy import Engine
from sqlmodel import Session

from models.clusters import Cluster
from services.answers.staffchat import render_cluster
from services.core import counting
from services.core.config import AppConfig
from services.core.counting import Scope
from services.core.tg_html import visible_text
from services.digests.periods import DigestData, build_digest
from services.digests.render import render
from services.reports.exports import CLUSTER_COLUMNS, build_tables
from services.reports.musrenbang import musrenbang_sheets
from tests.services.digests.digest_data import aspiration, week

LATE = "PKH untuk lansia di RT kami belum cair sudah tiga bulan"
WRONG = "Bansos salah sasaran, orang mampu malah dapat BLT, janda di gang kami tidak dapat apa-apa"


def _world(session: Session) -> tuple[int, int]:
    """Two social-aid clusters (one with two residents) and a road one, in the period of week 0."""
    late = aspiration(session, text=LATE, at=week(0, 2))
    cluster = session.get(Cluster, late.cluster_id)
    assert cluster is not None
    aspiration(session, text="pkh lansia blm cair min", at=week(0, 3), cluster=cluster, kelurahan="Guntung")
    wrong = aspiration(session, text=WRONG, at=week(0, 4))
    aspiration(session, text="Jalan Pattimura berlubang parah", at=week(0, 5))
    for cid in (late.cluster_id, wrong.cluster_id):
        session.get(Cluster, cid).category = "bantuan_sosial"  # type: ignore[union-attr]
    session.flush()
    assert late.cluster_id is not None and wrong.cluster_id is not None
    return late.cluster_id, wrong.cluster_id


def test_digest_shows_labels_per_cluster_and_one_line_per_forum(engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        _world(session)
        data = build_digest(session=session, config=config, forum_id="bontang-utara", period_end=week(1, 0),
                            now=week(1, 1), period_start_at=week(0, 0))
        scope = Scope(forums=frozenset({"bontang-utara"}))
        assert data.vulnerable == counting.aspirations_per_group(session, scope)
        assert data.aid == counting.aspirations_per_aid_kind(session, scope)
    assert data.vulnerable == [("perempuan", 1), ("lansia", 2), ("keluarga_miskin", 3)]  # PKH, bansos: the poor
    assert data.aid == [("salah_sasaran", 1), ("belum_terdaftar", 1), ("pencairan", 2)]
    assert data.top[0].groups == ["lansia", "keluarga_miskin"] and data.top[0].aid_kinds == ["pencairan"]
    assert DigestData.from_content(data.to_content()) == data
    text = visible_text("\n".join(render(data, config)))
    assert "Menyangkut kelompok rentan: Perempuan 1, Lansia 2, Keluarga miskin 3 · 🧾 Masalah bansos: " \
           "Salah sasaran 1, Belum terdaftar 1, Pencairan telat/berhenti 2" in text
    assert "🫂 Lansia, Keluarga miskin · 🧾 Pencairan telat/berhenti" in text


def test_exports_carry_the_groups_in_a_kelompok_rentan_column(engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        late, wrong = _world(session)
        tables = build_tables(session=session, config=config)
        sheets = musrenbang_sheets(session=session, config=config, cluster_ids=None, status_label=str,
                                   columns=tuple("abcdefghijk"))
    assert CLUSTER_COLUMNS[-1] == "Kelompok rentan"
    by_code = {row[0]: row[-1] for row in tables.clusters}
    assert by_code[f"K-{late:04d}"] == "Lansia, Keluarga miskin"
    assert by_code[f"K-{wrong:04d}"] == "Perempuan, Keluarga miskin"
    rows = {row[1]: row for _, _, sheet in sheets for row in sheet}
    assert rows[f"K-{late:04d}"][8] == "Lansia, Keluarga miskin" and len(rows[f"K-{wrong:04d}"]) == 11


def test_staff_card_shows_the_groups_and_aid_problems(engine: Engine, config: AppConfig) -> None:
    with Session(engine) as session:
        late, _ = _world(session)
        card = render_cluster(session=session, config=config, cluster=session.get(Cluster, late))  # type: ignore[arg-type]
        road = aspiration(session, text="Jalan Cendana berlubang", at=week(0, 6))
        plain = render_cluster(session=session, config=config, cluster=session.get(Cluster, road.cluster_id))  # type: ignore[arg-type]
    assert "🫂 Lansia, Keluarga miskin · 🧾 Pencairan telat/berhenti" in card
    assert "🫂" not in plain and "🧾" not in plain
