"""The programme report as JSON, .xlsx and PDF ("Laporan Program"), and the dashboard charts."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lindung.core import charts
from lindung.core.formatting import group, long_date, percent, rupiah, rupiah_short

from .queries import ratio


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Promise):
        return str(value)
    return value


def to_json(data: dict) -> str:
    """The report JSON; ratios are numbers (e.g. 2.06), money integer rupiah."""
    out = jsonable(data)
    for key in ("claim_ratio", "claim_ratio_with_commitments"):
        out[key] = (
            float(data[key]) if data[key] is not None else None
        )  # the report contract: a number
    return json.dumps(out, ensure_ascii=False, indent=2)


def chart_svgs(data: dict) -> dict[str, str]:
    months = data["monthly"]
    labels = [m["label"] for m in months]
    svgs = {
        "contrib_claims": charts.bars(
            labels,
            {
                _("Iuran dibayar"): [m["paid"] for m in months],
                _("Klaim dibayar"): [m["claims"] for m in months],
            },
            title=_("Iuran vs klaim per bulan"),
            money=True,
            line=(
                _("Rasio klaim (%)"),
                [float(m["ratio"] * 100) if m["ratio"] is not None else None for m in months],
            ),
            line_unit="%",
        ),
        "segments": charts.lines(
            labels,
            {
                "Non-ASN (PU)": [m["PU"] for m in months],
                _("Pekerja rentan (BPU)"): [m["BPU"] for m in months],
            },
            title=_("Peserta aktif per segmen"),
            unit=_("peserta"),
        ),
    }
    by_type = data["claims"]["by_type"]
    if by_type:
        svgs["claims_by_type"] = charts.bars(
            [v["label"].split("—")[-1].strip()[:28] for v in by_type.values()],
            {_("Nilai dibayar"): [v["amount"] for v in by_type.values()]},
            title=_("Klaim per jenis (nilai dibayar)"),
            money=True,
            horizontal=True,
            height=0.45 * len(by_type) + 1.2,
        )
    kec = data["by_kecamatan"]
    if kec:
        svgs["kecamatan"] = charts.bars(
            [k["kecamatan"] for k in kec],
            {_("Peserta aktif"): [k["participants"] for k in kec]},
            title=_("Peserta aktif per kecamatan"),
            unit=_("peserta"),
            height=2.6,
        )
    agencies = data["by_agency"][:15]
    if agencies:
        svgs["agencies"] = charts.bars(
            [a["code"] for a in agencies],
            {_("Peserta non-ASN"): [a["participants"] for a in agencies]},
            title=_("Peserta non-ASN per OPD (15 terbesar)"),
            unit=_("peserta"),
            horizontal=True,
            height=0.3 * len(agencies) + 1.0,
        )
    return svgs


def to_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "reports/report_pdf.html",
        {"d": data, "svgs": chart_svgs(data), "generated": timezone.localtime()},
    )
    return HTML(string=html).write_pdf()


def to_xlsx(data: dict) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0"})
    pct = wb.add_format({"num_format": "0.0%"})
    title = wb.add_format({"bold": True, "font_size": 14})

    ws = wb.add_worksheet(_("Ringkasan"))
    ws.set_column(0, 0, 46)
    ws.set_column(1, 2, 22)
    ws.write(0, 0, _("Laporan Program") + f" — {data['programme']['name']}", title)
    ws.write(1, 0, _("Periode %(period)s") % {"period": data["period"]["label"]})
    a, c, cl = data["active_participants"], data["contributions"], data["claims"]
    rows = [
        (
            _("Peserta aktif per %(on)s") % {"on": long_date(_day(a["as_of"]), None)},
            a["total"],
            None,
        ),
        ("  Non-ASN (PU)", a["PU"], None),
        ("  " + _("Pekerja rentan (BPU)"), a["BPU"], None),
        (_("Iuran ditagih (Rp)"), c["billed"], money),
        (_("Iuran dibayar (Rp)"), c["paid"], money),
        (_("Iuran belum dibayar (Rp)"), c["outstanding"], money),
        (_("Jumlah klaim"), cl["count"], None),
        (_("Nilai klaim dibayar (Rp)"), cl["amount"], money),
        (_("Komitmen beasiswa dari klaim periode ini (Rp)"), cl["commitment"], money),
        (
            _("Rasio klaim (klaim tunai / iuran dibayar)"),
            float(data["claim_ratio"]) if data["claim_ratio"] is not None else None,
            pct,
        ),
        (
            _("Rasio klaim termasuk komitmen beasiswa"),
            float(data["claim_ratio_with_commitments"])
            if data["claim_ratio_with_commitments"] is not None
            else None,
            pct,
        ),
    ]
    for i, (label, value, fmt) in enumerate(rows, start=3):
        ws.write(i, 0, str(label), bold if not str(label).startswith("  ") else None)
        ws.write(i, 1, value, fmt)
    ws.write(len(rows) + 4, 0, _("Definisi rasio") + ": " + data["claim_ratio_definition"])

    def table(name, headers, items, money_cols=()):
        sheet = wb.add_worksheet(name)
        for j, h in enumerate(headers):
            sheet.write(0, j, h[0], bold)
            sheet.set_column(j, j, max(12, len(h[0]) + 2))
        for i, item in enumerate(items, start=1):
            for j, (_header, key) in enumerate(headers):
                value = item.get(key)
                if isinstance(value, Decimal):
                    value = float(value)
                sheet.write(i, j, value, money if key in money_cols else None)

    table(
        _("Per bulan"),
        [
            (_("Bulan"), "month"),
            (_("Iuran ditagih"), "billed"),
            (_("Iuran dibayar"), "paid"),
            (_("Klaim dibayar"), "claims"),
            (_("Rasio"), "ratio"),
            (_("Peserta PU"), "PU"),
            (_("Peserta BPU"), "BPU"),
        ],
        data["monthly"],
        {"billed", "paid", "claims"},
    )
    table(
        _("Klaim per jenis"),
        [
            (_("Jenis"), "label"),
            (_("Jumlah"), "count"),
            (_("Nilai dibayar"), "amount"),
            (_("Komitmen beasiswa"), "commitment"),
        ],
        list(data["claims"]["by_type"].values()),
        {"amount", "commitment"},
    )
    table(
        _("Per kelurahan"),
        [
            (_("Kecamatan"), "kecamatan"),
            (_("Kelurahan"), "kelurahan"),
            (_("Kode"), "code"),
            (_("Peserta"), "participants"),
            (_("Klaim"), "claims"),
            (_("Nilai klaim"), "amount"),
        ],
        data["by_kelurahan"],
        {"amount"},
    )
    table(
        _("Per OPD"),
        [
            (_("Kode"), "code"),
            ("OPD", "name"),
            (_("Peserta"), "participants"),
            (_("Klaim"), "claims"),
            (_("Nilai klaim"), "amount"),
        ],
        data["by_agency"],
        {"amount"},
    )
    wb.close()
    return buf.getvalue()


NBSP = "\u00a0"


def _nb(text: str) -> str:
    """ "Rp 6,2 M" that never wraps away from its amount."""
    return text.replace(" ", NBSP)


def _times(value: Decimal) -> str:
    """``Decimal('2.06')`` -> ``'2,1'`` (one decimal, half up)."""
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


def readings(data: dict) -> dict[str, str]:
    """One plain-Indonesian sentence per headline figure (under each card)."""
    contrib, cl = data["contributions"], data["claims"]
    share = ratio(contrib["paid"], contrib["billed"])
    r = data["claim_ratio"]
    if r is None:
        ratio_text = _("belum ada iuran dibayar pada periode ini, rasio belum dapat dihitung")
    elif r >= 1:
        ratio_text = _("klaim yang dibayar %(times)s kali iuran yang dibayar") % {
            "times": _times(r)
        }
    else:
        ratio_text = _("klaim yang dibayar %(share)s dari iuran yang dibayar") % {
            "share": percent(r)
        }
    active = data["active_participants"]
    ucj = data["ucj"]["share"]
    return {
        "active": _("%(n)s pekerja terlindungi program pada %(on)s")
        % {"n": group(active["total"]), "on": long_date(_day(active["as_of"]), None)},
        "contrib": _("%(share)s dari iuran yang ditagih sudah dibayar") % {"share": percent(share)}
        if share is not None
        else _("belum ada iuran yang ditagih pada periode ini"),
        "claims": _("%(n)s klaim dibayar BPJS pada periode ini") % {"n": group(cl["count"])}
        if cl["count"]
        else _("belum ada klaim dibayar pada periode ini"),
        "ratio": ratio_text,
        "scholarships": _("%(n)s anak masih menerima beasiswa")
        % {"n": group(data["scholarships"]["children"])},
        "ucj": _("%(share)s angkatan kerja sudah terlindungi") % {"share": percent(ucj, 2)}
        if ucj is not None
        else _("jumlah angkatan kerja belum diisi di pengaturan program"),
    }


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def chart_tables(data: dict) -> dict[str, dict]:
    """The data behind each chart, as a table (shown behind a disclosure under the chart)."""
    months = data["monthly"]
    tables = {
        "contrib_claims": {
            "headers": [_("Bulan"), _("Iuran dibayar"), _("Klaim dibayar"), _("Rasio klaim")],
            "rows": [
                [m["label"], _nb(rupiah(m["paid"])), _nb(rupiah(m["claims"])), percent(m["ratio"])]
                for m in months
            ],
        },
        "segments": {
            "headers": [_("Bulan"), _("Non-ASN (PU)"), _("Pekerja rentan (BPU)")],
            "rows": [[m["label"], group(m["PU"]), group(m["BPU"])] for m in months],
        },
        "claims_by_type": {
            "headers": [_("Jenis"), _("Jumlah klaim"), _("Nilai dibayar")],
            "rows": [
                [v["label"], group(v["count"]), _nb(rupiah(v["amount"]))]
                for v in data["claims"]["by_type"].values()
            ],
        },
        "kecamatan": {
            "headers": [_("Kecamatan"), _("Peserta"), _("Klaim")],
            "rows": [
                [k["kecamatan"], group(k["participants"]), group(k["claims"])]
                for k in data["by_kecamatan"]
            ],
        },
        "agencies": {
            "headers": ["OPD", _("Peserta non-ASN")],
            "rows": [[a["name"], group(a["participants"])] for a in data["by_agency"][:15]],
        },
    }
    return {key: t for key, t in tables.items() if t["rows"]}


def kpis(data: dict) -> dict:
    """Formatted headline figures for the page (non-breaking "Rp"), with their readings."""
    active = data["active_participants"]
    return {
        "active": active,
        "active_on": long_date(_day(active["as_of"]), None),
        "readings": readings(data),
        "contrib_paid": _nb(rupiah_short(data["contributions"]["paid"])),
        "contrib_billed": _nb(rupiah(data["contributions"]["billed"])),
        "contrib_outstanding": _nb(rupiah(data["contributions"]["outstanding"])),
        "claims_amount": _nb(rupiah_short(data["claims"]["amount"])),
        "scholarship_paid": _nb(rupiah(data["scholarships"]["paid_this_year"])),
        "scholarship_remaining": _nb(rupiah(data["scholarships"]["remaining_commitment"])),
        "claim_ratio": percent(data["claim_ratio"]) if data["claim_ratio"] is not None else "–",
        "claim_ratio_commit": percent(data["claim_ratio_with_commitments"])
        if data["claim_ratio_with_commitments"] is not None
        else "–",
        "ucj": percent(data["ucj"]["share"], 2) if data["ucj"]["share"] is not None else "–",
    }
