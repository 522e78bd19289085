"""Ekspor: CSV and XLSX of exactly the list's filtered view, and the Musrenbang workbook (services.reports.exports)."""

import io
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from models.types import utcnow
from services.core.texts import status_label
from services.core.texts_web import tw
from services.reports.exports import CLUSTER_COLUMNS, ExportTables, build_tables, csv_bytes, write_xlsx
from services.reports.musrenbang import musrenbang_sheets, write_musrenbang
from web.pages import filter_query, parse_filters, viewer_forums
from web.queries import chosen_ids
from web.render import render
from web.security import context_of, require_viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MUSRENBANG_COLUMNS = ("mus_priority", "mus_code", "mus_activity", "mus_location", "mus_volume", "mus_sector",
                      "mus_status", "mus_supporters_from", "mus_vulnerable", "mus_photos", "mus_pins")


def _chosen(request: Request) -> tuple[set[int], str]:
    """The ids of the clusters the URL's filters select, and the query that names them."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    filters = parse_filters(request.query_params, ctx.config, viewer)
    with Session(ctx.engine) as session:
        ids = chosen_ids(session, ctx.config, viewer_forums(viewer), filters, utcnow())
    return set(ids), filter_query(filters, hal="")


def _download(data: bytes, media: str, name: str, request: Request) -> Response:
    """A file download, named with the day (city time)."""
    stamp = datetime.now(context_of(request).config.city.tz).strftime("%Y%m%d")
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="aspirasi-{name}-{stamp}.'
                                                    f'{"csv" if media.startswith("text") else "xlsx"}"'})


def export_page(request: Request) -> Response:
    """The export page: links to the three files for the current filters."""
    _, query = _chosen(request)
    return render(request, "export.html", {"query": query})


def _filtered_tables(request: Request) -> ExportTables:
    """The export tables of exactly the clusters the request's filters show."""
    ids, _ = _chosen(request)
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        return build_tables(session=session, config=ctx.config, status_label=status_label, cluster_ids=ids)


def export_csv(request: Request) -> Response:
    """The filtered clusters as CSV (UTF-8 with BOM for spreadsheet programs)."""
    tables = _filtered_tables(request)
    return _download(csv_bytes(CLUSTER_COLUMNS, tables.clusters), "text/csv; charset=utf-8", "kelompok", request)


def export_xlsx(request: Request) -> Response:
    """The filtered clusters and their aspirations as an XLSX workbook."""
    tables = _filtered_tables(request)
    out = io.BytesIO()
    write_xlsx(tables, out)
    return _download(out.getvalue(), XLSX, "kelompok", request)


def export_musrenbang(request: Request) -> Response:
    """The Musrenbang workbook of the filtered clusters: one sheet per kelurahan."""
    ids, _ = _chosen(request)
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        sheets = musrenbang_sheets(session=session, config=ctx.config, cluster_ids=ids, status_label=status_label,
                                   columns=tuple(tw(key) for key in MUSRENBANG_COLUMNS))
    out = io.BytesIO()
    write_musrenbang(sheets, out)
    return _download(out.getvalue(), XLSX, "musrenbang", request)
