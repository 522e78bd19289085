"""Property-based: random worlds built through the real services; digest = web = stats = exports for every figure.

Residents send (joining a cluster or opening their own), move to another kelurahan, are erased; moderators
merge, split, hide and show clusters and aspirations, move a cluster's home, recategorise; staff answer. After
every world, for all forums and for each forum: aspirations, residents, clusters, supporters, answered,
overdue, per kelurahan and per category agree on every screen, every spread adds up to the figure beside it,
members show their cluster's category and the Musrenbang workbook has each cluster exactly once, on the sheet
of the place the web list filters it by; staff resolve clusters and residents answer "is it solved?": the
closing-the-loop figures agree too. Residents attach photos and location pins (the config has kelurahan
boundaries): each cluster's photos and pins agree on the web list, the digest, the staff card, the exports and
the Musrenbang workbook.
Seeded (derandomize) and bounded.
"""

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from bot.settings import Settings
from models.clusters import Cluster
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from models.satisfaction import SatisfactionAsk, Verdict
from models.types import utcnow
from services.answers.satisfaction import record_answer, release_due
from services.answers.staff_answers import answer_cluster, change_status
from services.answers.staffchat import render_cluster
from services.core import counting
from services.core.config import AppConfig
from services.core.texts import section
from services.intake.grouping import GroupingService
from services.moderation import curation
from services.moderation import merge_split as moderation
from services.moderation.merge_split import ModerationError
from services.privacy.rights import erase_resident
from services.reports.exports import build_tables
from services.reports.musrenbang import musrenbang_sheets
from services.reports.stats import NO_CATEGORY, compute_stats
from tests.services.core.shapes import IN_LOK_TUAN, IN_SATIMPO, NOWHERE, with_shapes
from tests.services.core.world_steps import ADMIN, digest_now, move, resident, send, xlsx_figures
from web.figures import summarise
from web.queries import PAGE_SIZE, TOP, Filters, list_page, load_rows

TEXTS = [
    "Jalan Ahmad Yani berlubang besar dan dalam, mohon segera diaspal ulang.",
    "Lampu jalan di Gang Mawar Guntung mati semua, gelap sekali kalau malam.",
    "Posyandu di Tanjung Laut butuh timbangan bayi dan meja baru.",
    "Sampah menumpuk di pasar Berbas, mohon diangkut tiap hari.",
]
KELURAHAN = ["Lok Tuan", "Guntung", "Tanjung Laut", "Berbas Tengah", "Kanaan"]
FORUMS = ["bontang-utara", "bontang-selatan", "bontang-barat"]
CATEGORIES = ["infrastruktur", "pendidikan", "kesehatan"]
PINS = [IN_SATIMPO, IN_LOK_TUAN, NOWHERE, None]  # None: a photo without a pin

pick = st.integers(0, 50)
step = st.one_of(
    st.tuples(st.just("send"), pick, st.sampled_from(TEXTS), st.booleans()),
    st.tuples(st.just("newcomer"), st.sampled_from(KELURAHAN), st.sampled_from(TEXTS), st.booleans()),
    st.tuples(st.just("attach"), pick, st.sampled_from(TEXTS), st.sampled_from(PINS)),
    st.tuples(st.just("move"), pick, st.sampled_from(KELURAHAN), st.none()),
    st.tuples(st.just("erase"), pick, st.none(), st.none()),
    st.tuples(st.just("merge"), pick, pick, st.none()),
    st.tuples(st.just("split"), pick, pick, st.booleans()),
    st.tuples(st.just("hide"), pick, st.booleans(), st.booleans()),
    st.tuples(st.just("home"), pick, st.sampled_from(FORUMS), st.none()),
    st.tuples(st.just("category"), pick, st.sampled_from(CATEGORIES), st.none()),
    st.tuples(st.just("answer"), pick, st.none(), st.none()),
    st.tuples(st.just("resolve"), pick, pick, st.none()),
)
DAYTIME = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 WITA: questions go out


class World:
    """Applies steps through the services, each its own committed transaction."""

    def __init__(self, session: Session, grouping: GroupingService, config: AppConfig) -> None:
        self.s, self.g, self.config = session, grouping, config

    def _nth(self, model: Any, n: int, *where: Any) -> Any:
        rows = self.s.exec(select(model).where(*where).order_by(col(model.id))).all()
        return rows[n % len(rows)] if rows else None

    def run(self, kind: str, a: Any, b: Any, c: Any) -> None:
        try:
            self._apply(kind, a, b, c)
            self.s.commit()
        except ModerationError:  # a move a moderator could not make (same cluster, nothing left …)
            self.s.rollback()

    def _apply(self, kind: str, a: Any, b: Any, c: Any) -> None:
        living = col(Resident.deleted_at).is_(None)
        if kind == "newcomer":
            send(self.s, self.g, resident(self.s, self.config, a), b, new=c)
        elif kind in {"send", "attach", "move", "erase"} and (who := self._nth(Resident, a, living)) is not None:
            if kind == "send":
                send(self.s, self.g, who, b, new=c)
            elif kind == "attach":  # with a photo, and a pin when there is one
                send(self.s, self.g, who, b, photo=True, pin=c)
            elif kind == "move":
                move(self.s, self.config, who, b)
            else:
                erase_resident(session=self.s, config=self.config, resident_id=who.id, grouping=self.g)
        else:
            self._moderate(kind, a, b, c)

    def _moderate(self, kind: str, a: Any, b: Any, c: Any) -> None:
        open_ = (col(Cluster.merged_into_id).is_(None),)
        cluster = self._nth(Cluster, a, *open_)
        if cluster is None:
            return
        if kind == "merge" and (other := self._nth(Cluster, b, *open_, col(Cluster.hidden).is_(False))) is not None:
            moderation.merge(session=self.s, grouping=self.g, actor=ADMIN, keep_code=other.code,
                             absorb_code=cluster.code)
        elif kind == "split":
            member = self._nth(Proposal, b, Proposal.state == ProposalState.SUBMITTED)
            if member is not None and member.code:
                moderation.split(session=self.s, grouping=self.g, actor=ADMIN, proposal_code=member.code,
                                 target_code=cluster.code if c else None)
        elif kind == "hide":
            member = self._nth(Proposal, a, col(Proposal.state).in_([ProposalState.SUBMITTED, ProposalState.HIDDEN]))
            code = member.code if c and member is not None else cluster.code
            (curation.hide if b else curation.unhide)(session=self.s, grouping=self.g, actor=ADMIN, code=code)
        elif kind == "home":
            curation.move_home(session=self.s, actor=ADMIN, code=cluster.code, forum_id=b, forums=set(FORUMS))
        elif kind == "category":
            curation.recategorise(session=self.s, actor=ADMIN, code=cluster.code, category=b)
        elif kind == "answer":
            answer_cluster(session=self.s, config=self.config, cluster_id=cluster.id, text="Sudah kami catat.",
                           source_key=f"prop:{cluster.id}:{utcnow().isoformat()}")
        elif kind == "resolve":  # staff set selesai, its followers are asked and answer (maybe reopening it)
            self._resolve(cluster, b)

    def _resolve(self, cluster: Cluster, seed: int) -> None:
        change_status(session=self.s, config=self.config, cluster_id=cluster.id, status="selesai", note="",
                      actor="staff:1",
                      source_key=f"resolve:{cluster.id}:{utcnow().isoformat()}")
        release_due(session=self.s, config=self.config, now=DAYTIME)
        asked = self.s.exec(select(Resident).join(SatisfactionAsk, col(SatisfactionAsk.resident_id) == Resident.id)
                            .where(SatisfactionAsk.cluster_id == cluster.id)).all()
        for n, who in enumerate(asked):
            verdict = list(Verdict)[(seed + n) % len(Verdict)]
            record_answer(session=self.s, config=self.config, telegram_id=who.telegram_id, cluster_id=cluster.id,
                          verdict=verdict.value, now=utcnow())


def spread_sum(spread: list[tuple[str, int]]) -> int:
    """The total of a (name, count) spread."""
    return sum(n for _, n in spread)


def check_scope(session: Session, config: AppConfig, forum: str | None) -> None:
    """Every figure of one scope (a forum, or all forums when None) agrees on every screen."""
    now = utcnow()
    forums = None if forum is None else frozenset({forum})
    rows = load_rows(session=session, config=config, forums=forums, now=now)
    web = summarise(session, config, forums, now=now)
    shown, total, _ = list_page(session, config, forums, Filters(), now)  # the Kelompok list, paged in SQL
    by_support = sorted(rows, key=lambda r: (-r.supporters, r.id))
    assert total == len(rows) and [r.id for r in shown] == [r.id for r in by_support[:PAGE_SIZE]]
    assert [(r.id, r.supporters) for r in shown] == [(r.id, r.supporters) for r in by_support[:PAGE_SIZE]]
    assert [r.id for r in web.growing] == [r.id for r in sorted((r for r in rows if r.growth),
                                                                 key=lambda r: (-r.growth, r.id))][:TOP]
    assert web.overdue == sum(r.overdue for r in rows)
    by_week = dict(counting.aspirations_per_week(session, counting.Scope(forums=forums), config.city.tz))
    assert [n for _, n in web.per_week] == [by_week.get(w.date(), 0) for w, _ in web.per_week]  # weeks by marks
    stats = compute_stats(session=session, tz=config.city.tz, forum_id=forum)
    tables = build_tables(session=session, config=config, forum_id=forum, now=now)
    sheet = xlsx_figures(tables)
    label = config.category_label
    assert web.aspirations_all == stats.total == len(tables.aspirations) == sheet["Jumlah aspirasi"] \
        == sum(r.aspirations for r in rows)
    assert web.clusters_all == len(rows) == stats.clusters == len(tables.clusters) == sheet["Jumlah kelompok"]
    assert web.residents_all == sheet["Warga pengirim aspirasi"]
    assert web.supporters_all == sum(r.supporters for r in rows) == sheet["Jumlah pendukung (kelompok di atas)"]
    assert web.answered == stats.answered == sheet["Kelompok sudah dijawab staf"]
    assert web.overdue == sheet["Kelompok terlambat dijawab"]
    assert web.per_kelurahan == stats.per_kelurahan
    loop, names = stats.satisfaction, section("export_figures")
    assert loop is not None and web.loop == loop
    assert (sheet[names["loop_sudah"]], sheet[names["loop_belum"]], sheet[names["loop_reopened"]]) == (
        loop.sudah, loop.belum, loop.reopened)
    assert {f"Aspirasi per kelurahan: {k}": n for k, n in stats.per_kelurahan} == {
        k: v for k, v in sheet.items() if k.startswith("Aspirasi per kelurahan: ")}
    assert dict(web.per_category) == dict(stats.per_category)
    assert {f"Aspirasi per kategori kelompok: {label(c) if c != NO_CATEGORY else c}": n
            for c, n in stats.per_category} == {k: v for k, v in sheet.items() if k.startswith("Aspirasi per kat")}
    assert spread_sum(stats.per_kelurahan) == spread_sum(stats.per_category) == stats.total
    by_code = {r.cluster.code: r for r in rows}
    for row in rows:
        assert spread_sum(row.supporter_places) == row.supporters and sum(row.places.values()) == row.aspirations
    for cluster_row in tables.clusters:
        assert by_code[cluster_row[0]].supporters == cluster_row[6]
        assert cluster_row[13:15] == (by_code[cluster_row[0]].attached.photos, by_code[cluster_row[0]].attached.pins)
        assert sum(int(part.rsplit("(", 1)[1].rstrip(")")) for part in cluster_row[5].split(", ")) == cluster_row[7]
    categories = {r.cluster.code: label(r.cluster.category) if r.cluster.category else "" for r in rows}
    assert all(a[5] == categories[a[1]] for a in tables.aspirations)
    if forum is not None:
        check_digest(session, config, forum, rows)


def check_digest(session: Session, config: AppConfig, forum: str, rows: list[Any]) -> None:
    """The forum's first digest counts everything since it began: it agrees with the web page."""
    data = digest_now(session, config, forum)
    assert data.aspirations == sum(r.aspirations for r in rows)
    assert data.clusters == data.new_clusters == len(rows)
    assert data.residents == len({p for p in session.exec(select(Proposal.resident_id).where(
        col(Proposal.cluster_id).in_([r.id for r in rows]), Proposal.state == ProposalState.SUBMITTED)).all()})
    by_id = {r.id: r for r in rows}
    for line in data.top:
        assert line.new and line.supporters == by_id[line.id].supporters == line.added
        assert line.attachments == by_id[line.id].badge
        assert spread_sum(line.places) == line.supporters and line.places == by_id[line.id].supporter_places
    assert sum(now for _, now, _ in data.categories) == data.aspirations


def check_musrenbang(session: Session, config: AppConfig) -> None:
    """Each counted cluster is on exactly one kelurahan sheet, the place the web list filters it by, with the
    photos and pins the web list and the staff card show."""
    rows = load_rows(session=session, config=config, forums=None, now=utcnow())
    sheets = musrenbang_sheets(session=session, config=config, cluster_ids=None, status_label=str,
                               columns=tuple("abcdefghijk"))
    listed = Counter(row[1] for _, _, sheet in sheets for row in sheet)
    assert listed == Counter(r.cluster.code for r in rows)
    by_code = {r.cluster.code: r for r in rows}
    for name, _, sheet in sheets:
        for line in sheet:
            row = by_code[line[1]]
            assert name == row.work_place and line[9:] == (row.attached.photos, row.attached.pins)
    for row in rows:
        card = render_cluster(session=session, config=config, cluster=row.cluster)
        assert (row.badge in card) if row.badge else "📎" not in card


EXAMPLES = int(os.environ.get("ASPIRASI_PROPERTY_EXAMPLES", "8"))  # more for a deeper search, same seed


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(steps=st.lists(step, min_size=2, max_size=10))
def test_every_screen_agrees_on_every_figure(world: tuple[Session, GroupingService], settings: Settings,
                                             tmp_path: Path, steps: list[tuple[str, Any, Any, Any]]) -> None:
    session, grouping = world
    config = with_shapes(settings.config, tmp_path)
    built = World(session, grouping, config)
    built.run("newcomer", "Lok Tuan", TEXTS[0], False)  # the world grows across examples: it is never empty
    built.run("attach", 0, TEXTS[0], IN_SATIMPO)  # and has photos and pins (a road placed by its pins)
    for kind, a, b, c in steps:
        built.run(kind, a, b, c)
    for forum in (None, *FORUMS):
        check_scope(session, config, forum)
    check_musrenbang(session, config)
