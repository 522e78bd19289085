"""Bansos: social-aid requests per kelurahan and kind of problem, their trend by week, and Dinas Sosial's export.

Every figure comes from services.core.counting (aid_spread, aid_per_week); the export (services.reports.bansos) carries
no personal data.
"""

import io
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from services.core import counting
from services.core.counting import Scope
from services.core.texts import section
from services.core.texts_web import long_date
from services.core.vulnerable import label_names
from services.reports.bansos import WIDTHS, aid_rows, columns
from services.reports.exports import write_sheets
from web.render import render
from web.security import context_of, require_viewer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bansos_page(request: Request) -> Response:
    """The Bansos view: per kelurahan and kind, aspirations, residents and clusters; and per week."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    scope = Scope(forums=None if viewer.sees_all else viewer.forums)
    tz = ctx.config.city.tz
    with Session(ctx.engine) as session:
        spread = counting.aid_spread(session, scope)
        weeks = counting.aid_per_week(session, scope, tz)
    kind = dict(zip([r.kind for r in spread], label_names("masalah", [r.kind for r in spread]), strict=True))
    kind.update(zip([k for _, k, _ in weeks], label_names("masalah", [k for _, k, _ in weeks]), strict=True))
    return render(request, "bansos.html", {
        "spread": spread, "kind": kind,
        "weeks": [(long_date(datetime(w.year, w.month, w.day, tzinfo=tz), tz, with_time=False), kind[k], n)
                  for w, k, n in weeks],
        "note": section("bansos_export")["note"],
    })


def bansos_export(request: Request) -> Response:
    """One row per social-aid cluster (redacted texts, no personal data), and a note on how residents check."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    texts = section("bansos_export")
    with Session(ctx.engine) as session:
        rows = aid_rows(session=session, config=ctx.config, forums=None if viewer.sees_all else viewer.forums)
    out = io.BytesIO()
    write_sheets([(str(texts["sheet"]), columns(), rows),
                  (str(texts["note_sheet"]), (str(texts["note_sheet"]),), [(str(texts["note"]),)])], out, WIDTHS)
    stamp = datetime.now(ctx.config.city.tz).strftime("%Y%m%d")
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="aspirasi-bansos-{stamp}.xlsx"'})
