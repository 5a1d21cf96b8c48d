"""Every personal-data read logged (issue 15): one access-log row per request — a list page, an
API list (with the count and the filter), an export, the audit page — however many persons it
gave; the Auditor's access report (who read how many persons when, by channel) with its xlsx
export; the retention command."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lindung.claims import services as claims_services
from lindung.core.errors import AccessDenied
from lindung.programmes.models import AccessLog
from lindung.programmes.services import prune_access_log
from tests.actors import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(billing_ready, make_participant, users):
    people = [make_participant(billing_ready, "PU", name=f"Pekerja {i:02d}") for i in range(30)]
    claims_services.create_claim(
        billing_ready, people[0], "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    AccessLog.objects.all().delete()
    return people


def _rows():
    return list(AccessLog.objects.order_by("id"))


def test_a_list_page_is_one_row_with_the_count_and_the_filter(
    billing_ready, crowd, users, client_for
):
    client = client_for(users["verifikator"])
    url = reverse("registry_list", args=[billing_ready.code])
    assert client.get(url, {"segmen": "PU"}).status_code == 200
    [log] = _rows()
    assert log.action == "list" and log.channel == "web" and log.records == 30
    assert log.user == users["verifikator"] and "Segmen: Non-ASN (Penerima Upah)" in log.detail
    client.get(url, {"q": "Pekerja 0"})
    assert len(_rows()) == 2 and _rows()[-1].records == 10


def test_api_lists_are_logged_per_call_with_count_and_filter(
    billing_ready, crowd, users, client_for
):
    client = client_for(users["verifikator"])
    for offset in (0, 20):
        answer = client.get(
            "/api/v1/participants",
            {"programme": billing_ready.code, "limit": 20, "offset": offset, "segment": "PU"},
        )
        assert answer.status_code == 200
    logs = _rows()
    assert [(log.channel, log.action, log.records) for log in logs] == [
        ("api", "list", 20),
        ("api", "list", 10),
    ]
    assert "Segmen: Non-ASN (Penerima Upah)" in logs[0].detail and "offset 20" in logs[1].detail
    client.get(f"/api/v1/programmes/{billing_ready.code}/claims")
    assert _rows()[-1].records == 1 and _rows()[-1].object_type == "claims.claim"


def test_exports_claims_list_and_audit_pages_are_logged(billing_ready, crowd, users, client_for):
    code = billing_ready.code
    auditor = client_for(users["auditor"])
    expected = [
        (reverse("registry_export", args=[code, "xlsx"]), "export", 30),
        (reverse("claims_export", args=[code]), "export", 1),
        (reverse("claims_list", args=[code]), "list", 1),
        (reverse("audit_trail", args=[code]), "list", None),
    ]
    for url, action, records in expected:
        before = AccessLog.objects.count()
        assert auditor.get(url).status_code == 200, url
        assert AccessLog.objects.count() == before + 1, url
        log = AccessLog.objects.latest("id")
        assert log.action == action and log.user == users["auditor"], url
        if records is not None:
            assert log.records == records, url
    assert AccessLog.objects.latest("id").object_type == "programmes.audit"


def test_the_auditor_reads_who_read_how_many_by_channel(billing_ready, crowd, users, client_for):
    code = billing_ready.code
    client_for(users["verifikator"]).get(reverse("registry_list", args=[code]))
    client_for(users["verifikator"]).get("/api/v1/participants", {"programme": code, "limit": 5})
    client_for(users["operator"]).get(reverse("registry_export", args=[code, "csv"]))
    auditor = client_for(users["auditor"])
    page = auditor.get(reverse("access_report", args=[code]))
    assert page.status_code == 200
    rows = {(r.user, r.channel): (r.requests, r.records) for r in page.context["rows"]}
    assert rows == {
        ("u-verifikator", "halaman"): (1, 30),
        ("u-verifikator", "API"): (1, 5),
        ("u-operator", "ekspor"): (1, 30),
    }
    book = auditor.get(reverse("access_report", args=[code]), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    cells = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert sorted((c[1], c[2], c[3], c[4]) for c in cells) == sorted(
        (user, channel, n, rec) for (user, channel), (n, rec) in rows.items()
    )
    bad = auditor.get(reverse("access_report", args=[code]), {"dari": "kemarin"})
    assert bad.status_code == 400
    assert client_for(users["pimpinan"]).get(reverse("access_report", args=[code])).status_code in (
        403,
        404,
    )


def test_retention_prunes_only_rows_older_than_the_setting(
    billing_ready, crowd, users, client_for, settings
):
    settings.LINDUNG_ACCESS_LOG_DAYS = 30
    client = client_for(users["verifikator"])
    for _ in range(3):
        client.get(reverse("registry_list", args=[billing_ready.code]))
    old = _rows()[:2]
    AccessLog.objects.filter(pk__in=[o.pk for o in old]).update(
        at=timezone.now() - timedelta(days=31)
    )
    with pytest.raises(AccessDenied):
        prune_access_log(actor=users["admin"])
    out = io.StringIO()
    call_command("accesslog", "prune", stdout=out)
    assert json.loads(out.getvalue()) == {"deleted": 2, "days": 30}
    assert len(_rows()) == 1
    assert prune_access_log(actor=system(), days=1) == 0
