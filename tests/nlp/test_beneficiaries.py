"""Reading who a request concerns and, for social aid, what kind of problem and programme (real sentences)."""

import pytest

from nlp.beneficiaries import read
from nlp.features import beneficiaries
from nlp.normalize import normalize


@pytest.mark.parametrize(("text", "groups"), [
    ("Usul ada kegiatan rutin untuk lansia pak, senam pagi, pengajian. Kakek nenek di sini kesepian.", {"lansia"}),
    ("Kami mohon bantuan alat bantu bagi penyandang disabilitas, seperti kursi roda", {"disabilitas"}),
    ("Saya janda, tolong ada pelatihan usaha untuk ibu rumah tangga", {"perempuan"}),
    ("Mohon pendampingan bagi korban kekerasan dalam rumah tangga di kelurahan kami", {"perempuan"}),
    ("Bantuan untuk keluarga prasejahtera di RT 12 belum ada", {"keluarga_miskin"}),
    ("Banyak balita stunting di posyandu kami", {"anak"}),
    ("Nelayan tradisional butuh bantuan alat tangkap", {"nelayan"}),
    ("Anak sungai di Guntung tercemar limbah", set()),  # a tributary, not a child
    ("Jalan rusak di depan sekolah mohon diaspal", set()),
])
def test_groups_read_from_real_requests(text: str, groups: set[str]) -> None:
    assert read(text).groups == groups


@pytest.mark.parametrize(("text", "kinds", "programmes"), [
    ("pkh tahap ini kok blm masuk2 ya min", {"pencairan"}, {"pkh"}),
    ("Bansos salah sasaran, orang mampu malah dapat BLT", {"salah_sasaran"}, {"blt"}),
    ("Saya sudah lama miskin tapi belum terdaftar di DTKS", {"belum_terdaftar"}, set()),  # registering
    ("DTKS di RT kami kacau, mohon pemutakhiran data penerima", {"data"}, set()),
    ("BPJS PBI saya tiba-tiba dinonaktifkan, tolong diaktifkan lagi", {"belum_terdaftar"}, {"pbi"}),
    ("Rumah ulun sudah lapuk, minta dibantu program RTLH", {"belum_terdaftar"}, {"lainnya"}),
    ("NIK saya tidak terdaftar waktu cek BPJS PBI", {"belum_terdaftar"}, {"pbi"}),
    ("Bansos ulun kada cair, kata petugas NIK tidak sesuai dengan KK", {"pencairan", "data"}, set()),
    # a document merely named is no data problem
    ("Usul semua warga ber-KTP Bontang berobat gratis, iuran BPJS dibayar pemkot", set(), {"pbi"}),
    ("pemkot bayarin bpjs warga yg gk mampu, byk yg nunggak", set(), {"pbi"}),
    ("Bantuan kursi roda dan alat bantu dengar dari Dinsos belum datang", {"pencairan"}, {"lainnya"}),
    ("Bantuan beras yang dijanjikan bulan lalu sampai sekarang kada datang-datang", {"pencairan"}, {"sembako"}),
    ("BPNT bulan ini dipotong sama pengurus", {"pencairan"}, {"bpnt"}),
])
def test_aid_problems_and_programmes(text: str, kinds: set[str], programmes: set[str]) -> None:
    reading = read(text)
    assert (reading.aid_kinds, reading.programmes) == (kinds, programmes)


def test_particles_are_read_through() -> None:
    assert read("Tolong perhatikan lansianya di sini").groups == {"lansia"}


def test_listed_phrases_that_hold_a_particle_still_match() -> None:
    """"sekolah" ends like "-lah" and "rumahnya" holds "-nya": both are read as the texts are."""
    assert read("usul bus sekolah gratis buat siswa baru").groups == {"anak"}
    assert read("yg dpt bansos org2 yg rumahnya bertingkat").aid_kinds == {"salah_sasaran"}


@pytest.mark.parametrize(("text", "groups"), [
    ("beasiswa kuliah pemkot tolong diperbanyak pak, anak sy lolos snbp tp mikir ukt nya", set()),
    ("Anak ulun baru 17 tahun mau daftar kerja, butuh KTP, tapi blanko kosong terus", set()),
    ("Banyak anak dari keluarga kurang mampu tidak dapat ikut les, pengajarnya mahasiswa", {"anak", "keluarga_miskin"}),
    ("Balita di sini butuh posyandu, ibunya mau daftar kerja", {"anak"}),
])
def test_a_grown_up_child_is_no_child(text: str, groups: set[str]) -> None:
    """Where the text shows the people are grown up, a bare "anak" is someone's son or daughter."""
    assert read(text).groups == groups


@pytest.mark.parametrize(("text", "groups"), [
    ("pkh tahap ini kok blm masuk2 ya min", {"keluarga_miskin"}),
    ("iuran bpjs sy nunggak, gk sanggup bayar", {"keluarga_miskin"}),
    ("beasiswa untuk mahasiswa dari keluarga berpenghasilan rendah", {"keluarga_miskin"}),
    ("Istri saya lagi hamil, polisi tidur ini terlalu tinggi", {"perempuan"}),
    ("Putra daerah dan anak Bontang harus diutamakan kerja di pabrik", set()),
])
def test_implied_groups(text: str, groups: set[str]) -> None:
    """Poverty-targeted aid and being unable to pay name poor families; pregnancy names women; the city's
    natives are no children (tools/data/rentan_labels.md)."""
    assert read(text).groups == groups


def test_the_grouping_facet_is_unchanged() -> None:
    """The vulnerable reading builds on penerima_id.tsv without adding to what grouping reads from it."""
    assert beneficiaries(normalize("bantuan untuk janda dan perempuan")) == frozenset()
    assert beneficiaries(normalize("kegiatan untuk lansia")) == {"lansia"}


@pytest.mark.parametrize("text", [
    "pak wali plis lapangan sepak bola kanaan dibenahin, itu satu2nya tempat olahraga anak muda disini",
    "bontang kota industri tp penganggurannya tinggi, tolong wajibin perusahaan ambil org lokal dlu",
])
def test_phrases_that_name_no_vulnerable_group(text: str) -> None:
    assert read(text).groups == frozenset()


def test_unable_to_travel_is_not_poverty() -> None:
    text = "Usulan: kunjungan rumah oleh tenaga kesehatan bagi lansia yang sudah tidak mampu bepergian ke puskesmas."
    assert read(text).groups == {"lansia"}


@pytest.mark.parametrize(("text", "groups"), [
    ("Air PDAM kuning, anak ulun mandi malah gatal-gatal. Tolong diperiksa.", set()),
    ("anak sy gk ketrima smp negeri pdhl rumah deket, zonasi nya aneh pak", {"anak"}),
    ("Anak saya dibilang stunting, tapi bantuan makanannya cuma sekali", {"anak"}),
])
def test_the_writers_own_child(text: str, groups: set[str]) -> None:
    """The writer's own child is about children where the text is about their schooling or a child's health."""
    assert read(text).groups == groups


@pytest.mark.parametrize(("text", "groups", "kinds", "programmes"), [
    ("nenek sy gk bs jalan, tp disuruh dtg ke dukcapil buat rekam", {"lansia", "disabilitas"}, set(), set()),
    ("mbah2 di loktuan yg tinggal sendiri butuh sembako, byk yg gk ada penghasilan",
     {"lansia", "keluarga_miskin"}, set(), {"sembako"}),
    ("yg dpt bansos malah org mampu punya mobil, yg susah gk dpt", {"keluarga_miskin"},
     {"salah_sasaran", "belum_terdaftar"}, set()),
    ("adik sy lumpuh butuh kursi roda, udh ngajuin ke dinsos blm ada kabar", {"disabilitas"},
     {"belum_terdaftar"}, {"lainnya"}),
    ("bocil2 satimpo mainnya di pinggir jalan, bahaya", {"anak"}, set(), set()),
    ("gg nelayan berbas pantai masih tanah merah min, minta dicor", set(), set(), set()),
    ("Banyak warga miskin yang jaminan kesehatan gratisnya dicabut", {"keluarga_miskin"}, {"belum_terdaftar"},
     {"pbi"}),
    ("Anak saya penyandang disabilitas dan membutuhkan kursi roda", {"anak", "disabilitas"}, set(), {"lainnya"}),
])
def test_words_added_from_the_tuning_sets(text: str, groups: set[str], kinds: set[str], programmes: set[str]
                                          ) -> None:
    reading = read(text)
    assert (reading.groups, reading.aid_kinds, reading.programmes) == (groups, kinds, programmes)
