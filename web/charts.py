"""Charts and the map drawn on the server as SVG: no script, no tiles, no network; numbers sit in tables beside.

Every SVG has role="img" and a title; the tables next to them carry the same numbers for screen readers.
"""

import zlib
from html import escape

from markupsafe import Markup

from services.core.boundaries import Shape
from services.core.config import AppConfig

BAR = "#1d5fa8"  # 6.3:1 on white
INK = "#1b1b1b"
SHADES = ("#eef4fb", "#c9dcf0", "#8fb6de", "#2c64a0", "#1d4f8a", "#0f3d70")  # light to dark; white text on the dark 3


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    """Wrap shapes in an accessible SVG element."""
    ident = f"t-{zlib.crc32(title.encode())}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{ident}" class="chart"><title id="{ident}">'
            f"{escape(title)}</title>")
    return Markup(head + "".join(body) + "</svg>")


def column_chart(title: str, points: list[tuple[str, int]]) -> Markup:
    """Vertical bars with the label under each one and the value above it."""
    width, height, left, bottom = 640, 220, 10, 40
    top = max((v for _, v in points), default=0) or 1
    step = (width - 2 * left) / max(len(points), 1)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="{INK}"/>']
    for i, (label, value) in enumerate(points):
        bar_h = (height - bottom - 30) * value / top
        x, y = left + i * step + step * 0.15, height - bottom - bar_h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="{BAR}"/>')
        body.append(f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{value}</text>')
        body.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                    f'font-size="11" fill="{INK}">{escape(label)}</text>')
    return _svg(width, height, title, body)


def bar_chart(title: str, points: list[tuple[str, int]]) -> Markup:
    """Horizontal bars, one row per label, the value at the end of each bar."""
    row, label_w, width = 26, 190, 640
    top = max((v for _, v in points), default=0) or 1
    body = []
    for i, (label, value) in enumerate(points):
        y, bar_w = i * row + 4, (width - label_w - 50) * value / top
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{INK}">'
                    f"{escape(label)}</text>")
        body.append(f'<rect x="{label_w}" y="{y}" width="{bar_w:.1f}" height="{row - 8}" fill="{BAR}"/>')
        body.append(f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 15}" font-size="12" fill="{INK}">{value}</text>')
    return _svg(width, max(len(points), 1) * row + 8, title, body)


def shade(value: int, top: int) -> tuple[str, str]:
    """Fill and text colour for a count: darker for more, white text on the dark shades."""
    level = 0 if not value else 1 + min(4, int(4 * value / max(top, 1)))
    return SHADES[level], "#ffffff" if level >= 3 else INK


def tile_map(config: AppConfig, counts: dict[str, int], title: str) -> Markup:
    """The kelurahan as labelled tiles, one row per kecamatan, shaded by count."""
    tile_w, tile_h, gap, head = 150, 64, 8, 22
    top = max(counts.values(), default=0)
    rows = config.city.kecamatan
    width = gap + max(len(k.kelurahan) for k in rows) * (tile_w + gap)
    body, y = [], gap
    for kecamatan in rows:
        body.append(f'<text x="{gap}" y="{y + 15}" font-size="14" font-weight="bold" fill="{INK}">'
                    f"{escape(kecamatan.name)}</text>")
        y += head
        for i, kelurahan in enumerate(kecamatan.kelurahan):
            n = counts.get(kelurahan.name, 0)
            fill, ink = shade(n, top)
            x = gap + i * (tile_w + gap)
            body.append(f'<rect x="{x}" y="{y}" width="{tile_w}" height="{tile_h}" rx="6" fill="{fill}" '
                        f'stroke="{INK}" stroke-width="0.5"/>')
            body.append(f'<text x="{x + 8}" y="{y + 22}" font-size="13" fill="{ink}">{escape(kelurahan.name)}</text>')
            body.append(f'<text x="{x + 8}" y="{y + 48}" font-size="20" font-weight="bold" fill="{ink}">{n}</text>')
        y += tile_h + gap
    return _svg(width, y, title, body)


def shape_map(shapes: tuple[Shape, ...], counts: dict[str, int], title: str) -> Markup:
    """Real kelurahan shapes (services.core.boundaries, at least one), shaded by count."""
    west, south = min(s.box[0] for s in shapes), min(s.box[1] for s in shapes)
    east, north = max(s.box[2] for s in shapes), max(s.box[3] for s in shapes)
    width, height = 640, max(200, int(640 * (north - south) / max(east - west, 1e-9)))
    scale = min(620 / max(east - west, 1e-9), (height - 20) / max(north - south, 1e-9))
    top, body = max(counts.values(), default=0), []
    for shape in shapes:
        name, rings = shape.kelurahan or shape.name, shape.outlines
        fill, ink = shade(counts.get(name, 0), top)
        for ring in rings:
            coords = " ".join(f"{10 + (lon - west) * scale:.1f},{10 + (north - lat) * scale:.1f}" for lon, lat in ring)
            body.append(f'<polygon points="{coords}" fill="{fill}" stroke="{INK}" stroke-width="0.8">'
                        f"<title>{escape(name)}: {counts.get(name, 0)}</title></polygon>")
        if rings:
            ring = rings[0]
            cx = 10 + (sum(p[0] for p in ring) / len(ring) - west) * scale
            cy = 10 + (north - sum(p[1] for p in ring) / len(ring)) * scale
            body.append(f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" font-size="11" fill="{ink}">'
                        f"{escape(name)} {counts.get(name, 0)}</text>")
    return _svg(width, height, title, body)


def points_map(title: str, points: list[tuple[float, float, str]]) -> Markup:
    """Residents' location pins (latitude, longitude, label) as dots in their own bounding box, north up."""
    if not points:
        return Markup("")
    width, height, pad = 640, 360, 40
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    span = max(north - south, east - west, 1e-3)
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="{SHADES[0]}"/>']
    for lat, lon, label in points:
        x = pad + (lon - west) / span * (width - 2 * pad)
        y = height - pad - (lat - south) / span * (height - 2 * pad)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{BAR}" stroke="#ffffff" stroke-width="1.5">'
                    f"<title>{escape(label)}</title></circle>")
        body.append(f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" font-size="12" fill="{INK}">{escape(label)}</text>')
    return _svg(width, height, title, body)
