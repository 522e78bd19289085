"""Normaliser: Unicode, stretched letters, slang table, fillers and small talk."""

import pytest

from nlp.normalize import embedding_text, is_small_talk, normalize, squeeze, strip_fillers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("tolonggg", "tolong"),
        ("banjir lagiii", "banjir lagi"),
        ("Maaaaf", "maaf"),
        ("saat ini warga taat", "saat ini warga taat"),
        ("perusahaan", "perusahaan"),
    ],
)
def test_squeeze_keeps_genuine_double_letters(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_squeeze_leaves_digits_alone() -> None:
    assert squeeze("Rp 1000000") == "Rp 1000000"


def test_unicode_and_whitespace() -> None:
    assert normalize("Ｊｌ.\u200b  Ahmad\u202e   Yani\n\t rusak") == "jalan ahmad yani rusak"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("gk ada yg dtg", "tidak ada yang datang"),
        ("jgn cm janji", "jangan cuma janji"),
        ("jln udh rusak bgt", "jalan sudah rusak sangat"),
        ("pak wali tlg dgn sgr", "wali kota tolong dengan sgr"),
        ("ulun kada bisa, banyu keruh haja", "saya tidak bisa, air keruh saja"),
        ("anak2 sekolah", "anak-anak sekolah"),
        ("luas 20 m2", "luas 20 m2"),
        ("gas 3kg harganya 40rb", "gas 3 kg harganya 40 ribu"),  # a unit against its number is its own word
        ("trek2an tiap malam", "trek-trekan setiap malam"),  # a reduplication with its suffix
        ("anak2nya", "anak-anaknya"),
        # Kamus Alay (indoNLP) under our table: chat spellings it knows, civic abbreviations and real words kept
        ("pipa blm nyampe, ancur smua", "pipa belum sampai, hancur semua"),
        ("anak msk smp, urus kk", "anak masuk smp, urus kk"),
        ("orang kaya", "orang kaya"),
        ("anak nyebrang di depan sekolah menengah pertama", "anak menyeberang di depan smp"),
        ("rt 09 berbas tgh", "rt 09 berbas tengah"),
        ("got di gn elai mampet", "got di gunung elai mampet"),  # not Kamus Alay's "begini"
        ("jualan udh 15 th, jaraknya 2 km", "jualan sudah 15 tahun, jaraknya 2 km"),
        ("jln m.t. haryono dan d.i. panjaitan", "jalan m.t. haryono dan d.i. panjaitan"),  # initials stay
        ("d rumah sy", "di rumah saya"),
        ("makasih min", "terima kasih admin"),
    ],
)
def test_slang_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_slang_is_one_pass_and_whole_words() -> None:
    assert normalize("gang gkbaru") == "gang gkbaru"
    assert normalize("terima kasih") == "terima kasih"


def test_strip_fillers_keeps_the_request() -> None:
    text = normalize("Assalamualaikum pak, mohon maaf, tolong jalan di depan rumah diperbaiki dong")
    assert strip_fillers(text) == "jalan di depan rumah diperbaiki"


def test_embedding_text_drops_placeholders() -> None:
    assert embedding_text("hubungi [nomor telepon] soal banjir") == "hubungi soal banjir"


@pytest.mark.parametrize(
    "text",
    [
        "halo",
        "tes",
        "test",
        "p",
        "makasih min",
        "assalamualaikum",
        "ini bot apa?",
        "selamat pagi pak",
        "mksh min udh dibales 🙏",
        "Selamat siang, apakah layanan ini dikelola oleh Pemerintah Kota?",
        "oke siap",
    ],
)
def test_small_talk(text: str) -> None:
    assert is_small_talk(text)


@pytest.mark.parametrize(
    "text",
    [
        "halo min, jalan di depan rumah rusak",
        "tes, lampu jalan di gang kami mati",
        "banjir",
        "makasih min, tapi got di gunung elai masih mampet",
        "bot ini bisa tolong laporkan jalan rusak?",
    ],
)
def test_requests_are_not_small_talk(text: str) -> None:
    assert not is_small_talk(text)


def test_particles_and_derived_forms_reach_their_concept() -> None:
    from nlp.features import root, terms

    assert "c_pekerja_lokal" in terms("utamakan tenaga kerja lokalnya")  # a particle no longer blocks a phrase
    assert root("sekolahnya") == root("sekolah") == "sekolah"  # "-lah" of "sekolah" is not a particle
    assert root("pemadaman") == root("padam")  # peN- + -an back to the root, not "madam"


def test_informal_roots() -> None:
    from nlp.features import root

    assert root("ngurus") == "urus"  # not "kurus"
    assert root("ngontrak") == "kontrak"
    assert root("malem") == "malam"  # not "palem"


def test_a_state_shared_by_many_things_is_no_concept() -> None:
    from nlp.features import terms

    water, power = terms("air pdam mati sejak pagi"), terms("listrik mati sejak pagi")
    assert not {t for t in set(water) & set(power) if t.startswith("c_")}


@pytest.mark.parametrize(
    ("one", "other", "concept"),
    [
        ("tolong dibikin pembatas kecepatan di gang", "pasang polisi tidur dong", "c_polisi_tidur"),
        ("angkot ke pasar gk ada pak", "mohon disediakan transportasi umum", "c_angkutan_umum"),
        ("gas melon langka di warung", "elpiji 3 kg susah dicari", "c_elpiji"),
        ("hutan bakau ditimbun", "lindungi mangrove kami", "c_mangrove"),
        ("gas 3kg langka", "mohon operasi pasar LPG 3 kg", "c_elpiji"),
        ("tronton lewat tengah kota", "batasi jam kendaraan berat", "c_kendaraan_berat"),
        ("motor ilang lagi di gang", "curanmor merajalela", "c_kejahatan"),
        ("kerusakan jalan sudah enam bulan", "jalan rusak parah", "c_jalan_berlubang"),
        ("blimbing ada yg kena demam berdarah", "kasus dbd naik", "c_dbd"),
        ("minta pengasapan nyamuk", "tolong fogging rt kami", "c_fogging"),
        ("lampu merah perempatan rusak", "APILL di simpang tidak berfungsi", "c_lampu_lalu_lintas"),
        ("kuburan sudah penuh", "mohon lahan pemakaman baru", "c_makam"),
        ("minta break water", "pantai terkena abrasi", "c_abrasi"),
        ("rumah tidak layak huni di rt 3", "usul bedah rumah", "c_bedah_rumah"),
        ("harga bahan pokok naik", "sembako mahal", "c_sembako"),
        ("tabung hijau langka", "gas elpiji kosong", "c_elpiji"),
        ("warga pulau butuh perahu ambulans", "usul speedboat kesehatan siaga", "c_ambulans_laut"),
        ("tidak ada kamar mandi di pantai", "usul MCK di pulau wisata", "c_toilet"),
        ("sungai dangkal tolong dikeruk", "usul pendalaman alur kali", "c_pengerukan"),
        ("minta benih rumput laut", "bantuan bibit untuk petani", "c_bibit"),
        ("jalan kayu di kampung lapuk", "titian ulin patah", "c_jembatan"),
        ("tiang-tiang lampunya kada hidup", "lampu jalan mati", "c_lampu_jalan"),  # a plural names one thing
    ],
)
def test_the_usual_names_of_one_thing_share_a_concept(one: str, other: str, concept: str) -> None:
    from nlp.features import terms

    assert concept in terms(normalize(one)) and concept in terms(normalize(other))


def test_a_noun_in_an_keeps_its_own_sense() -> None:
    from nlp.features import root

    assert root("jaringan") != root("jaring")  # a network is not a fishing net
    assert root("jaring") == "c_alat_tangkap"


def test_the_seller_of_a_thing_asked_for_is_no_beneficiary() -> None:
    from nlp.features import beneficiaries

    assert beneficiaries(normalize("tlg adain penjual solar resmi dkt TPI")) == frozenset()
    assert beneficiaries(normalize("bantuan modal untuk pedagang kecil")) == {"pedagang"}


@pytest.mark.parametrize(
    ("regional", "indonesian"),
    [
        ("Kulo nyuwun tulung, margi wonten ngajeng griya kulo risak sanget",  # Javanese krama
         "Saya mohon tolong, jalan di depan rumah saya rusak sangat"),
        ("dalane rusak, lampune mati kabeh, ora ono sing ndandani",  # Javanese ngoko, -e/-ne suffixes
         "jalannya rusak, lampunya mati semua, tidak ada yang memperbaiki"),
        ("toyanipun PDAM mboten mili sampun seminggu", "airnya PDAM tidak mengalir sudah seminggu"),  # -nipun
        ("ulun handak minta tulung, banyu kada mengalir, lampu jalan pajah", # Banjar
         "saya ingin minta tolong, air tidak mengalir, lampu jalan padam"),
        ("rusak ji jalan di sikola, tolong ki diperbaiki pi", "rusak saja jalan di sekolah, tolong diperbaiki"),
        ("omahku kebanjiran, banyunya kotor", "rumahku kebanjiran, airnya kotor"),  # Indonesian suffix, regional stem
    ],
)
def test_regional_languages_read_as_indonesian(regional: str, indonesian: str) -> None:
    from nlp.features import terms

    assert terms(normalize(regional)) == terms(normalize(indonesian))


@pytest.mark.parametrize(
    "text",
    [
        "saking parahnya jalan itu tiba-tiba ambruk",  # Indonesian "saking", "tiba" are not Javanese "from", "fall"
        "warung mi ayam di dekat sekolah",  # "mi" is noodles, not the Bugis particle
        "sore ini karena hujan",  # Indonesian roots ending in -e are not cut
        "de kamu sekolah di mana",  # chat "de" (little one) is not Bugis "de'" (not)
    ],
)
def test_indonesian_words_that_look_regional_stay(text: str) -> None:
    from nlp.features import terms

    assert "tidak" not in normalize(text) and "dari" not in normalize(text)
    assert set(terms(normalize(text))) >= {t for t in terms(text.lower()) if t not in ("de",)}


def test_every_regional_entry_has_a_language_and_a_dictionary_fact() -> None:
    from nlp.lexicon import DATA_DIR

    rows = [ln.split("\t") for ln in (DATA_DIR / "daerah_id.tsv").read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    assert len(rows) > 200
    assert all(len(r) == 4 and r[2] in {"jv-ngoko", "jv-krama", "bjn", "bug"} and r[3].strip() for r in rows)
    assert len({r[0] for r in rows}) == len(rows)
