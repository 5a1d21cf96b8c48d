"""Scenario results and comparisons as tables, SVG charts, ``.xlsx`` and PDF (Indonesian)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from lindung.core import charts
from lindung.core.formatting import (
    bilingual,
    mask_nik,
    month_name,
    percent,
    rupiah,
    rupiah_short,
)
from lindung.rules import regions

from .engine import CRITERIA_LABELS, TYPE_LABELS
from .models import Scenario

MAX_COMPARE = 4


def _pct(value) -> str:
    return percent(Decimal(value), 2) if value not in (None, "") else "–"


def start_label(r: dict) -> str:
    """The scenario's first month in words: "Juli 2026"."""
    return f"{month_name(r['start_month'], None)} {r['year']}"


def start_notice(items: list[Scenario]) -> str:
    """Said above a comparison whose scenarios start in different months: their costs "this
    year" cover different numbers of months."""
    starts = [start_label(s.result) for s in items]
    if len(set(starts)) <= 1:
        return ""
    listed = "; ".join(f"{s.name}: {start}" for s, start in zip(items, starts, strict=True))
    return _(
        "Skenario ini mulai pada bulan yang berbeda (%(listed)s). Biaya tahun ini mencakup "
        "jumlah bulan yang berbeda; bandingkan juga biaya setahun penuh."
    ) % {"listed": listed}


def summary_rows(r: dict) -> list[tuple[str, str]]:
    """The headline figures of one result, as (label, formatted value)."""
    pc = r["projected_claims"]
    return [
        (_("Mulai bulan"), start_label(r)),
        (_("Segmen / upah atau penghasilan"), f"{r['segment']} / {rupiah(r['wage'])}"),
        (_("Anggaran APBD"), rupiah(r["apbd_budget"])),
        (_("Dana CSR"), rupiah(r["csr_budget"])),
        (_("Biaya peserta lama (diambil dahulu)"), rupiah(r["funders_current"])),
        (_("Peserta baru terpilih"), f"{r['selected']:,}".replace(",", ".")),
        (_("Iuran per orang per bulan (awal)"), rupiah(r["monthly"][0]["per_person"])),
        (_("Biaya peserta baru tahun ini"), rupiah(r["cost"])),
        (_("Biaya peserta baru setahun penuh"), rupiah(r["full_year_cost"])),
        (_("Sisa anggaran"), rupiah(r["budget_left"])),
        (_("Cakupan UCJ sebelum"), _pct(r["coverage_before"])),
        (_("Cakupan UCJ sesudah"), _pct(r["coverage_after"])),
        (_("Proyeksi klaim (tengah)"), rupiah(pc["central"])),
        (_("Rentang 80 %"), f"{rupiah(pc['p80'][0])} – {rupiah(pc['p80'][1])}"),
        (_("Rentang 95 %"), f"{rupiah(pc['p95'][0])} – {rupiah(pc['p95'][1])}"),
        (
            _("Proyeksi rasio klaim"),
            _pct(r["projected_claim_ratio"]) if r["projected_claim_ratio"] else "–",
        ),
    ]


def _month_label(month: str) -> str:
    """``"2026-07"`` -> ``"Juli 2026"``."""
    return f"{month_name(int(month[5:7]), None)} {month[:4]}"


def warning_texts(r: dict, language: str | None = None) -> list[str]:
    """A result's warnings in ``language`` (default: the active one, the page's). Stored as
    ``{"id", "en"}``; a scenario calculated before stored plain Indonesian strings, shown as
    they are."""
    return [bilingual(w, language) for w in r.get("warnings", [])]


def enrich(r: dict) -> dict:
    """Add display helpers to a stored result (names of kelurahan, current cost)."""
    r = dict(r)
    r["funders_current"] = sum(f.get("current", 0) for f in r.get("funders", {}).values())
    for row in r.get("by_kelurahan", []):
        row["name"] = regions.region_name(row["kelurahan"] or "") or row["kelurahan"]
    r["type_labels"] = TYPE_LABELS
    r["warnings"] = warning_texts(r)
    r["start_label"] = start_label(r)
    r["monthly"] = [{**m, "label": _month_label(m["month"])} for m in r.get("monthly", [])]
    r["calibration"] = [
        {**c, "type_label": TYPE_LABELS.get(c["type"], c["type"])} for c in r.get("calibration", [])
    ]
    return r


def chart_svgs(stored: Scenario) -> dict[str, str]:
    r = stored.result
    out = {}
    if r.get("monthly"):
        names = list(r["monthly"][0]["by_funder"])
        out["cashflow"] = charts.bars(
            [month_name(int(m["month"][5:7]), None, short=True) for m in r["monthly"]],
            {n: [m["by_funder"][n] for m in r["monthly"]] for n in names},
            title=_("Iuran peserta baru per bulan per penyandang dana (Rp juta)"),
            unit=_("Rp juta"),
            money=True,
            stacked=True,
        )
    by_type = r["projected_claims"].get("by_type", {})
    if by_type:
        out["claims"] = charts.bars(
            [TYPE_LABELS.get(k, k) for k in by_type],
            {_("Proyeksi tengah"): [v["central"] for v in by_type.values()]},
            title=_("Proyeksi klaim per jenis (Rp juta)"),
            unit=_("Rp juta"),
            money=True,
            horizontal=True,
        )
    return out


def compare_rows(items: list[Scenario]) -> list[tuple[str, list[str]]]:
    rows: dict[str, list[str]] = {}
    for s in items:
        for label, value in summary_rows(enrich(s.result)):
            rows.setdefault(label, []).append(value)
    priorities = [
        ", ".join(_(CRITERIA_LABELS[c]) for c in s.params.get("priority", [])) or "NIK"
        for s in items
    ]
    return [(_("Urutan prioritas"), priorities), *rows.items()]


def _chart_percent(ratio) -> float:
    """A coverage ratio as a per cent with one decimal, for a chart's bar (never money)."""
    return float((Decimal(ratio) * 100).quantize(Decimal("0.1")))


def compare_svgs(items: list[Scenario]) -> dict[str, str]:
    names = [s.name[:28] for s in items]
    return {
        "selected": charts.bars(
            names,
            {_("Peserta baru"): [s.result["selected"] for s in items]},
            title=_("Peserta baru per skenario"),
            unit=_("orang"),
        ),
        "money": charts.bars(
            names,
            {
                _("Biaya tahun ini"): [s.result["cost"] for s in items],
                _("Proyeksi klaim (tengah)"): [
                    s.result["projected_claims"]["central"] for s in items
                ],
            },
            title=_("Biaya dan proyeksi klaim (Rp juta)"),
            unit=_("Rp juta"),
            money=True,
        ),
        "coverage": charts.bars(
            names,
            {
                _("Sebelum"): [_chart_percent(s.result["coverage_before"]) for s in items],
                _("Sesudah"): [_chart_percent(s.result["coverage_after"]) for s in items],
            },
            title=_("Cakupan UCJ (%)"),
            unit="%",
        ),
    }


def scenario_pdf(stored: Scenario) -> bytes:
    return compare_pdf(
        [stored], title=_("Skenario perluasan: %(name)s") % {"name": stored.name}, detail=stored
    )


def compare_pdf(items: list[Scenario], *, title: str = "", detail: Scenario | None = None) -> bytes:
    from weasyprint import HTML

    programme = items[0].programme
    html = render_to_string(
        "planning/compare_pdf.html",
        {
            "programme": programme,
            "items": items,
            "results": [(s, enrich(s.result)) for s in items],
            "rows": compare_rows(items),
            "svgs": compare_svgs(items) if len(items) > 1 else chart_svgs(items[0]),
            "title": title or _("Perbandingan skenario perluasan"),
            "detail": enrich(detail.result) if detail else None,
            "generated": timezone.localtime(),
            "short": rupiah_short,
        },
    )
    return HTML(string=html).write_pdf()


def _xlsx_rows(ws, start_row, header, rows, fmt_head, money_cols=(), money=None):
    ws.write_row(start_row, 0, header, fmt_head)
    for i, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row):
            if j in money_cols and isinstance(value, int):
                ws.write_number(i, j, value, money)
            else:
                ws.write(i, j, value)
    return start_row + len(rows) + 2


def _cash_flow_sheet(wb, s: Scenario, head, title, money) -> None:
    """A scenario's monthly contributions per funder, its funders and its projected claims."""
    r = s.result
    ws = wb.add_worksheet((_("Arus kas") + f" {s.pk}")[:31])
    ws.set_column(0, 8, 18)
    heading = _("%(name)s: iuran per bulan per penyandang dana (Rp)") % {"name": s.name}
    ws.write(0, 0, heading, title)
    names = list(r["monthly"][0]["by_funder"]) if r["monthly"] else []
    rows = [
        (
            _month_label(m["month"]),
            m["per_person"],
            *[m["by_funder"][n] for n in names],
            m["total"],
        )
        for m in r["monthly"]
    ]
    row = _xlsx_rows(
        ws,
        2,
        [_("Bulan"), _("Per orang"), *names, _("Jumlah")],
        rows,
        head,
        money_cols=range(1, len(names) + 3),
        money=money,
    )
    funders = [
        (n, f["budget"], f["current"], f["participants"], f["new"], f["full_year"], f["left"])
        for n, f in r["funders"].items()
    ]
    row = _xlsx_rows(
        ws,
        row,
        [str(h) for h in FUNDER_HEADER],
        funders,
        head,
        money_cols=(1, 2, 4, 5, 6),
        money=money,
    )
    pc = r["projected_claims"]
    rows = [
        (
            TYPE_LABELS.get(k, k),
            v["expected_claims"],
            v["analytic"],
            v["central"],
            v["p80"][0],
            v["p80"][1],
            v["p95"][0],
            v["p95"][1],
        )
        for k, v in pc["by_type"].items()
    ]
    rows.append((_("Jumlah"), "", pc["analytic"], pc["central"], *pc["p80"], *pc["p95"]))
    _xlsx_rows(
        ws,
        row,
        [str(h) for h in PROJECTION_HEADER],
        rows,
        head,
        money_cols=range(2, 8),
        money=money,
    )


FUNDER_HEADER = [
    gettext_lazy("Penyandang dana"),
    gettext_lazy("Anggaran"),
    gettext_lazy("Peserta lama"),
    gettext_lazy("Peserta baru"),
    gettext_lazy("Biaya baru"),
    gettext_lazy("Setahun penuh"),
    gettext_lazy("Sisa"),
]
PROJECTION_HEADER = [
    gettext_lazy("Proyeksi klaim"),
    gettext_lazy("Perkiraan jumlah"),
    gettext_lazy("Analitik"),
    gettext_lazy("Tengah"),
    gettext_lazy("80 % bawah"),
    gettext_lazy("80 % atas"),
    gettext_lazy("95 % bawah"),
    gettext_lazy("95 % atas"),
]
SELECTED_HEADER = [
    gettext_lazy("Urutan"),
    gettext_lazy("Peringkat"),
    gettext_lazy("NIK"),
    gettext_lazy("Nama"),
    gettext_lazy("Kode kelurahan"),
    gettext_lazy("Pekerjaan"),
    gettext_lazy("Desil"),
    gettext_lazy("Tulang punggung"),
    gettext_lazy("Tanggungan"),
    gettext_lazy("Penyandang dana"),
]


def _selected_sheet(wb, s: Scenario, head, text, mask: bool) -> None:
    """The people a scenario selected (NIKs masked when ``mask``)."""
    ws = wb.add_worksheet((_("Terpilih") + f" {s.pk}")[:31])
    ws.write_row(0, 0, [str(h) for h in SELECTED_HEADER], head)
    ws.set_column(2, 2, 20, text)
    ws.set_column(3, 3, 28)
    for i, sel in enumerate(s.selections.order_by("position").iterator(chunk_size=5000), 1):
        ws.write_number(i, 0, sel.position)
        ws.write_number(i, 1, sel.rank)
        ws.write_string(i, 2, mask_nik(sel.nik) if mask else sel.nik, text)
        ws.write_string(i, 3, sel.full_name)
        ws.write_string(i, 4, sel.kelurahan_code)
        ws.write_string(i, 5, sel.occupation)
        ws.write(i, 6, sel.decile)
        ws.write_string(i, 7, "Y" if sel.breadwinner else pgettext("tidak, satu huruf", "T"))
        ws.write_number(i, 8, sel.dependants)
        ws.write_string(i, 9, sel.funder)


def compare_xlsx(items: list[Scenario], *, selected: bool = False, mask: bool = False) -> bytes:
    """The comparison workbook; ``selected`` adds each scenario's selected people (NIKs masked
    when ``mask``: roles without the right to full NIKs)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#eef2f0"})
    title = wb.add_format({"bold": True, "font_size": 14})
    money = wb.add_format({"num_format": "#,##0"})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet(_("Perbandingan"))
    ws.set_column(0, 0, 40)
    ws.set_column(1, len(items), 30)
    ws.write(0, 0, _("Skenario perluasan") + f" — {items[0].programme.name}", title)
    _xlsx_rows(
        ws,
        2,
        ["", *[s.name for s in items]],
        [(label, *values) for label, values in compare_rows(items)],
        head,
    )
    row = len(compare_rows(items)) + 5
    for s in items:
        for note in warning_texts(s.result):
            ws.write_row(row, 0, [_("Peringatan") + f" — {s.name}", note])
            row += 1
    for s in items:
        _cash_flow_sheet(wb, s, head, title, money)
        if selected:
            _selected_sheet(wb, s, head, text, mask)
    wb.close()
    return buf.getvalue()


def to_json(stored: Scenario) -> str:
    return json.dumps(stored.result, ensure_ascii=False, indent=2, default=str)
