"""Read use cases of the registry: lists, a person, exports, import previews, duplicates.

Every query is scoped by programme. What a role may see is decided here too (NIK masking,
the Mitra CSR scope), so the web pages, the API and the CLI agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lindung.core.formatting import mask_nik
from lindung.programmes.models import Programme, Role
from lindung.programmes.permissions import can, role_of
from lindung.rules import regions
from lindung.rules.parameters import params_on

from . import bulk
from .models import Agency, FamilyMember, ImportBatch, Participant, PossibleDuplicate
from .validation import Reference

PAGE_SIZE = 50
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}

# --- scoping -------------------------------------------------------------------------------------

#: Functions ``(user, programme, queryset) -> queryset`` that narrow what a Mitra CSR sees.
#: The coverage app (which knows sponsorships) registers one; until then a Mitra CSR sees no one.
_CSR_SCOPES: list[Callable] = []


def register_csr_scope(func: Callable) -> None:
    if func not in _CSR_SCOPES:
        _CSR_SCOPES.append(func)


def participants_for(user, programme: Programme) -> QuerySet[Participant]:
    """The participants ``user`` may see in ``programme`` (role-aware)."""
    qs = Participant.objects.filter(programme=programme)
    if role_of(user, programme) == Role.MITRA_CSR:
        if not _CSR_SCOPES:
            return qs.none()
        for scope in _CSR_SCOPES:
            qs = scope(user, programme, qs)
    return qs


def show_nik(user, programme: Programme, nik: str) -> str:
    return nik if can(user, programme, "nik.full") else mask_nik(nik)


# --- reference data ------------------------------------------------------------------------------


def reference_for(
    programme: Programme, today: date | None = None, *, family: bool = False
) -> Reference:
    today = today or timezone.localdate()
    params = params_on(today)
    agencies: dict[str, int] = {}
    for pk, _code, name in Agency.objects.filter(programme=programme).values_list(
        "id", "code", "name"
    ):
        agencies.setdefault(name.strip().lower(), pk)
    for pk, code, _name in Agency.objects.filter(programme=programme).values_list(
        "id", "code", "name"
    ):
        agencies[code.strip().lower()] = pk  # codes win over names
    risk = params.value("pu.default_risk_class")
    participants = None
    if family:
        participants = dict(
            Participant.objects.filter(programme=programme).values_list("person__nik", "id")
        )
    return Reference(
        today=today,
        agencies=agencies,
        tiers=tuple(int(t) for t in params.value("bpu.tiers")),
        default_risk=ROMAN.get(str(risk), 1),
        default_start=programme.agreement_start or today,
        participants=participants,
    )


@lru_cache(maxsize=64)
def kelurahan_choices(region_code: str) -> tuple[tuple[str, str, str], ...]:
    """(code, kelurahan name, kecamatan name) under a regency (or a kecamatan)."""
    code = regions.normalize_code(region_code or "")
    if code is None:
        return ()
    level = len(code.split("."))
    districts = (
        regions.children(code) if level == 2 else [regions.region(code)] if level == 3 else []
    )
    out = []
    for district in districts:
        if district is None:
            continue
        for village in regions.children(district.code):
            out.append((village.code, village.name, district.name))
    return tuple(out)


def kelurahan_name(code: str) -> str:
    return regions.region_name(code) or "" if code else ""


def agencies(programme: Programme) -> QuerySet[Agency]:
    return Agency.objects.filter(programme=programme).order_by("code")


def agency_rows(programme: Programme) -> list[dict]:
    """Agencies with their number of participants."""
    qs = agencies(programme).annotate(n=Count("participants"))
    return [{"a": a, "n": a.n} for a in qs]


# --- the participant list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    segment: str = ""
    agency: str = ""
    kelurahan: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, data) -> Filters:
        return cls(
            q=(data.get("q") or "").strip()[:100],
            segment=(data.get("segmen") or "").strip(),
            agency=(data.get("instansi") or "").strip(),
            kelurahan=(data.get("kelurahan") or "").strip(),
            status=(data.get("status") or "").strip(),
        )

    def as_query(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "q": self.q,
            "segmen": self.segment,
            "instansi": self.agency,
            "kelurahan": self.kelurahan,
            "status": self.status,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def describe(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (
                ("cari", self.q),
                ("segmen", self.segment),
                ("instansi", self.agency),
                ("kelurahan", self.kelurahan),
                ("status", self.status),
            )
            if v
        ]
        return ", ".join(parts) or "semua"


def search(user, programme: Programme, filters: Filters) -> QuerySet[Participant]:
    qs = participants_for(user, programme).select_related("person", "agency")
    q = filters.q
    if q:
        digits = q.replace(" ", "").replace(".", "")
        if digits.isdigit() and len(digits) >= 4:
            qs = qs.filter(
                Q(person__nik__startswith=digits)
                | Q(person__kk_number__startswith=digits)
                | Q(person__nik__endswith=digits)
            )
        else:
            qs = qs.filter(person__full_name__icontains=q)
    if filters.segment in {"PU", "BPU"}:
        qs = qs.filter(segment=filters.segment)
    if filters.agency.isdigit():
        qs = qs.filter(agency_id=int(filters.agency))
    if filters.kelurahan:
        qs = qs.filter(person__kelurahan_code=filters.kelurahan)
    if filters.status in Participant.Status.values:
        qs = qs.filter(status=filters.status)
    return qs.order_by("person__full_name", "id")


def participant_detail(user, programme: Programme, pk: int) -> Participant:
    participant = (
        participants_for(user, programme).select_related("person", "agency").filter(pk=pk).first()
    )
    if participant is None:
        raise Http404("Peserta tidak ditemukan.")
    return participant


def participant_anywhere(user, pk: int) -> Participant:
    """A participant of any programme where ``user`` may view participants (404 otherwise)."""
    found = Participant.objects.filter(pk=pk).select_related("programme").first()
    if found is None or not can(user, found.programme, "participant.view"):
        raise Http404("Peserta tidak ditemukan.")
    return participant_detail(user, found.programme, pk)


def family_of(participant: Participant) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.filter(
        participant=participant, programme_id=participant.programme_id
    )


def find_by_nik(user, programme: Programme, nik: str) -> QuerySet[Participant]:
    digits = "".join(ch for ch in nik if ch.isdigit())
    return (
        participants_for(user, programme)
        .filter(person__nik=digits)
        .select_related("person", "agency")
    )


# --- exports -------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("nik", "person__nik"),
    ("nama", "person__full_name"),
    ("tempat_lahir", "person__birth_place"),
    ("tanggal_lahir", "person__birth_date"),
    ("jenis_kelamin", "person__sex"),
    ("no_kk", "person__kk_number"),
    ("alamat", "person__address"),
    ("rt", "person__rt"),
    ("rw", "person__rw"),
    ("kode_kelurahan", "person__kelurahan_code"),
    ("no_hp", "person__phone"),
    ("segmen", "segment"),
    ("instansi", "agency__code"),
    ("jabatan", "position"),
    ("upah", "monthly_wage"),
    ("kelas_risiko", "risk_class"),
    ("pekerjaan", "occupation"),
    ("penghasilan", "income_tier"),
    ("desil", "decile"),
    ("tulang_punggung", "breadwinner"),
    ("tanggal_mulai", "start_date"),
    ("status", "status"),
]
EXPORT_SCHEMA = {
    "nik": pl.String,
    "nama": pl.String,
    "tempat_lahir": pl.String,
    "tanggal_lahir": pl.Date,
    "jenis_kelamin": pl.String,
    "no_kk": pl.String,
    "alamat": pl.String,
    "rt": pl.String,
    "rw": pl.String,
    "kode_kelurahan": pl.String,
    "no_hp": pl.String,
    "segmen": pl.String,
    "instansi": pl.String,
    "jabatan": pl.String,
    "upah": pl.Int64,
    "kelas_risiko": pl.Int64,
    "pekerjaan": pl.String,
    "penghasilan": pl.Int64,
    "desil": pl.Int64,
    "tulang_punggung": pl.Boolean,
    "tanggal_mulai": pl.Date,
    "status": pl.String,
}


def export_frame(user, programme: Programme, filters: Filters) -> pl.DataFrame:
    """The filtered list in the import columns (re-importable); NIK/KK masked without nik.full."""
    qs = search(user, programme, filters).values_list(*[src for _, src in EXPORT_COLUMNS])
    sql, params = qs.query.sql_with_params()
    frame = bulk.fetch_frame(sql, params, EXPORT_SCHEMA)
    frame = frame.with_columns(
        pl.col("tulang_punggung").replace_strict(
            {True: "Y", False: "T"}, default=None, return_dtype=pl.String
        )
    )
    if not can(user, programme, "nik.full"):
        frame = frame.with_columns(
            pl.col("nik").map_elements(mask_nik, return_dtype=pl.String),
            pl.col("no_kk").map_elements(mask_nik, return_dtype=pl.String),
        )
    return frame


#: The "pendaftaran kolektif" layout for BPJS Ketenagakerjaan (documented in docs/registry.md).
KOLEKTIF_PU = [
    ("NO", None),
    ("NIK", "nik"),
    ("NAMA LENGKAP", "nama"),
    ("TEMPAT LAHIR", "tempat_lahir"),
    ("TANGGAL LAHIR", "tanggal_lahir"),
    ("JENIS KELAMIN", "jenis_kelamin"),
    ("ALAMAT", "alamat_lengkap"),
    ("NO HP", "no_hp"),
    ("UPAH", "upah"),
    ("JABATAN", "jabatan"),
    ("UNIT KERJA", "nama_instansi"),
    ("KELAS RISIKO", "kelas_risiko"),
    ("PROGRAM", "program"),
    ("TMT KEPESERTAAN", "tanggal_mulai"),
]
KOLEKTIF_BPU = [
    ("NO", None),
    ("NIK", "nik"),
    ("NAMA LENGKAP", "nama"),
    ("TEMPAT LAHIR", "tempat_lahir"),
    ("TANGGAL LAHIR", "tanggal_lahir"),
    ("JENIS KELAMIN", "jenis_kelamin"),
    ("ALAMAT", "alamat_lengkap"),
    ("KELURAHAN/DESA", "kelurahan"),
    ("KECAMATAN", "kecamatan"),
    ("KABUPATEN/KOTA", "kabupaten"),
    ("NO HP", "no_hp"),
    ("JENIS PEKERJAAN", "pekerjaan"),
    ("PENGHASILAN", "penghasilan"),
    ("PROGRAM", "program"),
    ("TMT KEPESERTAAN", "tanggal_mulai"),
    ("SUMBER DANA", "sumber_dana"),
]


def kolektif_frame(user, programme: Programme, segment: str, filters: Filters) -> pl.DataFrame:
    """One row per active participant of ``segment`` in BPJS TK's collective-registration layout."""
    filters = Filters(
        q=filters.q,
        segment=segment,
        agency=filters.agency,
        kelurahan=filters.kelurahan,
        status=Participant.Status.ACTIVE,
    )
    base = export_frame(user, programme, filters)
    names = dict(Agency.objects.filter(programme=programme).values_list("code", "name"))
    codes = base.get_column("kode_kelurahan").unique().drop_nulls().to_list()
    place = {
        c: (
            regions.region_name(c) or "",
            regions.region_name(c[:8]) or "",
            regions.region_name(c[:5]) or "",
        )
        for c in codes
        if c
    }
    frame = base.with_columns(
        alamat_lengkap=pl.concat_str(
            [pl.col("alamat"), pl.lit(" RT "), pl.col("rt"), pl.lit("/RW "), pl.col("rw")],
        ).str.replace(r" RT /RW $", ""),
        nama_instansi=pl.col("instansi").replace_strict(
            names, default=pl.col("instansi"), return_dtype=pl.String
        ),
        kelurahan=pl.col("kode_kelurahan").replace_strict(
            {k: v[0] for k, v in place.items()}, default="", return_dtype=pl.String
        ),
        kecamatan=pl.col("kode_kelurahan").replace_strict(
            {k: v[1] for k, v in place.items()}, default="", return_dtype=pl.String
        ),
        kabupaten=pl.col("kode_kelurahan").replace_strict(
            {k: v[2] for k, v in place.items()}, default="", return_dtype=pl.String
        ),
        program=pl.lit("JKK, JKM"),
        sumber_dana=pl.lit(f"APBD {programme.pemda_name}"),
        kelas_risiko=pl.col("kelas_risiko").replace_strict(
            {v: k for k, v in ROMAN.items()}, default=None, return_dtype=pl.String
        ),
    ).with_row_index("NO", offset=1)
    layout = KOLEKTIF_PU if segment == "PU" else KOLEKTIF_BPU
    return frame.select(
        [pl.col("NO").cast(pl.Int64)] + [pl.col(src).alias(head) for head, src in layout if src]
    )


# --- imports -------------------------------------------------------------------------------------


def import_dir(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.directory


def batches(programme: Programme, limit: int = 20) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(programme=programme).select_related("created_by")[:limit]


def batch_for(programme: Programme, batch_id) -> ImportBatch:
    batch = (
        ImportBatch.objects.filter(programme=programme, pk=batch_id)
        .select_related("validate_job", "commit_job")
        .first()
    )
    if batch is None:
        raise Http404("Impor tidak ditemukan.")
    return batch


def batch_errors(
    batch: ImportBatch, *, column: str = "", offset: int = 0, limit: int = 100
) -> tuple[list[dict], int, dict[str, int]]:
    """A page of the error list, its total length, and counts per column."""
    path = import_dir(batch) / "errors.parquet"
    if not path.exists():
        return [], 0, {}
    errors = pl.read_parquet(path)
    per_column = dict(errors.group_by("column").len().sort("len", descending=True).iter_rows())
    if column:
        errors = errors.filter(pl.col("column") == column)
    page = errors.slice(offset, limit).rename({"_row": "row"}).to_dicts()
    return page, errors.height, per_column


def rejected_file(batch: ImportBatch) -> Path | None:
    path = import_dir(batch) / "ditolak.xlsx"
    return path if path.exists() else None


# --- possible duplicates -------------------------------------------------------------------------


def duplicates(programme: Programme, decision: str = "open") -> QuerySet[PossibleDuplicate]:
    qs = PossibleDuplicate.objects.filter(programme=programme).select_related(
        "person", "other", "decided_by"
    )
    if decision in PossibleDuplicate.Decision.values:
        qs = qs.filter(decision=decision)
    return qs.order_by("-created_at", "id")
