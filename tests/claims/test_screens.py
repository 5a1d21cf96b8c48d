"""The claims screens through the Django test client (rendering, roles, the full web flow)."""

from datetime import date

import pytest
from django.urls import reverse

from lindung.claims import services
from lindung.claims.models import Claim, ClaimState, Handover
from lindung.programmes.models import AccessLog

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, programme, *args):
    return reverse(name, args=[programme.code, *args])


def test_operator_walks_a_jkm_claim_on_the_screens(programme, users, client_for):
    p = make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    op = client_for(users["operator"])
    ver = client_for(users["verifikator"])

    r = op.get(url("claims_new", programme), {"q": p.person.full_name})
    assert r.status_code == 200 and p.person.full_name in r.text
    r = op.post(
        url("claims_new", programme) + f"?peserta={p.pk}",
        {
            "participant": p.pk,
            "type": "jkm_death",
            "event_date": "2025-12-01",
            "place": "RSUD Kota Madiun",
            "reporter": "Siti Aminah",
        },
    )
    claim = Claim.objects.get(participant=p)
    assert r.status_code == 302 and r.url == url("claims_detail", programme, claim.pk)
    page = op.get(r.url)
    assert page.status_code == 200
    text = page.text
    assert (
        "Rp\u00a042.000.000" in text
        and "Rp\u00a087.000.000" in text
        and "Rp\u00a0129.000.000" in text
    )
    assert "Yang masih kurang" in text and "Akta kematian" in text
    assert AccessLog.objects.filter(object_type="claims.claim", object_id=str(claim.pk)).exists()

    for doc in claim.documents.filter(required=True):
        r = op.post(url("claims_document", programme, doc.pk), {"file": _file("scan.pdf", PDF)})
        assert r.status_code == 302
    assert not claim.documents.filter(required=True, received=False).exists()
    doc = claim.documents.filter(required=True).first()
    download = op.get(url("claims_document_file", programme, doc.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")

    # The documents are in, but the death is not recorded on the participant: refused, and the
    # list says so with a link to the person page's status form.
    r = op.post(
        url("claims_transition", programme, claim.pk), {"to": "submitted_to_bpjs"}, follow=True
    )
    assert "belum dapat diajukan ke BPJS" in r.text
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.DRAFT
    status_url = url("registry_person", programme, p.pk) + "#status"
    assert f'href="{status_url}"' in r.text
    op.post(
        url("registry_status", programme, p.pk),
        {"status": "died", "on": "2025-12-01", "note": "meninggal dunia"},
    )
    page = op.get(url("claims_detail", programme, claim.pk))
    assert "wajib sebelum diajukan" not in page.text
    op.post(url("claims_transition", programme, claim.pk), {"to": "submitted_to_bpjs"})
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.SUBMITTED
    # The Operator may not verify: refused with a message, state unchanged.
    r = op.post(url("claims_transition", programme, claim.pk), {"to": "verified"}, follow=True)
    assert "tidak mengizinkan" in r.text
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.SUBMITTED
    ver.post(url("claims_transition", programme, claim.pk), {"to": "verified", "note": "Lengkap"})
    # four eyes: the Verifikator who verified may not approve; a second person (Admin) does
    r = ver.post(url("claims_transition", programme, claim.pk), {"to": "approved"}, follow=True)
    assert "prinsip empat mata" in r.text
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.VERIFIED
    client_for(users["admin"]).post(
        url("claims_transition", programme, claim.pk), {"to": "approved"}
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and claim.frozen

    op.post(
        url("claims_bpjs", programme, claim.pk),
        {"bpjs_decided": 42_000_000, "bpjs_paid": 42_000_000, "bpjs_paid_on": "2025-12-05"},
    )
    op.post(url("claims_transition", programme, claim.pk), {"to": "paid"})
    r = op.post(
        url("claims_handover_new", programme, claim.pk),
        {
            "date": "2025-12-10",
            "place": "Balai Kota Madiun",
            "handed_by": "Wali Kota Madiun",
            "recipient": "Siti Aminah",
            "amount": 42_000_000,
        },
    )
    handover = Handover.objects.get(claim=claim)
    assert handover.amount_words == "empat puluh dua juta rupiah"
    assert handover.recipient_heir is not None
    pdf = op.get(url("claims_handover_pdf", programme, claim.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    for name in (
        "claims_list",
        "claims_differences",
        "claims_scholarships",
        "claims_scholarships_due",
        "claims_handovers",
    ):
        assert op.get(url(name, programme)).status_code == 200, name
    plan = claim.scholarship_plans.get()
    assert op.get(url("claims_scholarship", programme, plan.pk)).status_code == 200
    assert op.get(url("claims_export", programme)).status_code == 200


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_roles_without_claim_view_see_nothing(programme, users, client_for):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    mitra = client_for(users["mitra_csr"])
    assert mitra.get(url("claims_list", programme)).status_code == 403
    assert mitra.get(url("claims_detail", programme, claim.pk)).status_code == 403
    auditor = client_for(users["auditor"])
    assert auditor.get(url("claims_detail", programme, claim.pk)).status_code == 200
    assert auditor.get(url("claims_new", programme)).status_code == 403
    doc = claim.documents.first()
    assert (
        auditor.post(url("claims_document", programme, doc.pk), {"received": "1"}).status_code
        == 403
    )


def test_claim_page_links_each_missing_item_and_demotes_the_submit_button(
    programme, users, client_for
):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    op = client_for(users["operator"])
    text = op.get(url("claims_detail", programme, claim.pk)).text
    death = claim.documents.get(code="akta_kematian")
    here = url("claims_detail", programme, claim.pk)
    assert (
        f'<a href="{here}#dokumen-{death.pk}">Dokumen wajib belum diterima: Akta kematian' in text
    )
    assert f'id="dokumen-{death.pk}"' in text
    assert url("registry_person", programme, p.pk) + "#status" in text
    assert 'class="primary">Ajukan ke BPJS' not in text
    assert 'value="submitted_to_bpjs" aria-describedby="submit-blocked">Ajukan ke BPJS' in text
    # The entitlement summary comes before the facts and the lists.
    assert text.index('id="summary-cash"') < text.index('id="h-missing"')
    assert "Rp 42.000.000" in text[text.index('id="summary-cash"') :][:80].replace("\xa0", " ")

    from tests.claims.helpers import ready_for_bpjs

    ready_for_bpjs(claim, users["operator"])
    text = op.get(url("claims_detail", programme, claim.pk)).text
    assert "wajib sebelum diajukan" not in text
    assert 'value="submitted_to_bpjs" class="primary">Ajukan ke BPJS' in text


def test_a_jkm_claim_shows_no_jkk_only_field(programme, users, client_for):
    p = make_participant(programme, family=[SPOUSE])
    jkm = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    jkk = services.create_claim(
        programme,
        make_participant(programme),
        "jkk_stmb",
        date(2025, 6, 1),
        actor=users["operator"],
    )
    op = client_for(users["operator"])
    text = op.get(url("claims_edit", programme, jkm.pk)).text
    for name in ("wage", "stage1_reported_on", "disability_percent", "transport_air"):
        assert f'name="{name}"' not in text
    assert 'name="chronology"' in text
    text = op.get(url("claims_edit", programme, jkk.pk)).text
    assert 'name="stage1_reported_on"' in text and "Khusus klaim JKK" in text
    # Entry: the JKK fields are grouped (hidden by the script unless a JKK type is chosen), and
    # a JKM claim sent with JKK values ignores them.
    text = op.get(url("claims_new", programme) + f"?peserta={p.pk}").text
    assert 'data-shown-prefix="jkk_"' in text
    other = make_participant(programme, family=[SPOUSE])
    op.post(
        url("claims_new", programme) + f"?peserta={other.pk}",
        {
            "participant": other.pk,
            "type": "jkm_death",
            "event_date": "2025-06-01",
            "incapacity_months": "3",
            "home_care_cost": "5000000",
        },
    )
    created = Claim.objects.get(participant=other)
    assert created.incapacity_months is None and created.home_care_cost is None


def test_person_page_lists_the_claims_and_offers_catat_klaim(programme, users, client_for):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    person = url("registry_person", programme, p.pk)
    text = client_for(users["operator"]).get(person).text
    assert f'href="{url("claims_detail", programme, claim.pk)}">{claim.number}</a>' in text
    assert f'href="{url("claims_new", programme)}?peserta={p.pk}"' in text
    assert "Catat klaim" in text
    # The Verifikator sees the claims but may not enter one.
    text = client_for(users["verifikator"]).get(person).text
    assert claim.number in text and "?peserta=" not in text
