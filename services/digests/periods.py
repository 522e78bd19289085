"""Weekly forum digests: when a period ends, what it covers, and the summary built from aggregate queries."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from models.clusters import Cluster
from models.digests import Digest, DigestState
from models.proposals import Proposal, ProposalState
from services.answers.satisfaction import loop_figures
from services.core.config import AppConfig, parse_schedule
from services.core.counting import Period, mark_at
from services.digests import queries as q
from services.digests.data import AnsweredLine, ClusterLine, DigestData, SuggestionLine

WEEK = timedelta(days=7)


def scheduled_before(config: AppConfig, now: datetime) -> datetime:
    """Return the most recent scheduled digest time at or before now (UTC)."""
    weekday, at = parse_schedule(config.digest.schedule)
    local = now.astimezone(config.city.tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=config.city.tz)
    if moment > local:
        moment -= WEEK
    return moment.astimezone(UTC)


def scheduled_after(config: AppConfig, now: datetime) -> datetime:
    """Return the next scheduled digest time strictly after now (UTC)."""
    return scheduled_before(config, now) + WEEK


def period_start(*, session: Session, forum_id: str, before: datetime) -> datetime | None:
    """The end of the forum's last digest before `before`, else its first aspiration's time (drafts are no period)."""
    last = session.exec(
        select(func.max(Digest.period_end)).where(Digest.forum_id == forum_id, Digest.state != DigestState.DRAFT,
                                                  col(Digest.period_end) <= before)
    ).one()
    if last is None:
        last = session.exec(
            select(func.min(Proposal.submitted_at)).join(Cluster, col(Cluster.id) == Proposal.cluster_id).where(
                q.home(forum_id), Proposal.state == ProposalState.SUBMITTED)
        ).one()
    return None if last is None else q.aware(last)


def running_period(*, session: Session, forum_id: str, now: datetime) -> tuple[datetime, datetime]:
    """The forum's running period: since its last digest (else its first aspiration) up to now, never backwards."""
    start = period_start(session=session, forum_id=forum_id, before=now)
    return (now - WEEK if start is None else min(start, now)), now


def due_period(*, session: Session, config: AppConfig, forum_id: str, now: datetime
               ) -> tuple[datetime, datetime] | None:
    """The period whose digest is due now (missed periods coalesce into one), or None."""
    end = scheduled_before(config, now)
    done = session.exec(
        select(func.count()).select_from(Digest).where(Digest.forum_id == forum_id, Digest.state != DigestState.DRAFT,
                                                       col(Digest.period_end) >= end)
    ).one()
    start = None if done else period_start(session=session, forum_id=forum_id, before=end)
    if start is None or start >= end:
        return None
    return start, end


def period_marks(*, session: Session, forum_id: str, start: datetime, end: datetime) -> tuple[Period, Period]:
    """The period [start, end) in committed order, and the one before it.

    It starts where the forum's last digest before it stopped counting (0 for the first digest, so it counts
    everything since the forum began) and takes what had committed by `end`.
    """
    upto = mark_at(session, end)
    last = session.exec(select(Digest).where(
        Digest.forum_id == forum_id, Digest.state != DigestState.DRAFT, col(Digest.period_end) <= start)
        .order_by(col(Digest.period_end).desc())).first()
    if last is not None and last.content.get("marks"):
        before, after = (int(m) for m in last.content["marks"])
    elif last is not None:  # a digest from before marks: its times, as marks
        before, after = mark_at(session, q.aware(last.period_start)), mark_at(session, q.aware(last.period_end))
    else:  # the forum's first digest counts from its beginning; a period chosen by hand from its start
        first = period_start(session=session, forum_id=forum_id, before=end)
        after = 0 if first is None or start <= first else mark_at(session, start)
        before = mark_at(session, start - (end - start)) if after else 0
    after = min(after, upto)
    return Period(after, upto), Period(min(before, after), after)


def build_digest(*, session: Session, config: AppConfig, forum_id: str, period_end: datetime, now: datetime,
                 period_start_at: datetime | None = None) -> DigestData:
    """Summarise a forum's period ending at period_end, with the figures of services.counting."""
    forum = config.forum(forum_id)
    start = period_start_at or period_start(session=session, forum_id=forum_id, before=period_end)
    start = start or period_end - WEEK
    period, previous = period_marks(session=session, forum_id=forum_id, start=start, end=period_end)
    window = q.Window(forum_id=forum_id, start=start, end=period_end, period=period, previous=previous)
    data = DigestData(forum_id=forum_id, forum_name=forum.name if forum else forum_id,
                      period_start=start, period_end=period_end, marks=[period.after, period.upto])
    active = q.active_clusters(session, window, limit=config.digest.max_clusters)
    data.aspirations, data.residents, data.clusters, data.new_clusters = q.counts(session, window, active)
    data.more_clusters = max(0, active.total - len(active.listed))
    data.top = q.cluster_lines(session, config, window, active, now=now)
    data.answered = q.answered(session, window)
    data.suggestions = q.suggestions(session, window)
    data.categories = q.categories(session, window)
    data.vulnerable, data.aid = q.vulnerable_and_aid(session, window)
    data.loop, data.reopened = loop_figures(session=session, forum_id=forum_id, start=start, end=period_end)
    return data


__all__ = ["AnsweredLine", "ClusterLine", "DigestData", "SuggestionLine", "build_digest", "due_period",
           "period_start", "running_period", "scheduled_after", "scheduled_before"]
