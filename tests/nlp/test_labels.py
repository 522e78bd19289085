"""Tests for cluster keywords (c-TF-IDF), the representative member and short titles."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.labels import (
    TitleTerms,
    cluster_keywords,
    readable_title,
    representative_index,
    short_title,
    stopwords,
    terms,
    title_index,
)

DOCS = {
    0: [
        "jalan berlubang di jalan bhayangkara, mohon diaspal",
        "tolong aspal jalan bhayangkara yang berlubang pak",
        "jalan bhayangkara rusak dan berlubang, warga mohon perbaikan",
    ],
    1: [
        "lampu jalan di loktuan mati, jalan gelap",
        "mohon lampu jalan loktuan diganti, gelap sekali",
    ],
    2: ["mohon tambah dokter di puskesmas, jalan ke rumah sakit jauh"],
}


def test_distinctive_word_ranks_above_word_shared_by_all_clusters() -> None:
    keywords = cluster_keywords(DOCS, top_n=5, dedupe=False)
    for cluster, distinctive in [(0, "berlubang"), (1, "lampu"), (2, "dokter")]:
        assert distinctive in keywords[cluster]
        if "jalan" in keywords[cluster]:
            assert keywords[cluster].index(distinctive) < keywords[cluster].index("jalan")
    assert "jalan" not in keywords[2]


def test_stopwords_and_fillers_never_appear() -> None:
    keywords = cluster_keywords(DOCS, top_n=50)
    shown = {word for terms_ in keywords.values() for term in terms_ for word in term.split()}
    assert {"mohon", "tolong", "pak", "warga", "di", "yang", "dan", "ke"}.isdisjoint(shown)
    assert shown.isdisjoint(stopwords())
    assert {"usulan", "kelurahan", "terimakasih", "yg", "okay"} <= stopwords()  # domain and chat fillers


def test_bigrams_only_join_adjacent_words_in_one_clause() -> None:
    found = terms("Kursi roda untuk lansia. Alat bantu dengar")
    assert "kursi roda" in found and "alat bantu" in found
    assert "roda lansia" not in found  # "untuk" stood between them
    assert "lansia alat" not in found  # a full stop stood between them


def test_placeholders_and_emails_are_not_keywords() -> None:
    assert terms("hubungi [TELEPON] atau a.b@gmail.com soal [NIK] banjir") == ["hubungi", "soal", "banjir"]


def test_one_cluster_and_singletons_work_and_are_deterministic() -> None:
    single = cluster_keywords({7: ["Sampah menumpuk di TPS pasar"]}, top_n=3)
    assert single == {7: ["sampah menumpuk", "tps pasar"]}  # unigrams already shown in a bigram
    docs = {1: ["tambah guru sekolah pulau"], 2: ["atap pasar bocor"], 3: ["halo min", "terima kasih pak"]}
    first = cluster_keywords(docs)
    assert first == cluster_keywords(dict(reversed(list(docs.items()))))
    assert first[3] == []
    assert cluster_keywords({}) == {}


def test_keywords_of_some_clusters_are_those_of_the_full_ranking() -> None:
    everything = cluster_keywords(DOCS, top_n=5)
    wanted = list(DOCS)[:1]
    assert cluster_keywords(DOCS, top_n=5, only=[*wanted, 999]) == {c: everything[c] for c in wanted}


def test_kept_title_counts_give_the_keywords_of_a_full_count_as_titles_change() -> None:
    kept = TitleTerms()
    members = {11: ["Jalan rusak parah dekat pasar", "jalan rusak berlubang dekat pasar", "lampu pasar mati"]}
    titles = {10: "Jalan rusak di Gang Mawar", 11: "Jalan pasar", 12: "Air PDAM keruh"}
    steps = [
        titles,
        titles | {13: "Pasar becek", 14: "Pasar kotor", 15: "Pasar sepi"},  # new clusters: "pasar" is common now
        titles | {10: "Lampu mati di Gang Mawar"},  # those merged away, and a title edited by a moderator
        {11: titles[11], 12: titles[12]},
    ]
    got = []
    for step in steps:
        docs = {i: [t] for i, t in step.items() if i not in members} | members
        expected = cluster_keywords(docs, top_n=2, extra_stopwords=["bontang"], only=list(members))
        got.append(kept.keywords(step, members, top_n=2, extra_stopwords=["bontang"]))
        assert got[-1] == expected
    assert got[0] != got[1] != got[2]  # the contrast moved the ranking, so a stale count would show
    assert kept.keywords(steps[-1], members, top_n=2, extra_stopwords=["pasar"]) == cluster_keywords(
        {12: [titles[12]]} | members, top_n=2, extra_stopwords=["pasar"], only=list(members))  # counted again


def test_dedupe_drops_words_already_shown_in_a_bigram() -> None:
    keywords = cluster_keywords({0: ["kursi roda", "kursi roda", "kursi roda murah"], 1: ["tongkat"]})
    assert keywords[0][0] == "kursi roda"
    assert "kursi" not in keywords[0] and "roda" not in keywords[0]


def test_representative_is_the_member_nearest_the_mean() -> None:
    vectors = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 1.0, 0.0], [0.7, 0.7, 0.1]])
    assert representative_index(vectors) == 3
    assert representative_index(vectors[:1]) == 0
    assert representative_index(np.array([[3.0, 0.0], [0.0, 1.0], [2.0, 2.1]])) == 2  # scale ignored


def test_representative_rejects_empty_input() -> None:
    with pytest.raises(ValueError):
        representative_index(np.zeros((0, 3)))


def test_short_title_cuts_at_a_word_boundary() -> None:
    text = "Mohon perbaikan jalan Bhayangkara yang berlubang parah, banyak pengendara jatuh tiap hujan"
    title = short_title(text, limit=40)
    assert len(title) <= 40 and title.endswith("…")
    assert title == "Mohon perbaikan jalan Bhayangkara yang…"
    assert text.startswith(title[:-1])


def test_short_title_keeps_short_text_and_handles_one_long_word() -> None:
    assert short_title("  Lampu   jalan mati  ") == "Lampu jalan mati"
    assert short_title("a" * 150, limit=20) == "a" * 19 + "…"
    assert short_title("Jalan rusak, mohon segera diperbaiki", limit=14) == "Jalan rusak…"


def test_readable_title_drops_greetings_and_thanks_and_cuts_at_a_boundary() -> None:
    text = ("Assalamualaikum pak, mohon dibantu air PDAM di gang Mawar sudah 3 hari tidak mengalir, warga "
            "kesulitan untuk mandi dan memasak sehari-hari di rumah masing-masing. Terima kasih")
    title = readable_title(text, 100)
    assert title.startswith("Air PDAM di Gang Mawar") and title.endswith("…") and len(title) <= 100
    assert title[1:-1].lower() in text.lower()  # a cut of the message itself (names capitalised)
    assert not title[:-1].endswith(("mand", "sehari-har"))  # never mid-word
    assert readable_title("Kami mohon perbaikan jalan berlubang di Jalan Cut Nyak Dien.") == (
        "Perbaikan jalan berlubang di Jalan Cut Nyak Dien")
    assert readable_title("Pak, mohon dibantu lampu jalan mati") == "Lampu jalan mati"
    assert readable_title("Ibu hamil di Guntung butuh posyandu yang dekat").startswith("Ibu hamil")  # not address


def test_slang_only_cluster_gets_a_standard_redacted_title() -> None:
    members = ["min kok ga nyampe ya, nenek sy udh daftar bansos dr bln lalu tp blm ada kabar, hub [TELEPON]",
               "bansos nenek sy blm cair jg pdhl udh lama bgt daftar nya",
               "knp bansos ortu sy ga turun2 ya min udh 3 bln"]
    vectors = np.eye(3, dtype=np.float32) + 0.5
    title = readable_title(members[title_index(vectors, members)], 100)
    words = set(title.lower().replace(",", " ").split())
    assert not words & {"min", "sy", "udh", "blm", "ga", "bgt", "tp"}  # no address, no chat spelling
    assert "bansos" in title.lower() and "08" not in title and len(title) <= 100
    assert title[0].isupper()


def test_title_prefers_a_complete_formal_member() -> None:
    members = ["lampu jln mati bgt min", "Mohon perbaikan lampu penerangan jalan di Jalan Merdeka yang mati."]
    vectors = np.array([[1.0, 0.0], [0.99, 0.14]], dtype=np.float32)
    assert title_index(vectors, members) == 1
