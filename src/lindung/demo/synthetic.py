"""Deterministic, clearly synthetic people for the demo programme (generated names, valid NIKs).

Nothing here is a real person: names are drawn from common Javanese given names and family names,
NIKs are built from Kota Madiun's real kecamatan codes with a serial that no real NIK is known to
have been checked against. The same seed always gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

MALE = (
    "Agus Bambang Budi Dwi Eko Hadi Heru Joko Slamet Sugeng Tri Wahyu Yudi Andi Rudi Teguh "
    "Suparno Sutrisno Purwanto Sunarto Sumarno Supriyadi Hari Gatot Darmaji Mulyono Suyanto "
    "Wawan Arif Fajar Rizky Dimas Bayu Aditya Ilham Yoga Adi Ari Catur Panji Setyo Imam"
).split()
FEMALE = (
    "Sri Siti Endang Yuli Dewi Rina Wati Sulastri Sumarni Tutik Lilik Ani Puji Ratna Ning "
    "Indah Eka Retno Wulan Yanti Suprapti Sukarni Kartini Nur Lestari Fitri Dian Novi Rini "
    "Susi Yeni Erna Umi Asih Tri Winarsih Mujiati Partini Suwarni Rahmawati"
).split()
FAMILY = (
    "Santoso Wibowo Susanto Hidayat Purnomo Setiawan Prasetyo Kurniawan Saputra Nugroho "
    "Wijaya Siswanto Haryanto Sulistyo Suharto Pratama Firmansyah Hartono Gunawan Utomo "
    "Rahayu Lestari Handayani Utami Astuti Wahyuni Kusumawati Puspitasari Anggraini Safitri"
).split()
PLACES = ("MADIUN",) * 8 + ("PONOROGO", "MAGETAN", "NGAWI", "CARUBAN", "NGANJUK", "SURABAYA")

# About 40 OPDs of a city government (illustrative names, no real payroll data).
OPDS = [
    ("SETDA", "Sekretariat Daerah"),
    ("SETWAN", "Sekretariat DPRD"),
    ("INSP", "Inspektorat"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("BAPENDA", "Badan Pendapatan Daerah"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan SDM"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan dan Keluarga Berencana"),
    ("RSUD", "RSUD Kota Madiun"),
    ("RSUDSG", "RSUD Sogaten"),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("PERKIM", "Dinas Perumahan dan Kawasan Permukiman"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("DINSOS", "Dinas Sosial, PPPA"),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("DISNAKER", "Dinas Tenaga Kerja"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISHUB", "Dinas Perhubungan"),
    ("KOMINFO", "Dinas Komunikasi dan Informatika"),
    ("DINKOP", "Dinas Koperasi dan Usaha Mikro"),
    ("DPMPTSP", "Dinas Penanaman Modal dan PTSP"),
    ("DISPORA", "Dinas Kepemudaan, Olahraga dan Pariwisata"),
    ("DISPERPUS", "Dinas Perpustakaan dan Kearsipan"),
    ("DPKP", "Dinas Pertanian dan Ketahanan Pangan"),
    ("DISDAG", "Dinas Perdagangan"),
    ("BAKESBANG", "Badan Kesatuan Bangsa dan Politik"),
    ("KEC-KTH", "Kecamatan Kartoharjo"),
    ("KEC-MGH", "Kecamatan Manguharjo"),
    ("KEC-TMN", "Kecamatan Taman"),
    ("DISBUD", "Dinas Kebudayaan"),
    ("BAGUMUM", "Bagian Umum Setda"),
    ("BAGPBJ", "Bagian Pengadaan Barang/Jasa"),
    ("UPT-PKM", "UPT Puskesmas se-Kota Madiun"),
    ("UPT-PASAR", "UPT Pasar Besar Madiun"),
    ("UPT-PJU", "UPT Penerangan Jalan Umum"),
    ("UPT-PARKIR", "UPT Perparkiran"),
    ("UPT-TAMAN", "UPT Pertamanan"),
    ("UPT-SAMPAH", "UPT Pengelolaan Sampah"),
]
POSITIONS = (
    "Tenaga administrasi",
    "Petugas kebersihan",
    "Pengemudi",
    "Petugas keamanan",
    "Guru tidak tetap",
    "Tenaga kesehatan",
    "Petugas lapangan",
    "Operator komputer",
    "Juru parkir",
    "Petugas taman",
)
OCCUPATIONS = (
    "Pedagang kaki lima",
    "Buruh tani",
    "Petani",
    "Tukang becak",
    "Pengemudi ojek",
    "Buruh bangunan",
    "Penjahit",
    "Pekerja rumah tangga",
    "Pemulung",
    "Juru parkir",
    "Kader posyandu",
    "Ketua RT",
    "Ketua RW",
    "Marbot masjid",
    "Penjaga tempat ibadah",
    "Buruh harian lepas",
    "Tukang pijat",
    "Pedagang pasar",
)
KECAMATAN = ("01", "02", "03")
KELURAHAN = {k: [f"35.77.{k}.{1000 + i}" for i in range(1, 10)] for k in KECAMATAN}


def school_level(birth: date, on: date) -> tuple[str, str]:
    """(jenjang, kelas) of a child on a date, from the age on 1 July of that school year."""
    july = date(on.year if on.month >= 7 else on.year - 1, 7, 1)
    age = july.year - birth.year - ((july.month, july.day) < (birth.month, birth.day))
    for level, first_age, years in (
        ("TK", 4, 2),
        ("SD", 6, 6),
        ("SMP", 12, 3),
        ("SMA", 15, 3),
        ("PT", 18, 5),
    ):
        if first_age <= age < first_age + years:
            return level, str(age - first_age + 1)
    return ("none", "") if age < 4 else ("", "")


@dataclass
class Generator:
    """Makes people with unique, structurally valid Kota Madiun NIKs."""

    seed: int = 2025
    serial_base: int = 0  # NIK serials start after this (keeps separate pools apart)
    rng: random.Random = field(init=False)
    _serials: dict[str, int] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def name(self, sex: str) -> str:
        first = self.rng.choice(MALE if sex == "L" else FEMALE)
        return f"{first} {self.rng.choice(FAMILY)}".upper()

    def birth_date(self, min_age: int, max_age: int, on: date) -> date:
        days = self.rng.randint(min_age * 365 + 1, max_age * 365 - 1)
        return on - timedelta(days=days)

    def nik(self, kecamatan: str, birth: date, sex: str) -> str:
        day = birth.day + (40 if sex == "P" else 0)
        stem = f"3577{kecamatan}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = self._serials.get(stem, self.serial_base) + 1
        self._serials[stem] = serial
        return f"{stem}{serial:04d}"

    def kk(self, kecamatan: str) -> str:
        return f"3577{kecamatan}{self.rng.randint(10**9, 10**10 - 1)}"

    def phone(self) -> str:
        return "08" + "".join(str(self.rng.randint(0, 9)) for _ in range(self.rng.choice((9, 10))))

    def person(self, on: date, min_age: int = 19, max_age: int = 58) -> dict:
        sex = self.rng.choice("LP")
        kec = self.rng.choice(KECAMATAN)
        birth = self.birth_date(min_age, max_age, on)
        return {
            "nik": self.nik(kec, birth, sex),
            "nama": self.name(sex),
            "tempat_lahir": self.rng.choice(PLACES),
            "tanggal_lahir": birth.isoformat(),
            "jenis_kelamin": sex,
            "no_kk": self.kk(kec),
            "alamat": f"JL. {self.rng.choice(FAMILY).upper()} NO. {self.rng.randint(1, 120)}",
            "rt": f"{self.rng.randint(1, 40):03d}",
            "rw": f"{self.rng.randint(1, 12):03d}",
            "kode_kelurahan": self.rng.choice(KELURAHAN[kec]),
            "no_hp": self.phone(),
        }

    def pu(self, on: date, start: date, wage: int) -> dict:
        row = self.person(on)
        row.update(
            segmen="PU",
            instansi=self.rng.choice(OPDS)[0],
            jabatan=self.rng.choice(POSITIONS),
            upah=str(wage),
            kelas_risiko="1",
            tanggal_mulai=start.isoformat(),
        )
        return row

    def bpu(self, on: date, start: date, tier: int) -> dict:
        row = self.person(on, 18, 60)
        row.update(
            segmen="BPU",
            pekerjaan=self.rng.choice(OCCUPATIONS),
            penghasilan=str(tier),
            desil=str(self.rng.choices(range(1, 6), weights=(30, 28, 22, 12, 8))[0]),
            tulang_punggung=self.rng.choices("YT", weights=(85, 15))[0],
            tanggal_mulai=start.isoformat(),
        )
        return row

    def family(self, participant: dict, on: date, children: int, child_births=()) -> list[dict]:
        """Spouse and children of a participant (rows in the family import's columns)."""
        rows = []
        sex = "P" if participant["jenis_kelamin"] == "L" else "L"
        kec = participant["kode_kelurahan"][6:8]
        birth = date.fromisoformat(participant["tanggal_lahir"]) + timedelta(
            days=self.rng.randint(-1500, 1500)
        )
        rows.append(
            {
                "nik_peserta": participant["nik"],
                "hubungan": "suami/istri",
                "nama": self.name(sex),
                "nik": self.nik(kec, birth, sex),
                "tanggal_lahir": birth.isoformat(),
                "jenis_kelamin": sex,
                "no_hp": self.phone(),
            }
        )
        births = list(child_births) or [self.birth_date(1, 20, on) for _ in range(children)]
        used: set[str] = set()
        for child_birth in births[:children] if children else births:
            csex = self.rng.choice("LP")
            first = self.rng.choice(MALE if csex == "L" else FEMALE)
            while first in used:
                first = self.rng.choice(MALE if csex == "L" else FEMALE)
            used.add(first)
            level, year = school_level(child_birth, on)
            rows.append(
                {
                    "nik_peserta": participant["nik"],
                    "hubungan": "anak",
                    "jenjang": level,
                    "kelas": year,
                    "nama": f"{first.upper()} {participant['nama'].split()[-1]}",
                    "nik": self.nik(kec, child_birth, csex),
                    "tanggal_lahir": child_birth.isoformat(),
                    "jenis_kelamin": csex,
                    "no_hp": "",
                }
            )
        return rows


def candidate(gen: Generator, on: date) -> dict:
    """A worker not yet covered (the planning pool): poorer deciles more frequent."""
    row = gen.person(on, 18, 60)
    return {
        "nik": row["nik"],
        "nama": row["nama"],
        "kode_kelurahan": row["kode_kelurahan"],
        "pekerjaan": gen.rng.choice(OCCUPATIONS),
        "desil": str(
            gen.rng.choices(range(1, 11), weights=(14, 14, 13, 12, 11, 10, 9, 7, 6, 4))[0]
        ),
        "tulang_punggung": gen.rng.choices("YT", weights=(62, 38))[0],
        "jumlah_tanggungan": str(gen.rng.choices(range(7), weights=(12, 16, 22, 22, 15, 8, 5))[0]),
        "terlindungi_lain": gen.rng.choices("YT", weights=(3, 97))[0],
    }
