"""Uploads: size, type by content, names; stored under MEDIA_ROOT; served only with permission."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.claims import services, uploads
from lindung.claims.errors import DocumentError
from lindung.programmes.models import AccessLog

from .helpers import SPOUSE, make_participant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def claim(programme, users):
    p = make_participant(programme, family=[SPOUSE])
    return services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )


def _doc(claim, code="akta_kematian"):
    return claim.documents.get(code=code, instalment=None)


def test_pdf_jpeg_png_are_stored_under_media_root_with_a_random_name(claim, users, media_root):
    for data, name, ctype in (
        (PDF, "Akta Kematian (scan).pdf", "application/pdf"),
        (PNG, "ktp.png", "image/png"),
        (JPEG, "kk.JPEG", "image/jpeg"),
    ):
        doc = services.upload_document(_doc(claim), data, name, actor=users["operator"])
        assert doc.received and doc.content_type == ctype and doc.size == len(data)
        path = Path(media_root, doc.file_path).resolve()
        assert path.is_relative_to(Path(media_root).resolve() / "claims")
        assert path.read_bytes() == data
        assert name not in str(path)  # the stored name is generated
        assert doc.original_name == name
        assert oct(path.stat().st_mode & 0o777) == "0o640"


def test_a_file_over_the_limit_is_refused(claim, users, settings, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024)
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * 2000, content_type="application/pdf")
    with pytest.raises(DocumentError, match="terlalu besar"):
        services.upload_document(_doc(claim), big, big.name, actor=users["operator"])
    with pytest.raises(DocumentError, match="terlalu besar"):
        services.upload_document(_doc(claim), PDF + b"0" * 2000, "b.pdf", actor=users["operator"])
    assert not _doc(claim).received


def test_an_executable_disguised_as_pdf_is_refused(claim, users, media_root):
    with pytest.raises(DocumentError, match="bukan PDF, JPEG atau PNG.*program Windows"):
        services.upload_document(_doc(claim), EXE, "akta.pdf", actor=users["operator"])
    with pytest.raises(DocumentError, match="program Linux"):
        services.upload_document(
            _doc(claim), b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "akta.pdf", actor=users["operator"]
        )
    active = PDF.replace(
        b"<<>> endobj", b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"
    )
    with pytest.raises(DocumentError, match="konten aktif"):
        services.upload_document(_doc(claim), active, "akta.pdf", actor=users["operator"])
    with pytest.raises(DocumentError, match="isinya PDF"):
        services.upload_document(_doc(claim), PDF, "akta.exe", actor=users["operator"])
    assert not _doc(claim).received
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.*"))


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "..\\..\\windows\\akta.pdf", "/etc/akta.pdf", "akta\x00.pdf", ".."],
)
def test_a_path_traversal_name_is_refused(claim, users, name):
    with pytest.raises(DocumentError, match="Nama berkas"):
        services.upload_document(_doc(claim), PDF, name, actor=users["operator"])


def test_names_are_sanitised(claim, users):
    doc = services.upload_document(
        _doc(claim), PDF, "akta <kematian> ayah;rm -rf.pdf", actor=users["operator"]
    )
    assert doc.original_name == "akta _kematian_ ayah_rm -rf.pdf"


def test_uploads_through_the_screen_are_refused_with_a_message(programme, claim, users, client_for):
    op = client_for(users["operator"])
    doc = _doc(claim)
    url = f"/p/{programme.code}/klaim/dokumen/{doc.pk}/"
    r = op.post(url, {"file": SimpleUploadedFile("akta.pdf", EXE)}, follow=True)
    assert "bukan PDF, JPEG atau PNG" in r.text
    r = op.post(url, {"file": SimpleUploadedFile("../../akta.pdf", PDF)}, follow=True)
    # Django's parser already strips the directories of an uploaded name; the service refuses
    # what remains if it is still unsafe, and a clean name is accepted.
    doc.refresh_from_db()
    assert doc.original_name in ("", "akta.pdf")


def test_files_are_served_only_to_roles_that_may_see_claims(programme, claim, users, client_for):
    doc = services.upload_document(_doc(claim), PDF, "akta.pdf", actor=users["operator"])
    url = f"/p/{programme.code}/klaim/dokumen/{doc.pk}/berkas/"
    for role, status in (
        ("operator", 200),
        ("verifikator", 200),
        ("auditor", 200),
        ("mitra_csr", 403),
    ):
        r = client_for(users[role]).get(url)
        assert r.status_code == status, role
    r = client_for(users["auditor"]).get(url)
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'attachment; filename="akta.pdf"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(action="download", object_id=str(doc.pk)).count() >= 3
    # Not from a public URL: nothing under /media/ is routed.
    assert client_for(users["operator"]).get("/media/" + doc.file_path).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302  # anonymous: to the login page
