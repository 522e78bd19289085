"""Exports for planners (Musrenbang): clusters, aspirations and the period's figures, as XLSX or CSV.

Only redacted texts, pseudonymous counts and places leave the database: never a verbatim text, never a
Telegram identity. Hidden, held and merged-away things are left out. Dates are shown in the city's zone;
an aspiration is dated when the resident sent it. Places and categories appear by name, texts in full.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select

from models.clusters import Cluster
from models.proposals import Proposal
from models.replies import Reply
from models.types import utcnow
from nlp.labels import short_title
from nlp.redact import redact
from services.answers.attachments import Counts, coordinates, map_link
from services.core import counting
from services.core.config import AppConfig
from services.core.counting import UNKNOWN, Scope
from services.core.texts import section, t
from services.core.vulnerable import cluster_labels, label_names
from services.intake.labelling import TITLE_CHARS

# Sheet names, column headers and figure labels are texts (texts_id.yaml: export_sheets, export_columns,
# export_figures); the column order is the code's.
_SHEETS, _COLUMNS, FIGURE_LABELS = section("export_sheets"), section("export_columns"), section("export_figures")
CLUSTER_SHEET, ASPIRATION_SHEET, FIGURES_SHEET = _SHEETS["clusters"], _SHEETS["aspirations"], _SHEETS["figures"]
CLUSTER_COLUMNS = tuple(str(c) for c in _COLUMNS["clusters"])
ASPIRATION_COLUMNS = tuple(str(c) for c in _COLUMNS["aspirations"])
FIGURE_COLUMNS = tuple(str(c) for c in _COLUMNS["figures"])
# Column widths per sheet (characters); long texts wrap inside their cell instead of being cut.
WIDTHS = {CLUSTER_SHEET: (14, 60, 22, 28, 30, 40, 12, 12, 18, 17, 17, 60, 40, 8, 12, 30),
          ASPIRATION_SHEET: (18, 14, 28, 18, 18, 22, 80, 17, 8, 22, 40),
          FIGURES_SHEET: (40, 30)}
WRAPPED = {CLUSTER_SHEET: {"B", "F", "L", "M"}, ASPIRATION_SHEET: {"G"}, FIGURES_SHEET: set()}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportTables:
    """The tables of an export, rows in column order; `figures` are the period's label-value pairs."""

    clusters: list[tuple[Any, ...]]
    aspirations: list[tuple[Any, ...]]
    figures: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Places:
    """Names an export shows for a forum id, a kelurahan's kecamatan and a category code."""

    forums: dict[str, str]
    kecamatan: dict[str, str]
    categories: dict[str, str]

    @classmethod
    def of(cls, config: AppConfig) -> Places:
        """Read the names from the config."""
        return cls({f.id: f.name for f in config.forums},
                   {kel.name: kec.name for kec in config.city.kecamatan for kel in kec.kelurahan},
                   {code: c.label for code, c in config.categories.items()})

    def category(self, code: str | None) -> str:
        """A category's label (the code itself when config has none)."""
        return "" if code is None else self.categories.get(code, code)


def _proposals(session: Session, scope: Scope) -> list[tuple[Proposal, Cluster]]:
    """The counted aspirations of the scope (services.core.counting), by cluster and date."""
    query = counting.counted_aspirations(select(Proposal, Cluster), scope).order_by(
        col(Cluster.id), col(Proposal.created_at), col(Proposal.id))
    return [(p, c) for p, c in session.exec(query).all()]


def _latest_answers(session: Session, cluster_ids: set[int]) -> dict[int, Reply]:
    """The newest staff answer per cluster."""
    latest: dict[int, Reply] = {}
    cluster_wide = col(Reply.resident_id).is_(None)  # a private one-to-one answer never goes in an export
    for reply in session.exec(select(Reply).where(col(Reply.cluster_id).in_(cluster_ids), col(Reply.from_staff),
                                                  cluster_wide).order_by(col(Reply.id))).all():
        latest[reply.cluster_id] = reply
    return latest


def spread(places: Counter[str]) -> str:
    """Names with counts, most first: "Lok Tuan (3), Guntung (1)"."""
    return ", ".join(f"{name} ({n})" for name, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0])))


def full_title(cluster: Cluster, members: list[Proposal]) -> str:
    """The cluster's title in full: the member text it was shortened from, else the title as set."""
    if cluster.title.endswith("…"):
        for proposal in members:
            if short_title(proposal.text_redacted, TITLE_CHARS) == cluster.title:
                return redact(proposal.text_redacted)
    return redact(cluster.title)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A moment in the city's zone, without tzinfo (spreadsheets have none)."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _aspiration_row(proposal: Proposal, cluster: Cluster, places: Places, tz: ZoneInfo) -> tuple[Any, ...]:
    """One row of the Aspirasi sheet; the date is when the resident sent it (a hold does not move it)."""
    kelurahan = proposal.kelurahan or ""
    return (proposal.code, cluster.code, places.forums.get(proposal.forum_id or "", proposal.forum_id or ""),
            places.kecamatan.get(kelurahan, ""), kelurahan, places.category(cluster.category),
            redact(proposal.text_redacted), _local(proposal.created_at, tz), *_attached(proposal))


def _attached(proposal: Proposal) -> tuple[int, str, str]:
    """Whether the aspiration carries a photo (1/0), and its pin as coordinates and a map link (or blanks)."""
    lat, lon = proposal.latitude, proposal.longitude
    pin = ("", "") if lat is None or lon is None else (coordinates(lat, lon), map_link(lat, lon))
    return (1 if proposal.photo_file_id else 0, *pin)


def _cluster_row(cluster: Cluster, members: list[Proposal], places: Places, tz: ZoneInfo,
                 supporters: tuple[int, list[tuple[str, int]]], answer: Reply | None,
                 status_label: Callable[[str], str], attached: Counts) -> tuple[Any, ...]:
    """One row of the Kelompok sheet."""
    dates = [p.created_at for p in members]
    home = cluster.home_forum_id or members[0].forum_id or ""
    answered = "" if answer is None else f"{answer.created_at.astimezone(tz):%d-%m-%Y}: {redact(answer.text)}"
    kecamatan = Counter(places.kecamatan.get(p.kelurahan or "", UNKNOWN) for p in members)
    return (cluster.code, full_title(cluster, members), places.category(cluster.category),
            places.forums.get(home, home), spread(kecamatan),
            spread(Counter(p.kelurahan or UNKNOWN for p in members)), supporters[0], len(members),
            status_label(cluster.status), _local(min(dates), tz), _local(max(dates), tz), answered,
            spread(Counter(dict(supporters[1]))), attached.photos, attached.pins)


def build_tables(
    *, session: Session, config: AppConfig, forum_id: str | None = None, since: datetime | None = None,
    status_label: Callable[[str], str] = str, now: datetime | None = None, cluster_ids: set[int] | None = None,
) -> ExportTables:
    """Collect the clusters, aspirations and period figures of an export (only `cluster_ids`, when given)."""
    places, tz = Places.of(config), config.city.tz
    scope = Scope(forums=None if forum_id is None else frozenset({forum_id}),
                  cluster_ids=None if cluster_ids is None else frozenset(cluster_ids),
                  since=0 if since is None else counting.mark_at(session, since))
    by_cluster: dict[int, list[Proposal]] = defaultdict(list)
    clusters: dict[int, Cluster] = {}
    aspirations = []
    for proposal, cluster in _proposals(session, scope):
        assert cluster.id is not None
        by_cluster[cluster.id].append(proposal)
        clusters[cluster.id] = cluster
        aspirations.append(_aspiration_row(proposal, cluster, places, tz))
    counts, spreads = counting.cluster_figures(session, scope), counting.supporter_places(session, set(clusters))
    answers = _latest_answers(session, set(clusters))
    groups, attached = cluster_labels(session, clusters), counting.attachment_counts(session, scope)
    table = [(*_cluster_row(clusters[cid], members, places, tz, (counts[cid].supporters, spreads.get(cid, [])),
                            answers.get(cid), status_label, attached.get(cid, Counts())),
              ", ".join(label_names("kelompok", groups[cid].groups)))
             for cid, members in by_cluster.items()]
    table.sort(key=lambda row: (-row[6], row[0]))
    name = places.forums.get(forum_id, forum_id) if forum_id else None
    people = {"residents": counting.totals(session, scope).residents,
              "answered": len(counting.answered_ids(session, scope)),
              "overdue": len(counting.overdue_ids(session, config, scope, now or utcnow()))}
    figures = period_figures(table, aspirations, scope=name, since=since, now=now or utcnow(), tz=tz, extra=people)
    figures += loop_figures(counting.satisfaction(session, scope))  # closing the loop (answers/satisfaction.py)
    return ExportTables(table, aspirations, figures)


def loop_figures(loop: counting.Satisfaction) -> list[tuple[str, Any]]:
    """The Ringkasan sheet's closing-the-loop rows (services.counting.satisfaction)."""
    label = FIGURE_LABELS
    share = None if loop.solved_share is None else round(100 * loop.solved_share, 1)
    return [(label["loop_answered"], loop.answered), (label["loop_sudah"], loop.sudah),
            (label["loop_belum"], loop.belum), (label["loop_sebagian"], loop.sebagian),
            (label["loop_share"], share), (label["loop_median"], loop.median_days_to_solved),
            (label["loop_reopened"], loop.reopened), (label["loop_up"], loop.up), (label["loop_down"], loop.down)]


def period_figures(clusters: list[tuple[Any, ...]], aspirations: list[tuple[Any, ...]], *, scope: str | None,
                   since: datetime | None, now: datetime, tz: ZoneInfo,
                   extra: dict[str, int] | None = None) -> list[tuple[str, Any]]:
    """The Ringkasan sheet: the period, totals, answers, and counts per kecamatan, kelurahan, category, status.

    `extra` holds the figures that are not sums of the rows (residents, answered, overdue: services.core.counting).
    """
    extra = extra or {"residents": 0, "answered": 0, "overdue": 0}
    start = _local(since, tz) if since is not None else (min(r[7] for r in aspirations) if aspirations else None)
    label = FIGURE_LABELS
    rows: list[tuple[str, Any]] = [
        (label["scope"], scope or label["scope_all"]), (label["period_start"], start),
        (label["period_end"], _local(now, tz)),
        (label["aspirations"], len(aspirations)), (label["residents"], extra["residents"]),
        (label["clusters"], len(clusters)), (label["supporters"], sum(r[6] for r in clusters)),
        (label["answered"], extra["answered"]), (label["overdue"], extra["overdue"]),
    ]
    counted = [(label["kecamatan"], Counter(r[3] or UNKNOWN for r in aspirations)),
               (label["kelurahan"], Counter(r[4] or UNKNOWN for r in aspirations)),
               (label["category"], Counter(r[5] or UNKNOWN for r in aspirations)),
               (label["status"], Counter(r[8] for r in clusters))]
    for heading, counts in counted:
        rows += [(f"{heading}: {name}", n) for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return rows


def _write_sheet(book: Workbook, title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                 widths: tuple[int, ...], wrapped: set[str]) -> None:
    """One sheet: bold frozen header, autofilter, its own widths, long texts wrapped, formulas defused."""
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
            if cell.column_letter in wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def write_sheets(sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]], target: Path | IO[bytes],
                 widths: tuple[int, ...]) -> None:
    """Write sheets (title, columns, rows), each with the same column widths."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, columns, rows in sheets:
        _write_sheet(book, title, columns, rows, widths, set())
    book.save(target)


def write_xlsx(tables: ExportTables, target: Path | IO[bytes]) -> None:
    """Write the Kelompok, Aspirasi and Ringkasan sheets, each with its own widths."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, columns, rows in ((CLUSTER_SHEET, CLUSTER_COLUMNS, tables.clusters),
                                 (ASPIRATION_SHEET, ASPIRATION_COLUMNS, tables.aspirations),
                                 (FIGURES_SHEET, FIGURE_COLUMNS, tables.figures)):
        _write_sheet(book, title, columns, rows, WIDTHS[title], WRAPPED[title])
    book.save(target)


def export_name(forum_id: str | None, day: date, suffix: str) -> str:
    """An export's file name: the forum (or all forums) and the day, e.g. aspirasi-semua-20261130.xlsx."""
    return t("export_file", scope=forum_id or t("export_file_all"), date=f"{day:%Y%m%d}", suffix=suffix)


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
    """Write kelompok.csv, aspirasi.csv and ringkasan.csv into a .zip, or as files beside `out`."""
    files = {f"{CLUSTER_SHEET.lower()}.csv": csv_bytes(CLUSTER_COLUMNS, tables.clusters),
             f"{ASPIRATION_SHEET.lower()}.csv": csv_bytes(ASPIRATION_COLUMNS, tables.aspirations),
             f"{FIGURES_SHEET.lower()}.csv": csv_bytes(FIGURE_COLUMNS, tables.figures)}
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
