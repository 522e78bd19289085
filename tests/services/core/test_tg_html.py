"""Telegram's HTML parse mode and limits, as services/tg_html reads them: what it refuses, how it splits."""

import pytest

from services.core.tg_html import HtmlError, split_html, tg_len, truncate_html, visible_text


@pytest.mark.parametrize("text", ["<x>a</x>", "a < b", "<b>a", "<b><i>a</b></i>", "a & b", "</b>", "a > b"])
def test_html_telegram_cannot_parse_is_refused(text: str) -> None:
    with pytest.raises(HtmlError):
        visible_text(text)


def test_visible_text_counts_entities_once_and_tags_not_at_all() -> None:
    assert visible_text('<b>Jl.</b> &amp; <a href="https://x.id/a b">RT&#32;05</a> &lt;3') == "Jl. & RT 05 <3"
    assert tg_len("😀") == 2  # Telegram counts UTF-16 code units


def test_a_long_text_splits_at_sections_into_valid_parts() -> None:
    sections = [f"<b>ASP-{i:04d}</b> &amp; kelompok\n<i>{'kata ' * 80}</i>" for i in range(30)]
    parts = split_html("\n\n".join(sections))
    assert len(parts) > 1 and all(tg_len(visible_text(p)) <= 4096 for p in parts)
    assert all(p.startswith("<b>ASP-") for p in parts)  # each part starts at a section
    assert sum(visible_text(p).count("ASP-") for p in parts) == 30


def test_a_run_without_breaks_is_cut_hard_and_tags_reopen() -> None:
    parts = split_html("<b>" + "😀" * 5000 + "</b>")
    assert [tg_len(visible_text(p)) for p in parts] == [4096, 4096, 1808]
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_truncate_marks_what_was_left_out() -> None:
    short = truncate_html("<i>" + "a " * 1000 + "</i>", 1024)
    assert tg_len(visible_text(short)) <= 1024 and short.endswith(" …")
    assert truncate_html("pendek", 1024) == "pendek"
