"""PII redaction: what must go and what must stay, in every spelling the privacy probes found and more."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from bot.settings import load_config
from nlp.labels import readable_title
from nlp.redact import ACCOUNT, EMAIL, HOUSE, NAME, NIK, PHONE, redact
from tests.conftest import ROOT


@pytest.fixture(autouse=True, scope="module")
def city_places() -> None:
    """Redact as the running bot does: with the place names of config.yaml."""
    load_config(ROOT / "config.yaml")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("wa sy 0821-5567-0932 ya", f"wa sy {PHONE} ya"),
        ("hubungi 081234567890.", f"hubungi {PHONE}."),
        ("no hp 0812 3456 7890", f"no hp {PHONE}"),
        ("kontak +62 812-3456-7890", f"kontak {PHONE}"),
        ("kontak 6281234567890", f"kontak {PHONE}"),
        ("telp 0821.5567.0932", f"telp {PHONE}"),
        ("kantor (0548) 21234", f"kantor {PHONE}"),
        ("Ketua RT 08, 0811-5462-7730.", f"Ketua RT 08, {PHONE}."),
        ("kontak (+62)81234567890 ya", f"kontak {PHONE} ya"),
        ("tanggal 08.12.2024 hub 0812-3456-7890", f"tanggal 08.12.2024 hub {PHONE}"),
        ("NIK saya 6474036808910004, iuran saya nunggak", f"NIK saya {NIK}, iuran saya nunggak"),
        ("nik 6474 0368 0891 0004 ya", f"nik {NIK} ya"),
        ("email sy: rizky.f_01@gmail.com buat info", f"email sy: {EMAIL} buat info"),
        ("email siti . rahma @ gmail . com ya", f"email {EMAIL} ya"),
    ],
)
def test_exact_outputs(raw: str, expected: str) -> None:
    assert redact(raw) == expected


# (text, placeholder it must become): every spelling the privacy probes found shown verbatim to staff, and more.
MUST_GO = [
    # dashes, dots, slashes, spaces, brackets, full width
    ("wa 0812–3456–7890", PHONE), ("wa 0812—3456—7890", PHONE), ("wa ０８１２３４５６７８９０", PHONE),
    ("wa ０８１２－３４５６－７８９０", PHONE), ("hp 0812/3456/7890", PHONE), ("hp 0812_3456_7890", PHONE),
    ("hp 0812\u200b3456\u200b7890", PHONE),
    ("hp 0812-34-56-78-90", PHONE), ("hp 0 8 1 2 3 4 5 6 7 8 9 0", PHONE), ("hp 08 12 34 56 78 90", PHONE),
    ("hp 0812 - 3456 - 7890", PHONE), ("hp 0812. 3456. 7890", PHONE), ("hp (0812) 3456 7890", PHONE),
    ("hp +62-812-3456-7890", PHONE), ("hp +62 (812) 3456 7890", PHONE), ("hp +6281234567890", PHONE),
    ("hp ＋６２８１２３４５６７８９０", PHONE), ("hp 62 812 3456 7890", PHONE), ("hp 0852 5011 2233", PHONE),
    ("hp 0811.5462.7730", PHONE), ("hp 0821 5567 093", PHONE), ("hp 081345678901", PHONE),
    ("telp kantor 0548-21234", PHONE), ("telp (0548) 21234", PHONE), ("telp 0541 736 123", PHONE),
    ("telp 021-5551234", PHONE), ("hub.0812 3456 7890", PHONE), ("no:081234567890", PHONE),
    ("nomornya 0812 3456 7890, makasih", PHONE), ("(081234567890)", PHONE), ("wa:+62 811-5462-7730.", PHONE),
    # separators the second probe found
    ("hp 0812·3456·7890", PHONE), ("hp 0812 · 3456 · 7890", PHONE), ("hp 0812•3456•7890", PHONE),
    ("hp 0812~3456~7890", PHONE), ("hp 0812,3456,7890", PHONE), ("hp 0812\u20103456\u20107890", PHONE),
    ("hp 0812\u20113456\u20117890", PHONE), ("hp 0812   -   3456   -   7890", PHONE), ("hp 0812 ~ 3456 ~ 7890", PHONE),
    ("hp 0812−3456−7890", PHONE), ("hp 0812 ‒ 3456 ‒ 7890", PHONE), ("hp 0812 / 3456 / 7890", PHONE),
    # invisible characters between digit groups
    ("hp 0812\u034f3456\u034f7890", PHONE), ("hp 0812\u180e3456\u180e7890", PHONE),
    ("hp 0812\u28003456\u28007890", PHONE), ("hp 0812\U000e00203456\U000e00207890", PHONE),
    ("hp 0812\ufe0f3456\ufe0f7890", PHONE), ("hp 0812\u061c3456\u061c7890", PHONE),
    ("hp 0812\u2060-3456\u2060-7890", PHONE), ("hp 0812\u00ad3456\u00ad7890", PHONE),
    ("hp 0812\u202e3456\u202c7890", PHONE), ("hp 0\u200d8\u200d1\u200d2 3456 7890", PHONE),
    # keycaps, Arabic-Indic and other digits, letters for digits
    ("hp 0\ufe0f\u20e38\ufe0f\u20e31\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e36\ufe0f\u20e3"
     "7\ufe0f\u20e38\ufe0f\u20e39\ufe0f\u20e30\ufe0f\u20e3", PHONE),
    ("hp 0\u20e38\u20e31\u20e32\u20e3 3456 7890", PHONE),
    ("hp ٠٨١٢٣٤٥٦٧٨٩٠", PHONE), ("hp ۰۸۱۲-۳۴۵۶-۷۸۹۰", PHONE), ("hp ०८१२३४५६७८९०", PHONE),
    ("hp 𝟎𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎", PHONE), ("hp O812 3456 7890", PHONE), ("hp o812-3456-7890", PHONE),
    ("hp 08l2 3456 7890", PHONE), ("hp 0812 3456 789O", PHONE), ("hp O8I2-3456-789O", PHONE),
    ("hp (+62)81234567890", PHONE), ("hp (+62) 812 3456 7890", PHONE), ("hp +(62) 812-3456-7890", PHONE),
    # spelled out
    ("nol delapan satu dua tiga empat lima enam tujuh delapan sembilan nol", PHONE),
    ("Nol Delapan Satu Dua Tiga Empat Lima Enam Tujuh Delapan", PHONE),
    ("kosong delapan satu satu lima empat enam dua tujuh tujuh tiga kosong", PHONE),
    ("nol-delapan-satu-dua-tiga-empat-lima-enam-tujuh-delapan-sembilan", PHONE),
    ("nol delapan satu dua 3456 7890", PHONE), ("0812 tiga empat lima enam tujuh delapan sembilan nol", PHONE),
    ("nol, delapan, satu, dua, tiga, empat, lima, enam, tujuh, delapan, sembilan", PHONE),
    # NIK
    ("NIK 6474036808910004", NIK), ("NIK 64.74.03.680891.0004", NIK), ("NIK 647403 680891 0004", NIK),
    ("NIK 6474 036808910004", NIK), ("NIK 6474-0368-0891-0004", NIK), ("NIK 6474/0368/0891/0004", NIK),
    ("NIK 6474_0368_0891_0004", NIK), ("NIK ６４７４０３６８０８９１０００４", NIK),
    ("NIK 64 74 03 68 08 91 00 04", NIK),
    ("NIK 6474–0368–0891–0004", NIK), ("NIK: 3173012501900001.", NIK), ("nik 1101 0101 0101 0001", NIK),
    ("KTP 9171 0203 0405 0006", NIK), ("nik 647403.680891.0004 ya", NIK),
    ("NIK 647403680891000", NIK), ("NIK 64740368089100041", NIK), ("NIK 647403 68089 1000", NIK),
    ("NIK 64740368O891OOO4", NIK), ("NIK 6474O3680891OOO4", NIK), ("NIK 6474·0368·0891·0004", NIK),
    ("NIK ٦٤٧٤٠٣٦٨٠٨٩١٠٠٠٤", NIK), ("NIK 6474\u180e0368\u180e0891\u180e0004", NIK),
    # e-mail
    ("nama @ gmail.com", EMAIL), ("nama@ gmail.com", EMAIL), ("nama @gmail.com", EMAIL),
    ("nama[at]gmail.com", EMAIL), ("nama (at) gmail.com", EMAIL), ("nama(at)gmail(dot)com", EMAIL),
    ("nama [at] gmail [dot] com", EMAIL), ("nama＠gmail.com", EMAIL), ("ｎａｍａ＠ｇｍａｉｌ．ｃｏｍ", EMAIL),
    ("rizky.f_01@yahoo.co.id", EMAIL), ("NAMA@GMAIL.COM", EMAIL), ("nama at gmail.com", EMAIL),
    ("nama.warga+rt05@bontangkota.go.id", EMAIL), ("nama @ gmail . com", EMAIL),
    ("nama at gmail dot com", EMAIL), ("nama{at}gmail.com", EMAIL), ("nama(@)gmail.com", EMAIL),
    ("nama[@]gmail.com", EMAIL), ("nama di gmail.com", EMAIL), ("nama@gmail,com", EMAIL), ("nama@gmail", EMAIL),
    ("nama @ gmail", EMAIL), ("nama . warga @ gmail . com", EMAIL), ("nama_warga at yahoo dot co dot id", EMAIL),
    ("nama(dot)warga(at)gmail(dot)com", EMAIL), ("nama.warga@gmail。com", EMAIL), ("nama.warga at gmail", EMAIL),
    ("nama {at} gmail {dot} com", EMAIL), ("nama@gmail titik com", EMAIL), ("nama\u200b@\u200bgmail.com", EMAIL),
    # names
    ("nama saya Siti Rahmawati", NAME), ("Nama: Siti Rahmawati", NAME), ("nama sy siti", NAME),
    ("saya Bu Siti", NAME), ("saya Pak Bambang", NAME), ("a.n. Siti Rahmawati", NAME), ("a/n Siti", NAME),
    ("atas nama Siti Rahmawati", NAME), ("an. Siti Rahmawati", NAME), ("salam dari Rahmat", NAME),
    ("anak saya Dimas", NAME),
    ("NAMA SAYA SITI RAHMAWATI", NAME), ("namaku siti", NAME), ("nama lengkap: Siti Rahmawati", NAME),
    ("saya Siti, warga RT 05", NAME), ("saya siti, warga RT 05", NAME), ("istri saya Siti", NAME),
    # house numbers and bank accounts
    ("Jl. Melati No. 12 RT 05", HOUSE), ("Gang Kenanga No 7A", HOUSE), ("Perum Bukit Sintuk Blok C-12", HOUSE),
    ("rumah saya nomor 12", HOUSE), ("alamat: Jl. Cendana no.3", HOUSE),
    ("rek BRI 1234-01-000123-50-1", ACCOUNT), ("BCA 1234567890", ACCOUNT), ("Mandiri 149-00-1234567-8", ACCOUNT),
    ("no rek 1234567890", ACCOUNT), ("norek BNI: 0123456789", ACCOUNT), ("rekening bank BSI 7123 4567 89", ACCOUNT),
]

# Secrets in MUST_GO that must not be left in the output (the placeholders' own words aside).
_SECRET_WORDS = ("siti", "rahma", "bambang", "dimas", "gmail", "yahoo", "nama.", "kenanga no", "1234", "5678")


@pytest.mark.parametrize(("raw", "placeholder"), MUST_GO)
def test_every_spelling_is_redacted(raw: str, placeholder: str) -> None:
    out = redact(raw)
    assert placeholder in out
    assert sum(unicodedata.decimal(ch, -1) >= 0 for ch in out) <= 2, out  # no run of the number is left
    assert not [w for w in _SECRET_WORDS if w in out.lower()], out
    if placeholder in (PHONE, NIK, EMAIL):
        assert "nama" not in re.sub(r"\[[^\]]*\]", "", out).lower()  # an e-mail's local part goes too


MUST_STAY = [
    # numbers
    "RT 05", "RT 05 RW 12", "RT.005/RW.012", "Rp 5.000.000", "Rp5.000.000,00", "Rp 628.000.000", "Rp 1.250.000.000",
    "Jl. 21 Mei", "tanggal 08-05-2024", "12/05/2024", "17 Agustus 1945", "2024-05-12",
    "kode ASP-2026-000123", "kelompok K-0042", "tahun 2024", "tahun 2023 dan 2024",
    "Blok C", "beras 25 kg", "minyak 2 liter", "solar 5.000 liter", "150 kepala keluarga",
    "km 7", "sejak 2019, 5 tahun", "jam 08.30-10.00", "panjang 1.200 meter", "satu dua tiga empat lima enam",
    "dua tiga kali", "ukuran 64740368", "pukul 19.00 WITA", "kode pos 75311", "Gang 3 RT 09",
    "tanggal 08.12.2024 10.30 WITA", "surat nomor 061/1234/2025", "061/1234/2025", "0548 2025 0012",
    "No. 12 km 7", "SD No. 005", "TPS No. 12", "jalan rusak di Jl. Ahmad Yani depan No. 12",
    "dekat No. 7 Gang Mawar", "antrean nomor 45", "08.12.2024", "tgl 1-12-2024 jam 10.30",
    "dari 2019 sampai 2024", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10", "sebulan 1,5jt", "2,5 km", "5 GT", "17 tahun",
    "Rp 081.234.567", "IDR 6.281.234.567", "kwh 1234567", "ID pelanggan PLN 532100123456",
    "nomor surat 800/123/2025", "Perda No. 5 Tahun 2021", "tahun 2020 2021 2022 2023", "ruas km 12-15",
    # words after "dari", "saya", "nama"
    "dari Satimpo", "dari dulu", "saya warga Lok Tuan", "saya warga", "dari Dinas PU", "dari Pak RT",
    "dari Bu Lurah", "dari kemarin", "dari Tanjung Laut Indah", "dari Jl. Ahmad Yani", "dari Gang Mawar",
    "dari PDAM", "dari Senin", "dari Januari", "saya mau lapor", "Saya Mohon Perbaikan Jalan Di Gang Mawar",
    "saya sebagai ketua RT", "saya juga warga", "atas nama warga RT 05", "nama jalan ini", "dari Loktuan",
    "dari Bontang Kuala", "saya ibu rumah tangga", "dari pagi", "dari Perumda Tirta Taman", "dari Badak LNG",
    "anak saya sekolah di SD 005", "saya tinggal di Satimpo", "Dari Kelurahan Berbas Tengah", "dari jam 7",
    "dari Masjid Al-Ikhlas", "dari arah Pupuk Raya", "saya asli warga sini", "dari tahun lalu",
    "hubungi @bontangkota", "kirim ke Pak Lurah",
    "dari Berbas", "dari Pemerintah Kota", "dari Disdukcapil", "dari Puskesmas Bontang Utara", "dari BPBD",
    "dari Pasar Rawa Indah", "dari Kantor Lurah Api-Api", "dari Samarinda", "dari Bali", "Dari Kemarin Air Mati",
    "Dari Pagi Sampai Malam", "Dari Hasil Rapat RT", "Dari Pihak Kelurahan", "Saya Sudah Lapor Ke RT",
    "Saya Warga Yang Tinggal Di Gang Mawar", "saya Ketua RT 05", "saya Mahasiswa", "saya Ojol", "dari Rt 05",
    "dari Gg. Mawar", "dari Jln Pattimura", "dari Kampung Selangan", "dari Tihi-Tihi", "saya Mw lapor",
    "saya Tlg dibantu", "saya secara Pribadi", "hubungi Pak Lurah", "Narahubung: Ketua RT 08",
    "dari Bontang Lestari", "dari Lestari", "dari Jl. Ahmad Yani No. 5 sampai No. 20", "an. kepala dinas",
    "saya Melaporkan jalan rusak", "dari Dinas Pekerjaan Umum", "pinjaman bank 5.000.000", "bank sampah 12 unit",
    "Salam Sejahtera", "Wassalamualaikum Wr. Wb.", "salam hangat dari warga", "Hormat kami,\nWarga RT 05",
]


@pytest.mark.parametrize("text", MUST_STAY)
def test_ordinary_numbers_and_words_are_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Saya Budi Santoso dari RT 05 Satimpo", f"Saya {NAME} dari RT 05 Satimpo"),
        ("nama saya budi santoso warga rt 3 lok tuan", f"nama saya {NAME} warga rt 3 lok tuan"),
        ("Nama : Siti Rahma\nAlamat : Jl. Melati No. 12 RT 05 Lok Tuan",
         f"Nama : {NAME}\nAlamat : Jl. Melati {HOUSE} RT 05 Lok Tuan"),
        ("saya Pak Rahmat, tinggal di Gang Kenanga No 7A RT 09, lampu jalan mati",
         f"saya Pak {NAME}, tinggal di Gang Kenanga {HOUSE} RT 09, lampu jalan mati"),
        ("rumah di Perum Griya Blok C-12 kebanjiran", f"rumah di Perum Griya Blok {HOUSE} kebanjiran"),
        ("bantuan belum masuk ke rek BRI 1234-01-000123-50-1 a.n. Siti Rahma",
         f"bantuan belum masuk ke rek BRI {ACCOUNT} a.n. {NAME}"),
        ("jalan rusak di Jl. Ahmad Yani depan No. 12", "jalan rusak di Jl. Ahmad Yani depan No. 12"),
        ("kontak 0812 3456 7890 (Budi Santoso)", f"kontak {PHONE} ({NAME})"),
        ("hp 0812 3456 7890 (Ketua RT)", f"hp {PHONE} (Ketua RT)"),
        ("Narahubung: Bapak Sukardi, Ketua RT 08, 0811-5462-7730.", f"Narahubung: Bapak {NAME}, Ketua RT 08, {PHONE}."),
        ("saya Yohanes Batara, warga Guntung", f"saya {NAME}, warga Guntung"),
        ("mohon segera diperbaiki.\nHormat saya,\nYohanes Batara\nRT 05",
         f"mohon segera diperbaiki.\nHormat saya,\n{NAME}\nRT 05"),
        ("Wassalamualaikum Wr. Wb.\nSiti", f"Wassalamualaikum Wr. Wb.\n{NAME}"),
        ("laporan dari Bu Siti, anak saya Dimas jatuh di Jl. Pattimura",
         f"laporan dari Bu {NAME}, anak saya {NAME} jatuh di Jl. Pattimura"),
    ],
)
def test_names_addresses_and_accounts(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_redacting_twice_changes_nothing() -> None:
    for raw, _ in MUST_GO:
        once = redact(raw)
        assert redact(once) == once


def test_table_is_big_enough() -> None:
    assert len(MUST_GO) + len(MUST_STAY) >= 150 and len(MUST_STAY) >= 40


@pytest.mark.parametrize("stored", [
    "pak tlg lampu jln d gg mawar mati, wa sy 0812\u180e3456\u180e7890 ya",  # normalising drops the U+180E
    "Saya Budi Santoso minta lampu jalan di Gang Mawar diperbaiki",  # a text an older redactor stored
])
def test_titles_are_built_from_redacted_text(stored: str) -> None:
    title = readable_title(stored)
    assert "3456" not in title and "Budi" not in title and "Santoso" not in title and "awar" in title


def test_dev_messages_keep_every_place_and_street(shared_data: Path) -> None:
    config = load_config(ROOT / "config.yaml")
    places = [n for kel in config.city.all_kelurahan() for n in (kel.name, *kel.aliases)]
    places += [n for main, aliases in config.city.streets.items() for n in (main, *aliases)]
    lost = []
    for name in ("aspirasi_dev.jsonl", "aspirasi_dev2.jsonl"):
        for line in (shared_data / name).read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            out = redact(text).lower()
            lost += [(p, text) for p in places if re.search(rf"\b{re.escape(p.lower())}\b", text.lower())
                     and p.lower() not in out]
    assert lost == []
