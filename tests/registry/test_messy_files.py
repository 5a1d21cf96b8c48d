"""Property test: whatever the file, the import ends with every row counted or one clear message.

Hypothesis draws the shape of a messy list — which columns under which headers (template names,
synonyms, an office's own, unicode junk, duplicates), title rows above, a merged two-row header,
how often cells are blank, numbers, dates, unicode, huge, numeric NIKs, blank rows, a signature
block, thousands of rows — and writes it as .xlsx or .csv (UTF-8, Windows-1252, UTF-16, any
separator). The whole import runs (read and check in the limited child process, multi-threaded
polars, commit in the database): no exception may escape except :class:`UnreadableImport` with
an Indonesian message, and the counts must add up.
"""

from __future__ import annotations

import os
import random
from datetime import datetime

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lindung.registry import services, synthetic
from lindung.registry.models import Person
from tests.actors import system

pytestmark = pytest.mark.django_db

HEADERS = {
    "nik": ["nik", "NIK", "No. KTP", "N.I.K", "NIK (16 digit)"],
    "nama": ["nama", "Nama Lengkap", "NAMA PESERTA", "Nama"],
    "tanggal_lahir": ["tanggal_lahir", "Tgl Lahir", "Tanggal Lahir (HH/BB/TTTT)"],
    "tempat_tanggal_lahir": ["Tempat/Tgl Lahir", "TTL", "Tempat, Tanggal Lahir"],
    "jenis_kelamin": ["jenis_kelamin", "JK", "L/P"],
    "kode_kelurahan": ["kode_kelurahan", "Kode Desa"],
    "nama_kelurahan": ["Desa/Kelurahan", "Kel.", "Ds."],
    "nama_kecamatan": ["Kecamatan", "Kec."],
    "no_hp": ["no_hp", "No HP", "No. HP/WA"],
    "segmen": ["segmen", "Segmen", "Jenis Kepesertaan"],
    "penghasilan": ["penghasilan", "Penghasilan"],
    "alamat": ["alamat", "Alamat"],
    "rt_rw": ["RT/RW"],
    "junk": ["Keterangan", "Catatan", "ÄÖÜ ✓ 備考", "", "No", "Nama"],
}
TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)


@st.composite
def messy_lists(draw):
    columns = draw(
        st.lists(st.sampled_from(sorted(HEADERS)), min_size=1, max_size=10, unique=False)
    )
    headers = [draw(st.sampled_from(HEADERS[c])) for c in columns]
    return {
        "columns": columns,
        "headers": headers,
        "rows": draw(st.sampled_from([0, 1, 3, 25, 200]) | st.integers(0, 60)),
        "seed": draw(st.integers(0, 2**16)),
        "title_rows": draw(st.integers(0, 3)),
        "merged": draw(st.booleans()),
        "blank_rate": draw(st.sampled_from([0.0, 0.05, 0.3])),
        "junk_rate": draw(st.sampled_from([0.0, 0.1, 0.5])),
        "numeric_nik_rate": draw(st.sampled_from([0.0, 0.1])),
        "huge": draw(st.booleans()),
        "signature": draw(st.booleans()),
        "fmt": draw(st.sampled_from(["xlsx", "csv-utf8", "csv-cp1252", "csv-utf16"])),
        "separator": draw(st.sampled_from([",", ";", "\t", "|"])),
        "junk_text": draw(st.lists(TEXTS, min_size=1, max_size=5)),
    }


def _value(column: str, row: dict, rng: random.Random, spec) -> object:
    """A cell: mostly plausible, sometimes a blank, a number, a date, junk or a huge text."""
    r = rng.random()
    if r < spec["blank_rate"]:
        return None
    if r < spec["blank_rate"] + spec["junk_rate"]:
        kind = rng.randrange(5)
        if kind == 0:
            return rng.choice(spec["junk_text"])
        if kind == 1:
            return rng.choice([0, -1, 3.14, 10**15, 1e20, 35379])
        if kind == 2:
            return datetime(1990 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        if kind == 3 and spec["huge"]:
            return "ABC " * rng.randrange(100, 4000)
        return rng.choice(["-", "?", "#N/A", "0", "=SUM(A1:A2)", "  ", "NULL"])
    if column in row:
        return row[column]
    if column == "tempat_tanggal_lahir":
        d, m, y = row["tanggal_lahir"].split("/")
        return f"{row['tempat_lahir']}, {d}-{m}-{y}"
    if column == "nama_kelurahan":
        return rng.choice(["Oro-oro Ombo", "Ds. Kartoharjo", "KEL. TAMAN", "Sukamakmur"])
    if column == "nama_kecamatan":
        return rng.choice(["Kartoharjo", "Kec. Taman", "Manguharjo", ""])
    if column == "rt_rw":
        return f"{row['rt']}/{row['rw']}"
    return rng.choice(spec["junk_text"])


def write_list(spec, path):
    rng = random.Random(spec["seed"])
    base = synthetic.clean_rows(max(spec["rows"], 1), seed=spec["seed"] % 1000 + 1).to_dicts()
    grid: list[list[object]] = []
    numeric: set[tuple[int, int]] = set()
    for _ in range(spec["title_rows"]):
        grid.append([rng.choice(spec["junk_text"]) or "DAFTAR PESERTA"])
    headers = list(spec["headers"])
    if spec["merged"] and "tempat_tanggal_lahir" in spec["columns"]:
        j = spec["columns"].index("tempat_tanggal_lahir")
        grid.append([h if k != j else "Tempat/Tgl Lahir" for k, h in enumerate(headers)] + [""])
        sub = [""] * (len(headers) + 1)
        sub[j], sub[j + 1] = "Tempat", "Tanggal"
        grid.append(sub)
    else:
        grid.append(headers)
    for i in range(spec["rows"]):
        if rng.random() < spec["blank_rate"] / 3:
            grid.append([])
        row = base[i]
        cells = [_value(c, row, rng, spec) for c in spec["columns"]]
        for j, c in enumerate(spec["columns"]):
            value = cells[j]
            is_nik = c == "nik" and isinstance(value, str) and value.isdigit()
            if is_nik and rng.random() < spec["numeric_nik_rate"]:
                numeric.add((len(grid), j))
        grid.append(cells)
    if spec["signature"]:
        grid += [[], ["", "", "Madiun, 1 Januari 2025"], ["", "", "NIP. 19780101 200501 1 002"]]
    if spec["fmt"] == "xlsx":
        book = xlsxwriter.Workbook(
            str(path), {"strings_to_numbers": False, "strings_to_formulas": False}
        )
        ws = book.add_worksheet()
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        for r, cells in enumerate(grid):
            for c, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if (r, c) in numeric:
                    ws.write_number(r, c, float(value))
                elif isinstance(value, datetime):
                    ws.write_datetime(r, c, value, date_format)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value)[:32_000])
        book.close()
        return path
    sep = spec["separator"]
    lines = []
    for r, cells in enumerate(grid):
        out = []
        for c, value in enumerate(cells):
            text = "" if value is None else str(value)
            if (r, c) in numeric:
                text = f"{float(text):.5E}".replace(".", ",")
            if any(ch in text for ch in (sep, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            out.append(text)
        lines.append(sep.join(out))
    data = "\r\n".join(lines) + "\r\n"
    encoding = {"csv-utf8": "utf-8-sig", "csv-cp1252": "cp1252", "csv-utf16": "utf-16"}[spec["fmt"]]
    path.write_bytes(data.encode(encoding, errors="replace"))
    return path


COUNTED = ("created", "updated", "unchanged", "rejected", "copies")


@pytest.fixture(autouse=True)
def multi_threaded():
    # The validator crashed only on polars' multi-threaded engine: the test must run there.
    assert os.environ.get("POLARS_MAX_THREADS", "") != "1"
    assert pl.thread_pool_size() >= 1


@settings(
    max_examples=int(os.environ.get("LINDUNG_MESSY_EXAMPLES", "14")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=messy_lists(), commit=st.booleans())
@example(
    spec={
        "columns": [
            "nik",
            "nama",
            "tempat_tanggal_lahir",
            "nama_kelurahan",
            "nama_kecamatan",
            "no_hp",
            "junk",
        ],
        "headers": [
            "NIK",
            "Nama Lengkap",
            "Tempat/Tgl Lahir",
            "Desa/Kelurahan",
            "Kecamatan",
            "No HP",
            "No",
        ],
        "rows": 3000,
        "seed": 7,
        "title_rows": 2,
        "merged": False,
        "blank_rate": 0.05,
        "junk_rate": 0.1,
        "numeric_nik_rate": 0.05,
        "huge": True,
        "signature": True,
        "fmt": "xlsx",
        "separator": ",",
        "junk_text": ["Ω ✓", "Rp 10.000"],
    },
    commit=True,
)
def test_any_list_is_counted_or_refused_with_one_message(
    spec, commit, programme, agencies, tmp_path_factory
):
    suffix = "xlsx" if spec["fmt"] == "xlsx" else "csv"
    path = write_list(spec, tmp_path_factory.mktemp("messy") / f"daftar.{suffix}")
    before = Person.objects.count()
    try:
        result = services.run_import(programme=programme, path=path, commit=commit, actor=system())
    except services.UnreadableImport as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        assert any(w in message for w in ("Berkas", "berkas", "Lembar", "CSV", "Kolom"))
        return
    assert sum(result[k] for k in COUNTED) == result["rows"], result
    assert all(result[k] >= 0 for k in (*COUNTED, "blank_rows", "ignored_rows", "warned"))
    assert result["warned"] <= result["rows"] - result["rejected"]
    created = Person.objects.count() - before
    assert created == (result["created"] if commit else 0)
