"""Render a digest as Telegram HTML within Telegram's limits (services/tg_html), and as plain text for the CLI."""

import html
import re
from datetime import datetime, tzinfo

from services.digest_data import ClusterLine, DigestData
from services.digest_queries import shorten
from services.texts import status_label, t
from services.tg_html import split_html

DETAILED = 10  # clusters shown with places, status and quote; the rest get one line each


def _when(moment: datetime, tz: tzinfo) -> str:
    """A period bound as people read it (city time)."""
    return moment.astimezone(tz).strftime("%d-%m-%Y %H:%M")


def places_text(line: ClusterLine, limit: int = 4) -> str:
    """Kelurahan spread, e.g. "Lok Tuan 3, Guntung 1 (+2 lainnya)"."""
    shown = ", ".join(f"{name} {count}" for name, count in line.places[:limit]) or "-"
    rest = len(line.places) - limit
    return f"{shown} (+{rest} lainnya)" if rest > 0 else shown


def _waiting(line: ClusterLine) -> str:
    """How long the cluster has waited for a staff answer."""
    if line.waiting_days is None:
        return t("digest_closed_mark") if line.status in {"selesai", "ditolak"} else t("digest_answered_mark")
    return t("digest_overdue" if line.overdue else "digest_waiting", days=line.waiting_days)


def cluster_block(rank: int, line: ClusterLine, *, detailed: bool) -> str:
    """One cluster of the digest."""
    change = t("digest_change", added=line.added, previous=line.previous_added)
    if not detailed:
        return t("digest_cluster_short", rank=rank, code=line.code, title=shorten(line.title, 90),
                 supporters=line.supporters, change=change)
    block = t("digest_cluster", rank=rank, code=line.code, title=line.title,
              new=" " + t("digest_new_mark") if line.new else "", supporters=line.supporters, change=change,
              places=places_text(line), category=_category(line.category), status=status_label(line.status),
              waiting=_waiting(line))
    return block + ("\n   " + t("digest_quote", quote=line.quote) if line.quote else "")


def _category(category: str | None) -> str:
    """A category code as people read it."""
    return category.replace("_", " ").capitalize() if category else t("digest_no_category")


def header(data: DigestData, tz: tzinfo, *, on_demand: bool = False) -> str:
    """The title, period and counts."""
    parts = [t("digest_header", forum=data.forum_name, start=_when(data.period_start, tz),
               end=_when(data.period_end, tz))]
    if on_demand:
        parts.append(t("digest_ondemand_note"))
    if data.aspirations == 0 and not data.top:
        parts.append(t("digest_empty"))
    else:
        parts.append(t("digest_counts", aspirations=data.aspirations, residents=data.residents,
                       clusters=data.clusters, new_clusters=data.new_clusters))
    return "\n".join(parts)


def blocks(data: DigestData, tz: tzinfo, *, on_demand: bool = False, footer: str | None = None) -> list[str]:
    """The digest as paragraphs, in reading order."""
    out = [header(data, tz, on_demand=on_demand)]
    if data.top:
        out.append(t("digest_top_header"))
        out.extend(cluster_block(rank, line, detailed=rank <= DETAILED) for rank, line in enumerate(data.top, 1))
        if data.more_clusters:
            out.append(t("digest_more", count=data.more_clusters))
    if data.answered:
        out.append("\n".join([t("digest_answered_header")] + [
            t("digest_answered_item", code=a.code, title=a.title, answers=a.answers, status=status_label(a.status))
            for a in data.answered]))
    if data.suggestions:
        out.append("\n".join([t("digest_suggestions_header")] + [
            t(f"digest_suggestion_{s.kind}", codes=" + ".join(s.codes), count=s.proposals, score=f"{s.score:.2f}")
            for s in data.suggestions]))
    if footer:
        out.append(footer)
    return out


def render(data: DigestData, tz: tzinfo, *, on_demand: bool = False, footer: str | None = None) -> list[str]:
    """The digest as Telegram HTML messages."""
    return split_html("\n\n".join(blocks(data, tz, on_demand=on_demand, footer=footer)))


def plain(text: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
