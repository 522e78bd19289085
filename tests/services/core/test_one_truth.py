"""One definition per number: the digest, the web page, /statistik and the exports agree, spreads add up."""

from pathlib import Path

from sqlmodel import Session

from bot.settings import Settings
from models.clusters import Cluster
from models.forums import sync_forums
from models.types import utcnow
from services.answers.staffchat import render_cluster
from services.core.config import AppConfig
from services.digests.delivery import issue_running_digest
from services.digests.render import places_text
from services.intake.grouping import GroupingService
from services.moderation.curation import recategorise
from services.moderation.merge_split import merge
from services.moderation.undo import after_scope, restore, snapshot
from services.reports.exports import build_tables
from services.reports.musrenbang import musrenbang_sheets
from services.reports.stats import compute_stats
from tests.services.core.shapes import IN_LOK_TUAN, IN_SATIMPO, NOWHERE, with_shapes
from tests.services.core.world_steps import ADMIN, code_of, digest_now, move, resident, send, xlsx_figures
from web.figures import summarise
from web.queries import Filters, chosen_ids, load_rows

LAMP = "Mohon perbaikan lampu penerangan jalan di Jl. Merdeka Guntung yang sudah mati dua minggu."
LAMP_AGAIN = "lampu jln merdeka guntung mati semua, gelap sekali kalau malam"
ROAD = "Jalan Ahmad Yani berlubang besar dan dalam, mohon segera diaspal ulang sebelum musim hujan."
ROAD_AGAIN = "Jalan Ahmad Yani berlubang besar dan dalam, mohon segera diaspal ulang, sudah ada yang jatuh."
POSYANDU = "Posyandu butuh timbangan bayi dan meja baru, yang lama sudah rusak semua."


def test_the_first_digest_counts_its_first_clusters_as_new(world: tuple[Session, GroupingService],
                                                            settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    send(session, grouping, resident(session, config, "Lok Tuan"), LAMP)
    send(session, grouping, resident(session, config, "Guntung"), POSYANDU, new=True)
    data = digest_now(session, config, "bontang-utara")
    assert (data.aspirations, data.residents, data.clusters, data.new_clusters) == (2, 2, 2, 2)
    assert all(line.new for line in data.top)


def test_a_grown_cluster_shows_its_real_growth_everywhere(world: tuple[Session, GroupingService],
                                                          settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    first = send(session, grouping, resident(session, config, "Guntung"), LAMP)
    mother = resident(session, config, "Lok Tuan")
    posyandu = send(session, grouping, mother, POSYANDU, new=True)
    sync_forums(session=session, forums={f.id: f.name for f in config.forums})
    issue_running_digest(session=session, config=config, forum_id="bontang-utara", now=utcnow())
    session.commit()
    again = send(session, grouping, mother, POSYANDU + " Mohon dibantu.")  # she supports it already: no growth
    assert again.cluster_id == posyandu.cluster_id
    for kelurahan in ("Lok Tuan", "Bontang Baru", "Guntung"):
        joined = send(session, grouping, resident(session, config, kelurahan), LAMP_AGAIN)
        assert joined.cluster_id == first.cluster_id
    data = digest_now(session, config, "bontang-utara")
    [line] = data.top  # the posyandu cluster did not grow: it is not listed with "+0"
    assert (line.supporters, line.added, line.new) == (4, 3, False)
    assert (data.aspirations, data.clusters, data.new_clusters) == (4, 1, 0)
    summary = summarise(session, config, None, now=utcnow())
    # the web's window is the last 7 days, which holds every support here: the clusters as they grew in it
    assert [(r.id, r.growth) for r in summary.growing] == [(line.id, 4), (posyandu.cluster_id, 1)]


def test_spreads_add_up_and_a_resident_who_moved_counts_once(world: tuple[Session, GroupingService],
                                                             settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    mover = resident(session, config, "Lok Tuan")
    first = send(session, grouping, mover, ROAD)
    move(session, config, mover, "Tanjung Laut")
    send(session, grouping, resident(session, config, "Berbas Tengah"), ROAD_AGAIN)
    assert send(session, grouping, mover, ROAD_AGAIN + " Tolong.").cluster_id == first.cluster_id
    data = digest_now(session, config, "bontang-utara")
    [line] = data.top
    assert line.supporters == 2 and sum(n for _, n in line.places) == 2
    assert dict(line.places) == {"Tanjung Laut": 1, "Berbas Tengah": 1}
    assert places_text(line) == "Berbas Tengah 1, Tanjung Laut 1"
    [row] = load_rows(session=session, config=config, forums=None, now=utcnow())
    assert row.supporters == 2 and dict(row.supporter_places) == dict(line.places)
    assert sum(row.places.values()) == row.aspirations == 3


def test_members_show_their_clusters_category_and_the_xlsx_agrees_with_stats(
        world: tuple[Session, GroupingService], settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    road = send(session, grouping, resident(session, config, "Lok Tuan"), ROAD)
    send(session, grouping, resident(session, config, "Guntung"), POSYANDU, new=True)
    recategorise(session=session, actor=ADMIN, code=code_of(session, road), category="pendidikan")
    session.commit()
    tables = build_tables(session=session, config=config)
    cluster = session.get(Cluster, road.cluster_id)
    assert cluster is not None and cluster.category == "pendidikan"
    label = config.categories["pendidikan"].label
    assert [row[5] for row in tables.aspirations if row[1] == cluster.code] == [label]
    stats = compute_stats(session=session, tz=config.city.tz)
    figures = xlsx_figures(tables)
    for code, n in stats.per_category:
        assert figures[f"Aspirasi per kategori kelompok: {config.categories[code].label}"] == n


def test_musrenbang_puts_each_cluster_on_one_sheet_where_the_work_is(world: tuple[Session, GroupingService],
                                                                      settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    first = send(session, grouping, resident(session, config, "Lok Tuan"), ROAD)
    for kelurahan in ("Guntung", "Bontang Kuala"):
        assert send(session, grouping, resident(session, config, kelurahan), ROAD_AGAIN).cluster_id == first.cluster_id
    lamp = send(session, grouping, resident(session, config, "Tanjung Laut"), LAMP, new=True)
    sheets = musrenbang_sheets(session=session, config=config, cluster_ids=None, status_label=str,
                               columns=tuple("abcdefgh"))
    placed = {row[1]: name for name, _, rows in sheets for row in rows}
    listed = [row[1] for _, _, rows in sheets for row in rows]
    road_code, lamp_code = code_of(session, first), code_of(session, lamp)
    assert sorted(listed) == sorted([road_code, lamp_code])  # each exactly once
    assert placed == {road_code: "Lok Tuan", lamp_code: "Guntung"}  # its first place; the place its text names
    [road_row] = [row for _, _, rows in sheets for row in rows if row[1] == road_code]
    assert road_row[4] == 3 and road_row[7] == "Bontang Kuala (1), Guntung (1), Lok Tuan (1)"
    where_work = chosen_ids(session, config, None, Filters(kelurahan="Guntung"), utcnow())
    where_supporters = chosen_ids(session, config, None, Filters(kelurahan="Guntung", arti="pendukung"), utcnow())
    assert where_work == [lamp.cluster_id] and where_supporters == [first.cluster_id]


def test_pins_place_the_work_on_the_sheet_and_in_the_filter_after_the_texts(
        world: tuple[Session, GroupingService], settings: Settings, tmp_path: Path) -> None:
    session, grouping = world
    plain = settings.config
    config = with_shapes(plain, tmp_path)
    road = send(session, grouping, resident(session, config, "Lok Tuan"), ROAD, pin=IN_LOK_TUAN)
    for kelurahan, pin in (("Guntung", IN_SATIMPO), ("Bontang Kuala", IN_SATIMPO), ("Kanaan", NOWHERE)):
        joined = send(session, grouping, resident(session, config, kelurahan), ROAD_AGAIN, pin=pin)
        assert joined.cluster_id == road.cluster_id
    lamp = send(session, grouping, resident(session, config, "Tanjung Laut"), LAMP, new=True, pin=IN_SATIMPO)
    road_code, lamp_code = code_of(session, road), code_of(session, lamp)

    def placed(config: AppConfig) -> dict[str, str]:
        sheets = musrenbang_sheets(session=session, config=config, cluster_ids=None, status_label=str,
                                   columns=tuple("abcdefghijk"))
        return {row[1]: name for name, _, rows in sheets for row in rows}

    def filtered(config: AppConfig, kelurahan: str) -> list[str]:
        ids = chosen_ids(session, config, None, Filters(kelurahan=kelurahan), utcnow())
        return [{road.cluster_id: road_code, lamp.cluster_id: lamp_code}[i] for i in ids]

    # two pins in Satimpo beat one in Lok Tuan (the pin outside every kelurahan counts nowhere); the lamp's text
    # names Guntung, and words come before pins
    assert placed(config) == {road_code: "Satimpo", lamp_code: "Guntung"}
    assert (filtered(config, "Satimpo"), filtered(config, "Lok Tuan")) == ([road_code], [])
    # without boundaries pins place nothing: the road is at its home
    assert placed(plain) == {road_code: "Lok Tuan", lamp_code: "Guntung"}
    assert (filtered(plain, "Satimpo"), filtered(plain, "Lok Tuan")) == ([], [road_code])


def test_photo_and_pin_counts_are_the_same_on_every_screen(world: tuple[Session, GroupingService],
                                                           settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    road = send(session, grouping, resident(session, config, "Lok Tuan"), ROAD, photo=True, pin=IN_LOK_TUAN)
    send(session, grouping, resident(session, config, "Guntung"), ROAD_AGAIN, photo=True)
    send(session, grouping, resident(session, config, "Kanaan"), POSYANDU, new=True)
    code = code_of(session, road)
    [row] = [r for r in load_rows(session=session, config=config, forums=None, now=utcnow()) if r.cluster.code == code]
    assert (row.attached.photos, row.attached.pins, row.badge) == (2, 1, "📷 2 · 📍 1")
    [line] = [line for line in digest_now(session, config, "bontang-utara").top if line.code == code]
    assert line.attachments == row.badge
    cluster = session.get(Cluster, road.cluster_id)
    assert cluster is not None
    assert f"{row.badge} · lihat: /lampiran {code}" in render_cluster(session=session, config=config, cluster=cluster)
    [exported] = [r for r in build_tables(session=session, config=config).clusters if r[0] == code]
    assert exported[13:15] == (2, 1)
    sheets = musrenbang_sheets(session=session, config=config, cluster_ids=None, status_label=str,
                               columns=tuple("abcdefghijk"))
    [listed] = [r for _, _, rows in sheets for r in rows if r[1] == code]
    assert listed[9:] == (2, 1)


def test_an_undone_merge_adds_no_supporters_to_the_period(world: tuple[Session, GroupingService],
                                                          settings: Settings) -> None:
    session, grouping = world
    config = settings.config
    lamp = send(session, grouping, resident(session, config, "Lok Tuan"), LAMP)
    posyandu = send(session, grouping, resident(session, config, "Guntung"), POSYANDU, new=True)
    sync_forums(session=session, forums={f.id: f.name for f in config.forums})
    issue_running_digest(session=session, config=config, forum_id="bontang-utara", now=utcnow())
    session.commit()
    ids = [lamp.cluster_id or 0, posyandu.cluster_id or 0]
    before = snapshot(session=session, cluster_ids=ids)
    merge(session=session, grouping=grouping, actor=ADMIN, keep_code=code_of(session, lamp),
          absorb_code=code_of(session, posyandu))
    session.commit()
    clusters, proposals = after_scope(session=session, before=before)
    restore(session=session, grouping=grouping, before=before,
            after=snapshot(session=session, cluster_ids=clusters, proposal_ids=proposals))
    session.commit()
    data = digest_now(session, config, "bontang-utara")
    assert (data.top, data.clusters) == ([], 0)  # the supports put back joined before this period
