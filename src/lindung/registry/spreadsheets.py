"""Spreadsheet writers (xlsxwriter): the import template, rejected rows, exports.

NIK, KK and phone columns are always written as text cells in a Text-formatted column, so a
file that goes out and comes back (rejected rows, fixed, re-imported) never turns a NIK into a
number.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
import xlsxwriter

from lindung.core import csvsafe

from .columns import Column, columns_for, localized

TEXT_HEADERS = {"nik", "no_kk", "no_hp", "nik_peserta", "NIK", "Nomor KK", "Nomor HP"}


def _formats(wb):
    return {
        "head": wb.add_format(
            {"bold": True, "bg_color": "#E8F3EE", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": wb.add_format({"num_format": "@"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "int": wb.add_format({"num_format": "#,##0"}),
    }


def template_bytes(
    kind: str,
    *,
    agencies: Sequence[tuple[str, str]] = (),
    kelurahan: Sequence[tuple[str, str, str]] = (),
    tiers: Sequence[int] = (),
    programme_name: str = "",
    region_code: str = "",
    umk: int | None = None,
) -> bytes:
    """The import template: a data sheet with the canonical headers, and help sheets (examples
    from the programme's region and UMK)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    f = _formats(wb)
    columns = localized(columns_for(kind), region_code, umk)
    sheet_name = {"family": "Keluarga", "candidates": "Calon peserta"}.get(kind, "Peserta")
    ws = wb.add_worksheet(sheet_name)
    for j, col in enumerate(columns):
        ws.write_string(0, j, col.name, f["head"])
        ws.set_column(j, j, col.width, f["text"] if col.text else None)
        ws.write_comment(
            0, j, f"{col.label} ({col.required_label}). {col.help}", {"x_scale": 2, "y_scale": 2}
        )
    ws.freeze_panes(1, 0)
    last = 50_000
    index = {c.name: j for j, c in enumerate(columns)}
    for col in columns:
        if col.choices:
            j = index[col.name]
            ws.data_validation(
                1,
                j,
                last,
                j,
                {"validate": "list", "source": list(col.choices), "ignore_blank": True},
            )
    if kind != "family":
        if agencies and "instansi" in index:
            j = index["instansi"]
            ws.data_validation(
                1,
                j,
                last,
                j,
                {
                    "validate": "list",
                    "source": f"=Instansi!$A$2:$A${len(agencies) + 1}",
                    "error_type": "warning",
                },
            )
        if kelurahan:
            j = index["kode_kelurahan"]
            ws.data_validation(
                1,
                j,
                last,
                j,
                {
                    "validate": "list",
                    "source": f"='Kode wilayah'!$A$2:$A${len(kelurahan) + 1}",
                    "error_type": "warning",
                },
            )
    _help_sheet(wb, f, columns, programme_name, tiers if kind == "participants" else ())
    if kind != "family":
        wk = wb.add_worksheet("Kode wilayah")
        wk.write_row(0, 0, ["kode_kelurahan", "kelurahan/desa", "kecamatan"], f["head"])
        for i, (code, name, district) in enumerate(kelurahan, start=1):
            wk.write_string(i, 0, code)
            wk.write_string(i, 1, name)
            wk.write_string(i, 2, district)
        wk.set_column(0, 0, 16)
        wk.set_column(1, 2, 26)
        wa = wb.add_worksheet("Instansi")
        wa.write_row(0, 0, ["instansi", "nama instansi"], f["head"])
        for i, (code, name) in enumerate(agencies, start=1):
            wa.write_string(i, 0, code)
            wa.write_string(i, 1, name)
        wa.set_column(0, 0, 14)
        wa.set_column(1, 1, 44)
    wb.close()
    return buf.getvalue()


def _help_sheet(
    wb, f, columns: Sequence[Column], programme_name: str, tiers: Sequence[int]
) -> None:
    wh = wb.add_worksheet("Petunjuk")
    wh.write(
        0, 0, f"Petunjuk pengisian{(' — ' + programme_name) if programme_name else ''}", f["title"]
    )
    notes = [
        "Isi satu baris per orang di lembar pertama, mulai baris 2. Jangan ubah nama kolom (huruf besar/kecil, spasi dan sinonim umum tetap dikenali).",
        "Kolom NIK, nomor KK dan nomor HP sudah berformat Teks. NIK yang tersimpan sebagai angka DITOLAK: Excel menghapus digit setelah digit ke-15.",
        "Baris kosong diabaikan dan dihitung. Peserta yang NIK-nya sudah terdaftar diperbarui; yang datanya sama tidak diubah.",
        "Kolom khusus PU (instansi, jabatan, upah, kelas_risiko) diabaikan untuk BPU; kolom khusus BPU (pekerjaan, penghasilan, desil, tulang_punggung) diabaikan untuk PU.",
        "Baris yang ditolak dapat diunduh sebagai .xlsx dengan kolom 'kesalahan'; perbaiki lalu unggah lagi berkas itu.",
    ]
    for i, note in enumerate(notes, start=1):
        wh.write(i, 0, f"{i}. {note}", f["wrap"])
    wh.set_column(0, 0, 22)
    wh.set_column(1, 1, 24)
    wh.set_column(2, 2, 16)
    wh.set_column(3, 3, 80)
    wh.set_column(4, 4, 20)
    row = len(notes) + 2
    wh.write_row(
        row, 0, ["kolom", "arti", "wajib?", "penjelasan dan nilai yang boleh", "contoh"], f["head"]
    )
    for col in columns:
        row += 1
        wh.write_row(
            row, 0, [col.name, col.label, col.required_label, col.help, col.example], f["wrap"]
        )
    if tiers:
        row += 2
        wh.write(row, 0, "Nominal penghasilan BPU yang boleh (Rp)", f["title"])
        for t in tiers:
            row += 1
            wh.write_number(row, 0, t, f["int"])


def rejected_bytes(source: pl.DataFrame, headers: Iterable[str], messages: pl.DataFrame) -> bytes:
    """Rejected rows with their original values, the original row number and the errors."""
    buf = io.BytesIO()
    write_rejected(buf, source, headers, messages)
    return buf.getvalue()


def write_rejected(
    target,
    source: pl.DataFrame,
    headers: Iterable[str],
    messages: pl.DataFrame,
    *,
    sheet: str = "Ditolak",
    column: str = "kesalahan",
) -> None:
    """The rows of ``messages`` with their original values, ``baris_asal`` and the messages
    (column ``kesalahan`` for rejected rows, ``peringatan`` for warned ones)."""
    headers = list(headers)
    rows = source.join(messages, on="_row", how="inner").sort("_row")
    wb = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": not isinstance(target, str | Path)}
    )
    f = _formats(wb)
    ws = wb.add_worksheet(sheet)
    out_headers = [*headers, "baris_asal", column]
    for j, h in enumerate(out_headers):
        width = 60 if h == column else 18
        ws.set_column(j, j, width, f["text"])
    ws.write_row(0, 0, out_headers, f["head"])
    for i, values in enumerate(rows.select([*headers, "_row", column]).iter_rows(), start=1):
        for j, value in enumerate(values):
            if value is None:
                continue
            ws.write_string(i, j, str(value), f["text"])
    ws.freeze_panes(1, 0)
    wb.close()


def frame_xlsx(
    frame: pl.DataFrame,
    *,
    sheet: str = "Data",
    headers: Sequence[str] | None = None,
    title: str | None = None,
) -> bytes:
    """A frame as .xlsx: text stays text (NIK!), integers as numbers, dates as dates."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    f = _formats(wb)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet(sheet[:31])
    names = list(headers or frame.columns)
    start = 0
    if title:
        ws.write(0, 0, title, f["title"])
        start = 2
    kinds = []
    for j, dtype in enumerate(frame.schema.values()):
        if dtype == pl.Date:
            kinds.append("date")
            ws.set_column(j, j, 12, date_fmt)
        elif dtype.is_integer():
            kinds.append("int")
            ws.set_column(j, j, 14, f["int"])
        else:
            kinds.append("text")
            ws.set_column(j, j, 26 if "nama" in names[j].lower() else 16, f["text"])
    ws.write_row(start, 0, names, f["head"])
    for i, row in enumerate(frame.iter_rows(), start=start + 1):
        for j, value in enumerate(row):
            if value is None:
                continue
            kind = kinds[j]
            if kind == "text":
                ws.write_string(i, j, str(value), f["text"])
            elif kind == "int":
                ws.write_number(i, j, int(value), f["int"])
            else:
                ws.write_datetime(i, j, value, date_fmt)
    ws.freeze_panes(start + 1, 0)
    wb.close()
    return buf.getvalue()


def frame_csv(frame: pl.DataFrame, *, headers: Sequence[str] | None = None) -> bytes:
    """CSV with ``;`` (what Indonesian Excel opens directly) and a BOM, dates DD/MM/YYYY; text
    cells that would start a formula are neutralised (:mod:`lindung.core.csvsafe`)."""
    if headers:
        frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    frame = csvsafe.frame(frame)  # no cell may start a spreadsheet formula
    return frame.write_csv(separator=";", include_bom=True, date_format="%d/%m/%Y").encode("utf-8")
