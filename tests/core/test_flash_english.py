"""A clerk who chose English reads the confirmation of what they just did in English (issue #16:
English complete): the flash messages written in the views go through the catalogue, the words
from the database (names, numbers, amounts) stay as they are, a state follows the language; the
Indonesian page keeps the Indonesian sentence."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lindung.claims import services as claims
from lindung.core.formatting import rupiah
from lindung.coverage import services as coverage
from lindung.coverage.models import Invoice
from tests.actors import system
from tests.claims.helpers import SPOUSE, ensure_billing, make_participant
from tests.language import post

pytestmark = pytest.mark.django_db


def test_a_recorded_payment_is_confirmed_in_english(programme, users, client_for):
    ensure_billing(programme, [2025])
    make_participant(programme, start=date(2025, 1, 1), name="Budi Santoso")
    coverage.run_billing(programme, 2025, 3, actor=system())
    invoice = Invoice.objects.get(programme=programme, funder__code="APBD")
    half = invoice.total // 2
    address = reverse("coverage_record_payment", args=[programme.code, invoice.pk])
    client = client_for(users["operator"])

    english = post(
        client, address, {"amount": half, "paid_on": "2025-04-02", "reference": "A"}, "en"
    )
    assert f"Payment of {rupiah(half)} recorded." in english
    assert "dicatat" not in english

    rest = invoice.total - half
    indonesian = post(
        client, address, {"amount": rest, "paid_on": "2025-04-03", "reference": "B"}, "id"
    )
    assert f"Pembayaran {rupiah(rest)} dicatat." in indonesian
    assert "recorded." not in indonesian
    assert sum(invoice.payments.values_list("amount", flat=True)) == invoice.total

    cancel = reverse("coverage_cancel_invoice", args=[programme.code, invoice.pk])
    english = post(client_for(users["admin"]), cancel, {"reason": ""}, "en")
    assert "A reason for the cancellation is required." in english
    assert "wajib diisi" not in english


def test_a_new_user_and_the_temporary_password_note_are_english(programme, users, client_for):
    admin = client_for(users["admin"])
    create = reverse("user_create", args=[programme.code])
    data = {"username": "budi.santoso", "full_name": "Budi Santoso", "role": "operator"}
    english = post(admin, create, data, "en")
    assert "User budi.santoso created." in english
    assert "dibuat." not in english
    temporary = english.split('id="temporary-password" class="big">')[1].split("<")[0]

    # Budi logs in with the temporary password on an English page: told to choose his own.
    budi = Client()
    budi.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert budi.post(reverse("login"), {"username": "budi.santoso", "password": temporary})
    page = html.unescape(
        budi.get(reverse("programme_home", args=[programme.code]), follow=True).content.decode()
    )
    assert "You logged in with a temporary password: create your own password first." in page
    assert "kata sandi sementara" not in page

    data = {"username": "sri.wahyuni", "full_name": "Sri Wahyuni", "role": "verifikator"}
    indonesian = post(admin, create, data, "id")
    assert "Pengguna sri.wahyuni dibuat." in indonesian
    assert "created." not in indonesian


def test_claim_steps_are_confirmed_in_english(programme, users, client_for):
    participant = make_participant(programme, family=[SPOUSE], name="Agus Salim")
    claim = claims.create_claim(
        programme, participant, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    client = client_for(users["operator"])
    heir = {"full_name": "Sutrisno", "relationship": "parent", "entitled": "on"}
    heir["reason"] = "sesuai surat keterangan ahli waris kelurahan"
    add = reverse("claims_heir_add", args=[programme.code, claim.pk])
    english = post(client, add, heir, "en")
    assert "Heir added." in english
    assert "Ahli waris ditambahkan." not in english
    assert claim.heirs.filter(full_name="Sutrisno").count() == 1

    document = claim.documents.filter(instalment=None).first()
    mark = reverse("claims_document", args=[programme.code, document.pk])
    english = post(client, mark, {"received": "1"}, "en")
    assert f"{document.label}: marked as received." in english
    assert "ditandai diterima" not in english
    indonesian = post(client, mark, {"received": "0"}, "id")
    assert f"{document.label}: ditandai belum diterima." in indonesian
    assert "marked as" not in indonesian


def test_a_participant_status_is_confirmed_with_its_english_label(programme, users, client_for):
    participant = make_participant(programme, name="Joko Widodo")
    address = reverse("registry_status", args=[programme.code, participant.pk])
    english = post(client_for(users["operator"]), address, {"status": "died"}, "en")
    assert "Participant status: deceased." in english
    assert "Status peserta" not in english and "meninggal." not in english
