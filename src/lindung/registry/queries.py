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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lindung.core import params
from lindung.programmes import masking
from lindung.programmes import queries as programme_queries
from lindung.programmes.models import Programme, Role
from lindung.programmes.permissions import can, role_of
from lindung.programmes.queries import umk_for
from lindung.programmes.wording import example_kelurahan
from lindung.rules import regions
from lindung.rules.parameters import params_on

from . import bulk
from .models import Agency, FamilyMember, ImportBatch, Participant, PossibleDuplicate, Segment
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


#: Functions ``(programme, participant_ids, on) -> {participant_id: (label, code)}`` naming who
#: pays for each participant (the collective-registration export's SUMBER DANA). The coverage app
#: (which knows funders) registers one; without it every participant is the Pemda's (APBD).
_FUNDING_SOURCES: list[Callable] = []


def register_funding_source(func: Callable) -> None:
    if func not in _FUNDING_SOURCES:
        _FUNDING_SOURCES.append(func)


def funding_sources(programme: Programme, participant_ids: list[int], on: date) -> dict:
    out: dict[int, tuple[str, str]] = {}
    for func in _FUNDING_SOURCES:
        out.update(func(programme, participant_ids, on))
    return out


#: ``func(programme) -> date | None``: the first day the programme bills (its earliest PKS), so
#: that a membership taken over from BPJS starts no earlier (registry.takeover). The coverage app
#: registers one; without it only the last month paid decides.
_BILLING_STARTS: list[Callable] = []


def register_billing_start(func: Callable) -> None:
    if func not in _BILLING_STARTS:
        _BILLING_STARTS.append(func)


def billing_start(programme: Programme) -> date | None:
    starts = [d for d in (func(programme) for func in _BILLING_STARTS) if d is not None]
    return min(starts) if starts else None


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
    """The NIK (or KK number) as ``user`` may see it (:mod:`lindung.programmes.masking`)."""
    return masking.for_user(user, programme).nik(nik)


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
    # The programme's own defaults (Parameter page) override the national ones.
    risk = programme_queries.default_risk_class(programme, today).value
    codes = dict(Agency.objects.filter(programme=programme).values_list("code", "id"))
    agency_risk = {
        codes[code]: value
        for code, value in programme_queries.agency_risk_classes(programme, today).items()
        if code in codes
    }
    participants = None
    if family:
        participants = dict(
            Participant.objects.filter(programme=programme).values_list("person__nik", "id")
        )
    return Reference(
        today=today,
        agencies=agencies,
        tiers=tuple(int(t) for t in params.value("bpu.tiers")),
        default_risk=int(risk),
        default_start=programme.agreement_start or today,
        participants=participants,
        default_tier=int(programme_queries.default_bpu_tier(programme, today).value),
        agency_risk=agency_risk,
        kelurahan_example=example_kelurahan(programme.region_code),
        region_code=programme.region_code or "",
        umk_by_year=_umk_by_year(programme, today),
        billing_start=billing_start(programme),
    )


def _umk_by_year(programme: Programme, today: date) -> dict[int, int]:
    """The region's UMK per year (1 January) from 2015 to next year, where one is recorded."""
    out = {}
    for year in range(2015, today.year + 2):
        umk = programme_queries.umk_for(programme, year)
        if umk is not None:
            out[year] = int(umk.value)
    return out


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
            q=params.text(data, "q"),
            segment=params.text(data, "segmen", 10),
            agency=params.text(data, "instansi", 60),
            kelurahan=params.text(data, "kelurahan", 20),
            status=params.text(data, "status", 20),
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

    def describe(self, programme: Programme | None = None) -> str:
        """The filters in words for the access log, Indonesian like the rest of the log:
        "Instansi: Dinas Kesehatan, Segmen: Non-ASN (Penerima Upah)"; "semua" without any."""
        with translation.override("id"):
            parts = [
                (_("Cari"), self.q),
                (_("Segmen"), dict(Segment.choices).get(self.segment, self.segment)),
                (_("Instansi"), self._agency_name(programme)),
                (_("Kelurahan"), kelurahan_name(self.kelurahan) or self.kelurahan),
                (_("Status"), dict(Participant.Status.choices).get(self.status, self.status)),
            ]
            return ", ".join(f"{label}: {value}" for label, value in parts if value) or "semua"

    def _agency_name(self, programme: Programme | None) -> str:
        if not (self.agency.isascii() and self.agency.isdigit() and len(self.agency) < 19):
            return self.agency
        found = Agency.objects.filter(pk=int(self.agency))
        if programme is not None:
            found = found.filter(programme=programme)
        agency = found.first()
        return agency.name if agency is not None else self.agency


def search(user, programme: Programme, filters: Filters) -> QuerySet[Participant]:
    qs = participants_for(user, programme).select_related("person", "agency")
    mask = masking.for_user(user, programme)
    q = filters.q
    if q:
        digits = q.replace(" ", "").replace(".", "")
        if digits.isdigit() and mask.masked:
            # a masked role finds a person by the whole NIK (or KK number) only: a prefix or a
            # suffix would reveal the hidden digits one query at a time
            qs = qs.filter(Q(person__nik=digits) | Q(person__kk_number=digits))
            if len(digits) != 16:
                qs = qs.none()
        elif digits.isdigit() and len(digits) >= 4:
            qs = qs.filter(
                Q(person__nik__startswith=digits)
                | Q(person__kk_number__startswith=digits)
                | Q(person__nik__endswith=digits)
            )
        else:
            qs = qs.filter(person__full_name__icontains=q)
    if filters.segment in {"PU", "BPU"}:
        qs = qs.filter(segment=filters.segment)
    if filters.agency.isascii() and filters.agency.isdigit() and len(filters.agency) < 19:
        qs = qs.filter(agency_id=int(filters.agency))
    if filters.kelurahan and mask.full:
        # not for a masked role: the kelurahan holds the NIK's kecamatan digits
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
    ("bulan_iuran_sebelumnya", "prior_months"),
    ("bukti_iuran_sebelumnya", "prior_evidence"),
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
    "bulan_iuran_sebelumnya": pl.Int64,
    "bukti_iuran_sebelumnya": pl.String,
    "status": pl.String,
}


def export_frame(
    user, programme: Programme, filters: Filters, *, with_id: bool = False
) -> pl.DataFrame:
    """The filtered list in the import columns (re-importable); NIK/KK masked without nik.full.
    ``with_id``: also the participant id as ``_id`` (for exports that look up more)."""
    columns = [*EXPORT_COLUMNS, ("_id", "id")] if with_id else EXPORT_COLUMNS
    schema = {**EXPORT_SCHEMA, "_id": pl.Int64} if with_id else EXPORT_SCHEMA
    qs = search(user, programme, filters).values_list(*[src for _, src in columns])
    sql, params = qs.query.sql_with_params()
    frame = bulk.fetch_frame(sql, params, schema)
    frame = frame.with_columns(
        pl.col("tulang_punggung").replace_strict(
            {True: "Y", False: "T"}, default=None, return_dtype=pl.String
        )
    )
    mask = masking.for_user(user, programme)
    if mask.masked:
        hidden = [c for c in frame.columns if c in masking.PLACE_FIELDS]
        frame = frame.with_columns(
            pl.col("nik").map_elements(mask.nik, return_dtype=pl.String),
            pl.col("no_kk").map_elements(mask.nik, return_dtype=pl.String),
            pl.col("tanggal_lahir").dt.year().alias("tanggal_lahir"),
            *[pl.lit(None, dtype=pl.String).alias(c) for c in hidden],
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
    ("SUMBER DANA", "sumber_dana"),
    ("KODE SUMBER DANA", "kode_sumber_dana"),
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
    ("KODE SUMBER DANA", "kode_sumber_dana"),
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
    base = export_frame(user, programme, filters, with_id=True)
    names = dict(Agency.objects.filter(programme=programme).values_list("code", "name"))
    ids = base.get_column("_id").to_list()
    sources = funding_sources(programme, ids, timezone.localdate())
    apbd = (f"APBD {programme.pemda_name}", "SG")
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
        sumber_dana=pl.col("_id").replace_strict(
            {pid: label for pid, (label, _code) in sources.items()},
            default=apbd[0],
            return_dtype=pl.String,
        ),
        kode_sumber_dana=pl.col("_id").replace_strict(
            {pid: code for pid, (_label, code) in sources.items()},
            default=apbd[1],
            return_dtype=pl.String,
        ),
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


SEVERITY_FILES = {"error": "errors.parquet", "warning": "warnings.parquet"}
COPY_MESSAGE = "Baris ini sama persis dengan baris"


def _issues(batch: ImportBatch, severity: str) -> pl.DataFrame:
    path = import_dir(batch) / SEVERITY_FILES[severity]
    if not path.exists():
        return pl.DataFrame(
            schema={"_row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
        )
    return pl.read_parquet(path)


@dataclass
class IssuePage:
    """A page of an import's findings for the preview."""

    rows: list[dict]  # row, column, value, message
    total: int  # findings matching the filter (outside the "every row" groups)
    per_column: dict[str, int]
    counts: dict[str, int]  # findings per severity
    every_row: list[dict]  # {column, message, count}: one line for a problem of every row
    top: list[dict]  # the most frequent messages: {column, message, count}


def batch_issues(
    batch: ImportBatch,
    *,
    severity: str = "error",
    column: str = "",
    offset: int = 0,
    limit: int = 100,
) -> IssuePage:
    """A page of the error (or warning) list. A problem that hits every data row ("kolom Segmen
    tidak ada") is one line in ``every_row`` instead of one per row."""
    severity = severity if severity in SEVERITY_FILES else "error"
    counts = {s: _issues(batch, s).height for s in SEVERITY_FILES}
    issues = _issues(batch, severity)
    grouped = issues.group_by("column", "message").len().sort("len", descending=True)
    # Copies of an earlier row are not checked again: they do not count as rows here.
    copy_errors = (
        _issues(batch, "error")
        .filter(pl.col("message").str.starts_with(COPY_MESSAGE))
        .get_column("_row")
        .n_unique()
    )
    data_rows = batch.rows - batch.copies - copy_errors
    every = grouped.filter((pl.col("len") >= data_rows) & (pl.lit(data_rows) > 1))
    if every.height:
        issues = issues.join(
            every.select("column", "message"), on=["column", "message"], how="anti"
        )
    per_column = dict(issues.group_by("column").len().sort("len", descending=True).iter_rows())
    if column:
        issues = issues.filter(pl.col("column") == column)
    page = issues.slice(offset, limit).rename({"_row": "row"}).to_dicts()
    top = [
        {"column": c, "message": m, "count": n}
        for c, m, n in grouped.filter(pl.col("len") > 1).head(5).iter_rows()
        if not (every.height and (c, m) in set(every.select("column", "message").iter_rows()))
    ]
    return IssuePage(
        rows=page,
        total=issues.height,
        per_column=per_column,
        counts=counts,
        every_row=[{"column": c, "message": m, "count": n} for c, m, n in every.iter_rows()],
        top=top,
    )


def batch_errors(
    batch: ImportBatch, *, column: str = "", offset: int = 0, limit: int = 100
) -> tuple[list[dict], int, dict[str, int]]:
    """A page of the error list, its total length, and counts per column."""
    page = batch_issues(batch, column=column, offset=offset, limit=limit)
    return page.rows, page.total, page.per_column


def rejected_file(batch: ImportBatch) -> Path | None:
    path = import_dir(batch) / "ditolak.xlsx"
    return path if path.exists() else None


def warnings_file(batch: ImportBatch) -> Path | None:
    path = import_dir(batch) / "peringatan.xlsx"
    return path if path.exists() else None


def mapping_rows(batch: ImportBatch) -> list[dict]:
    """One row per column of the file for the mapping step: header, sample values, chosen field."""
    from .pipeline import samples

    headers = [h for h in batch.info.get("headers", []) if not h.startswith("__UNNAMED__")]
    chosen = (batch.mapping or {}).get("columns", {})
    values = (
        samples(import_dir(batch), headers) if (import_dir(batch) / "raw.parquet").exists() else {}
    )
    return [
        {"header": h, "field": chosen.get(h, ""), "samples": values.get(h, [])} for h in headers
    ]


def field_choices(kind: str) -> list[tuple[str, str]]:
    """(field, label) for the mapping step's choice lists."""
    from .columns import fields_for

    return [(c.name, f"{c.label} ({c.name})") for c in fields_for(kind)]


def settable_fields(kind: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field, label, choices) that may get one value for the whole file."""
    from .columns import SETTABLE, fields_for

    by_name = {c.name: c for c in fields_for(kind)}
    return [
        (n, by_name[n].label, by_name[n].choices) for n in SETTABLE.get(kind, ()) if n in by_name
    ]


# --- possible duplicates -------------------------------------------------------------------------


def duplicates(programme: Programme, decision: str = "open") -> QuerySet[PossibleDuplicate]:
    qs = PossibleDuplicate.objects.filter(programme=programme).select_related(
        "person", "other", "decided_by"
    )
    if decision in PossibleDuplicate.Decision.values:
        qs = qs.filter(decision=decision)
    return qs.order_by("-created_at", "id")


def umk_example(programme: Programme) -> int | None:
    """The UMK of the programme's region this year (an example wage in the template)."""
    umk = umk_for(programme, timezone.localdate())
    return int(umk.value) if umk is not None else None


def record_of(participant: Participant) -> dict[str, str]:
    """A participant as the import's canonical columns (the edit form's values)."""
    person = participant.person
    return {
        "nik": person.nik,
        "nama": person.full_name,
        "tempat_lahir": person.birth_place,
        "tanggal_lahir": person.birth_date.isoformat() if person.birth_date else "",
        "jenis_kelamin": person.sex,
        "no_kk": person.kk_number,
        "alamat": person.address,
        "rt": person.rt,
        "rw": person.rw,
        "kode_kelurahan": person.kelurahan_code,
        "no_hp": person.phone,
        "segmen": participant.segment,
        "instansi": participant.agency.code if participant.agency_id else "",
        "jabatan": participant.position,
        "upah": "" if participant.monthly_wage is None else str(participant.monthly_wage),
        "kelas_risiko": "" if participant.risk_class is None else str(participant.risk_class),
        "pekerjaan": participant.occupation,
        "penghasilan": "" if participant.income_tier is None else str(participant.income_tier),
        "desil": "" if participant.decile is None else str(participant.decile),
        "tulang_punggung": {True: "Y", False: "T"}.get(participant.breadwinner, ""),
        "tanggal_mulai": participant.start_date.isoformat() if participant.start_date else "",
        "bulan_iuran_sebelumnya": str(participant.prior_months),
        "bukti_iuran_sebelumnya": participant.prior_evidence,
    }


def participant_warnings(programme: Programme, participant: Participant) -> list[str]:
    """The import's warnings on the participant as recorded now (NIK outside the region, wage
    below this year's UMK, …); a record the checks would refuse today shows its reasons too."""
    from .validation import validate_record

    record = record_of(participant) | _takeover_record(participant)
    result = validate_record(record, reference_for(programme))
    return result.issues.get_column("message").to_list()


def _takeover_record(participant: Participant) -> dict[str, str]:
    """The takeover columns as an import writes them (not in the edit form: they come from BPJS's
    list), so the person page warns about them too (a month nobody paid …)."""
    if participant.paid_through is None and not participant.kpj:
        return {}
    if participant.arrears_amount:
        arrears = f"Rp {participant.arrears_amount}"
    else:
        arrears = str(participant.arrears_months or 0)
    return {
        "no_kpj": participant.kpj,
        "tanggal_kepesertaan_bpjs": (
            participant.bpjs_since.isoformat() if participant.bpjs_since else ""
        ),
        "bulan_terakhir_dibayar": (
            participant.paid_through.strftime("%m/%Y") if participant.paid_through else ""
        ),
        "tunggakan": arrears,
    }


def worded_failure(message: str, message_en: str = "") -> dict:
    """What the import's ``info`` keeps of a failure: the Indonesian it belongs to (the
    ``message`` column) and its English."""
    return {"id": message[:500], "en": (message_en or message)[:500]}


def failure(batch: ImportBatch, language: str | None = None) -> str:
    """Why the import's last step failed, in ``language`` (default: the page's): the English
    stored beside the Indonesian, or the Indonesian for an import failed before it was kept."""
    language = language or translation.get_language() or "id"
    if not batch.message:
        return ""
    worded = (batch.info or {}).get("failure") or {}
    if language.startswith("en") and worded.get("id") == batch.message and worded.get("en"):
        return worded["en"]
    return batch.message
