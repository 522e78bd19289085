"""Exports for planners (Musrenbang): a sheet of clusters and a sheet of aspirations, as XLSX or CSV.

Only redacted texts, pseudonymous counts and places leave the database: never a verbatim text, never a
Telegram identity. Hidden, held and merged-away things are left out. Dates are shown in the city's zone.
"""

import csv
import io
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, func, select

from models.clusters import Cluster, Support
from models.proposals import Proposal, ProposalState
from models.replies import Reply
from nlp.redact import redact

CLUSTER_SHEET, ASPIRATION_SHEET = "Kelompok", "Aspirasi"
CLUSTER_COLUMNS = ("Kode kelompok", "Judul", "Kategori", "Sebaran kelurahan", "Jumlah pendukung",
                   "Jumlah aspirasi", "Status", "Pertama (WITA)", "Terakhir (WITA)", "Jawaban terakhir")
ASPIRATION_COLUMNS = ("Kode aspirasi", "Kode kelompok", "Kelurahan", "Teks (disamarkan)", "Tanggal (WITA)")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportTables:
    """The two tables of an export, rows in column order."""

    clusters: list[tuple[Any, ...]]
    aspirations: list[tuple[Any, ...]]


def _proposals(session: Session, forum_id: str | None, since: datetime | None,
               cluster_ids: set[int] | None = None) -> list[tuple[Proposal, Cluster]]:
    """Published proposals in visible clusters (of the given ones, when given), by cluster and date."""
    query = (
        select(Proposal, Cluster).join(Cluster, col(Cluster.id) == col(Proposal.cluster_id))
        .where(Proposal.state == ProposalState.SUBMITTED, col(Cluster.hidden).is_(False),
               col(Cluster.merged_into_id).is_(None))
        .order_by(col(Cluster.id), col(Proposal.submitted_at), col(Proposal.id))
    )
    if forum_id is not None:
        query = query.where(Proposal.forum_id == forum_id)
    if since is not None:
        query = query.where(col(Proposal.submitted_at) >= since)
    if cluster_ids is not None:
        query = query.where(col(Cluster.id).in_(cluster_ids))
    return [(p, c) for p, c in session.exec(query).all()]


def supporter_counts(session: Session, cluster_ids: set[int]) -> dict[int, int]:
    """Supporters per cluster."""
    rows = session.exec(select(Support.cluster_id, func.count()).where(col(Support.cluster_id).in_(cluster_ids))
                        .group_by(col(Support.cluster_id))).all()
    return {cid: int(n) for cid, n in rows}


def _latest_answers(session: Session, cluster_ids: set[int]) -> dict[int, Reply]:
    """The newest staff answer per cluster."""
    latest: dict[int, Reply] = {}
    for reply in session.exec(select(Reply).where(col(Reply.cluster_id).in_(cluster_ids), col(Reply.from_staff))
                              .order_by(col(Reply.id))).all():
        latest[reply.cluster_id] = reply
    return latest


def spread(places: Counter[str]) -> str:
    """Kelurahan with counts, most first: "Lok Tuan (3), Guntung (1)"."""
    return ", ".join(f"{name} ({n})" for name, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0])))


def build_tables(
    *, session: Session, tz: ZoneInfo, forum_id: str | None = None, since: datetime | None = None,
    status_label: Callable[[str], str] = str, category_label: Callable[[str | None], str | None] = lambda c: c,
    cluster_ids: set[int] | None = None,
) -> ExportTables:
    """Collect the clusters and aspirations of an export (only `cluster_ids`, when given: a filtered view)."""
    rows = _proposals(session, forum_id, since, cluster_ids)
    by_cluster: dict[int, list[Proposal]] = defaultdict(list)
    clusters: dict[int, Cluster] = {}
    aspirations = []
    for proposal, cluster in rows:
        assert cluster.id is not None
        by_cluster[cluster.id].append(proposal)
        clusters[cluster.id] = cluster
        when = (proposal.submitted_at or proposal.created_at).astimezone(tz).replace(tzinfo=None)
        aspirations.append((proposal.code, cluster.code, proposal.kelurahan or "", redact(proposal.text_redacted),
                            when))
    supporters = supporter_counts(session, set(clusters))
    answers = _latest_answers(session, set(clusters))
    table = []
    for cid, members in by_cluster.items():
        cluster, dates = clusters[cid], [(p.submitted_at or p.created_at) for p in members]
        answer = answers.get(cid)
        answered = "" if answer is None else f"{answer.created_at.astimezone(tz):%d-%m-%Y}: {answer.text}"
        table.append((cluster.code, redact(cluster.title), category_label(cluster.category) or "",
                      spread(Counter(p.kelurahan for p in members if p.kelurahan)), supporters.get(cid, 0),
                      len(members), status_label(cluster.status), min(dates).astimezone(tz).replace(tzinfo=None),
                      max(dates).astimezone(tz).replace(tzinfo=None), answered))
    table.sort(key=lambda row: (-row[4], row[0]))
    return ExportTables(table, aspirations)


def write_sheets(sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]], target: Path | IO[bytes],
                 widths: tuple[int, ...] = (16, 60, 16, 40, 12, 12, 22, 18, 18, 60)) -> None:
    """Write sheets (title, columns, rows) with bold headers, frozen header rows and readable widths."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"  # a resident's "=..." stays text, never a formula
                elif isinstance(cell.value, datetime):
                    cell.number_format = "DD-MM-YYYY HH:MM"
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
            sheet.column_dimensions[letter].width = width
    book.save(target)


def write_xlsx(tables: ExportTables, target: Path | IO[bytes]) -> None:
    """Write the clusters and aspirations sheets."""
    write_sheets([(CLUSTER_SHEET, CLUSTER_COLUMNS, tables.clusters),
                  (ASPIRATION_SHEET, ASPIRATION_COLUMNS, tables.aspirations)], target)


def _csv_cell(value: Any) -> Any:
    """A CSV cell: dates as text, formula-like text defused."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    """One table as UTF-8 CSV with a byte-order mark (so spreadsheet programs read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(tables: ExportTables, out: Path) -> list[Path]:
    """Write kelompok.csv and aspirasi.csv into a .zip, or as two files beside `out`."""
    files = {"kelompok.csv": csv_bytes(CLUSTER_COLUMNS, tables.clusters),
             "aspirasi.csv": csv_bytes(ASPIRATION_COLUMNS, tables.aspirations)}
    if out.suffix == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return [out]
    paths = []
    for name, data in files.items():
        path = out.with_name(f"{out.stem}-{name}")
        path.write_bytes(data)
        paths.append(path)
    return paths
