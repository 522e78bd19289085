"""General gaps of grouping, each measured on one small case through the real grouping service."""

import dataclasses

import numpy as np
import pytest

from bot.settings import Settings
from nlp.normalize import is_small_talk, normalize
from nlp.scoring import Item, pair_scores, place_adjustment, place_sets
from services.intake.grouping import GroupingService, place_matcher


def _item(grouping: GroupingService, text: str) -> Item:
    """The grouper's view of a text, as intake builds it."""
    prepared = grouping.prepare(text)
    assert prepared.vector is not None
    return grouping.item(prepared.clean, prepared.vector, prepared.streets)


def test_street_names_are_read_from_the_original_case_and_a_short_form_is_no_conflict(settings: Settings) -> None:
    grouping = GroupingService(settings.config, None)
    full = grouping.prepare("Lampu di Jalan Ahmad Yani mati sejak minggu lalu")
    short = grouping.prepare("lampu jln A. Yani mati semua")
    assert full.streets == ("ahmad yani",)
    a = place_sets(grouping.item(full.clean, np.zeros(384, np.float32), full.streets))
    b = place_sets(grouping.item(short.clean, np.zeros(384, np.float32), short.streets))
    assert place_adjustment(a, b, grouping.params) > 0  # a shared place, never a conflict


@pytest.mark.parametrize("text", ["jl ahmad yani bolong2 min", "lubang di ahmad yani makin gede",
                                  "Jl. Achmad Yani rusak", "jln a yani dkt lampu merah ada lubang"])
def test_the_city_street_list_reads_chat_spellings_of_one_street(settings: Settings, text: str) -> None:
    """Lower-case chat gives no capitals to read a name by: config's street list knows the city's streets."""
    assert GroupingService(settings.config, None).prepare(text).streets == ("ahmad yani",)


def test_running_text_after_jalan_is_no_street(settings: Settings) -> None:
    grouping = GroupingService(settings.config, None)
    for text in ("keran kering tp tagihan jalan trs", "solar habis di jalan. Usul dipasang rumpon",
                 "sampah liar di tepi jalan Kelurahan Satimpo", "lampu jln dkt pelabuhan loktuan mati"):
        assert grouping.prepare(text).streets == (), text


def test_kampung_and_partial_kelurahan_names_from_config(settings: Settings) -> None:
    grouping = GroupingService(settings.config, None)
    assert grouping.prepare("Warga Selangan butuh dermaga baru").kelurahan == ("Bontang Lestari",)
    assert grouping.prepare("jalan di Tihi-Tihi rusak parah").kelurahan == ("Bontang Lestari",)
    assert grouping.prepare("banjir lagi di Telihan").kelurahan == ("Gunung Telihan",)
    assert "selang" not in grouping.item(grouping.prepare("Warga Selangan butuh dermaga").clean,
                                         np.zeros(384, np.float32)).terms


def test_institution_aliases_from_config(settings: Settings) -> None:
    grouping = GroupingService(settings.config, None)
    perumda = grouping.item(grouping.prepare("Air Perumda Tirta Taman keruh").clean, np.zeros(384, np.float32))
    pdam = grouping.item(grouping.prepare("air PDAM keruh").clean, np.zeros(384, np.float32))
    assert perumda.terms == pdam.terms
    assert "pupuk kaltim" in grouping.prepare("PKT buka lowongan kerja").clean


def test_questions_about_ones_own_message_are_not_proposals() -> None:
    assert is_small_talk("gimana cara cek usulan saya sudah masuk atau belum?")
    assert is_small_talk("min, laporan sy kemarin udh nyampe blm ya?")
    assert not is_small_talk("kok bansos ga nyampe ya, nenek sy udh daftar?")  # a request about aid


def test_same_domain_different_beneficiary_or_object_is_not_grouped(settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    grouping = GroupingService(settings.config, embedder)

    def score(a: str, b: str) -> float:
        """Score of a one-member cluster holding b, for a new message a (0 when not even suggested)."""
        pa, pb = grouping.prepare(a), grouping.prepare(b)
        grouping.add(1, 1, pb)
        found = {s.cluster_id: s.score for s in grouping.suggest(pa, 1)}
        grouping.remove(1)
        return found.get(1, 0.0)

    assert score("Mohon beasiswa untuk atlet berprestasi Bontang",
                 "Mohon beasiswa untuk siswa kurang mampu") < grouping.params.assign_threshold
    assert score("Air PDAM mati sudah tiga hari", "Listrik mati sudah tiga hari") < grouping.params.assign_threshold
    assert score("Mohon beasiswa untuk siswa kurang mampu",
                 "beasiswa buat pelajar yg ga mampu dong pak") >= grouping.params.assign_threshold


def test_same_service_different_kind_of_need_is_not_grouped(settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    grouping = GroupingService(settings.config, embedder)

    muddy = _item(grouping, "Air PDAM di rumah kami keruh dan berbau sejak seminggu")
    no_main = _item(grouping, "Pipa PDAM belum masuk ke gang kami, warga masih beli air tandon")
    outage = _item(grouping, "Air PDAM mati sudah tiga hari di gang kami")
    dark = [_item(grouping, "Lampu jalan di gang kami mati sejak seminggu"),
            _item(grouping, "Lampu jalan di gang kami rusak, gelap")]
    assert (muddy.needs, no_main.needs, outage.needs) == ({"mutu"}, {"jangkauan", "terlambat"}, {"rusak"})
    assert dark[0].needs == dark[1].needs == {"rusak"}  # breakdown and outage are one kind of need
    with_facet = pair_scores(muddy, [no_main, outage], grouping._grouper.stats, grouping.params)
    without = pair_scores(muddy, [no_main, outage], grouping._grouper.stats,
                          dataclasses.replace(grouping.params, need_conflict=0.0))
    assert (without - with_facet).tolist() == pytest.approx([grouping.params.need_conflict] * 2)
    same = pair_scores(dark[0], [dark[1]], grouping._grouper.stats, grouping.params)
    assert same.tolist() == pytest.approx(pair_scores(
        dark[0], [dark[1]], grouping._grouper.stats, dataclasses.replace(grouping.params, need_conflict=0.0)).tolist())


def test_supply_lines_are_local_so_other_places_are_other_requests(settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    grouping = GroupingService(settings.config, embedder)

    selangan = [_item(grouping, "Listrik di Kampung Selangan cuma nyala malam, mohon dijadikan 24 jam"),
                _item(grouping, "tolong listrik pulau selangan dijadiin 24 jam pak")]
    telihan = _item(grouping, "Listrik di Gunung Telihan sering padam, mohon diperbaiki")
    assert all(i.local for i in [*selangan, telihan])
    same, other = pair_scores(selangan[0], [selangan[1], telihan], grouping._grouper.stats, grouping.params)
    assert same >= grouping.params.assign_threshold > other
    satimpo, kanaan = (_item(grouping, f"Air PDAM di {place} tidak mengalir sejak kemarin")
                       for place in ("Satimpo", "Kanaan"))
    assert satimpo.local and kanaan.local  # piped water reaches a place or not, as electricity does
    stats, params = grouping._grouper.stats, grouping.params
    unplaced = dataclasses.replace(params, place_conflict=0.0)
    assert (pair_scores(satimpo, [kanaan], stats, unplaced) - pair_scores(satimpo, [kanaan], stats, params)
            ).tolist() == pytest.approx([params.place_conflict])


def test_outages_of_different_utilities_are_not_grouped(settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    """"Air mati" and "listrik mati" read alike to the embedding; the utility facet keeps them apart, and two
    reports about one utility in other words carry no penalty."""
    grouping = GroupingService(settings.config, embedder)

    water, power = (_item(grouping, t) for t in ("Air PDAM mati sudah tiga hari", "Listrik mati sudah tiga hari"))
    tap, blackout = (_item(grouping, t) for t in ("keran di rumah kering terus min",
                                                  "mati lampu tiap malam pak, PLN tolong"))
    assert (water.utilities, power.utilities, tap.utilities, blackout.utilities) == (
        {"air"}, {"listrik"}, {"air"}, {"listrik"})
    params, stats = grouping.params, grouping._grouper.stats
    without = dataclasses.replace(params, utility_conflict=0.0)
    assert (pair_scores(water, [power, tap], stats, without) - pair_scores(water, [power, tap], stats, params)
            ).tolist() == pytest.approx([params.utility_conflict, 0.0])
    assert pair_scores(power, [blackout], stats, params).tolist() == pytest.approx(
        pair_scores(power, [blackout], stats, without).tolist())


def test_every_place_name_in_config_survives_normalising(settings: Settings) -> None:
    """The slang tables never rewrite a kelurahan, kampung or street name ("gn" is Gunung, not "begini")."""
    matcher = place_matcher(settings.config)
    for kelurahan in settings.config.city.all_kelurahan():
        for alias in (kelurahan.name, *kelurahan.aliases):
            assert matcher.find(normalize(f"banjir di {alias} lagi")).kelurahan == (kelurahan.name,), alias
    for street, aliases in settings.config.city.streets.items():
        expected = matcher.streets(f"Jalan {street}")
        for alias in (street, *aliases):
            assert matcher.find(normalize(f"lubang di jalan {alias} lagi")).streets == expected, alias
