"""Fixtures for the registry: agencies of the demo city, list files, import helpers."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lindung.registry import services, synthetic
from lindung.registry.columns import PARTICIPANT_COLUMNS
from tests.actors import system

COLUMNS = [c.name for c in PARTICIPANT_COLUMNS]


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agencies(programme):
    return {
        code: services.create_agency(programme=programme, code=code, name=name, actor=system())
        for code, name in synthetic.AGENCIES
    }


@pytest.fixture
def write(tmp_path):
    """Write rows (list of dicts with canonical or any headers) as .xlsx or .csv."""

    def make(rows, name="daftar.xlsx", numeric_nik_rows=frozenset(), headers=None):
        frame = (
            rows
            if isinstance(rows, pl.DataFrame)
            else pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
        )
        path = tmp_path / name
        if name.endswith(".csv"):
            return synthetic.write_csv(
                frame, path, numeric_nik_rows=numeric_nik_rows, headers=headers
            )
        return synthetic.write_xlsx(frame, path, numeric_nik_rows, headers=headers)

    return make


@pytest.fixture
def run(programme):
    """Validate (and optionally commit) a file through the service, like the CLI does."""

    def go(path: Path, commit=True, actor=None, kind="participants", prog=None):
        return services.run_import(
            programme=prog or programme,
            path=path,
            commit=commit,
            actor=actor or system(),
            kind=kind,
        )

    return go


def rows(n: int, seed: int = 3, start: int = 0) -> list[dict]:
    return synthetic.clean_rows(n, seed=seed, start=start).to_dicts()


def one(**changes) -> dict:
    """One valid BPU row (Kartoharjo, woman born 1 Jan 1990), with changes."""
    row = {
        "nik": "3577014101900001",
        "nama": "SITI AMINAH",
        "tempat_lahir": "MADIUN",
        "tanggal_lahir": "01/01/1990",
        "jenis_kelamin": "P",
        "no_kk": "3577010101080001",
        "alamat": "JL. PAHLAWAN 12",
        "rt": "1",
        "rw": "2",
        "kode_kelurahan": "35.77.01.1001",
        "no_hp": "081234567890",
        "segmen": "BPU",
        "instansi": None,
        "jabatan": None,
        "upah": None,
        "kelas_risiko": None,
        "pekerjaan": "PEDAGANG",
        "penghasilan": "1000000",
        "desil": "2",
        "tulang_punggung": "Y",
        "tanggal_mulai": "01/01/2025",
    }
    row.update(changes)
    return row


def pu(**changes) -> dict:
    """One valid PU row (man born 2 Mar 1985, Dinas Kesehatan)."""
    base = one(
        nik="3577020203850002",
        nama="BUDI SANTOSO",
        tanggal_lahir="02/03/1985",
        jenis_kelamin="L",
        segmen="PU",
        instansi="DINKES",
        jabatan="PENGEMUDI",
        upah="2422105",
        kelas_risiko="1",
        pekerjaan=None,
        penghasilan=None,
        desil=None,
        tulang_punggung=None,
        kode_kelurahan="35.77.02.1001",
    )
    base.update(changes)
    return base
