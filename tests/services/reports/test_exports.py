"""Exports of the dev data: the columns planners expect, and no unredacted personal data anywhere."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session

from bot.settings import load_config
from models.db import make_engine, session_scope, upgrade
from models.residents import get_or_create_resident, give_consent, set_kelurahan
from nlp.embed import Embedder
from services.core.config import AppConfig
from services.intake import drafts as intake
from services.intake.grouping import GroupingService
from services.intake.textcheck import check_text
from services.reports.exports import ASPIRATION_COLUMNS, CLUSTER_COLUMNS, build_tables, write_csv, write_xlsx
from services.reports.stats import compute_stats
from tests.conftest import ROOT

PII = re.compile(r"\d{16}|08\d{2}[- ]?\d{4}[- ]?\d{3,4}|[\w.]+@[\w.]+\.\w+")


def load_dev(session: Session, config: AppConfig, grouping: GroupingService, dev: Path) -> int:
    """Run the dev messages through intake, one resident per message, spread over the 15 kelurahan."""
    places = [k.name for k in config.city.all_kelurahan()]
    count = 0
    for i, line in enumerate(dev.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        limits = config.limits
        if check_text(row["text"], max_chars=limits.max_text_chars, min_chars=limits.min_text_chars):
            continue
        kelurahan = row["kelurahan"] if row["kelurahan"] in places else places[i % len(places)]
        resident = get_or_create_resident(session=session, telegram_id=7_000_000 + i)
        give_consent(session=session, resident=resident)
        set_kelurahan(session=session, resident=resident, kelurahan=kelurahan, forum_id=config.forum_of(kelurahan).id)
        draft, _ = intake.save_draft(session=session, grouping=grouping, resident=resident,
                                     source_chat_id=7_000_000 + i, source_message_id=1, text=row["text"])
        assert draft.id is not None
        intake.confirm(session=session, grouping=grouping, resident=resident, proposal_id=draft.id)
        count += 1
    return count


def test_dev_data_export_opens_with_the_right_columns_and_no_pii(embedder: Embedder, tmp_path: Path,
                                                                 shared_data: Path) -> None:
    config = load_config(ROOT / "config.yaml")  # SQLite only: the export reads the same rows on both databases
    engine = make_engine(f"sqlite:///{tmp_path / 'dev.db'}")
    upgrade(engine)
    grouping = GroupingService(config, embedder)
    tz = config.city.tz
    with session_scope(engine) as session:
        stored = load_dev(session, config, grouping, shared_data / "aspirasi_dev.jsonl")
    with session_scope(engine) as session:
        tables = build_tables(session=session, config=config)
        north = build_tables(session=session, config=config, forum_id="bontang-utara")
        stats = compute_stats(session=session, tz=tz)
    engine.dispose()
    write_xlsx(tables, tmp_path / "x.xlsx")
    book = load_workbook(tmp_path / "x.xlsx")
    assert book.sheetnames == ["Kelompok", "Aspirasi", "Ringkasan"]
    clusters, aspirations = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:2])
    assert clusters[0] == CLUSTER_COLUMNS and aspirations[0] == ASPIRATION_COLUMNS
    assert len(aspirations) - 1 == stored and 30 < len(clusters) - 1 < stored
    assert sum(row[7] for row in clusters[1:]) == stored  # every aspiration counted in one cluster
    assert {row[1] for row in aspirations[1:]} == {row[0] for row in clusters[1:]}
    cells = [str(v) for row in clusters + aspirations for v in row if v is not None]
    assert not [c for c in cells if PII.search(c)], "unredacted phone, NIK or e-mail in the export"
    assert any("[NIK]" in c for c in cells) and any("[email]" in c for c in cells)
    assert not [c for c in cells if re.search(r"\b7000\d{3}\b", c)], "a Telegram id in the export"
    assert 0 < len(north.aspirations) < stored
    assert stats.total == stored and sum(n for _, n in stats.per_kelurahan) == stored
    assert stats.answered == 0 and stats.median_days_to_answer is None


def test_csv_export_is_two_tables_in_a_zip_and_defuses_formulas(tmp_path: Path) -> None:
    from datetime import datetime

    from services.reports.exports import ExportTables

    tables = ExportTables([("K-0001", "=HYPERLINK(\"x\")", "", "Forum", "Bontang Utara (1)", "Lok Tuan (1)", 1, 1,
                            "Baru", datetime(2026, 1, 2, 9), datetime(2026, 1, 2, 9), "")],
                          [("ASP-2026-000001", "K-0001", "Forum", "Bontang Utara", "Lok Tuan", "", "=1+1",
                            datetime(2026, 1, 2, 9))], [("Jumlah aspirasi", 1)])
    [archive] = write_csv(tables, tmp_path / "out.zip")
    with zipfile.ZipFile(archive) as z:
        kelompok = list(csv.reader(io.StringIO(z.read("kelompok.csv").decode("utf-8-sig"))))
        aspirasi = list(csv.reader(io.StringIO(z.read("aspirasi.csv").decode("utf-8-sig"))))
    assert tuple(kelompok[0]) == CLUSTER_COLUMNS and aspirasi[1][6] == "'=1+1"
    assert aspirasi[1][7] == "2026-01-02 09:00"
    write_xlsx(tables, tmp_path / "f.xlsx")
    sheet = load_workbook(tmp_path / "f.xlsx")["Aspirasi"]
    assert sheet["G2"].value == "=1+1" and sheet["G2"].data_type == "s"
    two = write_csv(tables, tmp_path / "ekspor.csv")
    assert [p.name for p in two] == ["ekspor-kelompok.csv", "ekspor-aspirasi.csv", "ekspor-ringkasan.csv"]
