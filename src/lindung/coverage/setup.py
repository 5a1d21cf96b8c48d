"""What coverage tells the programme app (which may not import it) through its hooks: the
funders a Mitra CSR user may be scoped to, and the set-up steps of a new programme."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Agreement, Funder, FunderKind, Invoice


def funder_choices(programme) -> list[tuple[str, str]]:
    """CSR and bank funders first (what a Mitra CSR usually sponsors), then the others."""
    sponsors = {FunderKind.SC, FunderKind.SB}
    funders = Funder.objects.filter(programme=programme).order_by("code")
    ordered = sorted(funders, key=lambda f: (f.kind not in sponsors, f.code))
    return [(f.code, f"{f.code} — {f.name} ({f.get_kind_display()})") for f in ordered]


def _agreement_done(programme) -> bool:
    return Agreement.objects.filter(programme=programme, year=timezone.localdate().year).exists()


def _funders_done(programme) -> bool:
    return Funder.objects.filter(programme=programme, is_default=True).exists()


def _billed(programme) -> bool:
    return Invoice.objects.filter(programme=programme).exists()


STEPS = [
    (
        30,
        gettext_lazy("Catat PKS tahun berjalan"),
        "coverage_funders",
        _agreement_done,
        gettext_lazy("Nomor, tanggal dan periode kerja sama dengan BPJS Ketenagakerjaan."),
    ),
    (
        40,
        gettext_lazy("Tambahkan penyandang dana APBD (dan CSR bila ada)"),
        "coverage_funders",
        _funders_done,
        gettext_lazy(
            "APBD sebagai penyandang dana cadangan membayar semua peserta yang tidak dialokasikan."
        ),
    ),
    (
        80,
        gettext_lazy("Buat tagihan bulan pertama dan catat pembayarannya"),
        "coverage_billing",
        _billed,
        "",
    ),
]


def register() -> None:
    from lindung.programmes import hooks

    hooks.register_funder_choices(funder_choices)
    hooks.register_todo(todo)
    hooks.register_record_page("coverage.invoice", "coverage_invoice")
    hooks.register_record_page("coverage.funder", "coverage_funder")
    hooks.register_record_page("coverage.reconciliation", "coverage_reconciliation")
    for step in STEPS:
        hooks.register_setup_step(*step)


def todo(user, programme, role: str) -> list:
    """The Operator's to-do line: invoices not fully paid (issued or partly paid)."""
    from django.urls import reverse
    from django.utils.http import urlencode
    from django.utils.translation import gettext as _

    from lindung.programmes.hooks import Todo
    from lindung.programmes.models import Role
    from lindung.programmes.queries import count_each

    from .queries import UNPAID, UNPAID_STATES

    if role != Role.OPERATOR:
        return []
    n = count_each(
        programme,
        unpaid=Invoice.objects.filter(programme=programme, state__in=UNPAID_STATES),
    )
    url = reverse("coverage_invoices", args=[programme.code]) + "?" + urlencode({"status": UNPAID})
    lines = [Todo(_("Tagihan iuran belum lunas"), n["unpaid"], url, 40)]
    return [line for line in lines if line.count]
