"""The column mapping of an import: which column of the file fills which field, and values set
for the whole file.

A mapping is plain JSON, the same for the page, the programme's saved mapping and the CLI's
``--mapping FILE``::

    {"columns": {"Tempat/Tgl Lahir": "tempat_tanggal_lahir", "Ds/Kel": "nama_kelurahan",
                 "Keterangan": ""},
     "set": {"segmen": "BPU", "penghasilan": "1000000"}}

``columns`` maps a header of the file to a field (``""`` skips the column; headers not named
keep the automatic guess); ``set`` gives one value for every row (it wins over a column mapped
to the same field). Fields are the template's column names plus the recovered ones of
:data:`~lindung.registry.columns.VIRTUAL_COLUMNS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .columns import SETTABLE, columns_for, fields_for, guess_mapping, header_key
from .reading import ROW

#: Stored columns whose numeric cells are refused or repaired (they lose digits as numbers).
NUMERIC_SENSITIVE = {"nik", "no_kk", "no_hp", "nik_peserta"}
#: A required field is not missing when one of these gives it.
PROVIDED_BY = {
    "tanggal_lahir": ("tempat_tanggal_lahir", "nik"),  # split, or from the NIK's date part
    "jenis_kelamin": ("nik",),  # the NIK's day + 40 for women
    "tempat_lahir": ("tempat_tanggal_lahir",),
    "kode_kelurahan": ("nama_kelurahan",),
    "rt": ("rt_rw",),
    "rw": ("rt_rw",),
}


class MappingError(ValueError):
    """A mapping that cannot be used: ``str(exc)`` is Indonesian, ``message_en`` English."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message_en = message_en or message


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # header -> field ("" = skipped)
    values: dict[str, str] = field(default_factory=dict)  # field -> one value for every row

    # --- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {"columns": dict(self.columns), "set": dict(self.values)}

    @classmethod
    def from_json(cls, data) -> Mapping:
        if not isinstance(data, dict):
            raise MappingError(
                'Pemetaan kolom harus berupa objek JSON {"columns": …, "set": …}.',
                message_en='A column mapping must be a JSON object {"columns": …, "set": …}.',
            )
        columns = data.get("columns", data.get("kolom", {})) or {}
        values = data.get("set", data.get("isi", {})) or {}
        if not isinstance(columns, dict) or not isinstance(values, dict):
            raise MappingError(
                "'columns' dan 'set' pada pemetaan kolom harus berupa objek JSON.",
                message_en="'columns' and 'set' of a column mapping must be JSON objects.",
            )
        return cls(
            columns={str(k): "" if v in (None, False) else str(v) for k, v in columns.items()},
            values={str(k): str(v).strip() for k, v in values.items() if str(v).strip()},
        )

    @classmethod
    def load(cls, path: Path | str) -> Mapping:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise MappingError(
                f"Berkas pemetaan {path} tidak dapat dibaca sebagai JSON: {exc}",
                message_en=f"Mapping file {path} cannot be read as JSON: {exc}",
            ) from exc
        return cls.from_json(data)

    # --- resolution ------------------------------------------------------------------------------

    def resolve(
        self, headers: list[str], kind: str, saved: dict[str, str] | None = None
    ) -> Mapping:
        """The full mapping for these headers: explicit choices (by exact header or its tolerant
        key), then the saved programme mapping and the automatic guess for the rest. Checks it."""
        by_key = {header_key(h): f for h, f in self.columns.items()}
        explicit = {}
        for h in headers:
            if h in self.columns:
                explicit[header_key(h)] = self.columns[h]
            elif header_key(h) in by_key:
                explicit[header_key(h)] = by_key[header_key(h)]
        unknown_named = [
            h for h in self.columns if h not in headers and header_key(h) not in explicit
        ]
        if unknown_named:
            named = ", ".join(f"'{h}'" for h in unknown_named)
            present = ", ".join(f"'{h}'" for h in headers if not h.startswith("__UNNAMED__"))
            raise MappingError(
                f"Pemetaan menyebut kolom yang tidak ada di berkas: {named}. "
                f"Kolom berkas: {present}.",
                message_en=f"The mapping names columns that are not in the file: {named}. "
                f"The file's columns: {present}.",
            )
        choices = {**(saved or {}), **explicit}
        guessed, _ = guess_mapping(headers, kind, choices)
        out = Mapping(columns=guessed, values=dict(self.values))
        out.check(kind)
        return out

    def check(self, kind: str) -> None:
        allowed = {c.name: c for c in fields_for(kind)}
        wrong = sorted({f for f in self.columns.values() if f and f not in allowed})
        if wrong:
            raise MappingError(
                f"Kolom tujuan tidak dikenal: {', '.join(wrong)}. Pilihan: {', '.join(allowed)}.",
                message_en=f"Unknown target columns: {', '.join(wrong)}. "
                f"Choices: {', '.join(allowed)}.",
            )
        seen: dict[str, str] = {}
        for header, target in self.columns.items():
            if not target:
                continue
            if target in seen:
                raise MappingError(
                    f"Kolom '{seen[target]}' dan '{header}' sama-sama dipetakan ke "
                    f"'{allowed[target].label}': pilih satu, lewati yang lain.",
                    message_en=f"Columns '{seen[target]}' and '{header}' are both mapped to "
                    f"'{allowed[target].label}': choose one, skip the other.",
                )
            seen[target] = header
        settable = SETTABLE.get(kind, ())
        for name in self.values:
            if name not in settable:
                raise MappingError(
                    f"'{name}' tidak dapat diisi untuk seluruh berkas. Yang dapat: "
                    f"{', '.join(settable) or '(tidak ada)'}.",
                    message_en=f"'{name}' cannot be filled in for the whole file. What can: "
                    f"{', '.join(settable) or '(none)'}.",
                )

    def saved_form(self, headers: list[str]) -> dict[str, str]:
        """``{header_key: field or ""}`` for every named header (what a programme keeps)."""
        return {
            header_key(h): self.columns.get(h, "")
            for h in headers
            if not h.startswith("__UNNAMED__") and header_key(h)
        }

    def field_of(self) -> dict[str, str]:
        return {f: h for h, f in self.columns.items() if f}

    def missing(self, kind: str) -> list[str]:
        """Required fields nothing in the file or the set values gives (``segmen`` …)."""
        given = set(self.field_of()) | set(self.values)
        out = []
        for col in columns_for(kind):
            if col.required != "all" or col.name in given:
                continue
            if any(p in given for p in PROVIDED_BY.get(col.name, ())):
                continue
            out.append(col.name)
        return out

    # --- applying ---------------------------------------------------------------------------------

    def apply(self, frame: pl.DataFrame, numeric: dict[str, pl.Series], kind: str) -> pl.DataFrame:
        """``_row`` plus every field (text; null when not given) and ``_num_<field>`` flags."""
        by_field = self.field_of()
        exprs = [pl.col(ROW)]
        # A value for the whole file fills the rows the file fills: a blank row stays blank.
        mapped = [h for h in by_field.values() if h in frame.columns]
        filled = pl.any_horizontal(
            [pl.col(h).str.strip_chars().str.len_chars().fill_null(0) > 0 for h in mapped]
            or [pl.lit(True)]
        )
        for col in fields_for(kind):
            name = col.name
            if name in self.values:
                exprs.append(
                    pl.when(filled).then(pl.lit(self.values[name], dtype=pl.String)).alias(name)
                )
            elif name in by_field:
                exprs.append(pl.col(by_field[name]).cast(pl.String).alias(name))
            else:
                exprs.append(pl.lit(None, dtype=pl.String).alias(name))
        out = frame.select(exprs)
        flags = []
        for col in columns_for(kind):
            if col.name not in NUMERIC_SENSITIVE:
                continue
            header = by_field.get(col.name)
            series = numeric.get(header) if header and col.name not in self.values else None
            if series is None or series.len() != out.height:
                flags.append(pl.lit(False).alias(f"_num_{col.name}"))
            else:
                flags.append(
                    pl.Series(f"_num_{col.name}", series, dtype=pl.Boolean).fill_null(False)
                )
        return out.with_columns(flags)
