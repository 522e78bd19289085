"""Texts read as sections: export sheets, columns and labels, and residents' pseudonyms, from texts_id.yaml."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.residents import Resident
from services.access.people import resident_label
from services.core.texts import section
from services.reports.exports import (
    ASPIRATION_COLUMNS,
    CLUSTER_COLUMNS,
    FIGURE_COLUMNS,
    WIDTHS,
    WRAPPED,
    export_name,
    period_figures,
)


def test_export_columns_come_from_the_texts_file_and_fit_the_sheet_layout() -> None:
    sheets, columns = section("export_sheets"), section("export_columns")
    assert tuple(columns["clusters"]) == CLUSTER_COLUMNS and tuple(columns["aspirations"]) == ASPIRATION_COLUMNS
    for key, names in (("clusters", CLUSTER_COLUMNS), ("aspirations", ASPIRATION_COLUMNS), ("figures", FIGURE_COLUMNS)):
        assert len(WIDTHS[sheets[key]]) == len(names) and sheets[key] in WRAPPED and len(sheets[key]) <= 31


def test_period_figures_are_labelled_from_the_texts_file() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    rows = dict(period_figures([], [], scope=None, since=now, now=now, tz=ZoneInfo("Asia/Makassar")))
    labels = section("export_figures")
    assert rows[labels["scope"]] == labels["scope_all"] and rows[labels["aspirations"]] == 0


def test_resident_labels_come_from_the_texts_file() -> None:
    assert resident_label(Resident(id=83, kelurahan="Lok Tuan")) == "Warga 83 · Lok Tuan"
    assert resident_label(Resident(id=83)) == "Warga 83"
    assert resident_label(None) == "Warga (dihapus)"


def test_export_file_names_come_from_the_texts_file() -> None:
    assert export_name(None, date(2026, 11, 30), "xlsx") == "aspirasi-semua-20261130.xlsx"
    assert export_name("bontang-utara", date(2026, 11, 30), "csv") == "aspirasi-bontang-utara-20261130.csv"
