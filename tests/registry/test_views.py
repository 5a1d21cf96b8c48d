"""Registry pages: list, person, forms, agencies, exports, import flow, duplicates; scoping,
masking and the access log."""

from __future__ import annotations

import io
from datetime import date

import fastexcel
import pytest
from django.test import override_settings
from django.urls import reverse

from lindung.programmes.models import AccessLog, Role
from lindung.registry import services
from lindung.registry.models import ImportBatch, Participant, Person, PossibleDuplicate

from .conftest import one, pu, rows

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(programme, agencies, write, run):
    run(write([one(), pu(), *rows(8, start=100)], "awal.xlsx"))
    return {p.person.nik: p for p in Participant.objects.select_related("person")}


def url(name, programme, *args, **query):
    out = reverse(name, args=[programme.code, *args])
    if query:
        from urllib.parse import urlencode

        out += "?" + urlencode(query)
    return out


def test_menu_has_registry_entries(programme, users, client_for):
    html = (
        client_for(users["operator"])
        .get(reverse("programme_home", args=[programme.code]))
        .content.decode()
    )
    for label in ("Peserta", "Impor", "Instansi", "Duplikat"):
        assert f">{label}</a>" in html
    html = (
        client_for(users["auditor"])
        .get(reverse("programme_home", args=[programme.code]))
        .content.decode()
    )
    assert ">Peserta</a>" in html and ">Impor</a>" not in html


def test_list_search_and_filters(programme, people, users, client_for, agencies):
    client = client_for(users["operator"])
    html = client.get(url("registry_list", programme)).content.decode()
    assert "10 peserta" in html and "3577014101900001" in html
    assert (
        "SITI AMINAH"
        in client.get(url("registry_list", programme, q="3577014101")).content.decode()
    )
    by_name = client.get(url("registry_list", programme, q="budi santoso")).content.decode()
    assert "1 peserta" in by_name and "BUDI SANTOSO" in by_name
    assert (
        "SITI AMINAH"
        in client.get(url("registry_list", programme, q="3577010101080001")).content.decode()
    )
    pu_only = client.get(url("registry_list", programme, segmen="PU")).content.decode()
    assert "BUDI SANTOSO" in pu_only and "SITI AMINAH" not in pu_only
    dinkes = client.get(
        url("registry_list", programme, instansi=agencies["DINKES"].pk)
    ).content.decode()
    assert "BUDI SANTOSO" in dinkes
    kel = client.get(url("registry_list", programme, kelurahan="35.77.01.1001")).content.decode()
    assert "SITI AMINAH" in kel and "BUDI SANTOSO" not in kel
    assert (
        "0 peserta" in client.get(url("registry_list", programme, status="died")).content.decode()
    )


def test_list_paginates(programme, agencies, write, run, users, client_for):
    run(write(rows(60), "banyak.xlsx"))
    client = client_for(users["operator"])
    first = client.get(url("registry_list", programme)).content.decode()
    assert "Halaman 1 dari 2" in first
    assert (
        "Halaman 2 dari 2"
        in client.get(url("registry_list", programme, page=2, segmen="")).content.decode()
    )


@pytest.mark.parametrize(
    ("role", "masked"),
    [
        (Role.ADMIN, False),
        (Role.OPERATOR, False),
        (Role.VERIFIKATOR, False),
        (Role.PIMPINAN, True),
        (Role.AUDITOR, True),
    ],
)
def test_nik_masked_for_roles_without_nik_full(programme, people, users, client_for, role, masked):
    client = client_for(users[role.value])
    participant = people["3577014101900001"]
    for page in (
        url("registry_list", programme),
        url("registry_person", programme, participant.pk),
    ):
        html = client.get(page).content.decode()
        assert ("3577014101900001" not in html) is masked
        assert ("3577••••••••0001" in html) is masked


def test_person_view_is_logged(programme, people, users, client_for):
    participant = people["3577014101900001"]
    response = client_for(users["pimpinan"]).get(url("registry_person", programme, participant.pk))
    assert response.status_code == 200
    log = AccessLog.objects.get(action="view")
    assert log.user == users["pimpinan"] and log.programme == programme
    assert log.object_type == "registry.person" and log.object_id == str(participant.person_id)


def test_cross_programme_isolation(programme, other_programme, people, make_user, client_for):
    outsider = make_user("orang-luar", other_programme, Role.ADMIN)
    client = client_for(outsider)
    participant = people["3577014101900001"]
    assert client.get(url("registry_list", programme)).status_code == 404
    assert client.get(url("registry_person", programme, participant.pk)).status_code == 404
    # Through their own programme, the id of another programme's participant is not found either.
    assert client.get(url("registry_person", other_programme, participant.pk)).status_code == 404
    assert "0 peserta" in client.get(url("registry_list", other_programme)).content.decode()
    assert client.get(url("registry_export", other_programme, "xlsx")).status_code == 200
    assert AccessLog.objects.filter(programme=programme).count() == 0


def test_mitra_csr_sees_nobody_until_sponsorships_scope_them(programme, people, users, client_for):
    client = client_for(users["mitra_csr"])
    assert "0 peserta" in client.get(url("registry_list", programme)).content.decode()
    assert (
        client.get(url("registry_person", programme, people["3577014101900001"].pk)).status_code
        == 404
    )


def test_add_form_uses_the_import_checks(programme, agencies, users, client_for):
    client = client_for(users["operator"])
    assert client.get(url("registry_add", programme)).status_code == 200
    bad = {**{k: v or "" for k, v in one().items()}, "tanggal_lahir": "1990-02-30"}
    response = client.post(url("registry_add", programme), bad)
    assert response.status_code == 200
    assert "bukan tanggal yang sah" in response.content.decode()
    assert Person.objects.count() == 0
    # A birth date that disagrees with the NIK's date part is saved, with the warning shown.
    corrected = {**bad, "tanggal_lahir": "1990-01-02"}
    response = client.post(url("registry_add", programme), corrected, follow=True)
    participant = Participant.objects.get()
    assert participant.person.birth_date == date(1990, 1, 2)
    assert "Peringatan:" in response.content.decode()
    assert "tidak sama dengan tanggal lahir" in response.content.decode()
    participant.person.delete()
    good = {**bad, "tanggal_lahir": "1990-01-01"}
    response = client.post(url("registry_add", programme), good)
    participant = Participant.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "registry_person", programme, participant.pk
    )
    assert participant.person.history.get().history_user == users["operator"]
    again = client.post(url("registry_add", programme), good)
    assert "sudah terdaftar" in again.content.decode()


def test_edit_form_keeps_history(programme, people, users, client_for):
    participant = people["3577020203850002"]
    client = client_for(users["admin"])
    page = client.get(url("registry_edit", programme, participant.pk)).content.decode()
    assert 'value="3577020203850002"' in page
    data = {
        **{k: v or "" for k, v in pu().items()},
        "upah": "2.600.000",
        "tanggal_lahir": "1985-03-02",
    }
    response = client.post(url("registry_edit", programme, participant.pk), data)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.monthly_wage == 2_600_000
    assert participant.history.order_by("-history_id").first().history_type == "~"


def test_edit_and_import_forbidden_for_read_only_roles(programme, people, users, client_for):
    participant = people["3577014101900001"]
    client = client_for(users["auditor"])
    assert client.get(url("registry_add", programme)).status_code == 403
    assert client.get(url("registry_edit", programme, participant.pk)).status_code == 403
    assert client.get(url("registry_import", programme)).status_code == 403
    assert (
        client.post(
            url("registry_agencies", programme), {"code": "X", "name": "Y", "kind": "opd"}
        ).status_code
        == 404
    )


def test_status_change(programme, people, users, client_for):
    participant = people["3577014101900001"]
    client = client_for(users["operator"])
    client.post(
        url("registry_status", programme, participant.pk),
        {"status": "died", "note": "meninggal 3 Mei"},
    )
    participant.refresh_from_db()
    assert participant.status == "died" and participant.end_date is not None
    assert (
        participant.history.order_by("-history_id").first().history_change_reason
        == "meninggal 3 Mei"
    )


def test_family_members(programme, people, users, client_for):
    participant = people["3577014101900001"]
    client = client_for(users["operator"])
    data = {
        "hubungan": "child",
        "nama": "AHMAD FAUZI",
        "nik": "3577010505150001",
        "tanggal_lahir": "2015-05-05",
        "jenis_kelamin": "L",
        "jenjang": "SD",
        "kelas": "4",
        "menikah": "T",
        "bekerja": "T",
        "hidup": "Y",
        "no_hp": "",
    }
    bad = client.post(
        url("registry_family_add", programme, participant.pk),
        {**data, "tanggal_lahir": "2015-02-30"},
    )
    assert "bukan tanggal yang sah" in bad.content.decode()
    assert not participant.family_members.exists()
    response = client.post(url("registry_family_add", programme, participant.pk), data)
    assert response.status_code == 302
    member = participant.family_members.get()
    assert (
        member.relationship == "child"
        and member.education_level == "SD"
        and member.year_in_level == 4
    )
    html = client.get(url("registry_person", programme, participant.pk)).content.decode()
    assert "AHMAD FAUZI" in html and "anak" in html


def test_agencies_page(programme, agencies, users, client_for):
    client = client_for(users["operator"])
    assert "DINKES" in client.get(url("registry_agencies", programme)).content.decode()
    response = client.post(
        url("registry_agencies", programme), {"code": "dishub2", "name": "Dishub 2", "kind": "opd"}
    )
    assert response.status_code == 302
    again = client.post(
        url("registry_agencies", programme), {"code": "DISHUB2", "name": "lagi", "kind": "opd"}
    )
    assert "sudah dipakai" in again.content.decode()


def test_exports_are_logged_and_masked_per_role(programme, people, users, client_for):
    response = client_for(users["operator"]).get(
        url("registry_export", programme, "xlsx", segmen="BPU")
    )
    assert response.status_code == 200
    sheet = (
        fastexcel.read_excel(io.BytesIO(response.content).getvalue())
        .load_sheet(0, dtypes="string")
        .to_polars()
    )
    assert "3577014101900001" in sheet["nik"].to_list()
    assert set(sheet["segmen"].to_list()) == {"BPU"}
    log = AccessLog.objects.get(action="export")
    assert (
        log.user == users["operator"]
        and f"{sheet.height} baris" in log.detail
        and "Segmen: Pekerja rentan (Bukan Penerima Upah)" in log.detail
    )
    csv = (
        client_for(users["auditor"])
        .get(url("registry_export", programme, "csv"))
        .content.decode("utf-8-sig")
    )
    assert "3577••••••••0001" in csv and "3577014101900001" not in csv
    assert csv.splitlines()[0].startswith("nik;nama;")
    assert AccessLog.objects.filter(action="export").count() == 2
    assert (
        client_for(users["pimpinan"]).get(url("registry_export", programme, "csv")).status_code
        == 403
    )


def test_exported_list_reimports_unchanged(programme, people, users, client_for, tmp_path, run):
    response = client_for(users["operator"]).get(url("registry_export", programme, "xlsx"))
    path = tmp_path / "ekspor.xlsx"
    path.write_bytes(response.content)
    result = run(path, commit=False)
    assert result["rejected"] == 0 and result["unchanged"] == 10


def test_kolektif_export(programme, people, users, client_for):
    response = client_for(users["operator"]).get(url("registry_kolektif", programme, "pu"))
    assert response.status_code == 200
    sheet = (
        fastexcel.read_excel(response.content)
        .load_sheet(0, header_row=2, dtypes="string")
        .to_polars()
    )
    assert sheet.columns[:4] == ["NO", "NIK", "NAMA LENGKAP", "TEMPAT LAHIR"]
    assert "UPAH" in sheet.columns and "UNIT KERJA" in sheet.columns
    budi = sheet.filter(sheet["NIK"] == "3577020203850002").row(0, named=True)
    assert budi["UNIT KERJA"] == "Dinas Kesehatan" and budi["PROGRAM"] == "JKK, JKM"
    bpu = client_for(users["operator"]).get(url("registry_kolektif", programme, "bpu"))
    sheet = (
        fastexcel.read_excel(bpu.content).load_sheet(0, header_row=2, dtypes="string").to_polars()
    )
    siti = sheet.filter(sheet["NIK"] == "3577014101900001").row(0, named=True)
    assert siti["KELURAHAN/DESA"] == "Oro-oro Ombo" and siti["KECAMATAN"] == "Kartoharjo"
    assert AccessLog.objects.filter(action="export", detail__contains="kolektif").count() == 2


def test_template_download(programme, agencies, users, client_for):
    response = client_for(users["operator"]).get(
        url("registry_import_template", programme, "peserta")
    )
    reader = fastexcel.read_excel(response.content)
    assert reader.sheet_names == ["Peserta", "Petunjuk", "Kode wilayah", "Instansi"]
    headers = reader.load_sheet(0).to_polars().columns
    assert headers[:5] == ["nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"]
    codes = reader.load_sheet("Kode wilayah", dtypes="string").to_polars()
    assert codes.height == 27 and "35.77.01.1001" in codes["kode_kelurahan"].to_list()
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(response.content))["Peserta"]
    assert (
        ws.column_dimensions["A"].number_format
        if hasattr(ws.column_dimensions["A"], "number_format")
        else True
    )
    family = client_for(users["operator"]).get(
        url("registry_import_template", programme, "keluarga")
    )
    assert fastexcel.read_excel(family.content).sheet_names == ["Keluarga", "Petunjuk"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=IMMEDIATE)
def test_upload_preview_commit_through_the_pages(programme, agencies, write, users, client_for):
    client = client_for(users["operator"])
    path = write([one(), dict.fromkeys(one()), pu(), one(nik="123")], "unggah.xlsx")
    with path.open("rb") as fh:
        response = client.post(
            url("registry_import", programme), {"file": fh, "kind": "participants"}
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "registry_import_batch", programme, batch.pk
    )
    # The file is read; the mapping step shows each column with its guessed field.
    assert batch.state == ImportBatch.State.MAPPING and batch.validate_job.state == "done"
    html = client.get(response["Location"]).content.decode()
    assert 'id="mapping"' in html and "Periksa data" in html
    assert 'value="nik" selected' in html
    columns = [h for h in batch.info["headers"]]
    post = {f"col-{i}": batch.mapping["columns"].get(h, "") for i, h in enumerate(columns)}
    response = client.post(url("registry_import_mapping", programme, batch.pk), post)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALIDATED and batch.validate_job.state == "done"
    html = client.get(response["Location"]).content.decode()
    assert (
        'data-count="rows">3<' in html
        and 'data-count="created">2<' in html
        and 'data-count="rejected">1<' in html
    )
    assert 'data-count="blank">1<' in html
    assert "NIK harus 16 digit, yang diisi 3 digit." in html
    assert "<progress" in html
    # The rejected rows download is logged.
    rejected = client.get(url("registry_import_rejected", programme, batch.pk))
    assert rejected.status_code == 200 and AccessLog.objects.filter(action="download").count() == 1
    assert b"".join(rejected.streaming_content)[:2] == b"PK"
    # Read-only roles cannot commit.
    assert (
        client_for(users["auditor"])
        .post(url("registry_import_commit", programme, batch.pk))
        .status_code
        == 403
    )
    client.post(url("registry_import_commit", programme, batch.pk))
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED and (
        batch.created,
        batch.updated,
        batch.unchanged,
    ) == (2, 0, 0)
    assert batch.commit_job.state == "done"
    html = client.get(url("registry_import_batch", programme, batch.pk)).content.decode()
    assert "Tersimpan" in html and 'data-count="created">2<' in html
    # Polling answers a refresh when the state changed.
    status = client.get(
        url("registry_import_status", programme, batch.pk, state="validating"),
        HTTP_HX_REQUEST="true",
    )
    assert status.status_code == 200 and status["HX-Refresh"] == "true"
    assert (
        client.get(
            url("registry_import_status", programme, batch.pk, state="committed")
        ).status_code
        == 204
    )


def test_unreadable_upload_shows_why(
    programme, users, client_for, django_capture_on_commit_callbacks
):
    client = client_for(users["operator"])
    bad = io.BytesIO(b"not a workbook")
    bad.name = "rusak.xlsx"
    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("registry_import", programme), {"file": bad, "kind": "participants"}
        )
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED
    html = client.get(response["Location"]).content.decode()
    assert "tidak dapat dibaca" in html
    wrong = io.BytesIO(b"%PDF")
    wrong.name = "daftar.pdf"
    response = client.post(
        url("registry_import", programme), {"file": wrong, "kind": "participants"}
    )
    assert "tidak didukung" in response.content.decode()


def test_duplicates_page_and_decision(programme, agencies, write, run, users, client_for):
    run(write([one(), one(nik="3577034101900007", kode_kelurahan="35.77.03.1001")], "a.xlsx"))
    dup = PossibleDuplicate.objects.get()
    client = client_for(users["operator"])
    html = client.get(url("registry_duplicates", programme)).content.decode()
    assert "SITI AMINAH" in html and "Nama dan tanggal lahir sama" in html
    client.post(
        url("registry_duplicate_decide", programme, dup.pk),
        {"decision": "different", "note": "KTP dicek"},
    )
    dup.refresh_from_db()
    assert (
        dup.decision == "different"
        and dup.decided_by == users["operator"]
        and dup.note == "KTP dicek"
    )
    assert "Tidak ada." in client.get(url("registry_duplicates", programme)).content.decode()
    assert (
        client_for(users["auditor"]).get(url("registry_duplicates", programme)).status_code == 403
    )
    assert Person.objects.count() == 2  # nothing merged


def test_history_link_for_auditor(programme, people, users, client_for):
    participant = people["3577014101900001"]
    html = (
        client_for(users["auditor"])
        .get(url("registry_person", programme, participant.pk))
        .content.decode()
    )
    link = reverse(
        "record_history", args=[programme.code, "registry.person", participant.person_id]
    )
    assert link in html
    assert client_for(users["auditor"]).get(link).status_code == 200
    assert (
        link
        not in client_for(users["operator"])
        .get(url("registry_person", programme, participant.pk))
        .content.decode()
    )


def test_services_refuse_other_roles(programme, users):
    with pytest.raises(services.RegistryError):
        services.create_agency(actor=users["operator"], programme=programme, code="", name="")
