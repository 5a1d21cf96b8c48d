"""The access-log page in words (issue 16): who (their name), what they did, what they read (the
kind of record and the record's own label, linked to its page — never a model label or an id),
with filters (user, date range, kind of record, action) and paging."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lindung.claims import services as claims
from lindung.programmes.models import AccessLog
from lindung.programmes.services import log_access
from tests.claims.helpers import SPOUSE, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reads(programme, users, client_for):
    """The Operator opens a person page and a claim page; the Admin lists the claims."""
    worker = make_participant(programme, name="Sri Wahyuningsih", family=[SPOUSE])
    claim = claims.create_claim(
        programme, worker, "jkm_death", date(2025, 11, 20), actor=users["operator"]
    )
    AccessLog.objects.all().delete()
    operator = client_for(users["operator"])
    code = programme.code
    assert operator.get(reverse("registry_person", args=[code, worker.pk])).status_code == 200
    assert operator.get(reverse("claims_detail", args=[code, claim.pk])).status_code == 200
    listed = client_for(users["admin"]).get(
        reverse("claims_list", args=[code]), {"type": "jkm_death"}
    )
    assert listed.status_code == 200
    return {"worker": worker, "claim": claim}


def _page(client, programme, **query):
    response = client.get(reverse("access_log", args=[programme.code]), query)
    assert response.status_code == 200
    return response


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_what_was_read_in_words_with_links(programme, users, client_for, reads):
    response = _page(client_for(users["auditor"]), programme)
    html = response.content.decode()
    text = _text(response)
    code = programme.code
    # The person page logs the person read: linked to that person's history of changes.
    person = reads["worker"].person
    person_url = reverse("record_history", args=[code, "registry.person", person.pk])
    claim_url = reverse("claims_detail", args=[code, reads["claim"].pk])
    assert f'<a href="{person_url}">Sri Wahyuningsih</a>' in html
    assert f'<a href="{claim_url}">{reads["claim"].number} (JKM — meninggal dunia)</a>' in html
    assert "Operator" in text and "Lihat" in text and "Daftar" in text
    # The list's filter in words, as its form labels it.
    assert "Jenis: JKM — meninggal dunia" in text
    for code_word in ("registry.person", "claims.claim", "type=jkm_death", "u-operator"):
        assert code_word not in text


def test_filters_by_user_kind_action_and_dates(programme, users, client_for, reads):
    auditor = client_for(users["auditor"])
    by_user = _page(auditor, programme, pengguna=users["admin"].pk)
    assert [e.user for e in by_user.context["entries"]] == ["U-Admin"]
    by_kind = _page(auditor, programme, jenis="registry.person")
    assert [e.record for e in by_kind.context["entries"]] == ["Sri Wahyuningsih"]
    viewed = _page(auditor, programme, tindakan="view")
    assert {e.action for e in viewed.context["entries"]} == {"lihat"}
    assert len(viewed.context["entries"]) == 2
    today = timezone.localdate()
    assert _page(auditor, programme, dari=today.isoformat(), sampai=today.isoformat()).context[
        "page"
    ].paginator.count == len(_page(auditor, programme).context["entries"])
    tomorrow = today + timedelta(days=1)
    assert _page(auditor, programme, dari=tomorrow.isoformat()).context["entries"] == []
    # A value that is not one of the choices is a clear refusal, not a crash.
    bad = auditor.get(reverse("access_log", args=[programme.code]), {"tindakan": "hapus"})
    assert bad.status_code == 400
    assert "tidak dikenal" in bad.content.decode()


def test_paging_keeps_the_filter(programme, users, client_for):
    for i in range(60):
        log_access(
            user=users["operator"],
            programme=programme,
            action="list",
            object_type="registry.participant",
            detail=f"halaman {i}",
        )
    auditor = client_for(users["auditor"])
    first = _page(auditor, programme, pengguna=users["operator"].pk)
    assert len(first.context["entries"]) == 50
    assert f"pengguna={users['operator'].pk}&amp;page=2" in first.content.decode()
    second = _page(auditor, programme, pengguna=users["operator"].pk, page=2)
    assert len(second.context["entries"]) == 10
    with CaptureQueriesContext(connection) as ctx:
        _page(auditor, programme, page=2)
    assert len(ctx.captured_queries) <= 16
