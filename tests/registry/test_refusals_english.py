"""An English page shows the registry's refusals in English (issue 16: English complete), also
the reason an import failed, kept with the import and shown later; Indonesian stays Indonesian."""

from __future__ import annotations

import html
import io

import pytest
from django.urls import reverse

from lindung.programmes import jobs
from lindung.registry import queries, services
from lindung.registry.models import ImportBatch
from tests.actors import system
from tests.language import page

from .conftest import one

pytestmark = pytest.mark.django_db


def test_a_refused_agency_and_upload_speak_the_pages_language(
    programme, agencies, users, client_for
):
    client = client_for(users["operator"])
    address = reverse("registry_agencies", args=[programme.code])
    duplicate = {"code": "dinkes", "name": "Dinas lagi", "kind": "opd"}
    english = page(client, address, duplicate, "en")
    assert "Agency code 'DINKES' is already in use in this programme." in english
    assert "sudah dipakai" not in english
    indonesian = page(client, address, duplicate, "id")
    assert "Kode instansi 'DINKES' sudah dipakai di program ini." in indonesian
    assert "already in use" not in indonesian

    upload = reverse("registry_import", args=[programme.code])
    wrong = io.BytesIO(b"%PDF")
    wrong.name = "daftar.pdf"
    english = page(client, upload, {"file": wrong, "kind": "participants"}, "en")
    assert "File type '.pdf' is not supported: upload .xlsx or .csv." in english
    assert "tidak didukung" not in english


def test_a_stored_failure_is_shown_in_the_pages_language(
    programme, agencies, write, users, client_for
):
    path = write([one()], "daftar.xlsx")
    batch = services.create_import(
        actor=system(), programme=programme, filename=path.name, source=path, background=False
    )
    job = jobs.Job.objects.create(programme=programme, kind="registry.import.check", label="cek")
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.VALIDATING, validate_job=job
    )
    services.recover_abandoned_job(job)  # the worker died while checking the file
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED
    assert batch.message.startswith("Pemeriksaan terhenti karena pekerja latar berhenti.")
    client = client_for(users["operator"])
    address = reverse("registry_import_batch", args=[programme.code, batch.pk])
    english = page(client, address, language="en")
    assert "The check stopped because the background worker stopped." in english
    assert "Pemeriksaan terhenti" not in english
    indonesian = page(client, address, language="id")
    assert "Pemeriksaan terhenti karena pekerja latar berhenti." in indonesian
    assert "background worker" not in indonesian

    # An import that failed before the English was kept shows its Indonesian on both pages,
    # and an English kept for an earlier failure never stands in for a newer message.
    ImportBatch.objects.filter(pk=batch.pk).update(message="Impor lama gagal dibaca.")
    english = page(client, address, language="en")
    assert "Impor lama gagal dibaca." in english
    assert "The check stopped" not in english


def test_an_import_that_cannot_be_undone_says_why_in_english(
    programme, agencies, write, run, users, client_for
):
    batch = ImportBatch.objects.get(pk=run(write([one()], "awal.xlsx"))["batch"])
    (services.queries.import_dir(batch) / "undo" / "meta.json").unlink()
    why = services.undo_refusal(batch)
    assert why.startswith("Impor ini tidak dapat dibatalkan: catatan perubahannya tidak ada")
    client = client_for(users["operator"])
    address = reverse("registry_import_batch", args=[programme.code, batch.pk])
    english = page(client, address, language="en")
    assert "This import cannot be undone: its record of changes is missing" in english
    assert "catatan perubahannya" not in english
    # Asking anyway is refused with the same sentence, as a message on the batch page.
    undo = reverse("registry_import_undo", args=[programme.code, batch.pk])
    refused = client.post(undo, follow=True)
    assert refused.redirect_chain[-1][0] == address
    shown = html.unescape(refused.content.decode())
    assert shown.count("This import cannot be undone: its record of changes is missing") == 2
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED


def test_a_file_that_cannot_be_read_says_why_in_english(programme, agencies, tmp_path):
    """The reader's refusals (run in the limited child) keep their English through the child
    into the failed import."""
    from lindung.registry.reading import UnreadableFile, read_table

    empty = tmp_path / "kosong.csv"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_table(empty, "participants")
    assert str(caught.value) == "Berkas CSV kosong."
    assert caught.value.message_en == "The CSV file is empty."

    batch = services.create_import(
        actor=system(), programme=programme, filename=empty.name, source=empty, background=False
    )
    with pytest.raises(services.UnreadableImport) as refused:
        services.read_import(batch.pk)
    assert refused.value.message_en == "The CSV file is empty."
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED
    assert queries.failure(batch, "id") == "Berkas CSV kosong."
    assert queries.failure(batch, "en") == "The CSV file is empty."
