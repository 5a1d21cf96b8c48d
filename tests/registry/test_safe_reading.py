"""No file can kill the worker (issue 15, the reader's part): a crafted workbook, a declared
giant sheet, an oversized upload or too many rows each end the import with one clear message."""

from __future__ import annotations

import os
import zipfile

import pytest

from lindung.programmes import jobs
from lindung.registry import services
from lindung.registry.models import ImportBatch
from tests.actors import system

from .conftest import one

pytestmark = pytest.mark.django_db

SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>nik</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)


def far_cells(path, dimension: str = ""):
    """The 1.4 KB workbook of the report: cells only at A1 and XFD1048576."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
            'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas'
            '.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
            'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": SHEET.format(dimension=dimension),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def test_cells_at_a1_and_xfd1048576_end_with_a_message_not_a_dead_worker(programme, tmp_path):
    path = far_cells(tmp_path / "kecil.xlsx")
    assert path.stat().st_size < 2_000
    batch = services.create_import(
        actor=system(), programme=programme, filename=path.name, source=path, background=False
    )
    worker = os.getpid()
    job = jobs.Job.objects.create(programme=programme, kind="registry.import.read", label="baca")
    done = jobs.run_job_now(
        job, "lindung.registry.services.read_import_job", {"batch_id": str(batch.pk)}
    )
    assert os.getpid() == worker  # the process that ran the job is alive
    assert done.state == jobs.Job.State.FAILED
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED
    assert "memori melebihi batas" in batch.message


def test_a_declared_giant_sheet_is_refused_before_reading(programme, tmp_path):
    path = far_cells(tmp_path / "dimensi.xlsx", dimension='<dimension ref="A1:XFD1048576"/>')
    with pytest.raises(services.UnreadableImport, match="menyatakan ukuran 1.048.576 baris"):
        services.run_import(programme=programme, path=path, commit=False, actor=system())


def test_the_worker_goes_on_after_a_bad_file(programme, agencies, write, tmp_path):
    with pytest.raises(services.UnreadableImport):
        services.run_import(
            actor=system(), programme=programme, path=far_cells(tmp_path / "a.xlsx"), commit=False
        )
    result = services.run_import(
        actor=system(), programme=programme, path=write([one()], "b.xlsx"), commit=False
    )
    assert result["created"] == 1


def test_upload_size_cap(programme, tmp_path, settings):
    settings.LINDUNG_UPLOAD_MAX_MB = 1
    path = tmp_path / "besar.csv"
    path.write_bytes(b"nik;nama\n" + b"3577014101900001;SITI AMINAH\n" * 60_000)
    with pytest.raises(services.UnreadableImport, match="batas unggahan 1 MB"):
        services.create_import(
            actor=system(), programme=programme, filename=path.name, source=path, background=False
        )
    assert not ImportBatch.objects.exists()


def test_row_cap(programme, agencies, write, settings):
    settings.LINDUNG_IMPORT_MAX_ROWS = 3
    rows = [one(nik=f"357701410190{n:04d}") for n in range(1, 6)]
    with pytest.raises(services.UnreadableImport, match="paling banyak 3 baris per impor"):
        services.run_import(
            actor=system(), programme=programme, path=write(rows, "lima.xlsx"), commit=False
        )
