"""What a moderator reads before a cluster-changing action is done: the clusters involved with their titles,
sizes and categories (labels, not codes), a warning when merged clusters' categories differ. Each preview
checks what the action itself checks, and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.suggestions import SuggestionKind
from services.core.config import AppConfig
from services.core.texts import raw, t
from services.moderation import curation, suggestion_review
from services.moderation.merge_split import Actor, ModerationError, own_cluster, own_proposal


@dataclass(frozen=True)
class ClusterSummary:
    """A cluster as a preview shows it (redacted title)."""

    code: str
    title: str
    size: int
    category: str | None


def summarise(session: Session, cluster: Cluster) -> ClusterSummary:
    """A cluster's code, title, number of published aspirations and category."""
    size = session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.cluster_id == cluster.id, Proposal.state == ProposalState.SUBMITTED)).one()
    assert cluster.code is not None
    return ClusterSummary(cluster.code, cluster.title, int(size), cluster.category)


def label(config: AppConfig, category: str | None) -> str:
    """A category as people read it."""
    return config.category_label(category) or t("mod_no_category")


def line(config: AppConfig, summary: ClusterSummary) -> str:
    """One cluster in a preview."""
    return t("mod_preview_cluster", code=summary.code, title=summary.title[:150], size=summary.size,
             category=label(config, summary.category))


def _warning(config: AppConfig, summaries: list[ClusterSummary]) -> str:
    """The line warning that merged clusters' categories differ, or nothing."""
    categories = list(dict.fromkeys(s.category for s in summaries))
    if len(categories) < 2:
        return ""
    return "\n\n" + t("mod_preview_category_warning", keep=label(config, categories[0]),
                      absorb=", ".join(label(config, c) for c in categories[1:]))


def merge_preview(*, session: Session, actor: Actor, keep_code: str, absorb_code: str
                  ) -> tuple[ClusterSummary, ClusterSummary]:
    """The two clusters of a merge, checked as the merge itself checks them (nothing is changed)."""
    keep = own_cluster(session=session, actor=actor, code=keep_code)
    absorb = own_cluster(session=session, actor=actor, code=absorb_code)
    if keep.id == absorb.id:
        raise ModerationError("mod_same_cluster", code=keep.code)
    return summarise(session, keep), summarise(session, absorb)


def _merge(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    keep, absorb = merge_preview(session=session, actor=actor, keep_code=args["keep"], absorb_code=args["absorb"])
    return t("mod_preview_merge", keep=keep.code, keep_title=keep.title[:150], keep_size=keep.size,
             keep_category=label(config, keep.category), absorb=absorb.code, absorb_title=absorb.title[:150],
             absorb_size=absorb.size, absorb_category=label(config, absorb.category)) + _warning(config, [keep, absorb])


def _split(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    proposal = own_proposal(session=session, actor=actor, code=args["proposal"])
    if proposal.state != ProposalState.SUBMITTED or proposal.cluster_id is None:
        raise ModerationError("mod_not_in_cluster", code=proposal.code)
    source = session.get(Cluster, proposal.cluster_id)
    assert source is not None
    target = own_cluster(session=session, actor=actor, code=args["target"]) if args.get("target") else None
    if target is not None and target.id == source.id:
        raise ModerationError("mod_same_cluster", code=source.code)
    summary = summarise(session, source)
    if target is None and summary.size <= 1:  # a new cluster would only give the same aspiration a new code
        raise ModerationError("mod_split_alone", code=proposal.code, cluster=summary.code)
    where = line(config, summarise(session, target)) if target else t("mod_preview_new_cluster",
                                                                        category=label(config, source.category))
    text = raw("mod_preview_split", head=t("mod_preview_split_head", code=proposal.code, source=summary.code),
               text=t("mod_preview_quote", text=proposal.text_redacted[:300]), source=line(config, summary),
               target=where)
    return text + (_warning(config, [summary, summarise(session, target)]) if target else "")


def _hidden(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any], hide: bool) -> str:
    verb = "hide" if hide else "unhide"
    if curation.is_cluster_code(args["code"]):
        cluster = own_cluster(session=session, actor=actor, code=args["code"])
        if cluster.hidden == hide:
            raise ModerationError(f"mod_already_{verb}", code=cluster.code)
        return raw(f"mod_preview_{verb}_cluster", head=t(f"mod_preview_{verb}_head", code=cluster.code),
                   cluster=line(config, summarise(session, cluster)))
    proposal = own_proposal(session=session, actor=actor, code=args["code"])
    if (proposal.state == ProposalState.HIDDEN) == hide:
        raise ModerationError(f"mod_already_{verb}", code=proposal.code)
    home = session.get(Cluster, proposal.cluster_id) if proposal.cluster_id is not None else None
    where = line(config, summarise(session, home)) if home is not None else t("mod_preview_no_cluster")
    return raw(f"mod_preview_{verb}_proposal", head=t(f"mod_preview_{verb}_head", code=proposal.code),
               text=t("mod_preview_quote", text=proposal.text_redacted[:300]), cluster=where)


def _rename(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    title = curation.clean_title(args["title"])
    cluster = own_cluster(session=session, actor=actor, code=args["code"])
    return raw("mod_preview_rename", head=t("mod_preview_rename_head", code=cluster.code),
               cluster=line(config, summarise(session, cluster)), new=t("mod_preview_new_title", title=title))


def _recategorise(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    category = curation.check_category(args["category"], set(config.categories) or None)
    cluster = own_cluster(session=session, actor=actor, code=args["code"])
    return raw("mod_preview_recategorise", head=t("mod_preview_recategorise_head", code=cluster.code),
               cluster=line(config, summarise(session, cluster)),
               new=t("mod_preview_new_category", old=label(config, cluster.category), new=label(config, category)))


def forum_name(config: AppConfig, forum_id: str | None) -> str:
    """A forum's name as people read it."""
    forum = config.forum(forum_id or "")
    return forum.name if forum is not None else (forum_id or "-")


def _move_home(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    forums = {f.id for f in config.forums}
    if args["forum"] not in forums:
        raise ModerationError("mod_forum_unknown", forum=args["forum"], forums=", ".join(sorted(forums)))
    cluster = own_cluster(session=session, actor=actor, code=args["code"])
    if cluster.home_forum_id == args["forum"]:
        raise ModerationError("mod_home_same", code=cluster.code, forum=args["forum"])
    return raw("mod_preview_move_home", head=t("mod_preview_move_home_head", code=cluster.code),
               cluster=line(config, summarise(session, cluster)),
               new=t("mod_preview_new_forum", old=forum_name(config, cluster.home_forum_id),
                     new=forum_name(config, args["forum"])))


def _regroup(session: Session, config: AppConfig, actor: Actor, args: dict[str, Any]) -> str:
    suggestion = suggestion_review.open_suggestion(session=session, actor=actor, suggestion_id=args["suggestion"])
    clusters = [summarise(session, c) for c in suggestion_review.clusters_of(session, suggestion)]
    lines = "\n".join(line(config, s) for s in clusters)
    if suggestion.kind == SuggestionKind.MERGE:
        head = t("mod_preview_regroup_merge", id=suggestion.id, keep=clusters[0].code)
        return f"{head}\n{lines}" + _warning(config, clusters)
    proposals = session.exec(select(Proposal).where(col(Proposal.id).in_(suggestion.proposal_ids))).all()
    quotes = "\n".join(t("regroup_proposal_line", code=p.code or "", text=p.text_redacted[:120])
                       for p in proposals[:5])
    target = t("regroup_target_new") if len(clusters) < 2 else t("mod_preview_regroup_target")
    return "\n".join([t("mod_preview_regroup_split", id=suggestion.id, source=clusters[0].code), quotes,
                      target, lines])


PREVIEWS: dict[str, Callable[[Session, AppConfig, Actor, dict[str, Any]], str]] = {
    "merge": _merge, "split": _split, "rename": _rename, "recategorise": _recategorise, "move_home": _move_home,
    "regroup": _regroup,
    "hide": lambda s, c, a, x: _hidden(s, c, a, x, True), "unhide": lambda s, c, a, x: _hidden(s, c, a, x, False),
}


def preview(*, session: Session, config: AppConfig, actor: Actor, action: str, args: dict[str, Any]) -> str:
    """The preview of an action with its Ya / Batal question; ModerationError when it cannot be done."""
    return PREVIEWS[action](session, config, actor, args) + "\n\n" + t("mod_preview_question")
