"""The access log for the Auditor (issue 16): in the Auditor's menu, and a participant list's
filters recorded in words (the agency's name, the segment and status in words), never as codes
such as "instansi=34"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lindung.programmes.models import AccessLog
from lindung.registry.models import Agency
from tests.claims.helpers import make_participant

pytestmark = pytest.mark.django_db


def test_the_access_log_is_in_the_auditors_menu(programme, users, client_for):
    address = reverse("access_log", args=[programme.code])
    for role in ("auditor", "admin"):
        home = client_for(users[role]).get(reverse("programme_home", args=[programme.code]))
        assert f'href="{address}"' in home.content.decode(), role
        assert client_for(users[role]).get(address).status_code == 200
    operator = client_for(users["operator"]).get(reverse("programme_home", args=[programme.code]))
    assert f'href="{address}"' not in operator.content.decode()


def test_a_list_read_is_logged_with_labels_not_codes(programme, users, client_for):
    agency = Agency.objects.create(programme=programme, code="DINKES", name="Dinas Kesehatan")
    worker = make_participant(programme, "PU")
    worker.agency = agency
    worker.save()
    listing = reverse("registry_list", args=[programme.code])
    page = client_for(users["operator"]).get(
        listing, {"instansi": str(agency.pk), "segmen": "PU", "status": "active"}
    )
    assert page.status_code == 200
    entry = AccessLog.objects.filter(object_type="registry.participant").latest("pk")
    assert "Instansi: Dinas Kesehatan" in entry.detail, entry.detail
    assert "Segmen: Non-ASN (Penerima Upah)" in entry.detail and "Status: aktif" in entry.detail
    assert f"instansi={agency.pk}" not in entry.detail and "segmen=PU" not in entry.detail

    log = client_for(users["auditor"]).get(reverse("access_log", args=[programme.code]))
    text = log.content.decode()
    assert "Instansi: Dinas Kesehatan" in text and f"instansi={agency.pk}" not in text
