"""NIK (Nomor Induk Kependudukan), the Indonesian national identity number. DOMAIN.md §6.

16 digits: province (2) · regency/city (2) · district (2) · birth date DDMMYY (women: day + 40) ·
serial (4, from 0001). There is no check digit. The region codes are checked against the current
Kemendagri table (:mod:`lindung.rules.regions`).

The century of the birth year is **never guessed**: it comes from a stated birth date
(``birth_date``; the NIK must agree with it) or from a reference date (``reference_date``, e.g.
the registration date or today: the latest year not after it). Without either, ``birth_date`` is
``None`` and a ``century_unknown`` warning says why.

A NIK stored as a number (as Excel does) has lost digits beyond the 15th and any leading zero:
numbers are rejected with an explanation; NIK columns must be text.

>>> r = check("3577014101100001", reference_date=date(2025, 6, 1))
>>> r.valid, r.sex, r.birth_date, r.regency, r.district
(True, 'P', datetime.date(2010, 1, 1), 'Kota Madiun', 'Kartoharjo')
>>> check("3577010101100001", birth_date=date(2010, 1, 1)).birth_date
datetime.date(2010, 1, 1)
>>> [e.code for e in check("3577013202100000").errors]
['birth_date_invalid', 'serial_zero']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from lindung.rules import regions

__all__ = ["NikResult", "Problem", "check", "is_valid", "mask"]

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a NIK: a stable code and messages in Indonesian and English."""

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
    """Outcome of :func:`check`: the parsed parts and every problem found."""

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

    @property
    def valid(self) -> bool:
        """No error (warnings allowed)."""
        return not self.errors

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
        }


def _p(code: str, message_id: str, message_en: str, severity: str = "error") -> Problem:
    return Problem(code, message_id, message_en, severity)


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


def _region_parts(
    text: str, strict_regions: bool, errors: list[Problem], warnings: list[Problem]
) -> dict[str, Any]:
    """The NIK's province, regency and district codes and names (problems appended)."""
    region_sev = "error" if strict_regions else "warning"
    parts: dict[str, Any] = {}
    pcode, rcode, dcode = (
        text[0:2],
        f"{text[0:2]}.{text[2:4]}",
        f"{text[0:2]}.{text[2:4]}.{text[4:6]}",
    )
    parts["province_code"], parts["regency_code"], parts["district_code"] = pcode, rcode, dcode
    province = regions.region_name(pcode)
    if province is None:
        errors.append(
            _p(
                "province_unknown",
                f"Kode provinsi {pcode} tidak ada dalam tabel Kemendagri.",
                f"Province code {pcode} is not in the Kemendagri table.",
            )
        )
    else:
        parts["province"] = province
        regency = regions.region_name(rcode)
        if regency is None:
            (errors if strict_regions else warnings).append(
                _p(
                    "regency_unknown",
                    f"Kode kabupaten/kota {rcode} tidak ada dalam tabel Kemendagri terbaru "
                    "(mungkin kode lama sebelum pemekaran; periksa KTP).",
                    f"Regency/city code {rcode} is not in the current Kemendagri table (maybe an "
                    "old code from before a split; check the ID card).",
                    region_sev,
                )
            )
        else:
            parts["regency"] = regency
            district = regions.region_name(dcode)
            if district is None:
                (errors if strict_regions else warnings).append(
                    _p(
                        "district_unknown",
                        f"Kode kecamatan {dcode} tidak ada dalam tabel Kemendagri terbaru "
                        "(mungkin kode lama sebelum pemekaran; periksa KTP).",
                        f"District code {dcode} is not in the current Kemendagri table (maybe an "
                        "old code from before a split; check the ID card).",
                        region_sev,
                    )
                )
            else:
                parts["district"] = district
    return parts


def _birth_parts(
    text: str,
    birth_date: date | None,
    reference_date: date | None,
    parts: dict[str, Any],
    errors: list[Problem],
    warnings: list[Problem],
) -> date | None:
    """The birth date (and sex) the NIK encodes: ``parts`` completed, the full date returned
    when it can be told (problems appended)."""
    dd, mm, yy = int(text[6:8]), int(text[8:10]), int(text[10:12])
    parts["birth_ddmmyy"] = text[6:12]
    sex = "P" if dd > 40 else "L"
    day = dd - 40 if dd > 40 else dd
    shown = f"{text[6:8]}-{text[8:10]}-{text[10:12]}"
    # Feb 29 exists in a year ending in yy only if yy % 4 == 0 (00 → 2000 is a leap year).
    plausible = 1 <= day <= 31 and 1 <= mm <= 12 and _real_date(2000 + yy, mm, day) is not None
    bd: date | None = None
    if not plausible:
        errors.append(
            _p(
                "birth_date_invalid",
                f"Tanggal lahir di NIK ({shown}) bukan tanggal yang sah (perempuan: tanggal + 40).",
                f"The birth date in the NIK ({shown}) is not a real date (women: day + 40).",
            )
        )
    else:
        parts["sex"] = sex
        if birth_date is not None:
            if (birth_date.year % 100, birth_date.month, birth_date.day) == (yy, mm, day):
                bd = birth_date
            else:
                errors.append(
                    _p(
                        "birth_date_mismatch",
                        f"Tanggal lahir di NIK ({day:02d}-{mm:02d}-{yy:02d}) tidak sama dengan "
                        f"tanggal lahir yang diberikan ({birth_date.isoformat()}).",
                        f"The birth date in the NIK ({day:02d}-{mm:02d}-{yy:02d}) differs from "
                        f"the given birth date ({birth_date.isoformat()}).",
                    )
                )
            if reference_date is not None and birth_date > reference_date:
                errors.append(
                    _p(
                        "birth_date_future",
                        f"Tanggal lahir {birth_date.isoformat()} sesudah tanggal acuan "
                        f"{reference_date.isoformat()}.",
                        f"Birth date {birth_date.isoformat()} is after the reference date "
                        f"{reference_date.isoformat()}.",
                    )
                )
        elif reference_date is not None:
            year = _resolve_year(yy, mm, day, reference_date)
            bd = _real_date(year, mm, day)
            if bd is None:
                errors.append(
                    _p(
                        "birth_date_invalid",
                        f"Tanggal lahir di NIK ({shown}) tidak ada pada tahun {year}.",
                        f"The birth date in the NIK ({shown}) does not exist in {year}.",
                    )
                )
        else:
            warnings.append(
                _p(
                    "century_unknown",
                    "Abad tahun lahir tidak dapat ditentukan dari NIK saja: berikan tanggal lahir "
                    "atau tanggal acuan.",
                    "The century of the birth year cannot be told from the NIK alone: give a "
                    "birth date or a reference date.",
                    "warning",
                )
            )
    return bd


def check(
    nik: Any,
    birth_date: date | None = None,
    reference_date: date | None = None,
    *,
    strict_regions: bool = True,
) -> NikResult:
    """Parse and validate a NIK; return its parts and every problem found.

    ``birth_date``: a birth date stated elsewhere (KK, form): it sets the century and must agree
    with the NIK. ``reference_date``: used for the century when no birth date is given (the
    birth date is taken as the latest possible one not after it). ``strict_regions=False`` turns
    unknown regency/district codes into warnings (NIKs are not re-issued when regions split, so an
    old NIK may carry a code that is no longer in the current table).

    Error codes: ``not_text``, ``scientific_notation``, ``non_digit``, ``length``,
    ``province_unknown``, ``regency_unknown``, ``district_unknown``, ``birth_date_invalid``,
    ``birth_date_mismatch``, ``birth_date_future``, ``serial_zero``. Warning: ``century_unknown``.
    """
    if not isinstance(nik, str):
        shown = repr(nik)
        return NikResult(
            input=shown,
            errors=(
                _p(
                    "not_text",
                    "NIK harus berupa teks, bukan angka: angka (mis. dari sel Excel) kehilangan "
                    "digit setelah digit ke-15 dan angka 0 di depan. Format kolom NIK sebagai "
                    "Teks lalu ketik ulang.",
                    "The NIK must be text, not a number: a number (e.g. from an Excel cell) loses "
                    "the digits after the 15th and leading zeros. Format the NIK column as Text "
                    "and type it again.",
                ),
            ),
        )
    raw = nik
    text = _SEPARATORS.sub("", nik.strip().lstrip("'"))
    if re.fullmatch(r"\d+(,\d+)?[eE]\+?\d+", text.replace(".", ",")):
        return NikResult(
            input=raw,
            errors=(
                _p(
                    "scientific_notation",
                    "NIK tertulis sebagai notasi ilmiah (mis. 3,57701E+15): digitnya sudah "
                    "hilang di Excel. Format kolom NIK sebagai Teks lalu ketik ulang.",
                    "The NIK is in scientific notation (e.g. 3.57701E+15): Excel has already "
                    "lost its digits. Format the NIK column as Text and type it again.",
                ),
            ),
        )
    if text and not (text.isdigit() and text.isascii()):
        return NikResult(
            input=raw,
            errors=(
                _p(
                    "non_digit",
                    "NIK hanya boleh berisi angka 0-9.",
                    "The NIK may contain only the digits 0-9.",
                ),
            ),
        )
    if len(text) != 16:
        hint_id = hint_en = ""
        if len(text) == 15:
            hint_id = " NIK 15 digit biasanya terpotong oleh Excel atau kehilangan angka 0."
            hint_en = " A 15-digit NIK was usually cut by Excel or lost a zero."
        return NikResult(
            input=raw,
            errors=(
                _p(
                    "length",
                    f"NIK harus 16 digit, yang diisi {len(text)} digit.{hint_id}",
                    f"The NIK must have 16 digits, it has {len(text)}.{hint_en}",
                ),
            ),
        )

    errors: list[Problem] = []
    warnings: list[Problem] = []
    parts: dict[str, Any] = _region_parts(text, strict_regions, errors, warnings)
    bd = _birth_parts(text, birth_date, reference_date, parts, errors, warnings)
    serial = text[12:16]
    if serial == "0000":
        errors.append(
            _p(
                "serial_zero",
                "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
                "The NIK serial (last 4 digits) cannot be 0000.",
            )
        )
    return NikResult(
        input=raw,
        nik=text,
        errors=tuple(errors),
        warnings=tuple(warnings),
        birth_date=bd,
        serial=serial,
        **parts,
    )


def is_valid(nik: Any, birth_date: date | None = None, reference_date: date | None = None) -> bool:
    """Shorthand for ``check(...).valid``."""
    return check(nik, birth_date, reference_date).valid


def mask(nik: str) -> str:
    """Mask a NIK for display to roles that do not need it: keep the regency and the serial.

    >>> mask("3577014101100001")
    '3577••••••••0001'
    """
    if len(nik) != 16:
        return "•" * len(nik)
    return nik[:4] + "•" * 8 + nik[12:]
