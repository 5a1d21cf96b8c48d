"""The to-do queue on the programme home (issue 16): each role sees what waits for it, as a
count and a link to the filtered page where the work is done; counted in one query per app."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lindung.claims import services as claims
from lindung.claims.models import Claim, ClaimState
from lindung.coverage.models import Invoice
from lindung.programmes.hooks import todos
from lindung.programmes.models import Role
from lindung.programmes.permissions import role_of
from lindung.registry.models import ImportBatch
from tests.claims.helpers import SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def work(programme, users, make_user):
    """Four claims, one at each step, December's invoice unpaid and one checked import."""
    second = make_user("u-verifikator2", programme, Role.VERIFIKATOR)
    workers = [
        make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE]) for _ in range(4)
    ]
    bill_and_pay(programme, date(2024, 1, 1), date(2025, 12, 1), unpaid=[date(2025, 12, 1)])
    op, ver = users["operator"], users["verifikator"]

    def entered(worker):
        return claims.create_claim(programme, worker, "jkm_death", date(2025, 11, 20), actor=op)

    draft = entered(workers[0])  # its documents not yet received
    submitted = claims.submit(ready_for_bpjs(entered(workers[1]), op), actor=op)
    verified = claims.submit(ready_for_bpjs(entered(workers[2]), op), actor=op)
    claims.verify(verified, actor=ver)
    approved = claims.submit(ready_for_bpjs(entered(workers[3]), op), actor=op)
    claims.verify(approved, actor=second)
    claims.approve(approved, actor=ver)
    ImportBatch.objects.create(
        programme=programme,
        filename="peserta-maret.xlsx",
        directory="imports/x",
        state=ImportBatch.State.VALIDATED,
    )
    states = dict(Claim.objects.values_list("pk", "state"))
    assert states == {
        draft.pk: ClaimState.DRAFT,
        submitted.pk: ClaimState.SUBMITTED,
        verified.pk: ClaimState.VERIFIED,
        approved.pk: ClaimState.APPROVED,
    }
    return {"second": second}


def lines(user, programme):
    return {t.label: (t.count, t.url) for t in todos(user, programme, role_of(user, programme))}


def test_the_operator_sees_claims_documents_imports_and_unpaid_invoices(programme, users, work):
    got = lines(users["operator"], programme)
    code = programme.code
    claims_url = reverse("claims_list", args=[code])
    unpaid = Invoice.objects.filter(programme=programme, state__in=["issued", "partial"]).count()
    assert unpaid >= 1
    assert got == {
        "Klaim draf menunggu diajukan ke BPJS": (1, claims_url + "?state=draft"),
        "Klaim draf yang dokumen wajibnya belum lengkap": (
            1,
            claims_url + "?state=draft&dokumen=kurang",
        ),
        "Klaim disetujui menunggu dicatat dibayar BPJS": (1, claims_url + "?state=approved"),
        "Impor sudah diperiksa, menunggu disimpan": (1, reverse("registry_import", args=[code])),
        "Tagihan iuran belum lunas": (
            unpaid,
            reverse("coverage_invoices", args=[code]) + "?status=belum_lunas",
        ),
    }


def test_the_links_lead_to_the_same_rows(programme, users, work, client_for):
    client = client_for(users["operator"])
    got = lines(users["operator"], programme)
    incomplete = client.get(got["Klaim draf yang dokumen wajibnya belum lengkap"][1])
    assert incomplete.status_code == 200
    assert len(incomplete.context["page"].object_list) == 1
    invoices = client.get(got["Tagihan iuran belum lunas"][1])
    assert invoices.status_code == 200
    shown = invoices.context["page"].object_list
    assert len(shown) == got["Tagihan iuran belum lunas"][0]
    assert {i.state for i in shown} <= {"issued", "partial"}


def test_the_verifikator_sees_what_to_verify_and_four_eyes(programme, users, work):
    code = programme.code
    claims_url = reverse("claims_list", args=[code])
    first = lines(users["verifikator"], programme)
    # The claim this Verifikator verified waits for someone else's approval (four eyes).
    assert first == {
        "Klaim diajukan menunggu verifikasi": (1, claims_url + "?state=submitted_to_bpjs"),
    }
    second = lines(work["second"], programme)
    assert second["Klaim terverifikasi menunggu persetujuan Anda (empat mata)"] == (
        1,
        claims_url + "?state=verified",
    )


def test_pimpinan_admin_auditor_and_the_page(programme, users, work, client_for):
    pimpinan = lines(users["pimpinan"], programme)
    assert list(pimpinan.values()) == [(None, reverse("reports_dashboard", args=[programme.code]))]
    assert lines(users["auditor"], programme) == {}
    assert lines(users["mitra_csr"], programme) == {}
    home = reverse("programme_home", args=[programme.code])
    page = client_for(users["operator"]).get(home).content.decode()
    assert 'id="todo"' in page and "Klaim draf menunggu diajukan ke BPJS" in page
    assert "?state=draft&amp;dokumen=kurang" in page
    quiet = client_for(users["auditor"]).get(home).content.decode()
    assert "Tidak ada pekerjaan yang menunggu Anda." in quiet
    # The Admin's to-do is the set-up still missing: here no PKS for the current year.
    admin = client_for(users["admin"]).get(home).content.decode()
    assert "Catat PKS tahun berjalan" in admin
    assert reverse("coverage_funders", args=[programme.code]) in admin


def test_one_query_per_app(programme, users, work):
    for role in ("operator", "verifikator"):
        with CaptureQueriesContext(connection) as ctx:
            todos(users[role], programme, role)
        assert len(ctx.captured_queries) <= 3, [q["sql"][:120] for q in ctx.captured_queries]
