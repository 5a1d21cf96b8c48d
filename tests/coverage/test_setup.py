"""Agreements, funders, bulk enrolment, the audit trail and the reconciliation screen."""

from datetime import date

import pytest
from django.urls import reverse

from lindung.coverage import services
from lindung.coverage.errors import AgreementError, EnrolmentError, FunderError
from lindung.coverage.models import Difference, Enrolment, EnrolmentEvent
from lindung.programmes import audit
from lindung.programmes.permissions import AccessDenied
from tests.actors import system

pytestmark = pytest.mark.django_db


def test_agreement_copies_parameters_and_refuses_overlaps(programme, agreement):
    values = {v["name"]: v for v in agreement.parameters["values"]}
    assert values["pu.jkk_rate"]["value"]["I"] == "0.0024"
    assert values["bpu.jkm_flat"]["value"] == 6_800
    assert values["umk.35.77"]["value"] == 2_422_105
    with pytest.raises(AgreementError, match="PKS untuk tahun 2025 sudah tercatat"):
        services.create_agreement(
            programme,
            year=2025,
            number="X",
            signed_on=date(2025, 1, 1),
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            actor=system(),
        )
    with pytest.raises(AgreementError, match="bertumpang tindih"):
        services.create_agreement(
            programme,
            year=2026,
            number="PKS/2026",
            signed_on=date(2025, 12, 1),
            period_start=date(2025, 12, 1),
            period_end=date(2026, 12, 31),
            actor=system(),
        )


def test_funder_validation(programme, apbd, users):
    with pytest.raises(FunderError, match="sudah dipakai"):
        services.create_funder(programme, code="apbd", name="Lagi", kind="SG", actor=system())
    with pytest.raises(FunderError, match="cadangan"):
        services.create_funder(
            programme, code="X", name="X", kind="SG", is_default=True, actor=system()
        )
    with pytest.raises(FunderError, match="tidak dikenal"):
        services.create_funder(programme, code="Y", name="Y", kind="ZZ", actor=system())
    with pytest.raises(AccessDenied):
        services.create_funder(programme, code="Z", name="Z", kind="SC", actor=users["operator"])
    csr = services.create_funder(programme, code="csr-a", name="A", kind="SC", actor=users["admin"])
    assert csr.code == "CSR-A" and csr.funding == "CSR"
    with pytest.raises(FunderError, match="tidak ditemukan di program ini"):
        services.add_allocation_rule(csr, participants=[999_999], actor=system())


def test_enrol_many_writes_enrolments_and_events(programme, make_participant):
    people = [make_participant(programme, "BPU", enrol=False) for _ in range(5)]
    ids = [p.pk for p in people]
    assert services.enrol_many(programme, ids, date(2025, 2, 1), actor=system()) == 5
    assert (
        Enrolment.objects.filter(participant_id__in=ids, start_date=date(2025, 2, 1)).count() == 5
    )
    assert EnrolmentEvent.objects.filter(enrolment__participant_id__in=ids).count() == 5
    with pytest.raises(EnrolmentError, match="sudah memiliki periode"):
        services.enrol_many(programme, ids[:2], date(2025, 3, 1), actor=system())


def test_coverage_changes_are_in_the_audit_trail(billing_ready, make_participant, users):
    make_participant(billing_ready, "PU")
    services.run_billing(billing_ready, 2025, 3, actor=users["operator"])
    labels = {c.model_label for c in audit.recent_changes(billing_ready)}
    assert {
        "coverage.invoice",
        "coverage.enrolment",
        "coverage.funder",
        "coverage.agreement",
    } <= labels
    invoice_changes = [
        c for c in audit.recent_changes(billing_ready) if c.model_label == "coverage.invoice"
    ]
    assert invoice_changes[0].user == users["operator"]


def test_reconciliation_screen_upload_resolve_export(
    billing_ready, make_participant, users, client_for
):
    people = [make_participant(billing_ready, "BPU") for _ in range(3)]
    services.run_billing(billing_ready, 2025, 3, actor=system())
    c = client_for(users["operator"])
    base = reverse("coverage_reconciliations", args=[billing_ready.code])
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = "NIK;Iuran\n" + "\n".join(f"{p.person.nik};16.800" for p in people[:2]) + "\n"
    response = c.post(
        base, {"month": "2025-03", "file": SimpleUploadedFile("bpjs.csv", csv.encode())}
    )
    assert response.status_code == 302
    page = c.get(response["Location"]).content.decode()
    assert "ada di Lindung, tidak ada di BPJS" in page
    diff = Difference.objects.get()
    back = c.post(
        reverse("coverage_resolve_difference", args=[billing_ready.code, diff.pk]),
        {"note": "Didaftarkan ulang ke BPJS"},
    )
    assert back.status_code == 302
    diff.refresh_from_db()
    assert diff.resolved and diff.resolution == "Didaftarkan ulang ke BPJS"
    export = c.get(
        reverse(
            "coverage_reconciliation_export",
            args=[billing_ready.code, diff.reconciliation_id, "csv"],
        )
    )
    assert export.status_code == 200 and "Didaftarkan ulang" in export.content.decode("utf-8-sig")
    auditor = client_for(users["auditor"])
    assert auditor.get(base).status_code == 200
    assert (
        auditor.post(
            reverse("coverage_resolve_difference", args=[billing_ready.code, diff.pk]),
            {"note": "x"},
        ).status_code
        == 403
    )
