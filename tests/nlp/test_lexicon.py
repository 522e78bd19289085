"""One source for every word list: the maintained stopword list is read once, fillers come from one file."""

from __future__ import annotations

from stop_words import get_stop_words

from nlp.features import terms
from nlp.labels import readable_title, stopwords
from nlp.lexicon import DATA_DIR, lexicon
from nlp.normalize import strip_fillers


def test_grouping_and_labels_share_the_maintained_stopword_list() -> None:
    maintained = {w.lower() for w in get_stop_words("id")}
    assert maintained <= lexicon().stopwords and maintained <= lexicon().label_stopwords
    assert stopwords() is lexicon().label_stopwords
    assert "terimakasih" in stopwords() and "terimakasih" not in lexicon().stopwords  # a labels-only filler


def test_one_fillers_file_serves_the_normaliser_and_titles() -> None:
    lines = (DATA_DIR / "fillers_id.txt").read_text(encoding="utf-8").splitlines()
    assert set(lexicon().fillers) == {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}
    assert strip_fillers("permisi lampu jalan mati").split() == ["lampu", "jalan", "mati"]
    assert readable_title("Permisi, lampu jalan mati") == "Lampu jalan mati"


def test_request_words_are_never_content_terms() -> None:
    assert lexicon().generic_roots >= {"usul", "mohon", "warga"}
    assert terms("mohon usul perbaikan drainase") and not set(terms("mohon usul")) & lexicon().generic_roots
