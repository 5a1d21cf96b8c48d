"""A clerk who chose English meets the claims' refusals in English (issue #16: English complete);
the Indonesian page keeps the Indonesian sentence."""

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.claims import services
from lindung.claims.errors import ClaimError
from lindung.claims.models import Claim

from .helpers import SPOUSE, make_participant

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def claim(programme, users):
    p = make_participant(programme, family=[SPOUSE])
    return services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )


def _client(client_for, users, language):
    client = client_for(users["operator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_a_refused_upload_reads_in_the_chosen_language(programme, claim, users, client_for):
    doc = claim.documents.get(code="akta_kematian", instalment=None)
    url = f"/p/{programme.code}/klaim/dokumen/{doc.pk}/"
    upload = {"file": SimpleUploadedFile("akta.pdf", EXE)}

    english = _client(client_for, users, "en").post(url, upload, follow=True).text
    assert "content is not PDF, JPEG or PNG (detected: Windows program (EXE/DLL))" in english
    assert "bukan PDF" not in english and "terdeteksi" not in english

    upload = {"file": SimpleUploadedFile("akta.pdf", EXE)}
    indonesian = _client(client_for, users, "id").post(url, upload, follow=True).text
    assert "Isi berkas bukan PDF, JPEG atau PNG (terdeteksi: program Windows (EXE/DLL))" in (
        indonesian
    )
    assert "content is not PDF" not in indonesian


def test_a_refused_step_reads_in_the_chosen_language(programme, claim, users, client_for):
    """BPJS's amounts on a claim not yet submitted to BPJS are refused, in the page's language."""
    url = f"/p/{programme.code}/klaim/{claim.pk}/bpjs/"
    data = {"bpjs_decided": "42000000", "bpjs_paid": "42000000"}

    english = _client(client_for, users, "en").post(url, data, follow=True).text
    assert "The amount from BPJS is recorded after the claim has been submitted to BPJS." in (
        english
    )
    assert "dicatat setelah klaim diajukan" not in english

    indonesian = _client(client_for, users, "id").post(url, data, follow=True).text
    assert "Jumlah dari BPJS dicatat setelah klaim diajukan ke BPJS." in indonesian
    assert "The amount from BPJS" not in indonesian
    assert Claim.objects.get(pk=claim.pk).bpjs_paid is None


def test_a_wrong_amount_names_its_field_in_english(claim, users):
    """The English sentence names the field in words, not by its code."""
    with pytest.raises(ClaimError) as caught:
        services.update_claim(claim, actor=users["operator"], wage="dua juta")
    assert caught.value.message_en == (
        "Wage/income tier (Rp) must be a whole number of rupiah, e.g. 2500000."
    )
    assert caught.value.in_language("id") == (
        "Upah/tingkat penghasilan (Rp) harus bilangan bulat rupiah, mis. 2500000."
    )


def test_an_upload_without_a_file_reads_in_the_chosen_language(programme, claim, users, client_for):
    doc = claim.documents.get(code="akta_kematian", instalment=None)
    url = f"/p/{programme.code}/klaim/dokumen/{doc.pk}/"
    english = _client(client_for, users, "en").post(url, {}, follow=True).text
    assert "Choose a file to upload." in english and "Pilih berkas" not in english
    indonesian = _client(client_for, users, "id").post(url, {}, follow=True).text
    assert "Pilih berkas untuk diunggah." in indonesian and "Choose a file" not in indonesian
