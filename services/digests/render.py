"""Render a digest as Telegram HTML within Telegram's limits (services/tg_html; the CLI shows it as plain text)."""

from services.core.config import AppConfig
from services.core.formats import moment
from services.core.texts import raw, status_label, t
from services.core.tg_html import split_html
from services.core.vulnerable import counted_text, labels_text
from services.digests.data import ClusterLine, DigestData
from services.digests.queries import shorten

DETAILED = 10  # clusters shown with places, status and quote; the rest get one line each


def places_text(line: ClusterLine, limit: int = 4) -> str:
    """Where the supporters live, adding up to them: "Lok Tuan 3, Guntung 1, 2 dari kelurahan lain"."""
    shown = ", ".join(f"{name} {count}" for name, count in line.places[:limit]) or "-"
    rest = sum(count for _, count in line.places[limit:])
    return raw("places_more", shown=shown, rest=rest) if rest > 0 else shown


def _waiting(line: ClusterLine) -> str:
    """How long the cluster has waited for a staff answer."""
    if line.waiting_days is None:
        return t("digest_closed_mark") if line.status in {"selesai", "ditolak"} else t("digest_answered_mark")
    if line.overdue:
        return t("digest_overdue", days=line.waiting_days)
    return t("digest_waiting", days=line.waiting_days) if line.waiting_days else t("digest_waiting_new")


def cluster_block(rank: int, line: ClusterLine, config: AppConfig, *, detailed: bool, excluded: bool = False) -> str:
    """One cluster of the digest (marked when the moderator left it out of the forward)."""
    change = t("digest_change", added=line.added, previous=line.previous_added)
    mark = "\n   " + t("digest_excluded_mark") if excluded else ""
    if not detailed:
        short = t("digest_cluster_short", rank=rank, code=line.code, title=shorten(line.title, 90),
                  supporters=line.supporters, change=change)
        return (f"{short} · {line.attachments}" if line.attachments else short) + mark
    block = t("digest_cluster", rank=rank, code=line.code, title=line.title,
              new=" " + t("digest_new_mark") if line.new else "", supporters=line.supporters, change=change,
              places=places_text(line), category=config.category_label(line.category) or t("digest_no_category"),
              status=status_label(line.status),
              waiting=_waiting(line))
    block += "\n   " + t("digest_quote", quote=line.quote) if line.quote else ""
    block += "\n   " + labels_line(line) if line.groups or line.aid_kinds else ""
    block += "\n   " + t("attachments_line", badge=line.attachments, code=line.code) if line.attachments else ""
    return block + mark


def labels_line(line: ClusterLine) -> str:
    """The groups a cluster concerns and its social-aid problems: "🫂 Lansia · 🧾 Salah sasaran"."""
    return labels_text(line.groups, line.aid_kinds)


def forum_labels(data: DigestData) -> str:
    """One line for the forum: the period's requests concerning vulnerable groups, and its aid problems."""
    parts = [t("digest_vulnerable", groups=counted_text("kelompok", data.vulnerable))] if data.vulnerable else []
    parts += [t("digest_aid", kinds=counted_text("masalah", data.aid))] if data.aid else []
    return " · ".join(parts)


def header(data: DigestData, config: AppConfig, *, on_demand: bool = False) -> str:
    """The title, period and counts."""
    tz = config.city.tz
    parts = [t("digest_header", forum=data.forum_name, start=moment(data.period_start, tz),
               end=moment(data.period_end, tz))]
    if on_demand:
        parts.append(t("digest_ondemand_note"))
    if data.aspirations == 0 and not data.top:
        parts.append(t("digest_empty"))
    else:
        parts.append(t("digest_counts", aspirations=data.aspirations, residents=data.residents,
                       clusters=data.clusters, new_clusters=data.new_clusters))
        parts += [forum_labels(data)] if data.vulnerable or data.aid else []
    return "\n".join(parts)


def blocks(data: DigestData, config: AppConfig, *, on_demand: bool = False, footer: str | None = None,
           excluded: frozenset[int] = frozenset()) -> list[str]:
    """The digest as paragraphs, in reading order; `excluded` clusters are marked as hidden from staff."""
    out = [header(data, config, on_demand=on_demand)]
    if data.top:
        out.append(t("digest_top_header"))
        out.extend(cluster_block(rank, line, config, detailed=rank <= DETAILED, excluded=line.id in excluded)
                   for rank, line in enumerate(data.top, 1))
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
    if data.loop:  # closing the loop (services/answers/satisfaction.py): one line per forum, reopened clusters
        out.append("\n".join([data.loop] + [t("satisfaction_digest_reopened", code=code, belum=belum, answered=n)
                                             for code, belum, n in data.reopened]))
    if footer:
        out.append(footer)
    return out


def render(data: DigestData, config: AppConfig, *, on_demand: bool = False, footer: str | None = None,
           excluded: frozenset[int] = frozenset()) -> list[str]:
    """The digest as Telegram HTML messages."""
    return split_html("\n\n".join(blocks(data, config, on_demand=on_demand, footer=footer, excluded=excluded)))
