"""Admin commands: /ekspor sends the XLSX in chat, /statistik reports counts; both refused to others."""

import io
from datetime import UTC, datetime

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from bot.console import Console
from models.clusters import Cluster
from models.proposals import Proposal
from nlp.labels import short_title
from services.intake.labelling import TITLE_CHARS
from tests.conftest import RESIDENT
from tests.handlers.moderation_seed import ADMIN, MODERATOR, command, seed, session_of

TEXT = "Mohon perbaikan lampu jalan di Jl. Cendana Lok Tuan, hubungi saya di 0812-3456-7890 untuk lokasinya."


LONG = ("Mohon perbaikan lampu jalan di Jl. Cendana Lok Tuan yang sudah tiga bulan padam sehingga jalan sangat "
        "gelap pada malam hari dan warga takut lewat, terutama anak sekolah yang pulang mengaji sesudah magrib.")


def rows(book: Workbook, name: str) -> list[tuple[object, ...]]:
    """A sheet's rows as values."""
    return list(book[name].iter_rows(values_only=True))


async def test_export_command_sends_an_xlsx_a_planner_can_use(console: Console) -> None:
    a = seed(console, RESIDENT, TEXT)
    seed(console, 900_011, LONG, cluster=a.cluster)
    seed(console, 900_012, "Mohon pengerukan drainase di Tanjung Laut yang penuh lumpur.", kelurahan="Tanjung Laut")
    with session_of(console) as session:  # the long text becomes the title, shortened with "…" for chat
        c = session.exec(select(Cluster).where(Cluster.code == a.cluster)).one()
        c.title, c.category = short_title(LONG, TITLE_CHARS), "infrastruktur"
        held = session.exec(select(Proposal).where(Proposal.code == a.proposal)).one()
        held.created_at = datetime(2026, 1, 2, 1, 0, tzinfo=UTC)  # sent then, held, released (submitted) later
        session.add_all([c, held])
        session.commit()
    await console.send(console.maker.text(ADMIN, "/ekspor bontang-utara"))
    document = console.api.sent(ADMIN, "sendDocument")[-1]
    name, content, _ = document.files["document"]
    assert name.startswith("aspirasi-bontang-utara-") and name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Kelompok", "Aspirasi", "Ringkasan"]
    clusters, aspirations, figures = rows(book, "Kelompok"), rows(book, "Aspirasi"), dict(rows(book, "Ringkasan"))
    head = dict(zip(clusters[0], clusters[1], strict=True))
    assert head["Kode kelompok"] == a.cluster and head["Kelurahan aspirasi"] == "Lok Tuan (2)"
    assert head["Judul"] == LONG and "…" not in head["Judul"]  # the full text, not the chat title
    assert head["Kategori"] == "Infrastruktur" and head["Forum"] == "Forum Warga Bontang Utara"
    assert head["Kecamatan aspirasi"] == "Bontang Utara (2)" and head["Jumlah aspirasi"] == 2
    assert len(aspirations) == 3
    first = dict(zip(aspirations[0], aspirations[1], strict=True))
    assert (first["Kelurahan"], first["Kecamatan"], first["Forum"]) == ("Lok Tuan", "Bontang Utara",
                                                                        "Forum Warga Bontang Utara")
    assert any(row[6] == LONG for row in aspirations[1:])
    assert first["Kode aspirasi"] == a.proposal and first["Dikirim (WITA)"] == datetime(2026, 1, 2, 9, 0)
    assert figures["Jumlah aspirasi"] == 2 and figures["Jumlah kelompok"] == 1
    assert figures["Aspirasi per kecamatan: Bontang Utara"] == 2 and figures["Cakupan"] == "Forum Warga Bontang Utara"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert book["Kelompok"].column_dimensions["A"].width != book["Aspirasi"].column_dimensions["A"].width
    assert book["Aspirasi"].column_dimensions["G"].width >= 60 and book["Aspirasi"]["G2"].alignment.wrap_text
    cells = " ".join(str(v) for row in clusters + aspirations for v in row)
    assert "0812" not in cells and "[nomor telepon]" in cells and str(RESIDENT) not in cells
    assert "2 aspirasi" in document.params["caption"]
    assert "Cara pakai" in await command(console, ADMIN, "/ekspor kemarin")


async def test_statistics_command_and_refusals(console: Console) -> None:
    seed(console, RESIDENT, TEXT)
    seed(console, 900_012, "Mohon pengerukan drainase di Tanjung Laut yang penuh lumpur.", kelurahan="Tanjung Laut")
    text = await command(console, ADMIN, "/statistik")
    assert "Aspirasi terbit: <b>2</b>" in text and "Tanjung Laut: 1" in text and "(0%)" in text
    assert "hanya untuk admin" in await command(console, MODERATOR, "/statistik")
    assert "hanya untuk admin" in await command(console, RESIDENT, "/ekspor")
    assert console.api.sent(RESIDENT, "sendDocument") == []
