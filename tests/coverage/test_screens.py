"""Screens, API, documents, Mitra CSR scoping and cross-programme isolation."""

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from lindung.coverage import documents, services
from lindung.coverage.models import Invoice, Payment
from lindung.programmes.models import AccessLog, Membership
from tests.actors import system

pytestmark = pytest.mark.django_db

PU, BPU = 13_079, 16_800
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(billing_ready, make_participant, users):
    """APBD pays for 2 workers, the CSR sponsor for 1 named worker; March billed."""
    programme = billing_ready
    apbd_pu = make_participant(programme, "PU", name="Budi Santoso")
    apbd_bpu = make_participant(programme, "BPU", name="Sri Wahyuni")
    sponsored = make_participant(programme, "BPU", name="Siti Aminah")
    csr = services.create_funder(
        programme, code="CSR-PTX", name="PT Sponsor", kind="SC", actor=system()
    )
    services.add_allocation_rule(csr, participants=[sponsored], actor=system())
    services.run_billing(programme, 2025, 3, actor=system())
    Membership.objects.filter(user=users["mitra_csr"], programme=programme).update(scope="CSR-PTX")
    return {
        "programme": programme,
        "apbd_invoice": Invoice.objects.get(funder__code="APBD"),
        "csr_invoice": Invoice.objects.get(funder=csr),
        "apbd_pu": apbd_pu,
        "apbd_bpu": apbd_bpu,
        "sponsored": sponsored,
    }


def url(name, programme, *args):
    return reverse(name, args=[programme.code, *args])


def test_operator_pages_render(world, users, client_for):
    c = client_for(users["operator"])
    p = world["programme"]
    inv = world["apbd_invoice"]
    pages = [
        (url("coverage_billing", p) + "?tahun=2025", "Iuran &amp; tagihan 2025"),
        (url("coverage_invoices", p), inv.number),
        (url("coverage_invoice", p, inv.pk), "Budi Santoso"),
        (url("coverage_payments", p), "Pembayaran"),
        (url("coverage_funders", p), "PKS/001/2025"),
        (url("coverage_funder", p, world["csr_invoice"].funder_id), "Siti Aminah"),
        (url("coverage_participant", p, world["apbd_pu"].pk), "Maret"),
        (url("coverage_arrears", p), "Tunggakan"),
        (url("coverage_reconciliations", p), "Rekonsiliasi"),
    ]
    for address, text in pages:
        response = c.get(address)
        assert response.status_code == 200, address
        assert text in response.content.decode(), address
    html = c.get(url("coverage_billing", p) + "?tahun=2025").content.decode()
    assert "Rp\u00a029.879" in html  # APBD March: 13,079 + 16,800
    assert "Jalankan penagihan" in html
    home = c.get(reverse("programme_home", args=[p.code])).content.decode()
    assert "Iuran &amp; tagihan" in home


@override_settings(TASKS=IMMEDIATE)
@pytest.mark.django_db(transaction=True)
def test_billing_button_runs_a_job(billing_ready, make_participant, users, client_for):
    make_participant(billing_ready, "PU")
    c = client_for(users["operator"])
    response = c.post(url("coverage_run_billing", billing_ready), {"month": "2025-04"})
    assert response.status_code == 302
    assert "tugas=" in response["Location"]
    invoice = Invoice.objects.get(month=date(2025, 4, 1))
    assert invoice.total == PU
    assert invoice.issued_by == users["operator"]
    page = c.get(response["Location"]).content.decode()
    assert "selesai" in page.lower()


def test_billing_button_explains_what_is_missing(programme, users, client_for):
    c = client_for(users["operator"])
    response = c.post(url("coverage_run_billing", programme), {"month": "2025-04"}, follow=True)
    assert "Belum ada PKS yang berlaku untuk April 2025" in response.content.decode()


def test_payment_form_records_and_refuses(world, users, client_for):
    c = client_for(users["operator"])
    inv = world["apbd_invoice"]
    address = url("coverage_record_payment", world["programme"], inv.pk)
    form = {"amount": 40_000, "paid_on": "2025-04-02", "reference": "SP2D-1"}
    page = c.post(address, form, follow=True).content.decode()
    assert "Pembayaran melebihi sisa tagihan Rp\u00a029.879" in page
    c.post(address, {**form, "amount": 29_879}, follow=True)
    inv.refresh_from_db()
    assert inv.state == "paid"


def test_roles_that_may_not_write_are_refused(world, users, client_for):
    p, inv = world["programme"], world["apbd_invoice"]
    for role in ("auditor", "pimpinan", "verifikator", "mitra_csr"):
        c = client_for(users[role])
        assert c.post(url("coverage_run_billing", p), {"month": "2025-04"}).status_code in (
            403,
            404,
        )
        response = c.post(
            url("coverage_record_payment", p, inv.pk),
            {"amount": 1, "paid_on": "2025-04-02", "reference": "X"},
        )
        assert response.status_code in (403, 404)
    assert not Payment.objects.exists()
    assert client_for(users["operator"]).post(url("coverage_funder_new", p), {}).status_code == 403


def test_mitra_csr_sees_only_its_own_workers_and_money(world, users, client_for):
    c = client_for(users["mitra_csr"])
    p = world["programme"]
    listing = c.get(url("coverage_invoices", p)).content.decode()
    assert world["csr_invoice"].number in listing
    assert world["apbd_invoice"].number not in listing
    assert c.get(url("coverage_invoice", p, world["apbd_invoice"].pk)).status_code == 404
    assert c.get(url("coverage_invoice", p, world["csr_invoice"].pk)).status_code == 200
    assert c.get(url("coverage_participant", p, world["sponsored"].pk)).status_code == 200
    assert c.get(url("coverage_participant", p, world["apbd_pu"].pk)).status_code == 404
    overview = c.get(url("coverage_billing", p) + "?tahun=2025").content.decode()
    assert "Rp\u00a016.800" in overview and "Rp\u00a029.879" not in overview
    assert "APBD" not in overview
    funders = c.get(url("coverage_funders", p)).content.decode()
    assert "PKS/001/2025" not in funders and "CSR-PTX" in funders
    assert c.get(url("coverage_reconciliations", p)).status_code == 403
    api = c.get(f"/api/v1/programmes/{p.code}/invoices").json()
    assert [i["number"] for i in api] == [world["csr_invoice"].number]
    assert (
        c.get(f"/api/v1/programmes/{p.code}/invoices/{world['apbd_invoice'].pk}").status_code == 404
    )
    cov = c.get(f"/api/v1/programmes/{p.code}/participants/{world['apbd_pu'].pk}/coverage")
    assert cov.status_code == 404
    # The registry shows the Mitra only the workers it sponsors (coverage's scope hook).
    registry = c.get(url("registry_list", p)).content.decode()
    assert "SITI AMINAH" in registry.upper() and "BUDI SANTOSO" not in registry.upper()
    assert c.get(url("registry_person", p, world["sponsored"].pk)).status_code == 200
    assert c.get(url("registry_person", p, world["apbd_pu"].pk)).status_code == 404


def test_mitra_without_scope_sees_nothing(world, users, client_for):
    Membership.objects.filter(user=users["mitra_csr"]).update(scope="")
    c = client_for(users["mitra_csr"])
    assert c.get(f"/api/v1/programmes/{world['programme'].code}/invoices").json() == []


def test_other_programme_is_isolated(world, other_programme, make_user, client_for):
    stranger = make_user("orang-lain", other_programme, "operator")
    c = client_for(stranger)
    p, inv = world["programme"], world["apbd_invoice"]
    assert c.get(url("coverage_billing", p)).status_code == 404
    assert c.get(url("coverage_invoice", p, inv.pk)).status_code == 404
    # the invoice id through the stranger's own programme is not found either
    assert c.get(url("coverage_invoice", other_programme, inv.pk)).status_code == 404
    assert (
        c.get(url("coverage_participant", other_programme, world["apbd_pu"].pk)).status_code == 404
    )
    assert c.get(f"/api/v1/programmes/{p.code}/invoices").status_code == 404
    assert c.get(f"/api/v1/programmes/{other_programme.code}/invoices").json() == []


def test_api_reads(world, users, client_for):
    c = client_for(users["auditor"])
    p, inv = world["programme"], world["apbd_invoice"]
    services.record_payment(inv, 29_879, date(2025, 4, 2), "SP2D-7", actor=system())
    base = f"/api/v1/programmes/{p.code}"
    invoices = c.get(f"{base}/invoices?month=2025-03").json()
    assert {i["funder"]: i["total"] for i in invoices} == {"APBD": 29_879, "CSR-PTX": BPU}
    detail = c.get(f"{base}/invoices/{inv.pk}").json()
    assert detail["state"] == "paid" and detail["snapshot"]["total"] == 29_879
    lines = c.get(f"{base}/invoices/{inv.pk}/lines").json()
    assert sorted(line["amount"] for line in lines) == [PU, BPU]
    assert all("•" in line["nik"] for line in lines)  # the auditor sees masked NIKs
    payments = c.get(f"{base}/payments").json()
    assert [(x["amount"], x["reference"]) for x in payments] == [(29_879, "SP2D-7")]
    cov = c.get(f"{base}/participants/{world['apbd_pu'].pk}/coverage?on=2025-03-15").json()
    assert cov["covered_on"] is True and cov["paid_months_before"] == 0
    by_month = {m["month"]: m for m in cov["months"]}
    assert by_month["2025-03"]["covered"] is True
    assert by_month["2025-02"]["status"] == "belum ditagih"
    later = c.get(f"{base}/participants/{world['apbd_pu'].pk}/coverage?on=2025-04-15").json()
    assert later["covered_on"] is False and later["paid_months_before"] == 1
    assert c.get(f"{base}/invoices?month=maret").status_code == 400
    assert AccessLog.objects.filter(channel="api").exists()


def test_invoice_pdf_and_xlsx(world, users, client_for):
    inv = world["apbd_invoice"]
    html = documents.invoice_html(inv, show_nik=False)
    assert "dua puluh sembilan ribu delapan ratus tujuh puluh sembilan rupiah" in html.lower()
    assert "TAG/2025/03/APBD" in html and "Rp\u00a029.879" in html
    c = client_for(users["operator"])
    pdf = c.get(url("coverage_invoice_pdf", world["programme"], inv.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = c.get(url("coverage_invoice_xlsx", world["programme"], inv.pk))
    assert xlsx.status_code == 200
    import io

    import polars as pl

    frame = pl.read_excel(io.BytesIO(xlsx.content), sheet_name="Rincian")
    assert sorted(frame["Iuran (Rp)"].to_list()) == [PU, BPU]
    assert frame["NIK"].to_list()[0].startswith("3577")  # the operator sees full NIKs
    assert AccessLog.objects.filter(action="download").count() == 2


def test_participant_enrolment_forms(world, users, client_for):
    c = client_for(users["operator"])
    p = world["programme"]
    who = world["apbd_bpu"]
    c.post(
        url("coverage_participant_end", p, who.pk),
        {"end": "2025-05-31", "reason": "died", "note": "akta kematian"},
    )
    who.refresh_from_db()
    assert who.status == "died" and who.end_date == date(2025, 5, 31)
    page = c.post(
        url("coverage_participant_enrol", p, who.pk),
        {"start": "2025-07-01", "reason": "new"},
        follow=True,
    ).content.decode()
    assert "telah meninggal" in page
