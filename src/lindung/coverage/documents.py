"""Invoice documents (PDF through WeasyPrint, .xlsx through xlsxwriter) and the reconciliation
export. Pure rendering: callers fetch through :mod:`lindung.coverage.queries`."""

from __future__ import annotations

import csv
import io
from datetime import date

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import csvsafe
from lindung.core.formatting import long_date, mask_nik
from lindung.rules.money import terbilang

from . import months, queries
from .models import Difference, Invoice

#: A PDF lists participants individually up to this many lines; beyond, the .xlsx holds them.
PDF_MAX_LINES = 300


def invoice_context(invoice: Invoice, *, show_nik: bool) -> dict:
    lines = queries.invoice_lines(invoice)
    count = lines.count()
    total = invoice.total if invoice.state != Invoice.State.CANCELLED else 0
    snap = invoice.snapshot or {}
    adjustments = list(queries.invoice_adjustments(invoice))
    return {
        "invoice": invoice,
        "snap": snap,
        "month_label": months.label(invoice.month, None),
        "segments": queries.invoice_segments(invoice),
        "adjustments": adjustments,
        "adjustments_total": sum(a.amount for a in adjustments),
        "payments": list(queries.payments(invoice.programme, invoice=invoice)),
        "lines": list(lines[:PDF_MAX_LINES]) if count <= PDF_MAX_LINES else [],
        "line_count": count,
        "lines_in_xlsx": count > PDF_MAX_LINES,
        "show_nik": show_nik,
        "amount_in_words": terbilang(int(total)) if total >= 0 else "",
        "due_dates": due_dates(invoice),
        "printed_at": timezone.localtime(),
        "issued_label": long_date(timezone.localtime(invoice.issued_at).date(), None),
    }


def due_dates(invoice: Invoice) -> list[tuple[str, str, str]]:
    """``[(segment, due, nominal)]`` from the snapshot, as dates in the active language."""
    snap = invoice.snapshot or {}
    return [
        (seg, long_date(_iso(d["due"]), None), long_date(_iso(d["nominal"]), None))
        for seg, d in sorted((snap.get("due_dates") or {}).items())
    ]


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def invoice_html(invoice: Invoice, *, show_nik: bool) -> str:
    return render_to_string(
        "coverage/invoice_pdf.html", invoice_context(invoice, show_nik=show_nik)
    )


def invoice_pdf(invoice: Invoice, *, show_nik: bool) -> bytes:
    from weasyprint import HTML

    html = invoice_html(invoice, show_nik=show_nik)
    return HTML(string=html, base_url=None).write_pdf()


def _formats(book):
    return {
        "bold": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "bg_color": "#EEF2F0", "border": 1}),
        "money": book.add_format({"num_format": "#,##0"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "text": book.add_format({"num_format": "@"}),
    }


def invoice_xlsx(invoice: Invoice, *, show_nik: bool) -> bytes:
    """Summary, one row per participant, corrections and payments."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    f = _formats(book)
    snap = invoice.snapshot or {}
    ws = book.add_worksheet(_("Ringkasan"))
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 48)
    month = months.label(invoice.month, None)
    ws.write(0, 0, _("Tagihan iuran JKK-JKM %(month)s") % {"month": month}, f["title"])
    facts = [
        (_("Nomor tagihan"), invoice.number),
        (_("Program"), invoice.programme.name),
        (_("Penyandang dana"), f"{invoice.funder.code} — {invoice.funder.name}"),
        (_("Bulan iuran"), month),
        (_("Status"), invoice.get_state_display()),
        (_("Jatuh tempo"), long_date(invoice.due_date, None)),
        ("PKS", (snap.get("agreement") or {}).get("number", "")),
        (_("Jumlah peserta"), invoice.line_count),
        (_("Jumlah tagihan (Rp)"), invoice.total),
        (_("Sudah dibayar (Rp)"), invoice.paid),
        (_("Sisa (Rp)"), invoice.outstanding),
        (_("Terbilang"), terbilang(int(invoice.total)) if invoice.total >= 0 else ""),
    ]
    for i, (k, v) in enumerate(facts, start=2):
        ws.write(i, 0, k, f["bold"])
        if isinstance(v, int):
            ws.write_number(i, 1, v, f["money"])
        else:
            ws.write_string(i, 1, str(v))
    row = len(facts) + 3
    ws.write_row(
        row,
        0,
        [
            _("Segmen"),
            _("Upah/penghasilan"),
            _("Kelas"),
            _("Peserta"),
            _("Iuran/orang"),
            "Subtotal",
        ],
        f["head"],
    )
    for rate in snap.get("rates", []):
        row += 1
        ws.write_row(
            row,
            0,
            [
                rate["segment"],
                rate.get("wage") or 0,
                rate.get("risk_class") or "",
                rate["count"],
                rate.get("amount_each") or 0,
                rate["subtotal"],
            ],
        )
    lines = book.add_worksheet(_("Rincian"))
    head = [
        _("No"),
        "NIK",
        _("Nama"),
        _("Segmen"),
        _("Upah/penghasilan (Rp)"),
        _("Kelas risiko"),
        _("Iuran (Rp)"),
    ]
    lines.write_row(0, 0, head, f["head"])
    lines.set_column(1, 1, 20)
    lines.set_column(2, 2, 32)
    lines.set_column(4, 6, 16)
    qs = queries.invoice_lines(invoice).values_list(
        "participant__person__nik",
        "participant__person__full_name",
        "segment",
        "wage",
        "amount",
        *(["risk_class"] if invoice.state != Invoice.State.CANCELLED else []),
    )
    for n, values in enumerate(qs.iterator(chunk_size=5000), start=1):
        nik, name, seg, wage, amount, *rc = values
        lines.write_number(n, 0, n)
        lines.write_string(n, 1, nik if show_nik else mask_nik(nik), f["text"])
        lines.write_string(n, 2, name)
        lines.write_string(n, 3, seg)
        lines.write_number(n, 4, wage or 0, f["money"])
        lines.write(n, 5, _roman(rc[0]) if rc and seg == "PU" else "")
        lines.write_number(n, 6, amount, f["money"])
    _corrections_and_payments(book, f, invoice, show_nik)
    book.close()
    return buf.getvalue()


def _corrections_and_payments(book, f, invoice: Invoice, show_nik: bool) -> None:
    """The invoice workbook's corrections and payments sheets."""
    adj = book.add_worksheet(_("Koreksi"))
    adj.write_row(
        0,
        0,
        [
            "NIK",
            _("Nama"),
            _("Koreksi (Rp)"),
            _("Sebelumnya"),
            _("Seharusnya"),
            _("Alasan"),
            _("Waktu"),
        ],
        f["head"],
    )
    for n, a in enumerate(queries.invoice_adjustments(invoice), start=1):
        nik = a.participant.person.nik
        adj.write_string(n, 0, nik if show_nik else mask_nik(nik), f["text"])
        adj.write_string(n, 1, a.participant.person.full_name)
        adj.write_number(n, 2, a.amount, f["money"])
        adj.write_number(n, 3, a.previous_amount, f["money"])
        adj.write_number(n, 4, a.new_amount, f["money"])
        adj.write_string(n, 5, a.reason)
        adj.write_string(n, 6, timezone.localtime(a.created_at).strftime("%d/%m/%Y %H:%M"))
    pay = book.add_worksheet(_("Pembayaran"))
    pay.write_row(0, 0, [_("Tanggal"), _("Jumlah (Rp)"), _("Referensi"), _("Catatan")], f["head"])
    for n, p in enumerate(queries.payments(invoice.programme, invoice=invoice), start=1):
        pay.write_string(n, 0, p.paid_on.strftime("%d/%m/%Y"))
        pay.write_number(n, 1, p.amount, f["money"])
        pay.write_string(n, 2, p.reference)
        pay.write_string(n, 3, p.note)


def _roman(value) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}.get(value or 0, "bawaan")


DIFF_HEAD = [
    "Jenis",
    "NIK",
    "Nama",
    "Segmen BPJS",
    "Upah BPJS",
    "Iuran BPJS",
    "Segmen Lindung",
    "Upah Lindung",
    "Iuran Lindung",
    "Keterangan",
    "Selesai",
    "Catatan penyelesaian",
    "Diselesaikan oleh",
]


def _diff_row(d: Difference, show_nik: bool) -> list:
    return [
        str(d.get_kind_display()),
        d.nik if show_nik else mask_nik(d.nik),
        d.name,
        d.bpjs_segment,
        d.bpjs_wage,
        d.bpjs_amount,
        d.lindung_segment,
        d.lindung_wage,
        d.lindung_amount,
        d.detail,
        "ya" if d.resolved else "belum",
        d.resolution,
        d.resolved_by.get_username() if d.resolved_by else "",
    ]


def reconciliation_xlsx(recon, *, show_nik: bool) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    f = _formats(book)
    ws = book.add_worksheet("Ringkasan")
    ws.set_column(0, 0, 40)
    ws.write(0, 0, f"Rekonsiliasi BPJS TK {months.label(recon.month)}", f["title"])
    facts = [
        ("Berkas", recon.filename),
        ("Diunggah", timezone.localtime(recon.uploaded_at).strftime("%d/%m/%Y %H:%M")),
        ("Baris dibaca", recon.rows),
        ("Cocok", recon.matched),
        ("Baris ditolak", len(recon.errors)),
        ("Segmen", recon.segment or "semua"),
        ("Penyandang dana", recon.funder.code if recon.funder_id else "semua"),
        ("Baris segmen lain (dilewati)", recon.skipped),
    ] + [(str(Difference.Kind(k).label), v) for k, v in (recon.summary or {}).items()]
    for i, (k, v) in enumerate(facts, start=2):
        ws.write(i, 0, k, f["bold"])
        ws.write(i, 1, v)
    sheet = book.add_worksheet("Selisih")
    sheet.write_row(0, 0, DIFF_HEAD, f["head"])
    sheet.set_column(1, 2, 22)
    sheet.set_column(9, 9, 60)
    for n, d in enumerate(queries.differences(recon), start=1):
        for col, value in enumerate(_diff_row(d, show_nik)):
            if col == 1:
                sheet.write_string(n, col, value or "", f["text"])
            elif value is None:
                sheet.write_blank(n, col, None)
            else:
                sheet.write(n, col, value)
    errs = book.add_worksheet("Baris ditolak")
    errs.write_row(0, 0, ["Baris", "NIK", "Masalah"], f["head"])
    for n, e in enumerate(recon.errors, start=1):
        errs.write_number(n, 0, e.get("line", 0))
        errs.write_string(n, 1, e.get("nik", ""), f["text"])
        errs.write_string(n, 2, "; ".join(e.get("problems", [])))
    book.close()
    return buf.getvalue()


def reconciliation_csv(recon, *, show_nik: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(DIFF_HEAD)
    for d in queries.differences(recon):
        writer.writerow(csvsafe.row("" if v is None else v for v in _diff_row(d, show_nik)))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


__all__ = [
    "invoice_html",
    "invoice_pdf",
    "invoice_xlsx",
    "reconciliation_csv",
    "reconciliation_xlsx",
]
