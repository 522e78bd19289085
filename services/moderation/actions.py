"""A previewed moderator action carried out on Ya, with its residents told in words that fit, and taken back
on Urungkan (see services.moderation.undo). Telegram-free: the handler stores `Done.undo` on the Urungkan button.

Who is told: a merge tells the followers of the absorbed cluster, a split the authors of the moved
aspirations, hiding or showing a cluster (or renaming, recategorising, moving it to another forum) its
followers, hiding or showing an aspiration its author. An undo tells exactly the residents who were told of
the change, and nobody else.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models.audit import record
from models.clusters import Support
from models.outbox import OutboxPurpose
from models.suggestions import RegroupSuggestion, SuggestionKind, SuggestionState
from services.core.config import AppConfig
from services.core.notify import queue_notices, reachable
from services.core.texts import raw, t
from services.intake.grouping import GroupingService
from services.moderation import curation, suggestion_review, undo
from services.moderation import merge_split as moderation
from services.moderation.merge_split import Actor, Moved, own_cluster, own_proposal
from services.moderation.previews import forum_name, label


@dataclass
class Change:
    """What an action did: the moderator's text, who to tell (and how), and how to word its undo."""

    text: str
    kind: str  # the texts' family: merge, split, hide_cluster, hide_proposal, rename, ...
    values: dict[str, Any]
    told: set[int] = field(default_factory=set)
    cluster_id: int | None = None


@dataclass(frozen=True)
class Done:
    """The moderator's confirmation and what the Urungkan button must remember."""

    text: str
    told: int
    undo: dict[str, Any]


def followers(session: Session, cluster_id: int) -> set[int]:
    """The residents following a cluster."""
    return set(session.exec(select(Support.resident_id).where(
        Support.cluster_id == cluster_id, col(Support.following).is_(True))).all())


def _moved(moved: list[Moved], kind: str) -> Change:
    """A merge or split (one or several, from a suggestion) as a change."""
    first = moved[0]
    values = {"kept": first.kept_code, "title": first.kept_title[:120],
              "other": ", ".join(m.other_code for m in moved),
              "codes": ", ".join(c for m in moved for c in m.proposal_codes[:5]),
              "count": sum(len(m.proposal_codes) for m in moved)}
    told = {r.resident_id for m in moved for r in m.recipients}
    key = "mod_merged_done" if kind == "merge" else "mod_split_done"
    return Change(t(key, **values, told=len(told)), kind, values, told, first.cluster_id)


def _merge(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    return _moved([moderation.merge(session=s, grouping=g, actor=a, keep_code=args["keep"],
                                    absorb_code=args["absorb"])], "merge")


def _split(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    return _moved([moderation.split(session=s, grouping=g, actor=a, proposal_code=args["proposal"],
                                    target_code=args.get("target"))], "split")


def _hidden(s: Session, g: GroupingService, a: Actor, code: str, hide: bool) -> Change:
    verb = "hide" if hide else "unhide"
    done = (curation.hide if hide else curation.unhide)(session=s, grouping=g, actor=a, code=code)
    text = t("mod_hidden_done" if hide else "mod_unhidden_done", code=done)
    if curation.is_cluster_code(code):
        cluster = own_cluster(session=s, actor=a, code=done)
        assert cluster.id is not None
        return Change(text, f"{verb}_cluster", {"code": done}, followers(s, cluster.id), cluster.id)
    proposal = own_proposal(session=s, actor=a, code=done)
    author = {proposal.resident_id} if proposal.resident_id is not None else set()
    return Change(text, f"{verb}_proposal", {"code": done}, author, proposal.cluster_id)


def _rename(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    old = own_cluster(session=s, actor=a, code=args["code"]).title
    cluster = curation.rename(session=s, actor=a, code=args["code"], title=args["title"])
    assert cluster.id is not None
    values = {"code": cluster.code, "title": cluster.title, "old": old}
    return Change(t("mod_renamed", **values), "rename", values, followers(s, cluster.id), cluster.id)


def _recategorise(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    old = label(c, own_cluster(session=s, actor=a, code=args["code"]).category)
    cluster = curation.recategorise(session=s, actor=a, code=args["code"], category=args["category"],
                                    allowed=set(c.categories) or None)
    assert cluster.id is not None
    values = {"code": cluster.code, "category": label(c, cluster.category), "old": old}
    return Change(t("mod_recategorised", **values), "recategorise", values, followers(s, cluster.id), cluster.id)


def _move_home(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    old = forum_name(c, own_cluster(session=s, actor=a, code=args["code"]).home_forum_id)
    cluster = curation.move_home(session=s, actor=a, code=args["code"], forum_id=args["forum"],
                                 forums={f.id for f in c.forums})
    assert cluster.id is not None
    values = {"code": cluster.code, "forum": forum_name(c, cluster.home_forum_id), "old": old}
    return Change(t("mod_moved_home", **values), "move_home", values, followers(s, cluster.id), cluster.id)


def _regroup(s: Session, g: GroupingService, c: AppConfig, a: Actor, args: dict[str, Any]) -> Change:
    decision = suggestion_review.decide(session=s, grouping=g, actor=a, suggestion_id=args["suggestion"],
                                        accept=True)
    if not decision.moved:  # overtaken by changes: nothing moved, nothing to tell or undo
        return Change(t(f"regroup_{decision.state}", id=args["suggestion"], told=0), "", {})
    change = _moved(list(decision.moved), "merge" if decision.kind == SuggestionKind.MERGE else "split")
    change.text = t("regroup_accepted", id=args["suggestion"], told=len(change.told)) + "\n" + change.text
    return change


ACTIONS: dict[str, Callable[[Session, GroupingService, AppConfig, Actor, dict[str, Any]], Change]] = {
    "merge": _merge, "split": _split, "rename": _rename, "recategorise": _recategorise, "move_home": _move_home,
    "regroup": _regroup,
    "hide": lambda s, g, c, a, x: _hidden(s, g, a, x["code"], True),
    "unhide": lambda s, g, c, a, x: _hidden(s, g, a, x["code"], False),
}


def scope(*, session: Session, actor: Actor, action: str, args: dict[str, Any]) -> tuple[set[int], set[int]]:
    """The clusters and aspirations an action may change (checked against the actor's forums)."""
    if action == "regroup":
        suggestion = suggestion_review.open_suggestion(session=session, actor=actor, suggestion_id=args["suggestion"])
        return set(suggestion.cluster_ids), set(suggestion.proposal_ids)
    codes = [args[k] for k in ("keep", "absorb", "target", "code") if args.get(k)]
    proposals = [args["proposal"]] if args.get("proposal") else []
    if args.get("code") and not curation.is_cluster_code(args["code"]):
        codes, proposals = [], [args["code"]]
    clusters = {own_cluster(session=session, actor=actor, code=code).id for code in codes}
    found = [own_proposal(session=session, actor=actor, code=code) for code in proposals]
    clusters |= {p.cluster_id for p in found}
    return {c for c in clusters if c is not None}, {p.id for p in found if p.id is not None}


def perform(*, session: Session, grouping: GroupingService, config: AppConfig, actor: Actor, action: str,
            args: dict[str, Any], pending_id: int) -> Done:
    """Do a confirmed action, tell the residents concerned, and keep what an undo needs."""
    clusters, proposals = scope(session=session, actor=actor, action=action, args=args)
    before = undo.snapshot(session=session, cluster_ids=clusters, proposal_ids=proposals)
    suggestion = session.get(RegroupSuggestion, args["suggestion"]) if action == "regroup" else None
    suggestion_before = {"state": suggestion.state} if suggestion is not None else None
    change = ACTIONS[action](session, grouping, config, actor, args)
    if not change.kind:
        return Done(change.text, 0, {})
    clusters, proposals = undo.after_scope(session=session, before=before)
    after = undo.snapshot(session=session, cluster_ids=clusters, proposal_ids=proposals)
    recipients = reachable(session=session, resident_ids=change.told)
    queue_notices(session=session, recipients=recipients, key=f"pa{pending_id}:{change.kind}",
                  text=t(f"resident_{change.kind}", **change.values), purpose=OutboxPurpose.MODERATION,
                  cluster_id=change.cluster_id)
    return Done(change.text, len(recipients), {
        "of": pending_id, "action": action, "kind": change.kind, "values": change.values, "before": before,
        "after": after, "told": sorted(r.resident_id for r in recipients), "suggestion": suggestion_before,
        "suggestion_id": args.get("suggestion"), "cluster_id": change.cluster_id})


AUDITED = ("title", "category", "status", "hidden", "home_forum_id", "merged_into_id")


def _audit_undo(session: Session, actor: Actor, undo_args: dict[str, Any]) -> None:
    """One audit entry per cluster the action touched (what it was → what it is again, where that changed), so
    every cluster's trail shows the undo; at least one entry."""
    before, after = undo_args["before"]["clusters"], undo_args["after"]["clusters"]
    codes = {key: c["code"] for key, c in after.items()}
    entries = []
    for key, old in sorted(before.items(), key=lambda item: item[1]["code"] or ""):
        now = after.get(key, {})
        changed: dict[str, tuple[Any, Any]] = {f: (now.get(f), old[f]) for f in AUDITED if now.get(f) != old[f]}
        if "merged_into_id" in changed:
            was, back = changed["merged_into_id"]
            changed["merged_into_id"] = (codes.get(str(was)) if was else None, codes.get(str(back)) if back else None)
        entries.append((old["code"], changed))
    entries.sort(key=lambda entry: bool(entry[1]))  # the clusters it changed back last
    if not entries:
        entries = [(None, {})]
    for code, changed in entries:
        target = f"cluster:{code}" if code else f"proposal:{undo_args['values'].get('code')}"
        record(session=session, actor=actor.name, action=f"undo_{undo_args['action']}", target=target,
               before={"undo_of": undo_args["of"], **{f: pair[0] for f, pair in changed.items()}},
               after={f: pair[1] for f, pair in changed.items()})


def _still_theirs(session: Session, actor: Actor, before: dict[str, Any]) -> None:
    """Refuse an Urungkan by someone who no longer moderates a cluster it would change (ModerationError)."""
    for cluster_id, row in before["clusters"].items():
        home = row.get("home_forum_id")
        forums = {home} if home else moderation.cluster_forums(session=session, cluster_id=int(cluster_id))
        if not forums & actor.forums:
            raise moderation.ModerationError("mod_not_your_forum", code=row["code"])


def take_back(*, session: Session, grouping: GroupingService, actor: Actor, undo_args: dict[str, Any],
              pending_id: int) -> tuple[str, int]:
    """Undo a confirmed action exactly; tell those who were told. Return the moderator's text and how many.
    The actor must still moderate every cluster the action touched (roles are read from config now)."""
    _still_theirs(session, actor, undo_args["before"])
    undo.restore(session=session, grouping=grouping, before=undo_args["before"], after=undo_args["after"])
    if undo_args.get("suggestion") is not None:
        suggestion = session.get(RegroupSuggestion, undo_args["suggestion_id"])
        assert suggestion is not None
        suggestion.state, suggestion.decided_at, suggestion.decided_by = SuggestionState.OPEN, None, None
        session.add(suggestion)
    kind, values = undo_args["kind"], undo_args["values"]
    _audit_undo(session, actor, undo_args)
    recipients = reachable(session=session, resident_ids=set(undo_args["told"]))
    queue_notices(session=session, recipients=recipients, key=f"undo{pending_id}:{kind}",
                  text=t(f"resident_undo_{kind}", **values), purpose=OutboxPurpose.MODERATION,
                  cluster_id=undo_args.get("cluster_id"))
    text = raw("mod_undone", what=t(f"mod_undo_{kind}", **values), told=len(recipients))
    return text, len(recipients)
