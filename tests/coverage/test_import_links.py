"""Where the registry's imports and exports meet coverage: undoing an import until a billing run
used its rows, and the collective-registration export's SUMBER DANA per funder."""

from __future__ import annotations

import fastexcel
import polars as pl
import pytest

from lindung.coverage import services
from lindung.coverage.models import Enrolment
from lindung.registry import queries as registry_queries
from lindung.registry import services as registry
from lindung.registry import synthetic
from lindung.registry.models import ImportBatch, Participant, Person
from tests.actors import system

pytestmark = pytest.mark.django_db


def bpu_rows() -> pl.DataFrame:
    return synthetic.clean_rows(5, seed=4).with_columns(
        pl.lit("BPU").alias("segmen"),
        pl.lit(None, dtype=pl.String).alias("instansi"),
        pl.lit(None, dtype=pl.String).alias("upah"),
        pl.lit("1000000").alias("penghasilan"),
    )


@pytest.fixture
def imported(billing_ready, tmp_path, settings):
    """Five BPU workers imported from a file (no billing yet)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = synthetic.write_xlsx(bpu_rows(), tmp_path / "bpu.xlsx")
    result = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    assert result["created"] == 5
    return ImportBatch.objects.get(pk=result["batch"])


def test_undo_before_billing_removes_the_enrolments_too(billing_ready, imported):
    # The import enrolled its new participants (through coverage, in its transaction).
    assert Enrolment.objects.count() == 5
    assert registry.undo_refusal(imported) is None
    registry.start_undo(batch=imported, background=False, actor=system())
    registry.undo_import(imported.pk, actor=system())
    assert Enrolment.objects.count() == Participant.objects.count() == Person.objects.count() == 0


def test_undo_refused_once_a_billing_run_used_its_rows(billing_ready, imported):
    services.run_billing(billing_ready, 2025, 3, actor=system())
    why = registry.undo_refusal(imported)
    assert why is not None and "penagihan Maret 2025 sudah memakai 5 peserta" in why
    with pytest.raises(registry.ImportStateError, match="penagihan Maret 2025"):
        registry.start_undo(batch=imported, background=False, actor=system())
    assert Person.objects.count() == 5


def test_undo_of_an_update_refused_after_a_later_billing_run(billing_ready, imported, tmp_path):
    services.run_billing(billing_ready, 2025, 3, actor=system())
    # A second file changes the income tier of one worker; then April is billed.
    frame = bpu_rows().head(1).with_columns(pl.lit("2000000").alias("penghasilan"))
    path = synthetic.write_xlsx(frame, tmp_path / "ubah.xlsx")
    changed = registry.run_import(programme=billing_ready, path=path, commit=True, actor=system())
    assert changed["updated"] == 1
    batch = ImportBatch.objects.get(pk=changed["batch"])
    assert registry.undo_refusal(batch) is None  # March was billed before the change
    services.run_billing(billing_ready, 2025, 4, actor=system())
    assert "penagihan April 2025" in registry.undo_refusal(batch)


def test_kolektif_names_the_funder_who_pays(billing_ready, imported, users):
    csr = services.create_funder(
        billing_ready, code="CSR-SEMEN", name="PT Semen Gresik", kind="SC", actor=system()
    )
    sponsored, *others = list(Participant.objects.order_by("id"))
    # The import enrolled everyone on the default funder; the CSR takes one worker over.
    Enrolment.objects.filter(participant=sponsored).update(funder=csr)
    frame = registry_queries.kolektif_frame(
        users["operator"], billing_ready, "BPU", registry_queries.Filters()
    )
    by_nik = dict(zip(frame["NIK"], frame["SUMBER DANA"], strict=True))
    codes = dict(zip(frame["NIK"], frame["KODE SUMBER DANA"], strict=True))
    assert (
        by_nik[sponsored.person.nik] == "CSR PT Semen Gresik"
        and codes[sponsored.person.nik] == "SC"
    )
    for p in others:
        assert by_nik[p.person.nik] == "APBD Kota Madiun" and codes[p.person.nik] == "SG"
    # After billing, the funder of the billed month is the one named.
    services.run_billing(billing_ready, 2025, 3, actor=system())
    frame = registry_queries.kolektif_frame(
        users["operator"], billing_ready, "BPU", registry_queries.Filters()
    )
    assert dict(zip(frame["NIK"], frame["SUMBER DANA"], strict=True))[sponsored.person.nik] == (
        "CSR PT Semen Gresik"
    )


def test_kolektif_download_carries_the_column(billing_ready, imported, users, client_for):
    from django.urls import reverse

    content = client_for(users["operator"]).get(
        reverse("registry_kolektif", args=[billing_ready.code, "BPU"])
    )
    sheet = fastexcel.read_excel(content.content).load_sheet(0, header_row=2, dtypes="string")
    frame = sheet.to_polars()
    assert "SUMBER DANA" in frame.columns and "KODE SUMBER DANA" in frame.columns
    assert set(frame["SUMBER DANA"]) == {"APBD Kota Madiun"}
