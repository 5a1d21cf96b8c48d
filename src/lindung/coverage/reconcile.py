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

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from lindung.core import dates, sandbox, sql
from lindung.core.formatting import month_year, rupiah
from lindung.registry import pipeline
from lindung.registry.models import Participant, Person
from lindung.registry.reading import ROW, SUPPORTED, UnreadableFile

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
    ignored: list[dict] = field(default_factory=list)  # rows below the table (totals…)


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


_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")  # 10.000 / 1.234.567,00
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")  # 10,000 / 1,234,567.00
_PLAIN = re.compile(r"^-?\d+([.,]\d+)?$")  # 10000 / 10000.0 / 10000,00


def parse_amount(value) -> int | None:
    """Whole rupiah from every form a BPJS or bank file uses; ``''``/``'-'`` → None.

    ``'Rp 10.000'``, ``'Rp10.000,-'``, ``'Rp. 10.000,00'``, ``'IDR 10,000'``, ``'10 000'``,
    ``'10000'``, ``'10000.0'``, ``10000``, ``10000.0`` → 10000. Groups of three after a dot or
    comma are thousands ("10.000" is ten thousand rupiah, never ten); anything else after the
    separator is a decimal part, which must be zero. Raises ``ValueError`` for text that is not
    a whole rupiah amount (``'13.079,5'``, ``'1,5'``, ``'abc'``)."""
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
    text = re.sub(r"(?i)^\s*(rp|idr)\.?", "", str(value).strip())
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[.,]-$", "", text)  # "10.000,-"
    if not text or text in {"-", "--"}:
        return None
    if _THOUSANDS_DOT.match(text):
        whole, _, fraction = text.partition(",")
        number = whole.replace(".", "")
    elif _THOUSANDS_COMMA.match(text):
        whole, _, fraction = text.partition(".")
        number = whole.replace(",", "")
    elif _PLAIN.match(text):
        whole, _, fraction = text.replace(",", ".").partition(".")
        number = whole
    else:
        raise ValueError(value)
    if fraction.strip("0"):
        raise ValueError(value)
    return int(number)


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
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/]\d{1,2}", text)
    if m:  # a date: its month
        text = f"{m.group(1)}-{m.group(2)}"
    return dates.parse_month(text)  # 2025-03, 03/2025, Maret 2025; else ValueError


#: Header keys (letters and digits) the header row of a BPJS file is found by.
KNOWN_HEADERS = sorted({n for names in SYNONYMS.values() for n in names})


def _read_frame(data: bytes, filename: str) -> tuple[pl.DataFrame, dict[str, pl.Series], dict]:
    """The file as text (``_row`` = its row number in the sheet), the numeric-cell flags per
    column, and its layout. Read like every upload: in the limited child process, the header row
    found below title rows, rows below the table (totals, signatures) left out and listed."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(
            f"Jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung: gunakan .xlsx atau .csv.",
            message_en=f"File type {suffix or '(no extension)'} is not supported: use .xlsx or "
            ".csv.",
        )
    with tempfile.TemporaryDirectory(prefix="lindung-bpjs-") as tmp:
        source = Path(tmp) / f"bpjs{suffix}"
        source.write_bytes(data)
        try:
            # One-shot (fresh_after): a web process keeps no reading process alive.
            layout = sandbox.run(
                "lindung.registry.pipeline:read_source",
                {"source": str(source), "folder": tmp, "kind": "bpjs", "known": KNOWN_HEADERS},
                fresh_after=True,
            )
        except sandbox.SandboxFailure as exc:
            raise UnreadableFile(exc.message, message_en=exc.message_en) from exc
        frame, numeric = pipeline.load_raw(tmp)
    return frame, numeric, layout


def read_bpjs_file(data: bytes, filename: str, month: date | None = None) -> Parsed:
    """Parse BPJS TK's list. Bad rows are reported (``errors``), never silently dropped."""
    out = Parsed()
    try:
        frame, numeric, layout = _read_frame(data, filename)
    except UnreadableFile as exc:
        out.fatal = f"Berkas '{filename}' tidak dapat dibaca: {exc}"
        out.fatal_en = f"File '{filename}' cannot be read: {exc.message_en}"
        return out
    headers = [h for h in frame.columns if h != ROW]
    out.columns = map_columns(headers)
    out.ignored = layout.get("ignored", [])
    if "nik" not in out.columns:
        named = [h for h in headers if not h.startswith("__UNNAMED__")]
        out.fatal = (
            "Kolom NIK tidak ditemukan. Judul kolom yang dikenali antara lain: NIK, No KTP, "
            f"Nomor Identitas. Kolom pada berkas: {', '.join(named)}."
        )
        out.fatal_en = "No NIK column found."
        return out
    c = out.columns
    nik_numeric = numeric.get(c["nik"])
    seen: dict[str, int] = {}
    for index, rec in enumerate(frame.iter_rows(named=True)):
        i = rec.pop(ROW)
        raw_nik = (rec.get(c["nik"]) or "").strip().lstrip("'")
        if not raw_nik and not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
            continue  # empty line
        problems = []
        numeric_cell = bool(nik_numeric is not None and nik_numeric[index])
        if numeric_cell or re.search(r"[eE][+]|\.\d", raw_nik):
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


def _lindung_side(
    programme, month: date, segment: str = "", funder_id: int | None = None
) -> dict[str, dict]:
    """Participants billed for the month (of one segment and/or funder when chosen): NIK →
    segment, wage basis, amount, funder."""
    where, params = "", [programme.pk, month]
    if segment:
        where += " AND l.segment = %s"
        params.append(segment)
    if funder_id:
        where += " AND l.funder_id = %s"
        params.append(funder_id)
    rows = sql.fetchall(
        "SELECT l.participant_id, pe.nik, pe.full_name, l.segment, l.wage, l.billed, "
        "l.funder_id FROM {ledger} l JOIN {part} p ON p.id = l.participant_id "
        "JOIN {person} pe ON pe.id = p.person_id "
        "WHERE l.programme_id = %s AND l.month = %s AND l.billed > 0{where}",
        params,
        ledger=CoverageMonth,
        part=Participant,
        person=Person,
        where=sql.Fragment(where),
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
    for pid, nik, name, seg, wage, billed, funder_id in rows:
        seg, wage = current.get(pid, (seg, wage))
        out[nik] = {
            "pid": pid,
            "name": name,
            "segment": seg,
            "wage": wage,
            "amount": billed,
            "funder_id": funder_id,
        }
    return out


def choose(rows: list[BpjsRow], segment: str = "") -> tuple[list[BpjsRow], int]:
    """The BPJS rows of the chosen segment (rows without a segment are kept) and how many were
    left out."""
    if not segment:
        return rows, 0
    kept = [r for r in rows if not r.segment or r.segment == segment]
    return kept, len(rows) - len(kept)


def compare(
    programme, month: date, rows: list[BpjsRow], segment: str = "", funder=None
) -> tuple[list[dict], int]:
    """Differences between BPJS's rows and Lindung's billed participants of the month — of one
    segment and/or one funder's bill when chosen."""
    from .errors import ReconciliationError
    from .models import Funder

    funder_id = getattr(funder, "pk", None)
    ours = _lindung_side(programme, month, segment, funder_id)
    if not ours:
        code = getattr(funder, "code", "")
        chosen = " ".join(p for p in (f"segmen {segment}" if segment else "", code) if p)
        chosen_en = " ".join(p for p in (f"segment {segment}" if segment else "", code) if p)
        raise ReconciliationError(
            f"Belum ada tagihan untuk {months.label(month)}"
            + (f" ({chosen})" if chosen else "")
            + "; jalankan penagihan bulan itu sebelum rekonsiliasi, atau periksa pilihan segmen "
            "dan penyandang dana.",
            message_en=f"There is no billing for {month_year(month, language='en')} yet"
            + (f" ({chosen_en})" if chosen_en else "")
            + "; run that month's billing before reconciling, or check the chosen segment "
            "and funder.",
            field="month",
        )
    everything = _lindung_side(programme, month) if (segment or funder_id) else ours
    codes = dict(Funder.objects.filter(programme=programme).values_list("pk", "code"))
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
            other = everything.get(nik)
            if other is not None:
                pid = other["pid"]
                detail = (
                    f"Ditagih Lindung bulan ini sebagai {other['segment']} ke penyandang dana "
                    f"{codes.get(other['funder_id'], '-')}, di luar pilihan rekonsiliasi ini."
                )
            elif pid:
                detail = (
                    f"Terdaftar di registri Lindung (status: {status}) tetapi tidak ditagih "
                    "bulan ini."
                )
            else:
                detail = "NIK tidak ada di registri Lindung."
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
