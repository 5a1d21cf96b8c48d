"""What the audit trail and a refusal show are words, in the page's language: a claim
document's kind by its name, a stored snapshot folded as stored data (never a dict on the page),
and a 403 in English on an English page (issue 16's page walk)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lindung.claims.models import Document
from lindung.core import formatting
from lindung.core.templatetags.lindung import nilai
from lindung.programmes import audit
from lindung.programmes.models import Role
from lindung.programmes.permissions import denied

pytestmark = pytest.mark.django_db


def test_a_refusal_says_in_both_languages_what_the_role_may_not_do():
    refusal = denied("participant.import", Role.PIMPINAN)
    assert str(refusal) == "Peran Anda (Pimpinan) tidak mengizinkan mengimpor data peserta."
    assert refusal.message_en == (
        "Your role (Head (Pimpinan)) does not allow importing participants' data."
    )
    assert "participant.import" not in refusal.message_en


def test_the_403_page_follows_the_chosen_language(programme, users, client_for):
    client = client_for(users["pimpinan"])
    url = reverse("registry_import", args=[programme.code])
    indonesian = client.get(url)
    assert indonesian.status_code == 403
    assert "tidak mengizinkan mengimpor data peserta" in indonesian.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "does not allow importing participants&#x27; data" in english
    assert "Peran Anda" not in english and "participant.import" not in english


def test_document_kinds_and_snapshots_read_as_words_in_the_audit_trail():
    translation.activate("id")
    changes = audit._diff(Document, {"code": "akta_kematian"}, {"code": "kartu_keluarga"})
    ((_name, old, new),) = changes
    assert (old, new) == ("Kartu Keluarga (KK)", "Akta kematian / surat keterangan kematian")
    assert audit._title(Document, {"id": 7, "code": "kartu_pelajar"}) == (
        "Kartu identitas anak / kartu pelajar"
    )
    shown = nilai(formatting.Stored({"paid_months": 36, "eligible": True}))
    assert shown.startswith('<details class="stored"><summary>')
    assert "data tersimpan" in shown and "&quot;paid_months&quot;: 36" in shown
