"""NIK (Nomor Induk Kependudukan), the Indonesian national identity number. DOMAIN.md §6.

16 digits: province (2) · regency/city (2) · district (2) · birth date DDMMYY (women: day + 40) ·
serial (4, from 0001). There is no check digit. The region codes are checked against the current
Kemendagri table and its history (:mod:`lindung.rules.regions`).

**A NIK is for life** (PP 37/2007 Pasal 37; UU 24/2013): it is not re-issued when the region
that issued it is split or renumbered, nor when a birth date is corrected in the family card
(KK). Such NIKs are real and must be accepted: their findings are *warnings*, not errors.

API
---

``check(nik, birth_date=None, reference_date=None, *, strict=False) -> NikResult``
    Parse and validate. ``birth_date``: a birth date stated elsewhere (KK, form): it sets the
    century and is compared with the NIK. ``reference_date``: sets the century when no birth
    date is given (the latest possible year not after it). Never raises on bad input.
``is_valid(nik, birth_date=None, reference_date=None, *, strict=False) -> bool``
    ``check(...).valid``.
``mask(nik) -> str``
    ``3577••••••••0001`` for roles that may not see the whole NIK.
``SEVERITY``
    Every finding code with its default severity (below).

``NikResult`` fields: ``input``, ``nik`` (the 16 digits), ``errors`` and ``warnings`` (tuples of
:class:`Problem`: ``code``, ``message_id`` (Indonesian), ``message_en``, ``severity``),
``problems`` (both, errors first), ``valid`` (**no error**; warnings allowed), ``clean`` (no
error and no warning), ``sex`` (``L``/``P``), ``birth_date`` (the date in the NIK, century
resolved), ``birth_ddmmyy``, ``province_code``/``province``, ``regency_code``/``regency``,
``district_code``/``district`` (as written in the NIK; names from the current table, or from the
history for an old code), ``current_regency_code``/``current_regency``/``current_province``
(where that region is in today's table: ``94.04`` for an old ``91.09``; ``None`` when not known),
``serial``. ``to_dict()`` is the JSON ``lindung nik check`` and ``GET /api/v1/nik/{nik}`` print.

Errors only or warnings too
---------------------------

By default the severities below apply and ``valid`` is false only on errors: the caller accepts
the NIK and shows ``warnings`` to the officer. A caller that must refuse anything doubtful asks
``check(..., strict=True)``: every warning except ``century_unknown`` becomes an error (same code,
``severity="error"``). ``strict`` may also be a set of codes to promote, e.g.
``strict={"birth_date_mismatch"}``; ``strict_regions=True`` (kept from the first version) promotes
``regency_old`` and ``district_old``.

==========================  ========  ====================================================
code                        severity  meaning
==========================  ========  ====================================================
``not_text``                error     a number, not text (Excel lost digits)
``scientific_notation``     error     ``3,57701E+15``
``non_digit``               error     a character other than 0–9 (separators are removed)
``length``                  error     not 16 digits
``province_unknown``        error     province code not in the Kemendagri table
``regency_unknown``         error     regency/city code never issued in that province
``district_unknown``        error     district code never issued in that regency
``birth_date_invalid``      error     day (−40) and month are not a real date
``birth_date_future``       error     the stated birth date is after the reference date
``serial_zero``             error     serial 0000
``regency_old``             warning   an old regency/city code: moved to a new province
                                      ("kode wilayah lama: sekarang 94.04 Mimika") or a
                                      retired number of its province
``district_old``            warning   a retired district number of its regency (moved to
                                      a regency formed later, e.g. Pangandaran 2012)
``birth_date_mismatch``     warning   the NIK's date part differs from the stated birth date
``century_unknown``         warning   no birth date nor reference date: century not known
==========================  ========  ====================================================

The century of the birth year is **never guessed**: it comes from the stated birth date (the
year ending in the NIK's two digits nearest to it) or from the reference date. A NIK stored as a
number (as Excel does) has lost digits beyond the 15th and any leading zero: numbers are
rejected with an explanation; NIK columns must be text.

>>> r = check("3577014101100001", reference_date=date(2025, 6, 1))
>>> r.valid, r.sex, r.birth_date, r.regency, r.district
(True, 'P', datetime.date(2010, 1, 1), 'Kota Madiun', 'Kartoharjo')
>>> check("3577010101100001", birth_date=date(2010, 1, 1)).birth_date
datetime.date(2010, 1, 1)
>>> [e.code for e in check("3577013202100000").errors]
['birth_date_invalid', 'serial_zero']
>>> r = check("9109011708850001", birth_date=date(1985, 8, 17))
>>> r.valid, [w.code for w in r.warnings], r.current_regency_code
(True, ['regency_old'], '94.04')
>>> check("9109011708850001", birth_date=date(1985, 8, 17), strict=True).valid
False
>>> [w.code for w in check("3577011708850001", birth_date=date(1985, 8, 18)).warnings]
['birth_date_mismatch']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lindung.rules import regions
from lindung.rules.errors import RulesError

__all__ = ["SEVERITY", "NikResult", "Problem", "check", "check_request", "is_valid", "mask"]

_SEPARATORS = re.compile(r"[\s.\-]")

#: Default severity of every finding code (see the module docstring).
SEVERITY: dict[str, str] = {
    "not_text": "error",
    "scientific_notation": "error",
    "non_digit": "error",
    "length": "error",
    "province_unknown": "error",
    "regency_unknown": "error",
    "district_unknown": "error",
    "birth_date_invalid": "error",
    "birth_date_future": "error",
    "serial_zero": "error",
    "regency_old": "warning",
    "district_old": "warning",
    "birth_date_mismatch": "warning",
    "century_unknown": "warning",
}
_REGION_WARNINGS = frozenset({"regency_old", "district_old"})
_NEVER_STRICT = frozenset({"century_unknown"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding in a NIK: a stable code, messages in Indonesian and English, a severity."""

    code: str
    message_id: str
    message_en: str
    severity: str = "error"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dict."""
        return {
            "code": self.code,
            "message_id": self.message_id,
            "message_en": self.message_en,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class NikResult:
    """Outcome of :func:`check`: the parsed parts and every finding."""

    input: str
    nik: str | None = None
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    sex: str | None = None
    birth_date: date | None = None
    birth_ddmmyy: str | None = None
    province_code: str | None = None
    province: str | None = None
    regency_code: str | None = None
    regency: str | None = None
    district_code: str | None = None
    district: str | None = None
    serial: str | None = None
    current_regency_code: str | None = None
    current_regency: str | None = None
    current_province: str | None = None

    @property
    def valid(self) -> bool:
        """No error (warnings allowed)."""
        return not self.errors

    @property
    def clean(self) -> bool:
        """No error and no warning."""
        return not self.errors and not self.warnings

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Errors, then warnings."""
        return self.errors + self.warnings

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, the shape ``lindung nik check`` prints."""
        return {
            "nik": self.nik if self.nik is not None else self.input,
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "province_code": self.province_code,
            "province": self.province,
            "regency_code": self.regency_code,
            "regency": self.regency,
            "district_code": self.district_code,
            "district": self.district,
            "serial": self.serial,
            "current_regency_code": self.current_regency_code,
            "current_regency": self.current_regency,
            "current_province": self.current_province,
        }


class _Findings:
    """Collects problems, each with the severity the caller asked for."""

    def __init__(self, promoted: frozenset[str]):
        self.promoted = promoted
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(
        self, code: str, message_id: str, message_en: str, still_id: str = "", still_en: str = ""
    ) -> None:
        """Record a finding; ``still_*`` (why the NIK stays valid) is said only for a warning."""
        severity = SEVERITY[code]
        if severity == "warning" and code in self.promoted:
            severity = "error"
        if severity == "warning" and still_id:
            message_id, message_en = f"{message_id} {still_id}", f"{message_en} {still_en}"
        target = self.errors if severity == "error" else self.warnings
        target.append(Problem(code, message_id, message_en, severity))


def _promoted(strict: bool | Iterable[str], strict_regions: bool | None) -> frozenset[str]:
    if strict is True:
        codes = {c for c, sev in SEVERITY.items() if sev == "warning"} - _NEVER_STRICT
    elif strict is False or strict is None:
        codes = set()
    else:
        codes = set(strict)
        unknown = codes - set(SEVERITY)
        if unknown:
            raise ValueError(f"Unknown NIK finding code(s): {', '.join(sorted(unknown))}")
    if strict_regions:
        codes |= _REGION_WARNINGS
    return frozenset(codes)


def _single(code: str, message_id: str, message_en: str, raw: str) -> NikResult:
    return NikResult(input=raw, errors=(Problem(code, message_id, message_en, SEVERITY[code]),))


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_year(yy: int, month: int, day: int, ref: date) -> int:
    """Latest year ending in ``yy`` whose date (month/day) is not after ``ref``."""
    year = ref.year - ((ref.year - yy) % 100)
    d = _real_date(year, month, day) or _real_date(year, month, 28)
    if d is not None and d > ref:
        year -= 100
    return year


def _nearest_year(yy: int, near: int) -> int:
    """The year ending in ``yy`` nearest to ``near`` (the earlier one on a tie)."""
    below = near - ((near - yy) % 100)
    return below if near - below <= below + 100 - near else below + 100


_STILL_ID = "NIK tidak diterbitkan ulang karena pemekaran wilayah: NIK ini tetap sah; periksa KTP."
_STILL_EN = (
    "A NIK is not re-issued when a region is split: this NIK is still valid; check the ID card."
)


def _short(name: str | None) -> str:
    return (name or "").removeprefix("Kabupaten ")


def _old_regency(findings: _Findings, former: regions.FormerCode) -> None:
    if former.kind == "moved":
        findings.add(
            "regency_old",
            f"NIK memakai kode wilayah lama: sekarang {former.current} "
            f"{_short(former.current_name)} (Provinsi {former.current_province}). Kode "
            f"{former.code} dipakai di Provinsi {former.from_province} sampai "
            f"{former.label[:1].lower()}{former.label[1:]} tahun {former.year} ({former.ref}).",
            f"The NIK carries an old region code: now {former.current} "
            f"{_short(former.current_name)} ({former.current_province}). Code {former.code} was "
            f"used in {former.from_province} until {former.year} ({former.ref}).",
            _STILL_ID,
            _STILL_EN,
        )
        return
    findings.add(
        "regency_old",
        f"NIK memakai kode wilayah lama: kabupaten/kota {former.code} tidak ada lagi dalam tabel "
        f"Kemendagri terbaru, tetapi berada dalam penomoran Provinsi {former.parent_name} "
        "(kabupaten/kota yang pindah karena pemekaran).",
        f"The NIK carries an old region code: regency/city {former.code} is no longer in the "
        f"current Kemendagri table but lies within the numbering of {former.parent_name} (a "
        "regency/city moved by a split).",
        _STILL_ID,
        _STILL_EN,
    )


def _old_district(findings: _Findings, former: regions.FormerCode) -> None:
    where_id = where_en = ""
    if former.successors:
        names = ", ".join(former.successor_names())
        year = f" {former.year}" if former.year else ""
        where_id = f", mis. ke {names} karena pemekaran{year and ' tahun' + year} ({former.ref})"
        where_en = f", e.g. to {names} by a split{year and ' in' + year} ({former.ref})"
    findings.add(
        "district_old",
        f"NIK memakai kode wilayah lama: kecamatan {former.code} tidak ada lagi dalam tabel "
        f"Kemendagri terbaru, tetapi berada dalam penomoran {former.parent_name} (kecamatan yang "
        f"dipindahkan{where_id}).",
        f"The NIK carries an old region code: district {former.code} is no longer in the current "
        f"Kemendagri table but lies within the numbering of {former.parent_name} (a district "
        f"moved away{where_en}).",
        _STILL_ID,
        _STILL_EN,
    )


def _check_regions(text: str, findings: _Findings) -> dict[str, Any]:
    pcode, rcode, dcode = (
        text[0:2],
        f"{text[0:2]}.{text[2:4]}",
        f"{text[0:2]}.{text[2:4]}.{text[4:6]}",
    )
    parts: dict[str, Any] = {
        "province_code": pcode,
        "regency_code": rcode,
        "district_code": dcode,
    }
    province = regions.region_name(pcode)
    if province is None:
        findings.add(
            "province_unknown",
            f"Kode provinsi {pcode} tidak ada dalam tabel Kemendagri.",
            f"Province code {pcode} is not in the Kemendagri table.",
        )
        return parts
    parts["province"] = province
    regency = regions.region_name(rcode)
    if regency is None:
        former = regions.former_code(rcode)
        if former is None:
            findings.add(
                "regency_unknown",
                f"Kode kabupaten/kota {rcode} tidak ada dalam tabel Kemendagri Provinsi {province}, "
                "juga bukan kode lama sebelum pemekaran: periksa KTP.",
                f"Regency/city code {rcode} was never issued in {province} (not an old code from "
                "before a split either): check the ID card.",
            )
            return parts
        _old_regency(findings, former)
        if former.kind == "moved":
            parts["regency"] = former.current_name
            parts["current_regency_code"] = former.current
            parts["current_regency"] = former.current_name
            parts["current_province"] = former.current_province
        if text[4:6] == "00":
            findings.add(
                "district_unknown",
                f"Kode kecamatan {dcode} tidak sah (00).",
                f"District code {dcode} is not valid (00).",
            )
        return parts
    parts["regency"] = regency
    parts["current_regency_code"] = rcode
    parts["current_regency"] = regency
    parts["current_province"] = province
    district = regions.region_name(dcode)
    if district is not None:
        parts["district"] = district
        return parts
    former = regions.former_code(dcode)
    if former is None:
        findings.add(
            "district_unknown",
            f"Kode kecamatan {dcode} tidak ada dalam tabel Kemendagri {regency}, juga bukan kode "
            "lama sebelum pemekaran: periksa KTP.",
            f"District code {dcode} was never issued in {regency} (not an old code from before a "
            "split either): check the ID card.",
        )
    else:
        _old_district(findings, former)
        # The district moved to another regency: where exactly is not known.
        parts["current_regency_code"] = parts["current_regency"] = None
        parts["current_province"] = None
    return parts


def _check_birth(
    text: str,
    birth_date: date | None,
    reference_date: date | None,
    parts: dict[str, Any],
    findings: _Findings,
) -> date | None:
    """The birth date (and sex) the NIK encodes: ``parts`` completed, the full date returned
    when it can be told, findings added."""
    dd, mm, yy = int(text[6:8]), int(text[8:10]), int(text[10:12])
    parts["birth_ddmmyy"] = text[6:12]
    sex = "P" if dd > 40 else "L"
    day = dd - 40 if dd > 40 else dd
    shown = f"{text[6:8]}-{text[8:10]}-{text[10:12]}"
    # Feb 29 exists in a year ending in yy only if yy % 4 == 0 (00 → 2000 is a leap year).
    plausible = 1 <= day <= 31 and 1 <= mm <= 12 and _real_date(2000 + yy, mm, day) is not None
    bd: date | None = None
    if not plausible:
        findings.add(
            "birth_date_invalid",
            f"Tanggal lahir di NIK ({shown}) bukan tanggal yang sah (perempuan: tanggal + 40).",
            f"The birth date in the NIK ({shown}) is not a real date (women: day + 40).",
        )
    else:
        parts["sex"] = sex
        year: int | None = None
        if birth_date is not None:
            year = _nearest_year(yy, birth_date.year)
            if (birth_date.year % 100, birth_date.month, birth_date.day) != (yy, mm, day):
                findings.add(
                    "birth_date_mismatch",
                    f"Tanggal lahir di NIK ({day:02d}-{mm:02d}-{yy:02d}) tidak sama dengan "
                    f"tanggal lahir yang diberikan ({birth_date.isoformat()}); periksa KK/akta "
                    "kelahiran.",
                    f"The birth date in the NIK ({day:02d}-{mm:02d}-{yy:02d}) differs from the "
                    f"given birth date ({birth_date.isoformat()}); check the KK/birth "
                    "certificate.",
                    "NIK tidak diubah bila tanggal lahir dibetulkan di KK: NIK ini tetap sah.",
                    "A NIK is not changed when a birth date is corrected in the family card: "
                    "this NIK is still valid.",
                )
            if reference_date is not None and birth_date > reference_date:
                findings.add(
                    "birth_date_future",
                    f"Tanggal lahir {birth_date.isoformat()} sesudah tanggal acuan "
                    f"{reference_date.isoformat()}.",
                    f"Birth date {birth_date.isoformat()} is after the reference date "
                    f"{reference_date.isoformat()}.",
                )
        elif reference_date is not None:
            year = _resolve_year(yy, mm, day, reference_date)
        else:
            findings.add(
                "century_unknown",
                "Abad tahun lahir tidak dapat ditentukan dari NIK saja: berikan tanggal lahir "
                "atau tanggal acuan.",
                "The century of the birth year cannot be told from the NIK alone: give a "
                "birth date or a reference date.",
            )
        if year is not None:
            bd = _real_date(year, mm, day)
            if bd is None:
                findings.add(
                    "birth_date_invalid",
                    f"Tanggal lahir di NIK ({shown}) tidak ada pada tahun {year}.",
                    f"The birth date in the NIK ({shown}) does not exist in {year}.",
                )
    return bd


def check(
    nik: Any,
    birth_date: date | None = None,
    reference_date: date | None = None,
    *,
    strict: bool | Iterable[str] = False,
    strict_regions: bool | None = None,
) -> NikResult:
    """Parse and validate a NIK; return its parts and every finding (see the module docstring).

    ``birth_date``: a birth date stated elsewhere (KK, form): it sets the century; a NIK whose
    date part differs gets a ``birth_date_mismatch`` warning (Dukcapil does not change a NIK when
    a birth date is corrected). ``reference_date``: used for the century when no birth date is
    given. ``strict``: ``True`` makes every warning but ``century_unknown`` an error; a set of
    codes promotes those. ``strict_regions=True`` promotes the old-region-code warnings.
    """
    promoted = _promoted(strict, strict_regions)
    if not isinstance(nik, str):
        return _single(
            "not_text",
            "NIK harus berupa teks, bukan angka: angka (mis. dari sel Excel) kehilangan "
            "digit setelah digit ke-15 dan angka 0 di depan. Format kolom NIK sebagai "
            "Teks lalu ketik ulang.",
            "The NIK must be text, not a number: a number (e.g. from an Excel cell) loses "
            "the digits after the 15th and leading zeros. Format the NIK column as Text "
            "and type it again.",
            repr(nik),
        )
    raw = nik
    text = _SEPARATORS.sub("", nik.strip().lstrip("'"))
    if re.fullmatch(r"\d+(,\d+)?[eE]\+?\d+", text.replace(".", ",")):
        return _single(
            "scientific_notation",
            "NIK tertulis sebagai notasi ilmiah (mis. 3,57701E+15): digitnya sudah "
            "hilang di Excel. Format kolom NIK sebagai Teks lalu ketik ulang.",
            "The NIK is in scientific notation (e.g. 3.57701E+15): Excel has already "
            "lost its digits. Format the NIK column as Text and type it again.",
            raw,
        )
    if text and not (text.isdigit() and text.isascii()):
        return _single(
            "non_digit",
            "NIK hanya boleh berisi angka 0-9.",
            "The NIK may contain only the digits 0-9.",
            raw,
        )
    if len(text) != 16:
        hint_id = hint_en = ""
        if len(text) == 15:
            hint_id = " NIK 15 digit biasanya terpotong oleh Excel atau kehilangan angka 0."
            hint_en = " A 15-digit NIK was usually cut by Excel or lost a zero."
        return _single(
            "length",
            f"NIK harus 16 digit, yang diisi {len(text)} digit.{hint_id}",
            f"The NIK must have 16 digits, it has {len(text)}.{hint_en}",
            raw,
        )

    findings = _Findings(promoted)
    parts = _check_regions(text, findings)

    bd = _check_birth(text, birth_date, reference_date, parts, findings)
    serial = text[12:16]
    if serial == "0000":
        findings.add(
            "serial_zero",
            "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
            "The NIK serial (last 4 digits) cannot be 0000.",
        )
    return NikResult(
        input=raw,
        nik=text,
        errors=tuple(findings.errors),
        warnings=tuple(findings.warnings),
        birth_date=bd,
        serial=serial,
        **parts,
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _request_date(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    parsed = None
    if _ISO_DATE.fullmatch(text):
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        raise RulesError(
            f"{field} harus tanggal yang sah dengan format YYYY-MM-DD (diisi: {text!r}).",
            f"{field} must be a real date formatted YYYY-MM-DD (got {text!r}).",
            field,
        )
    return parsed


def check_request(
    nik: Any,
    *,
    birth_date: Any = None,
    reference_date: Any = None,
    strict: bool = False,
    today: date | None = None,
) -> NikResult:
    """:func:`check` for the edges (``lindung nik check``, ``GET /api/v1/nik/{nik}``): dates as
    ``YYYY-MM-DD`` text. A malformed or impossible date raises
    :class:`~lindung.rules.errors.RulesError` naming the field (``birth_date`` or
    ``reference_date``). Without either date the century is taken from ``today``.
    """
    bd = _request_date(birth_date, "birth_date")
    ref = _request_date(reference_date, "reference_date")
    if bd is None and ref is None:
        ref = today or date.today()
    return check(nik, bd, ref, strict=strict)


def is_valid(
    nik: Any,
    birth_date: date | None = None,
    reference_date: date | None = None,
    *,
    strict: bool | Iterable[str] = False,
) -> bool:
    """Shorthand for ``check(...).valid``."""
    return check(nik, birth_date, reference_date, strict=strict).valid


def mask(nik: str) -> str:
    """Mask a NIK for display to roles that do not need it: keep the regency and the serial.

    >>> mask("3577014101100001")
    '3577••••••••0001'
    """
    if len(nik) != 16:
        return "•" * len(nik)
    return nik[:4] + "•" * 8 + nik[12:]
