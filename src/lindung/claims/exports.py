"""Claims export files: JSON (the ``lindung claims export`` contract) and XLSX (xlsxwriter)."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lindung.programmes.masking import FULL, Masking
from lindung.programmes.models import Programme

from . import queries

COLUMNS = [
    ("number", _("Nomor klaim"), 18),
    ("type", _("Jenis"), 22),
    ("state", _("Status"), 16),
    ("event_date", _("Tanggal peristiwa"), 14),
    ("participant_nik", _("NIK peserta"), 19),
    ("participant_name", _("Nama peserta"), 28),
    ("segment", _("Segmen"), 8),
    ("covered", _("Terlindungi"), 11),
    ("paid_months", _("Bulan iuran"), 11),
    ("cash_total", _("Santunan tunai (Rp)"), 16),
    ("scholarship_commitment", _("Komitmen beasiswa (Rp)"), 18),
    ("bpjs_decided", _("Diputuskan BPJS (Rp)"), 16),
    ("bpjs_paid", _("Dibayar BPJS (Rp)"), 16),
    ("difference", _("Selisih (Rp)"), 14),
    ("handover_date", _("Tanggal penyerahan"), 14),
    ("handover_amount", _("Jumlah diserahkan (Rp)"), 18),
]
MONEY = {
    "cash_total",
    "scholarship_commitment",
    "bpjs_decided",
    "bpjs_paid",
    "difference",
    "handover_amount",
}


def export_document(programme: Programme, mask: Masking = FULL) -> dict[str, Any]:
    rows = queries.export_claims(programme, mask)
    return {
        "programme": programme.code,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "count": len(rows),
        "claims": rows,
    }


def to_json(programme: Programme) -> str:
    return json.dumps(export_document(programme), ensure_ascii=False, indent=2)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    ent = row["entitlement"]
    handover = row["handover"] or {}
    return {
        **row,
        "cash_total": ent["cash_total"],
        "scholarship_commitment": ent["scholarship_commitment"],
        "covered": gettext("ya") if row["covered"] else gettext("tidak"),
        "handover_date": handover.get("date"),
        "handover_amount": handover.get("amount"),
    }


def to_xlsx(programme: Programme, mask: Masking = FULL, *, document: dict | None = None) -> bytes:
    """The claims workbook; NIKs as ``mask`` shows them (the page passes the viewer's), or of
    an ``document`` already made by :func:`export_document`."""
    import xlsxwriter

    doc = document if document is not None else export_document(programme, mask)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    head = book.add_format({"bold": True, "bg_color": "#E8F3EE", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(gettext("Klaim"))
    for col, (_key, title, width) in enumerate(COLUMNS):
        sheet.write(0, col, str(title), head)
        sheet.set_column(col, col, width)
    for r, row in enumerate(doc["claims"], start=1):
        flat = _flat(row)
        for col, (key, _title, _w) in enumerate(COLUMNS):
            value = flat.get(key)
            if value is None:
                continue
            if key in MONEY:
                sheet.write_number(r, col, int(value), money)
            elif key == "paid_months":
                sheet.write_number(r, col, int(value))
            else:
                sheet.write_string(r, col, str(value), text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(doc["claims"]), 1), len(COLUMNS) - 1)
    lines = book.add_worksheet(gettext("Rincian hak"))
    for col, title in enumerate(
        [
            gettext("Nomor klaim"),
            gettext("Kode"),
            gettext("Komponen"),
            gettext("Jumlah (Rp)"),
            gettext("Rumus"),
            gettext("Dasar"),
        ]
    ):
        lines.write(0, col, title, head)
    lines.set_column(0, 0, 18)
    lines.set_column(1, 2, 30)
    lines.set_column(3, 3, 16)
    lines.set_column(4, 5, 50)
    r = 1
    for row in doc["claims"]:
        for line in row["entitlement"]["lines"]:
            lines.write_string(r, 0, row["number"])
            lines.write_string(r, 1, line["code"])
            lines.write_string(r, 2, line["label"])
            lines.write_number(r, 3, int(line["amount"]), money)
            lines.write_string(r, 4, line["formula"])
            lines.write_string(r, 5, line["basis"])
            r += 1
    lines.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()
