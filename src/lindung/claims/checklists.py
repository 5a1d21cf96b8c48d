"""Documents checklists per claim type and for a yearly scholarship claim (DOMAIN.md §5).

JKM documents [N14]: membership card; KTP of the deceased and of the heir; death certificate;
family card (KK); heir statement from the competent official; marriage book if the heir is the
spouse; bank book. JKK claims add the accident reports of stage I and II [N32][N36] and the
doctor's statement. First scholarship claim [N9]: form, school/university enrolment statement,
child's ID or student card, birth certificate. Items marked ``source="lindung"`` are Lindung's
assumption (practice, not a cited regulation).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ClaimType as T


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    required: bool = True
    #: ``spouse``: required only when the spouse is among the entitled heirs.
    condition: str = ""
    source: str = "[N14]"


CARD = Item("kartu_peserta", "Kartu peserta BPJS Ketenagakerjaan")
KTP_DECEASED = Item("ktp_peserta", "KTP peserta (almarhum/almarhumah)")
KTP_PARTICIPANT = Item("ktp_peserta", "KTP peserta")
KTP_HEIR = Item("ktp_ahli_waris", "KTP ahli waris")
DEATH_CERT = Item("akta_kematian", "Akta kematian / surat keterangan kematian")
KK = Item("kartu_keluarga", "Kartu Keluarga (KK)")
HEIR_STATEMENT = Item("surat_ahli_waris", "Surat keterangan ahli waris dari pejabat berwenang")
MARRIAGE = Item(
    "buku_nikah", "Buku nikah (jika ahli waris suami/istri)", required=False, condition="spouse"
)
BANK_HEIR = Item("buku_tabungan", "Buku tabungan ahli waris (halaman depan)")
BANK_PARTICIPANT = Item("buku_tabungan", "Buku tabungan peserta (halaman depan)")
STAGE1 = Item("laporan_tahap_1", "Laporan kecelakaan kerja tahap I (2 × 24 jam)", source="[N32]")
STAGE2 = Item("laporan_tahap_2", "Laporan kecelakaan kerja tahap II (2 × 24 jam)", source="[N36]")
CHRONOLOGY = Item("kronologi", "Kronologi kejadian (tempat, sebab, tanggal/jam)", source="[N35]")
DOCTOR_DEATH = Item("surat_dokter", "Surat keterangan dokter (meninggal dunia)", source="[N36]")
DOCTOR_DISABILITY = Item("surat_dokter", "Surat keterangan dokter (cacat)", source="[N36]")
DOCTOR_STMB = Item(
    "surat_dokter", "Surat keterangan dokter (tidak mampu bekerja / sembuh)", source="[N36]"
)
DOCTOR_CARE = Item("surat_dokter", "Surat keterangan dokter / resume perawatan", source="[N36]")
WAGE_PROOF = Item(
    "bukti_upah",
    "Bukti upah (slip gaji) atau tingkat penghasilan BPU",
    source="lindung",
)
RECEIPTS = Item(
    "kuitansi", "Kuitansi biaya pengangkutan / perawatan di rumah", required=False, source="lindung"
)

_DEATH = [CARD, KTP_DECEASED, KTP_HEIR, DEATH_CERT, KK, HEIR_STATEMENT, MARRIAGE, BANK_HEIR]

CHECKLISTS: dict[str, list[Item]] = {
    T.JKM_DEATH: _DEATH,
    T.JKK_DEATH: [*_DEATH, STAGE1, STAGE2, CHRONOLOGY, DOCTOR_DEATH],
    T.JKK_TOTAL_DISABILITY: [
        CARD,
        KTP_PARTICIPANT,
        KK,
        STAGE1,
        STAGE2,
        CHRONOLOGY,
        DOCTOR_DISABILITY,
        BANK_PARTICIPANT,
    ],
    T.JKK_PARTIAL_DISABILITY: [
        CARD,
        KTP_PARTICIPANT,
        STAGE1,
        STAGE2,
        CHRONOLOGY,
        DOCTOR_DISABILITY,
        BANK_PARTICIPANT,
    ],
    T.JKK_STMB: [
        CARD,
        KTP_PARTICIPANT,
        STAGE1,
        STAGE2,
        CHRONOLOGY,
        DOCTOR_STMB,
        WAGE_PROOF,
        BANK_PARTICIPANT,
    ],
    T.JKK_MEDICAL: [CARD, KTP_PARTICIPANT, STAGE1, CHRONOLOGY, DOCTOR_CARE, RECEIPTS],
}

#: A yearly scholarship claim (re-verification), per child [N9].
SCHOLARSHIP_FIRST: list[Item] = [
    Item("formulir_beasiswa", "Formulir klaim beasiswa", source="[N9]"),
    Item(
        "surat_aktif_sekolah",
        "Surat keterangan aktif sekolah/kuliah tahun ajaran ini",
        source="[N9]",
    ),
    Item("kartu_pelajar", "Kartu identitas anak / kartu pelajar", source="[N9]"),
    Item("akta_kelahiran", "Akta kelahiran anak", source="[N9]"),
    Item(
        "pernyataan_belum_menikah_bekerja",
        "Surat pernyataan belum menikah dan belum bekerja",
        source="lindung",
    ),
]
#: Later years: the birth certificate is already on file.
SCHOLARSHIP_LATER: list[Item] = [i for i in SCHOLARSHIP_FIRST if i.code != "akta_kelahiran"]


def claim_checklist(claim_type: str, *, spouse_heir: bool = False) -> list[tuple[Item, bool]]:
    """(item, required) for a claim type; the marriage book is required for a spouse heir."""
    out = []
    for item in CHECKLISTS[claim_type]:
        required = item.required or (item.condition == "spouse" and spouse_heir)
        out.append((item, required))
    return out


def scholarship_checklist(first: bool) -> list[Item]:
    return SCHOLARSHIP_FIRST if first else SCHOLARSHIP_LATER


def document_label(code: str) -> str:
    """A document's kind in words (the audit trail shows a stored code this way)."""
    from django.utils.translation import gettext

    for items in (*CHECKLISTS.values(), SCHOLARSHIP_FIRST):
        for item in items:
            if item.code == code:
                return gettext(item.label)
    return code
