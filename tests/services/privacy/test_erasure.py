"""The old title of a re-titled cluster is found in derived texts whether whole, cut, re-cased or escaped."""

from services.privacy.erasure import Relabel, rewrite_json, swapper

OLD = "Jalan di gang kenari lok tuan rusak parah banyak lubang dalem & licin…"
NEW = "Jalan di Gang Kenari Lok Tuan rusak dan berlubang"
CHANGE = Relabel(1, OLD, NEW, "lubang dalem, kenari", "berlubang, kenari")


def test_the_old_title_is_swapped_whole_cut_recased_and_escaped() -> None:
    swap = swapper([CHANGE])
    assert swap(f"📌 K-0001 · {OLD}") == f"📌 K-0001 · {NEW}"
    assert swap(f"<i>{OLD[:30]}…</i> lalu") == f"<i>{NEW}</i> lalu"  # cut short, with an ellipsis
    assert swap(OLD.upper().replace(" ", "  ")) == NEW  # re-cased, spaced
    escaped = OLD.replace("&", "&amp;")
    assert swap(f"<b>{escaped}</b>") == f"<b>{NEW}</b>"
    assert swap("kata kunci: lubang dalem, kenari") == "kata kunci: berlubang, kenari"
    assert swap("Jalan di gang") == "Jalan di gang"  # too short to be theirs


def test_blanked_json_keeps_structure_and_other_values() -> None:
    doc = {"title": "kata lain sama sekali", "clusters": ["K-0001"], "nested": {"absorbed_title": OLD}}
    assert rewrite_json(doc, swapper([CHANGE]), blank=True) == {
        "title": "[dihapus]", "clusters": ["K-0001"], "nested": {"absorbed_title": NEW}}
