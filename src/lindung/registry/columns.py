"""The columns of the import files: canonical names, what they hold, and header matching.

The canonical names are the template's headers. A file's headers are matched tolerantly: case,
spaces, punctuation, a trailing explanation in brackets ("Tanggal Lahir (HH/BB/TTTT)") and common
synonyms ("No. KTP" → ``nik``, "Gaji" → ``upah``) are all accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    help: str
    required: str = ""  # "" optional, "all", "PU", "BPU"
    synonyms: tuple[str, ...] = ()
    text: bool = True  # formatted as Text in the template
    example: str = ""
    width: int = 16
    choices: tuple[str, ...] = field(default=())
    form_help: str = ""  # shorter help for the web form (the template's help talks about Excel)

    @property
    def form_text(self) -> str:
        return self.form_help or self.help

    @property
    def required_label(self) -> str:
        return {"all": "wajib", "PU": "wajib untuk PU", "BPU": "wajib untuk BPU"}.get(
            self.required, "boleh kosong"
        )


PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column(
        "nik",
        "NIK",
        "Nomor Induk Kependudukan, 16 digit, sesuai KTP/KK. Kolom harus berformat Teks: NIK yang "
        "tersimpan sebagai angka ditolak karena Excel menghapus digit setelah digit ke-15.",
        "all",
        (
            "no_nik",
            "nomor_nik",
            "nik_ktp",
            "no_ktp",
            "nomor_ktp",
            "ktp",
            "nomor_induk_kependudukan",
            "no_induk_kependudukan",
            "nik_pekerja",
            "n_i_k",
            "nik_ktp_16_digit",
        ),
        example="",
        width=20,
        form_help="16 digit sesuai KTP/KK.",
    ),
    Column(
        "nama",
        "Nama lengkap",
        "Nama lengkap sesuai KTP.",
        "all",
        (
            "nama_lengkap",
            "nama_peserta",
            "nama_pekerja",
            "nama_tenaga_kerja",
            "name",
            "nama_sesuai_ktp",
        ),
        example="SITI AMINAH",
        width=28,
    ),
    Column(
        "tempat_lahir",
        "Tempat lahir",
        "Kota/kabupaten tempat lahir.",
        synonyms=("tmp_lahir", "tmpt_lahir", "tempat_lhr", "kota_lahir"),
        example="",
    ),
    Column(
        "tanggal_lahir",
        "Tanggal lahir",
        "Tanggal lahir HH/BB/TTTT (mis. 01/01/1990) atau TTTT-BB-HH, tahun 4 digit. Harus sama "
        "dengan tanggal lahir di NIK (perempuan: tanggal di NIK ditambah 40).",
        "all",
        ("tgl_lahir", "tgl_lhr", "tanggal_lhr", "tgllahir", "birth_date", "dob"),
        example="01/01/1990",
        form_help="Harus sama dengan tanggal lahir di NIK (perempuan: tanggal di NIK ditambah 40).",
    ),
    Column(
        "jenis_kelamin",
        "Jenis kelamin",
        "L (laki-laki) atau P (perempuan); harus sesuai dengan NIK.",
        "all",
        ("jk", "kelamin", "l_p", "lp", "gender", "sex", "jns_kelamin", "jenis_kel"),
        example="P",
        width=8,
        choices=("L", "P"),
    ),
    Column(
        "no_kk",
        "Nomor KK",
        "Nomor Kartu Keluarga, 16 digit, format Teks.",
        synonyms=("nomor_kk", "kk", "nkk", "nomor_kartu_keluarga", "no_kartu_keluarga"),
        example="",
        width=20,
        form_help="16 digit.",
    ),
    Column(
        "alamat",
        "Alamat",
        "Alamat tempat tinggal (jalan, nomor rumah).",
        synonyms=("alamat_lengkap", "alamat_rumah", "domisili", "alamat_ktp", "alamat_domisili"),
        example="JL. PAHLAWAN 12",
        width=30,
    ),
    Column("rt", "RT", "Nomor RT, 1–3 digit.", example="001", width=6),
    Column("rw", "RW", "Nomor RW, 1–3 digit.", example="002", width=6),
    Column(
        "kode_kelurahan",
        "Kode kelurahan/desa",
        "Kode kelurahan/desa Kemendagri, 10 digit (lihat lembar Kode wilayah).",
        "BPU",
        (
            "kode_desa",
            "kode_kel",
            "kd_kelurahan",
            "kelurahan_kode",
            "kode_wilayah",
            "kode_kelurahan_desa",
            "kode_desa_kelurahan",
        ),
        example="",
        form_help="Kelurahan/desa tempat tinggal (kode Kemendagri).",
    ),
    Column(
        "no_hp",
        "Nomor HP",
        "Nomor telepon seluler, mis. 081234567890 (format Teks).",
        synonyms=(
            "nomor_hp",
            "hp",
            "no_telp",
            "no_telepon",
            "telepon",
            "nomor_telepon",
            "no_wa",
            "nomor_whatsapp",
            "handphone",
            "ponsel",
            "no_handphone",
        ),
        example="081234567890",
        form_help="Mis. 081234567890.",
    ),
    Column(
        "segmen",
        "Segmen",
        "PU (non-ASN, penerima upah) atau BPU (pekerja rentan, bukan penerima upah).",
        "all",
        ("segment", "jenis_kepesertaan", "kategori_peserta", "kelompok_peserta"),
        example="BPU",
        width=8,
        choices=("PU", "BPU"),
    ),
    Column(
        "instansi",
        "Kode instansi",
        "Kode instansi/OPD yang terdaftar di program (menu Instansi). Hanya untuk PU.",
        "PU",
        ("kode_instansi", "opd", "kode_opd", "unit_kerja", "perangkat_daerah", "nama_instansi"),
        example="DINKES",
        form_help="Instansi/OPD yang terdaftar di menu Instansi.",
    ),
    Column(
        "jabatan",
        "Jabatan",
        "Jabatan/tugas. Hanya untuk PU.",
        synonyms=("posisi", "jabatan_pekerjaan"),
        example="TENAGA ADMINISTRASI",
        width=22,
    ),
    Column(
        "upah",
        "Upah sebulan (Rp)",
        "Upah sebulan dalam rupiah, bilangan bulat tanpa desimal (mis. 2500000 atau 2.500.000). "
        "Hanya untuk PU.",
        "PU",
        ("gaji", "upah_sebulan", "gaji_pokok", "upah_bulanan", "upah_rp", "gaji_sebulan"),
        text=False,
        example="2500000",
        form_help="Rupiah, bilangan bulat (mis. 2500000 atau 2.500.000).",
    ),
    Column(
        "kelas_risiko",
        "Kelas risiko JKK",
        "Kelompok risiko JKK 1–5 (atau I–V). Kosong: kelas baku program. Hanya untuk PU.",
        synonyms=("kelompok_risiko", "risiko", "kelas_risiko_jkk", "tingkat_risiko"),
        example="1",
        width=8,
        choices=("1", "2", "3", "4", "5"),
    ),
    Column(
        "pekerjaan",
        "Pekerjaan",
        "Jenis pekerjaan pekerja rentan. Hanya untuk BPU.",
        synonyms=("jenis_pekerjaan", "profesi", "mata_pencaharian"),
        example="PEDAGANG KAKI LIMA",
        width=22,
    ),
    Column(
        "penghasilan",
        "Penghasilan (Rp)",
        "Nominal penghasilan BPU dari tabel BPJS TK (lihat lembar Petunjuk). Kosong: nominal "
        "terendah. Hanya untuk BPU.",
        synonyms=(
            "tingkat_penghasilan",
            "dasar_iuran",
            "upah_dilaporkan",
            "income",
            "penghasilan_rp",
        ),
        text=False,
        example="1000000",
        form_help="Nominal penghasilan BPU dari tabel BPJS TK. Kosong: nominal terendah.",
    ),
    Column(
        "desil",
        "Desil DTSEN",
        "Desil kesejahteraan DTSEN/DTKS, 1–10.",
        synonyms=("desil_dtsen", "desil_dtks", "peringkat_desil"),
        example="2",
        width=8,
    ),
    Column(
        "tulang_punggung",
        "Tulang punggung keluarga",
        "Y (ya) atau T (tidak).",
        synonyms=("tulang_punggung_keluarga", "pencari_nafkah", "pencari_nafkah_utama"),
        example="Y",
        width=8,
        choices=("Y", "T"),
    ),
    Column(
        "tanggal_mulai",
        "Tanggal mulai",
        "Tanggal mulai kepesertaan HH/BB/TTTT. Kosong: peserta lama tetap, peserta baru memakai "
        "awal periode kerja sama program.",
        synonyms=("tgl_mulai", "tmt", "mulai", "tanggal_kepesertaan", "tmt_kepesertaan", "tgl_tmt"),
        example="01/01/2025",
    ),
    Column(
        "bulan_iuran_sebelumnya",
        "Bulan iuran sebelumnya",
        "Jumlah bulan iuran BPJS Ketenagakerjaan (JKK/JKM) yang sudah dibayar sebelum masuk "
        "program ini, 0–600; ikut dihitung untuk syarat beasiswa 36 bulan. Isi bersama kolom "
        "Bukti iuran sebelumnya. Kosong: tidak berubah.",
        synonyms=(
            "bulan_iuran_sebelum_program",
            "masa_iuran_sebelumnya",
            "bulan_iuran_bpjs_sebelumnya",
            "iuran_sebelumnya",
            "lama_iuran_sebelumnya",
            "bulan_iuran_lalu",
        ),
        example="",
        width=10,
        form_help="Bulan iuran BPJS TK JKK/JKM sebelum program (0–600). Kosong: tidak berubah.",
    ),
    Column(
        "bukti_iuran_sebelumnya",
        "Bukti iuran sebelumnya",
        "Bukti bulan iuran sebelumnya, mis. nomor surat keterangan atau rincian iuran BPJS "
        "Ketenagakerjaan; wajib bila Bulan iuran sebelumnya lebih dari 0.",
        synonyms=("bukti_iuran", "bukti_iuran_bpjs", "nomor_bukti_iuran", "bukti_bulan_iuran"),
        example="",
        width=24,
        form_help="Mis. nomor surat keterangan/rincian iuran BPJS TK.",
    ),
    # Taking over a membership that already runs with BPJS TK (lindung.registry.takeover)
    Column(
        "no_kpj",
        "No KPJ",
        "Nomor kartu peserta BPJS Ketenagakerjaan (KPJ), 11 angka seperti tercetak di kartu; "
        "kolom berformat Teks. Kosong: tidak berubah.",
        synonyms=(
            "kpj",
            "nomor_kpj",
            "no_kartu_bpjs",
            "nomor_kartu_bpjs",
            "no_peserta_bpjs",
            "nomor_peserta_bpjs",
            "no_kartu_peserta",
            "nomor_kartu_peserta",
        ),
        example="",
        width=14,
        form_help="11 angka seperti tercetak di kartu BPJS Ketenagakerjaan.",
    ),
    Column(
        "tanggal_kepesertaan_bpjs",
        "Tgl kepesertaan BPJS",
        "Tanggal peserta terdaftar di BPJS Ketenagakerjaan (sebelum Lindung), HH/BB/TTTT. "
        "Bulan-bulan sejak tanggal ini sampai Bulan terakhir dibayar dicatat sudah dibayar "
        "sebelum Lindung. Kosong: tidak berubah.",
        synonyms=(
            "tgl_kepesertaan_bpjs",
            "tanggal_terdaftar_bpjs",
            "tgl_terdaftar_bpjs",
            "tgl_daftar_bpjs",
            "tanggal_daftar_bpjs",
            "tmt_bpjs",
            "tgl_kepesertaan_bpjs_tk",
            "tanggal_kepesertaan_bpjs_tk",
        ),
        example="",
        width=14,
    ),
    Column(
        "bulan_terakhir_dibayar",
        "Bulan terakhir dibayar",
        "Bulan iuran terakhir yang sudah dibayar ke BPJS Ketenagakerjaan sebelum Lindung, mis. "
        "12/2025 atau Desember 2025. Lindung menagih mulai bulan sesudahnya. Kosong: tidak "
        "berubah.",
        synonyms=(
            "bulan_iuran_terakhir",
            "iuran_terakhir",
            "iuran_terakhir_dibayar",
            "bulan_terakhir_bayar",
            "terakhir_dibayar",
            "terakhir_bayar",
            "bulan_terakhir_dibayarkan",
            "periode_terakhir_dibayar",
        ),
        example="",
        width=14,
    ),
    Column(
        "tunggakan",
        "Tunggakan",
        "Iuran yang belum dibayar sesudah Bulan terakhir dibayar: jumlah bulan (mis. 2 atau "
        "2 bulan) atau nominal rupiah (mis. Rp 33.600). Kosong: tidak berubah; 0: tidak ada.",
        synonyms=(
            "tunggakan_iuran",
            "jumlah_tunggakan",
            "tunggakan_bulan",
            "bulan_tunggakan",
            "nilai_tunggakan",
            "tunggakan_rp",
            "arrears",
        ),
        example="",
        width=12,
    ),
)

FAMILY_COLUMNS: tuple[Column, ...] = (
    Column(
        "nik_peserta",
        "NIK peserta",
        "NIK peserta (yang sudah terdaftar di program) yang memiliki anggota keluarga ini.",
        "all",
        ("nik_pekerja", "nik_kepala_keluarga", "nik_peserta_utama"),
        example="",
        width=20,
    ),
    Column(
        "hubungan",
        "Hubungan",
        "suami/istri, anak, orang_tua, cucu, kakek_nenek, saudara, mertua, wasiat.",
        "all",
        ("hubungan_keluarga", "status_hubungan", "hub_keluarga"),
        example="anak",
        width=12,
    ),
    Column(
        "nama",
        "Nama lengkap",
        "Nama lengkap anggota keluarga.",
        "all",
        ("nama_lengkap", "nama_anggota", "nama_anggota_keluarga"),
        example="AHMAD FAUZI",
        width=28,
    ),
    Column(
        "nik",
        "NIK",
        "NIK anggota keluarga (16 digit, format Teks), jika ada.",
        synonyms=("nik_anggota", "no_nik", "nomor_nik"),
        example="",
        width=20,
    ),
    Column(
        "tanggal_lahir",
        "Tanggal lahir",
        "HH/BB/TTTT; wajib untuk anak (beasiswa).",
        synonyms=("tgl_lahir", "tgl_lhr"),
        example="05/05/2015",
    ),
    Column(
        "jenis_kelamin",
        "Jenis kelamin",
        "L atau P.",
        synonyms=("jk", "kelamin", "l_p", "lp"),
        example="L",
        width=8,
        choices=("L", "P"),
    ),
    Column(
        "no_hp", "Nomor HP", "Nomor HP (untuk ahli waris).", synonyms=("hp", "nomor_hp", "no_telp")
    ),
    Column(
        "jenjang",
        "Jenjang pendidikan",
        "belum, TK, SD, SMP, SMA, PT.",
        synonyms=("jenjang_pendidikan", "pendidikan", "sekolah"),
        example="SD",
        width=10,
    ),
    Column(
        "kelas",
        "Kelas/tahun ke-",
        "Kelas atau tahun ke- di jenjang itu (mis. 4).",
        synonyms=("tahun_ke", "kelas_sekolah", "semester"),
        example="4",
        width=8,
    ),
    Column(
        "menikah",
        "Sudah menikah",
        "Y atau T.",
        synonyms=("sudah_menikah", "kawin"),
        example="T",
        width=8,
    ),
    Column(
        "bekerja", "Sudah bekerja", "Y atau T.", synonyms=("sudah_bekerja",), example="T", width=8
    ),
    Column(
        "hidup",
        "Masih hidup",
        "Y atau T (kosong: Y).",
        synonyms=("masih_hidup",),
        example="Y",
        width=8,
    ),
)

_P = {c.name: c for c in PARTICIPANT_COLUMNS}

#: The planning candidate pool: the participant columns it shares, and its own.
CANDIDATE_COLUMNS: tuple[Column, ...] = (
    replace(_P["nik"], help="Nomor Induk Kependudukan, 16 digit, berformat Teks."),
    _P["nama"],
    replace(_P["kode_kelurahan"], required="all"),
    replace(_P["pekerjaan"], help="Jenis pekerjaan, mis. PEDAGANG KAKI LIMA."),
    replace(
        _P["desil"], help="Desil DTSEN/DTKS 1–10 (kosong: tidak diketahui, diurutkan terakhir)."
    ),
    replace(_P["tulang_punggung"], help="Y (ya) atau T (tidak). Kosong: T."),
    Column(
        "jumlah_tanggungan",
        "Jumlah tanggungan",
        "Jumlah anggota keluarga yang ditanggung, 0–30. Kosong: 0.",
        synonyms=("tanggungan", "jml_tanggungan", "jumlah_anggota_keluarga"),
        example="3",
        width=8,
    ),
    Column(
        "terlindungi_lain",
        "Sudah terlindungi di tempat lain",
        "Y bila sudah menjadi peserta BPJS Ketenagakerjaan lewat program/pemberi kerja lain. "
        "Kosong: T.",
        synonyms=("sudah_terlindungi", "peserta_lain", "sudah_peserta_bpjs", "terlindungi"),
        example="T",
        width=8,
        choices=("Y", "T"),
    ),
)

#: Columns that are not stored as such but recovered into stored ones: a combined birth place
#: and date ("Tempat/Tgl Lahir"), desa/kelurahan and kecamatan *names* (matched to Kemendagri
#: codes within the programme's region) and a combined "RT/RW".
VIRTUAL_COLUMNS: tuple[Column, ...] = (
    Column(
        "tempat_tanggal_lahir",
        "Tempat/tanggal lahir (satu kolom)",
        "Tempat dan tanggal lahir dalam satu sel, mis. 'SURABAYA, 17-08-1990' atau "
        "'Surabaya, 17 Agustus 1990': dipisah menjadi tempat lahir dan tanggal lahir.",
        synonyms=(
            "tempat_tgl_lahir",
            "tempat_tanggal_lahir",
            "ttl",
            "t_t_l",
            "tempat_tgl_lhr",
            "tmp_tgl_lahir",
            "tmpt_tgl_lahir",
            "tmp_tgl_lhr",
            "tempat_dan_tanggal_lahir",
            "tempat_tanggal_lhr",
            "tempat_tgl_lahir_ktp",
            "tempat_lahir_tanggal_lahir",
            "tempat_lahir_tgl_lahir",
        ),
        example="",
    ),
    Column(
        "nama_kelurahan",
        "Desa/kelurahan (nama)",
        "Nama desa/kelurahan (boleh dengan 'Desa', 'Ds.', 'Kel.'): dicocokkan dengan kode "
        "Kemendagri di wilayah program; kolom Kecamatan membantu bila ada nama yang sama.",
        synonyms=(
            "desa_kelurahan",
            "kelurahan_desa",
            "desa",
            "kelurahan",
            "kel",
            "ds",
            "kel_desa",
            "desa_kel",
            "kel_ds",
            "ds_kel",
            "nama_desa",
            "nama_kelurahan",
            "nama_desa_kelurahan",
            "nama_kelurahan_desa",
            "desa_kelurahan_domisili",
            "kelurahan_domisili",
            "desa_domisili",
        ),
        example="",
    ),
    Column(
        "nama_kecamatan",
        "Kecamatan (nama)",
        "Nama kecamatan (boleh dengan 'Kec.'): memilih di antara desa/kelurahan yang namanya sama.",
        synonyms=("kecamatan", "kec", "nama_kecamatan", "kecamatan_domisili"),
        example="",
    ),
    Column(
        "rt_rw",
        "RT/RW (satu kolom)",
        "RT dan RW dalam satu sel, mis. '001/002': dipisah menjadi RT dan RW.",
        synonyms=("rt_rw", "rw_rt", "rt_dan_rw"),
        example="001/002",
    ),
)
_V = {c.name: c for c in VIRTUAL_COLUMNS}
VIRTUAL_FOR = {
    "participants": tuple(VIRTUAL_COLUMNS),
    "candidates": (_V["nama_kelurahan"], _V["nama_kecamatan"]),
    "family": (),
}
#: Fields the mapping step may fill with one value for the whole file.
SETTABLE = {
    "participants": ("segmen", "instansi", "penghasilan", "kelas_risiko", "tanggal_mulai"),
    "candidates": ("terlindungi_lain",),
    "family": (),
}

#: Headers that are never data (row numbers, our own error columns) and are ignored silently.
IGNORED = {
    "no",
    "nomor",
    "no_urut",
    "nomor_urut",
    "urut",
    "baris_asal",
    "kesalahan",
    "keterangan_kesalahan",
    "peringatan",
}

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """``'Tanggal Lahir (HH/BB/TTTT)*'`` → ``'tanggal_lahir'``."""
    text = _PAREN.sub(" ", str(header).casefold())
    return _NON_ALNUM.sub("_", text).strip("_")


def columns_for(kind: str) -> tuple[Column, ...]:
    if kind == "candidates":
        return CANDIDATE_COLUMNS
    return FAMILY_COLUMNS if kind == "family" else PARTICIPANT_COLUMNS


@dataclass(frozen=True)
class RegionExamples:
    """Examples from the programme's own region: a kelurahan/desa and its kecamatan, NIKs and a
    KK number whose first six digits are that kecamatan, the region's name as a birth place."""

    kelurahan: str
    village: str
    district: str
    place: str

    @property
    def prefix(self) -> str:
        return self.kelurahan.replace(".", "")[:6] if self.kelurahan[:1].isdigit() else ""

    def number(self, tail: str) -> str:
        return f"{self.prefix}{tail}" if self.prefix else ""


def region_examples(region_code: str) -> RegionExamples:
    """The examples of a region (blank when the region is unknown).

    >>> e = region_examples("35.02")
    >>> e.kelurahan, e.number("4101900001"), e.place
    ('35.02.01.2001', '3502014101900001', 'PONOROGO')
    """
    from lindung.programmes.wording import example_kelurahan, region_kind_and_name
    from lindung.rules import regions

    code = example_kelurahan(region_code or "")
    village = regions.region(code) if code[:1].isdigit() else None
    district = regions.region(code[:8]) if village else None
    name = region_kind_and_name(region_code or "")[1] or ""
    return RegionExamples(
        code if village else "",
        village.name if village else "",
        district.name if district else "",
        name.upper(),
    )


def localized(
    columns: tuple[Column, ...], region_code: str, umk: int | None = None
) -> tuple[Column, ...]:
    """``columns`` with the examples of the programme's region and its UMK (template, help)."""
    e = region_examples(region_code)
    if umk:
        columns = tuple(replace(c, example=str(umk)) if c.name == "upah" else c for c in columns)
    if not e.kelurahan:
        return columns
    born = f"{e.place}, 17-08-1990" if e.place else ""
    examples = {
        "nik": e.number("4101900001"),
        "nik_peserta": e.number("4101900001"),
        "no_kk": e.number("0101080001"),
        "tempat_lahir": e.place,
        "kode_kelurahan": e.kelurahan,
        "tempat_tanggal_lahir": born,
        "nama_kelurahan": e.village,
        "nama_kecamatan": e.district,
    }
    helps = {"kode_kelurahan": f" Mis. {e.kelurahan}."}
    out = []
    for col in columns:
        example = col.example
        if col.name in examples:
            example = examples[col.name]
        if col.name == "nik" and any(c.name == "nik_peserta" for c in columns):
            example = e.number("0505150001")  # the family list: a child's NIK
        out.append(replace(col, example=example, help=col.help + helps.get(col.name, "")))
    return tuple(out)


def fields_for(kind: str) -> tuple[Column, ...]:
    """Every field a file column may be mapped to: the stored columns and the recovered ones."""
    return columns_for(kind) + VIRTUAL_FOR.get(kind, ())


def _lookup(kind: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in fields_for(kind):
        lookup[col.name] = col.name
        lookup.setdefault(header_key(col.label), col.name)
        for syn in col.synonyms:
            lookup.setdefault(syn, col.name)
    return lookup


#: Last resort for headers no synonym matches: (words that must all be in the header, field).
#: Checked in order; "Tempat/Tgl. Lahir Sesuai KTP" → tempat_tanggal_lahir, "No. HP/WA Aktif" →
#: no_hp, "NIK (16 digit)" → nik.
KEYWORDS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = tuple(
    (frozenset(need), frozenset(avoid), field)
    for need, avoid, field in (
        ({"nik"}, {"peserta", "kepala", "pekerja"}, "nik"),
        ({"kk"}, set(), "no_kk"),
        ({"tempat", "tgl", "lahir"}, set(), "tempat_tanggal_lahir"),
        ({"tempat", "tanggal", "lahir"}, set(), "tempat_tanggal_lahir"),
        ({"tmp", "tgl", "lahir"}, set(), "tempat_tanggal_lahir"),
        ({"tgl", "lahir"}, set(), "tanggal_lahir"),
        ({"tanggal", "lahir"}, set(), "tanggal_lahir"),
        ({"tempat", "lahir"}, set(), "tempat_lahir"),
        ({"kode", "desa"}, set(), "kode_kelurahan"),
        ({"kode", "kelurahan"}, set(), "kode_kelurahan"),
        ({"desa"}, {"kode"}, "nama_kelurahan"),
        ({"kelurahan"}, {"kode"}, "nama_kelurahan"),
        ({"kecamatan"}, {"kode"}, "nama_kecamatan"),
        ({"kelamin"}, set(), "jenis_kelamin"),
        ({"hp"}, set(), "no_hp"),
        ({"telp"}, set(), "no_hp"),
        ({"telepon"}, set(), "no_hp"),
        ({"wa"}, set(), "no_hp"),
        ({"whatsapp"}, set(), "no_hp"),
        ({"nama"}, {"ibu", "ayah", "instansi", "desa", "kelurahan", "kecamatan"}, "nama"),
        ({"alamat"}, set(), "alamat"),
        ({"pekerjaan"}, set(), "pekerjaan"),
        ({"segmen"}, set(), "segmen"),
        ({"gaji"}, set(), "upah"),
        ({"upah"}, set(), "upah"),
        ({"penghasilan"}, set(), "penghasilan"),
        ({"desil"}, set(), "desil"),
        ({"jabatan"}, set(), "jabatan"),
        ({"instansi"}, set(), "instansi"),
        ({"opd"}, set(), "instansi"),
        ({"kpj"}, set(), "no_kpj"),
        ({"kepesertaan", "bpjs"}, set(), "tanggal_kepesertaan_bpjs"),
        ({"terakhir", "dibayar"}, set(), "bulan_terakhir_dibayar"),
        ({"terakhir", "bayar"}, set(), "bulan_terakhir_dibayar"),
        ({"tunggakan"}, set(), "tunggakan"),
    )
)


def _keyword_field(key: str, allowed: set[str]) -> str | None:
    words = set(key.split("_"))
    for need, avoid, field_name in KEYWORDS:
        if field_name in allowed and need <= words and not (avoid & words):
            return field_name
    return None


def guess_mapping(
    headers: list[str], kind: str = "participants", saved: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Map file headers to fields: ``({header: field}, unknown_headers)``.

    ``saved``: a programme's saved choices (``{header_key: field or ""}``), which win; then the
    synonyms (case, spaces, punctuation and a bracketed explanation ignored); then keywords.
    The first header matching a field wins; later ones are reported as unknown. A saved ``""``
    skips the column.
    """
    lookup = _lookup(kind)
    allowed = {c.name for c in fields_for(kind)}
    saved = saved or {}
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    pending: list[tuple[str, str]] = []
    # Chosen columns first (a choice is never lost to a guess; two choices of one field are
    # left for Mapping.check to refuse), then the synonyms, then the keywords.
    for header in headers:
        name = saved.get(header_key(header))
        if name:
            mapping[header] = name
    taken: set[str] = set(mapping.values())
    for header in headers:
        key = header_key(header)
        if key in saved:
            continue
        name = lookup.get(key)
        if name and name not in taken:
            mapping[header] = name
            taken.add(name)
        elif key in IGNORED or not key or key.startswith("unnamed"):
            continue
        else:
            pending.append((header, key))
    for header, key in pending:
        name = _keyword_field(key, allowed - taken)
        if name:
            mapping[header] = name
            taken.add(name)
        else:
            unknown.append(header)
    ordered = {h: mapping[h] for h in headers if h in mapping}
    return ordered, unknown


def match_headers(
    headers: list[str], kind: str = "participants"
) -> tuple[dict[str, str], list[str]]:
    """:func:`guess_mapping` without saved choices."""
    return guess_mapping(headers, kind)


def score_header_row(values: list[str], kind: str = "participants") -> int:
    """How many cells of a row look like known headers (to find the header row)."""
    lookup = _lookup(kind)
    return sum(1 for v in values if v not in (None, "") and header_key(v) in lookup)
