"""UU PDP data-subject access (issue 15): everything held on one person, as JSON or xlsx, from
the person page for the Admin and from the command line; nothing about anyone else."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from lindung.claims import services as claims_services
from lindung.coverage import services as coverage_services
from lindung.programmes.models import AccessLog
from lindung.registry.models import FamilyMember
from tests.actors import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject_world(billing_ready, make_participant, users):
    worker = make_participant(billing_ready, "PU", name="Budi Santoso")
    other = make_participant(billing_ready, "PU", name="Orang Lain")
    FamilyMember.objects.create(
        programme=billing_ready,
        participant=worker,
        relationship="spouse",
        full_name="Siti Istri Budi",
        nik="3577015203900002",
        birth_date=date(1990, 3, 12),
        sex="P",
    )
    coverage_services.run_billing(billing_ready, 2025, 3, actor=system())
    claim = claims_services.create_claim(
        billing_ready, worker, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    return {"worker": worker, "other": other, "claim": claim}


def test_the_admin_exports_everything_on_one_person(
    billing_ready, subject_world, users, client_for
):
    worker, other = subject_world["worker"], subject_world["other"]
    admin = client_for(users["admin"])
    page = admin.get(reverse("registry_person", args=[billing_ready.code, worker.pk]))
    assert "permintaan subjek data" in page.text
    url = reverse("registry_subject", args=[billing_ready.code, worker.pk, "json"])
    answer = admin.get(url)
    assert answer.status_code == 200
    data = json.loads(answer.content)
    sections = data["bagian"]
    assert data["nik"] == worker.person.nik
    assert sections["Data diri"][0]["full_name"] == "Budi Santoso"
    text = json.dumps(sections, ensure_ascii=False)
    for expected in ("Siti Istri Budi", subject_world["claim"].number, "2025-03"):
        assert expected in text
    assert len(sections) >= 6  # family, enrolments, coverage months, claims, heirs, history …
    assert any(row["tabel"] for row in sections["Riwayat perubahan"])
    assert other.person.nik not in text and "Orang Lain" not in text
    log = AccessLog.objects.latest("id")
    assert log.action == "export" and log.object_id == str(worker.person_id)
    book = admin.get(reverse("registry_subject", args=[billing_ready.code, worker.pk, "xlsx"]))
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert sheets[0] == "Ringkasan" and "Data diri" in sheets and "Log akses" in sheets


@pytest.mark.parametrize("role", ["operator", "verifikator", "pimpinan", "auditor"])
def test_only_the_admin_may(billing_ready, subject_world, users, client_for, role):
    url = reverse("registry_subject", args=[billing_ready.code, subject_world["worker"].pk, "json"])
    assert client_for(users[role]).get(url).status_code in (403, 404)


def test_the_command_line_export(billing_ready, subject_world, tmp_path):
    nik = subject_world["worker"].person.nik
    out = io.StringIO()
    call_command("subject", "--programme", billing_ready.code, "--nik", nik, stdout=out)
    assert json.loads(out.getvalue())["nama"] == "Budi Santoso"
    target = tmp_path / "subjek.xlsx"
    call_command(
        "subject", "--programme", billing_ready.code, "--nik", nik, "--format", "xlsx",
        "--out", str(target), stdout=io.StringIO(),
    )  # fmt: skip
    assert openpyxl.load_workbook(target).sheetnames[0] == "Ringkasan"
    assert AccessLog.objects.filter(channel="cli", action="export").count() == 2
    missing = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "subject", "--programme", billing_ready.code, "--nik", "1" * 16, stdout=missing
        )
    assert "tidak ada di program ini" in json.loads(missing.getvalue())["error"]["message_id"]
