"""The pages people read: Ringkasan, Kelompok (list and one cluster) and Peta. Plain `def`: the DB is sync."""

import secrets
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from models.clusters import Cluster, ClusterStatus, get_cluster_by_code, supporter_count
from models.types import utcnow
from nlp.beneficiaries import GROUPS
from services.access.weblogin import Viewer
from services.answers.attachments import Counts
from services.answers.satisfaction import loop_comments
from services.core import boundaries, counting
from services.core.config import AppConfig
from services.core.texts import status_label
from services.core.texts_web import long_date, tw
from services.core.vulnerable import label_names
from web import attachments, charts, conversation, figures
from web.queries import MEANINGS, PERIODS, SORTS, Filters, list_page, load_rows
from web.render import render
from web.security import context_of, require_viewer, visible_cluster


def parse_filters(params: QueryParams, config: AppConfig, viewer: Viewer) -> Filters:
    """Read the list's filters from the URL; unknown values are ignored, not errors."""
    forum = params.get("forum", "")
    kelurahan = params.get("kelurahan", "")
    kategori = params.get("kategori", "")
    status = params.get("status", "")
    periode = params.get("periode", "")
    urut = params.get("urut", "pendukung")
    arti = params.get("arti", "lokasi")
    hal = params.get("hal", "1")
    rentan = params.get("rentan", "")
    return Filters(
        forum=forum if forum in viewer.forums else "",
        kelurahan=kelurahan if config.city.kelurahan_by_name(kelurahan) else "",
        arti=arti if arti in MEANINGS else "lokasi",
        kategori=kategori if kategori in config.categories else "",
        status=status if status in {s.value for s in ClusterStatus} else "",
        terlambat=params.get("terlambat") == "1",
        periode=int(periode) if periode.isdigit() and int(periode) in PERIODS else 0,
        q=params.get("q", "")[:100].strip(),
        urut=urut if urut in SORTS else "pendukung",
        rentan=rentan if rentan in GROUPS else "",
        hal=int(hal) if hal.isdigit() and 0 < int(hal) < 100_000 else 1,
    )


def filter_query(filters: Filters, **changes: object) -> str:
    """The URL query of a filter (without defaults), with some values changed."""
    values: dict[str, object] = {"forum": filters.forum, "kelurahan": filters.kelurahan,
              "arti": "" if filters.arti == "lokasi" else filters.arti, "kategori": filters.kategori,
              "status": filters.status, "terlambat": "1" if filters.terlambat else "",
              "periode": filters.periode or "", "q": filters.q, "rentan": filters.rentan,
              "urut": "" if filters.urut == "pendukung" else filters.urut,
              "hal": "" if filters.hal == 1 else filters.hal}
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in ("", None, 0)})


def viewer_forums(viewer: Viewer) -> frozenset[str] | None:
    """The home forums whose clusters the viewer sees (None: all)."""
    return None if viewer.sees_all else viewer.forums


def summary(request: Request) -> Response:
    """Ringkasan: counts, new and growing clusters, overdue, answers, charts with their numbers."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    config = ctx.config
    with Session(ctx.engine) as session:
        result = figures.summarise(session, config, viewer_forums(viewer), now=utcnow())
    weeks = [(long_date(w, config.city.tz, with_time=False), n) for w, n in result.per_week]
    short_weeks = [(f"{w.day}/{w.month}", n) for w, n in result.per_week]
    labels = [(config.categories[c].label if c in config.categories else c, n) for c, n in result.per_category]
    return render(request, "summary.html", {
        "s": result, "weeks": weeks, "categories": labels,
        "week_chart": charts.column_chart(tw("chart_weeks"), short_weeks),
        "category_chart": charts.bar_chart(tw("chart_categories"), labels),
    })


def cluster_list(request: Request) -> Response:
    """Kelompok: the filtered, sorted, paginated list (filtered, counted and paged in SQL: web.queries)."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    config = ctx.config
    filters = parse_filters(request.query_params, config, viewer)
    with Session(ctx.engine) as session:
        shown, total, pages = list_page(session, config, viewer_forums(viewer), filters, utcnow())
    return render(request, "clusters.html", {
        "rows": shown, "total": total, "f": filters, "pages": pages, "page": min(filters.hal, pages),
        "query": lambda **changes: filter_query(filters, **changes), "periods": PERIODS, "sorts": SORTS,
        "meanings": MEANINGS, "groups": list(zip(GROUPS, label_names("kelompok", GROUPS), strict=True)),
        "group_names": lambda values: ", ".join(label_names("kelompok", values)),
        "statuses": [s.value for s in ClusterStatus],
        "forums": [f for f in config.forums if f.id in viewer.forums],
    })


def joined_code(session: Session, viewer: Viewer, code: str) -> str | None:
    """The code of the cluster a merged cluster joined (through later merges), when the viewer may see it."""
    cluster = get_cluster_by_code(session=session, code=code)
    seen: set[int] = set()
    while cluster is not None and cluster.merged_into_id is not None and cluster.merged_into_id not in seen:
        seen.add(cluster.merged_into_id)
        cluster = session.get(Cluster, cluster.merged_into_id)
    if cluster is None or cluster.code == code or cluster.code is None:
        return None
    try:
        return visible_cluster(session, viewer, cluster.code).code
    except HTTPException:
        return None


def cluster_page(request: Request) -> Response:
    """Kelompok K-…: everything about one cluster, and the forms the viewer's role allows."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    tz = ctx.config.city.tz
    flash = request.session.pop("flash", None) or ["", ""]
    with Session(ctx.engine) as session:
        if (joined := joined_code(session, viewer, request.path_params["code"])) is not None:
            # an old link of a merged cluster; temporary, as Urungkan may take the merge back
            return RedirectResponse(request.url_for("cluster", code=joined), status_code=302)
        cluster = visible_cluster(session, viewer, request.path_params["code"])
        trail = figures.audit_trail(session, cluster)
        weekly = figures.supporters_per_week(session, cluster, tz)
        photos, pins = attachments.of_cluster(session, cluster.id or 0, cluster.code or "")
        page = {
            "photos": photos, "pins": pins, "attached": counting.attachment_counts(
                session, counting.Scope(cluster_ids=frozenset({cluster.id or 0}))).get(cluster.id or 0, Counts()),
            "c": cluster, "supporters": supporter_count(session=session, cluster_id=cluster.id or 0),
            "members": figures.members(session, cluster),
            "loop": counting.satisfaction(session, counting.Scope(cluster_ids=frozenset({cluster.id or 0}))),
            "loop_comments": loop_comments(session, cluster.id or 0),
            "conversation": conversation.conversation(session, cluster, ctx.config),
            "trail": [(e, conversation.actor_name(e.actor, ctx.config), conversation.action_words(e.action),
                       figures.change_summary(e, ctx.config, status_label)) for e in trail],
            "history": [e for e in trail if e.action == "status"],
            "weekly": [(long_date(w, tz, with_time=False), n) for w, n in weekly],
            "weekly_chart": charts.column_chart(tw("supporters_week"), [(f"{w.day}/{w.month}", n) for w, n in weekly]),
            "statuses": [s.value for s in ClusterStatus], "flash": flash, "form_id": secrets.token_urlsafe(16),
            "can_moderate": viewer.role == "admin" or (viewer.role == "moderator"
                                                      and cluster.home_forum_id in viewer.forums),
        }
    return render(request, "cluster.html", page)


def map_page(request: Request) -> Response:
    """Peta: aspirations per kelurahan, as tiles by kecamatan or as real shapes from a GeoJSON file; the pins."""
    viewer = require_viewer(request)
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        rows = load_rows(session=session, config=ctx.config, forums=viewer_forums(viewer), now=utcnow())
    counts = figures.per_kelurahan(rows)
    shapes = boundaries.shapes_of(ctx.config)
    if shapes:
        drawing = charts.shape_map(shapes, counts, tw("map_title"))
    else:
        drawing = charts.tile_map(ctx.config, counts, tw("map_title"))
    table = [(kec.name, kel.name, counts.get(kel.name, 0))
             for kec in ctx.config.city.kecamatan for kel in kec.kelurahan]
    with Session(ctx.engine) as session:
        pins = attachments.pins_per_kelurahan(session, {row.id: row.cluster.code or "" for row in rows}, shapes)
    points = charts.points_map(tw("pins_title"), [(p.latitude, p.longitude, p.cluster) for _, ps in pins for p in ps])
    return render(request, "map.html", {"drawing": drawing, "table": table, "pins": pins, "points": points})
