"""Admin commands: /ekspor sends the XLSX in chat, /statistik reports counts; both refused to others."""

import io

from openpyxl import load_workbook

from bot.console import Console
from tests.conftest import RESIDENT
from tests.handlers.moderation_seed import ADMIN, MODERATOR, command, seed

TEXT = "Mohon perbaikan lampu jalan di Jl. Cendana Lok Tuan, hubungi saya di 0812-3456-7890 untuk lokasinya."


async def test_export_command_sends_an_xlsx_without_verbatim_text_or_ids(console: Console) -> None:
    a = seed(console, RESIDENT, TEXT)
    seed(console, 900_011, "Lampu penerangan di Jalan Cendana padam semua, gelap sekali.", cluster=a.cluster)
    seed(console, 900_012, "Mohon pengerukan drainase di Tanjung Laut yang penuh lumpur.", kelurahan="Tanjung Laut")
    await console.send(console.maker.text(ADMIN, "/ekspor bontang-utara"))
    document = console.api.sent(ADMIN, "sendDocument")[-1]
    name, content, _ = document.files["document"]
    assert name.startswith("aspirasi-bontang-utara-") and name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(content))
    clusters = list(book["Kelompok"].iter_rows(values_only=True))
    aspirations = list(book["Aspirasi"].iter_rows(values_only=True))
    assert clusters[1][0] == a.cluster and clusters[1][3] == "Lok Tuan (2)" and clusters[1][4] == 2
    assert len(aspirations) == 3 and all(row[2] == "Lok Tuan" for row in aspirations[1:])
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
