"""Reading a BPJS TK billing/participant list and comparing it with Lindung.

Expected columns (``docs/coverage.md`` has the full table); headers are matched after lower-casing
and removing everything but letters and digits, so ``No. KTP``, ``no_ktp`` and ``NO KTP`` are the
same column:

=========  =========================================================================
NIK        required — ``nik``, ``no ktp``, ``nomor identitas``, ``nik peserta``, …
nama       optional — ``nama``, ``nama peserta``, ``nama tenaga kerja``, …
KPJ        optional — ``kpj``, ``no kpj``, ``nomor peserta``
segmen     optional — ``segmen``, ``jenis kepesertaan``, ``program`` (PU / BPU / …)
upah       optional — ``upah``, ``upah dilaporkan``, ``penghasilan``, ``gaji``, ``dasar upah``
iuran      optional — ``iuran``, ``total iuran``, ``tagihan``, ``jumlah``; or ``iuran jkk`` +
           ``iuran jkm`` (summed)
periode    optional — ``periode``, ``bulan iuran`` (``2025-03``, ``03/2025``, ``Maret 2025``)
=========  =========================================================================
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from lindung.core import sql
from lindung.core.formatting import rupiah
from lindung.registry.models import Participant, Person

from . import months
from .models import Adjustment, CoverageMonth, Difference, RateCard
from .months import signed_rupiah


def norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header).lower())


SYNONYMS: dict[str, tuple[str, ...]] = {
    "nik": (
        "nik",
        "noktp",
        "nomorktp",
        "ktp",
        "nikpeserta",
        "niktk",
        "noidentitas",
        "nomoridentitas",
        "nomorindukkependudukan",
        "noinduk",
    ),
    "name": ("nama", "namapeserta", "namatenagakerja", "namatk", "namalengkap", "peserta"),
    "kpj": ("kpj", "nokpj", "nomorkpj", "nopeserta", "nomorpeserta", "nomorkepesertaan"),
    "segment": (
        "segmen",
        "segment",
        "jeniskepesertaan",
        "kepesertaan",
        "program",
        "kategori",
        "pubpu",
        "jenis",
    ),
    "wage": (
        "upah",
        "upahdilaporkan",
        "upahtk",
        "penghasilan",
        "upahpenghasilan",
        "gaji",
        "nominalupah",
        "dasarupah",
        "tingkatpenghasilan",
    ),
    "amount": (
        "iuran",
        "totaliuran",
        "jumlahiuran",
        "nominaliuran",
        "tagihan",
        "totaltagihan",
        "jumlahtagihan",
        "jumlah",
        "total",
    ),
    "jkk": ("iuranjkk", "jkk"),
    "jkm": ("iuranjkm", "jkm"),
    "period": ("periode", "periodeiuran", "bulan", "bulaniuran", "blniuran"),
}
#: How each recognised field is named on screen.
FIELD_LABELS = {
    "nik": "NIK",
    "name": "nama",
    "kpj": "KPJ",
    "segment": "segmen",
    "wage": "upah/penghasilan",
    "amount": "iuran",
    "jkk": "iuran JKK",
    "jkm": "iuran JKM",
    "period": "periode",
}

#: Fallback: a header *containing* one of these words.
CONTAINS = (
    ("nik", "nik"),
    ("ktp", "nik"),
    ("kpj", "kpj"),
    ("jkk", "jkk"),
    ("jkm", "jkm"),
    ("iuran", "amount"),
    ("tagihan", "amount"),
    ("upah", "wage"),
    ("penghasilan", "wage"),
    ("gaji", "wage"),
    ("nama", "name"),
    ("segmen", "segment"),
    ("periode", "period"),
)


@dataclass
class BpjsRow:
    line: int
    nik: str
    name: str = ""
    kpj: str = ""
    segment: str = ""
    wage: int | None = None
    amount: int | None = None


@dataclass
class Parsed:
    rows: list[BpjsRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    fatal: str = ""
    fatal_en: str = ""


def map_columns(headers: list[str]) -> dict[str, str]:
    """``{field: original header}`` for the recognised columns."""
    found: dict[str, str] = {}
    normed = [(h, norm(h)) for h in headers]
    for fld, names in SYNONYMS.items():
        for h, n in normed:
            if n in names and fld not in found and h not in found.values():
                found[fld] = h
    for word, fld in CONTAINS:
        if fld in found:
            continue
        for h, n in normed:
            if word in n and h not in found.values():
                found[fld] = h
                break
    return found


_INT_LIKE = re.compile(r"^-?\d+(\.0+)?$")


def parse_amount(value) -> int | None:
    """``'Rp 13.079'``, ``'13,079'``, ``'13079.0'``, ``13079`` → 13079; ``''`` → None.
    Raises ``ValueError`` for text that is not a whole rupiah amount."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise ValueError(value)
        return int(value)
    text = str(value).strip().replace("Rp", "").replace("rp", "").replace(" ", "")
    if not text or text == "-":
        return None
    if _INT_LIKE.match(text):
        return int(float(text)) if "." in text else int(text)
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,0+)?", text):  # 1.234.567 or 1.234,00
        return int(text.split(",")[0].replace(".", ""))
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.0+)?", text):  # 1,234,567
        return int(text.split(".")[0].replace(",", ""))
    if re.fullmatch(r"-?\d+,0+", text):
        return int(text.split(",")[0])
    raise ValueError(value)


def parse_segment(value: str) -> str:
    n = norm(value)
    if not n:
        return ""
    if "bukan" in n or "bpu" in n or "rentan" in n or "mandiri" in n or "informal" in n:
        return "BPU"
    if n in {"pu", "ppu"} or "penerimaupah" in n or "nonasn" in n or "pu" in n:
        return "PU"
    return ""


def parse_period(value) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?", text)
    if m:
        return date(int(m.group(1)), int(m.group(2)), 1)
    m = re.fullmatch(r"(\d{1,2})[-/](\d{4})", text)
    if m:
        return date(int(m.group(2)), int(m.group(1)), 1)
    m = re.fullmatch(r"([A-Za-z]+)\s+(\d{4})", text)
    if m:
        name = m.group(1).lower()[:3]
        for i, b in enumerate(months.MONTHS):
            if b.lower().startswith(name):
                return date(int(m.group(2)), i + 1, 1)
    raise ValueError(text)


def _read_frame(data: bytes, filename: str) -> tuple[pl.DataFrame, set[str]]:
    """The file as a frame of strings plus the names of columns that held numbers."""
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=None)
        numeric = {c for c, t in frame.schema.items() if t.is_numeric()}
        frame = frame.select(
            [
                pl.col(c).cast(pl.Int64, strict=False).cast(pl.String)
                if frame.schema[c].is_integer()
                else pl.col(c).cast(pl.String)
                for c in frame.columns
            ]
        )
        return frame, numeric
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first = text.splitlines()[0] if text else ""
    separator = max((";", ",", "\t", "|"), key=first.count)
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator=separator,
        infer_schema=False,
        truncate_ragged_lines=True,
    )
    return frame, set()


def read_bpjs_file(data: bytes, filename: str, month: date | None = None) -> Parsed:
    """Parse BPJS TK's list. Bad rows are reported (``errors``), never silently dropped."""
    out = Parsed()
    try:
        frame, numeric = _read_frame(data, filename)
    except Exception as exc:  # noqa: BLE001 — any unreadable file gets the same explanation
        out.fatal = (
            f"Berkas '{filename}' tidak dapat dibaca sebagai .xlsx atau .csv ({exc.__class__.__name__})."
            " Simpan ulang dari Excel sebagai .xlsx atau CSV UTF-8."
        )
        out.fatal_en = f"Cannot read {filename} as .xlsx or .csv."
        return out
    out.columns = map_columns(frame.columns)
    if "nik" not in out.columns:
        out.fatal = (
            "Kolom NIK tidak ditemukan. Judul kolom yang dikenali antara lain: NIK, No KTP, "
            f"Nomor Identitas. Kolom pada berkas: {', '.join(map(str, frame.columns))}."
        )
        out.fatal_en = "No NIK column found."
        return out
    c = out.columns
    nik_numeric = c["nik"] in numeric
    seen: dict[str, int] = {}
    for i, rec in enumerate(frame.iter_rows(named=True), start=2):
        raw_nik = (rec.get(c["nik"]) or "").strip().lstrip("'")
        if not raw_nik and not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
            continue  # empty line
        problems = []
        if nik_numeric or re.search(r"[eE][+]|\.\d", raw_nik):
            problems.append(
                "NIK tersimpan sebagai angka di Excel sehingga digit ke-16 hilang; format kolom "
                "NIK sebagai Teks lalu ekspor ulang"
            )
        elif not re.fullmatch(r"\d{16}", raw_nik):
            problems.append(f"NIK '{raw_nik}' harus 16 angka")
        row = BpjsRow(line=i, nik=raw_nik)
        row.name = (rec.get(c["name"]) or "").strip() if "name" in c else ""
        row.kpj = (rec.get(c["kpj"]) or "").strip() if "kpj" in c else ""
        if "segment" in c:
            row.segment = parse_segment(rec.get(c["segment"]) or "")
        for fld in ("wage", "amount", "jkk", "jkm"):
            if fld not in c:
                continue
            try:
                value = parse_amount(rec.get(c[fld]))
            except ValueError:
                problems.append(f"{c[fld]} '{rec.get(c[fld])}' bukan jumlah rupiah utuh")
                continue
            if fld in ("wage", "amount"):
                setattr(row, fld, value)
            elif value is not None:
                row.amount = (row.amount or 0) + value if "amount" not in c else row.amount
        if month is not None and "period" in c and rec.get(c["period"]):
            try:
                period = parse_period(rec.get(c["period"]))
            except ValueError:
                problems.append(f"periode '{rec.get(c['period'])}' tidak dikenali")
            else:
                if period != month:
                    problems.append(
                        f"baris untuk {months.label(period)}, bukan {months.label(month)}"
                    )
        if not problems and raw_nik in seen:
            problems.append(f"NIK ganda (sama dengan baris {seen[raw_nik]})")
        if problems:
            out.errors.append({"line": i, "nik": raw_nik, "problems": problems})
            continue
        seen[raw_nik] = i
        out.rows.append(row)
    return out


def _lindung_side(programme, month: date) -> dict[str, dict]:
    """Participants billed for the month: NIK → segment, wage basis, amount."""
    rows = sql.fetchall(
        "SELECT l.participant_id, pe.nik, pe.full_name, l.segment, l.wage, l.billed "
        "FROM {ledger} l JOIN {part} p ON p.id = l.participant_id "
        "JOIN {person} pe ON pe.id = p.person_id "
        "WHERE l.programme_id = %s AND l.month = %s AND l.billed > 0",
        [programme.pk, month],
        ledger=CoverageMonth,
        part=Participant,
        person=Person,
    )
    # A correction after issue carries the current wage basis.
    latest = sql.fetchall(
        "SELECT a.participant_id, r.segment, r.wage FROM {adj} a "
        "JOIN {rate} r ON r.id = a.rate_id "
        "WHERE a.programme_id = %s AND a.month = %s ORDER BY a.id",
        [programme.pk, month],
        adj=Adjustment,
        rate=RateCard,
    )
    current = {pid: (seg, wage) for pid, seg, wage in latest}
    out = {}
    for pid, nik, name, seg, wage, billed in rows:
        seg, wage = current.get(pid, (seg, wage))
        out[nik] = {"pid": pid, "name": name, "segment": seg, "wage": wage, "amount": billed}
    return out


def compare(programme, month: date, rows: list[BpjsRow]) -> tuple[list[dict], int]:
    """Differences between BPJS's rows and Lindung's billed participants of the month."""
    from .errors import ReconciliationError

    ours = _lindung_side(programme, month)
    if not ours:
        raise ReconciliationError(
            f"Belum ada tagihan untuk {months.label(month)}; jalankan penagihan bulan itu "
            "sebelum rekonsiliasi.",
            "No billing for that month yet.",
            "month",
        )
    theirs = {r.nik: r for r in rows}
    diffs: list[dict] = []
    matched = 0
    unknown = [n for n in theirs if n not in ours]
    registry: dict[str, tuple[int, str]] = {}
    for i in range(0, len(unknown), 900):  # SQLite's limit on bound variables
        for pid, nik, status in Participant.objects.filter(
            programme=programme, person__nik__in=unknown[i : i + 900]
        ).values_list("pk", "person__nik", "status"):
            registry[nik] = (pid, status)
    for nik, r in theirs.items():
        mine = ours.get(nik)
        base = {
            "nik": nik,
            "name": r.name or (mine or {}).get("name", ""),
            "bpjs_segment": r.segment,
            "bpjs_wage": r.wage,
            "bpjs_amount": r.amount,
        }
        if mine is None:
            pid, status = registry.get(nik, (None, None))
            detail = (
                f"Terdaftar di registri Lindung (status: {status}) tetapi tidak ditagih bulan ini."
                if pid
                else "NIK tidak ada di registri Lindung."
            )
            diffs.append(
                {**base, "kind": Difference.Kind.BPJS_ONLY, "participant_id": pid, "detail": detail}
            )
            continue
        ours_part = {
            "participant_id": mine["pid"],
            "lindung_segment": mine["segment"],
            "lindung_wage": mine["wage"],
            "lindung_amount": mine["amount"],
        }
        notes = []
        if r.segment and r.segment != mine["segment"]:
            notes.append(f"segmen BPJS {r.segment}, Lindung {mine['segment']}")
        if r.wage is not None and r.wage != mine["wage"]:
            notes.append(f"upah/penghasilan BPJS {rupiah(r.wage)}, Lindung {rupiah(mine['wage'])}")
        if notes:
            if r.amount is not None and r.amount != mine["amount"]:
                notes.append(f"iuran BPJS {rupiah(r.amount)}, Lindung {rupiah(mine['amount'])}")
            diffs.append(
                {**base, **ours_part, "kind": Difference.Kind.WAGE, "detail": "; ".join(notes)}
            )
        elif r.amount is not None and r.amount != mine["amount"]:
            diffs.append(
                {
                    **base,
                    **ours_part,
                    "kind": Difference.Kind.AMOUNT,
                    "detail": f"iuran BPJS {rupiah(r.amount)}, Lindung {rupiah(mine['amount'])}; "
                    f"selisih {signed_rupiah(r.amount - mine['amount'])}",
                }
            )
        else:
            matched += 1
    for nik, mine in ours.items():
        if nik in theirs:
            continue
        diffs.append(
            {
                "kind": Difference.Kind.LINDUNG_ONLY,
                "nik": nik,
                "name": mine["name"],
                "participant_id": mine["pid"],
                "lindung_segment": mine["segment"],
                "lindung_wage": mine["wage"],
                "lindung_amount": mine["amount"],
                "detail": "Ditagih Lindung bulan ini tetapi tidak ada pada daftar BPJS TK.",
            }
        )
    return diffs, matched
