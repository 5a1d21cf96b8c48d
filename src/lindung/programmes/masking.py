"""The one masking rule for roles without full-NIK rights (``nik.full``: Pimpinan, Auditor,
Mitra CSR).

A NIK is ``PP RR KK DDMMYY SSSS``: province, regency, kecamatan, birth date (day + 40 for women)
and a serial. The programme's region gives ``PP RR`` away, and the masked NIK shows its first and
last four digits. So that no combination of visible fields rebuilds it, beside a person a masked
role sees:

- the NIK (and the KK number) as ``3577••••••••0001``;
- the birth date as its **year only** (the day and month are the NIK's ``DDMM``);
- **no** kelurahan, kecamatan, address, RT/RW (the kelurahan code holds the NIK's kecamatan).

Searching by NIK matches the full 16 digits only (see ``registry.queries.search``), and the
participant list cannot be filtered by kelurahan. Every page, API answer, export, the audit
trail, import previews and messages go through :func:`for_user` or :data:`MASKED`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lindung.core.formatting import mask_nik

#: Field names (model fields, export columns, API keys) holding a NIK or a KK number.
NIK_FIELDS = frozenset(
    {"nik", "kk_number", "no_kk", "nik_ahli_waris", "heir_nik", "participant_nik", "nomor_kk"}
)
#: Field names holding a birth date (shown as the year only).
BIRTH_FIELDS = frozenset({"birth_date", "tanggal_lahir", "date_of_birth"})
#: Field names holding where a person lives (not shown at all).
PLACE_FIELDS = frozenset(
    {
        "kelurahan_code",
        "kode_kelurahan",
        "kelurahan",
        "kecamatan",
        "address",
        "alamat",
        "alamat_lengkap",
        "rt",
        "rw",
        "contact_address",
    }
)
HIDDEN = "–"
_NIK_IN_TEXT = re.compile(r"(?<!\d)\d{16}(?!\d)")
_DATE_IN_TEXT = re.compile(r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.](\d{4})|(\d{4})-\d{2}-\d{2})(?!\d)")


@dataclass(frozen=True)
class Masking:
    """What one viewer sees of a person: ``full`` (Admin, Operator, Verifikator) or masked."""

    full: bool

    @property
    def masked(self) -> bool:
        return not self.full

    def nik(self, value: str | None) -> str:
        if value is None:
            return ""
        return str(value) if self.full else mask_nik(value)

    def birth(self, value: date | None) -> date | int | None:
        """The birth date, or only its year."""
        if value is None or self.full:
            return value
        return value.year

    def place(self, value: Any) -> Any:
        """A kelurahan, kecamatan or address, or ``None`` (hidden)."""
        return value if self.full else None

    def value(self, field: str, value: Any) -> Any:
        """``value`` of the field named ``field`` as this viewer may see it."""
        if self.full or value is None or value == "":
            return value
        name = field.lower()
        if name in NIK_FIELDS or name.endswith("_nik"):
            return mask_nik(str(value))
        if name in BIRTH_FIELDS:
            return _year(value)
        if name in PLACE_FIELDS:
            return HIDDEN
        if isinstance(value, str):
            return self.text(value)
        return value

    def record(self, data: dict) -> dict:
        """A copy of ``data`` (field name -> value) with every personal field masked."""
        if self.full:
            return dict(data)
        return {key: self.value(key, value) for key, value in data.items()}

    def text(self, message: str) -> str:
        """A message with every 16-digit number masked and every date cut to its year."""
        if self.full or not message:
            return message
        message = _NIK_IN_TEXT.sub(lambda m: mask_nik(m.group(0)), message)
        return _DATE_IN_TEXT.sub(lambda m: m.group(1) or m.group(2), message)


def _year(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.year
    text = str(value)
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    return int(match.group(1)) if match else HIDDEN


FULL = Masking(full=True)
MASKED = Masking(full=False)


def for_user(user, programme) -> Masking:
    """The masking for ``user`` in ``programme`` (masked unless the role holds ``nik.full``;
    a system actor sees everything)."""
    from lindung.core.actors import is_system

    from .permissions import can

    if is_system(user) or can(user, programme, "nik.full"):
        return FULL
    return MASKED
