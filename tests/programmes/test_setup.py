"""First-run set-up: a superuser creates a Pemda's programme in the browser or the CLI, and the
programme speaks of its own kabupaten/kota everywhere."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from lindung.core.errors import AccessDenied
from lindung.programmes.models import Membership, Programme, Role
from lindung.programmes.services import (
    ProgrammeError,
    create_programme,
    normalise_logo,
    update_programme,
)
from lindung.programmes.wording import Wording
from tests.actors import system

pytestmark = pytest.mark.django_db
PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def png(width=800, height=400, colour=(11, 110, 79)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def setup_form(**changes) -> dict:
    """The set-up page's fields for Kabupaten Ponorogo, as the browser posts them."""
    return {
        "province": "35",
        "region_code": "35.02",
        "kind": "kabupaten",
        "place_name": "Ponorogo",
        "pemda_name": "Pemerintah Kabupaten Ponorogo",
        "name": "Pro JKK-JKM Kabupaten Ponorogo",
        "code": "kab-ponorogo",
        "bpjs_branch": "BPJS Ketenagakerjaan Cabang Ponorogo",
        **changes,
    }


def test_a_regency_gets_kabupaten_wording_from_the_kemendagri_table():
    programme = create_programme(region_code="35.02", bpjs_branch="Cabang Ponorogo", actor=system())
    assert programme.kind == "kabupaten"
    assert programme.code == "kab-ponorogo"
    assert programme.pemda_name == "Pemerintah Kabupaten Ponorogo"
    assert programme.name == "Program JKK-JKM Kabupaten Ponorogo"
    words = programme.wording
    assert (words.area, words.head, words.hall_name) == (
        "Kabupaten Ponorogo",
        "Bupati Ponorogo",
        "Pendopo Kabupaten Ponorogo",
    )
    assert programme.default_handover_place == "Pendopo Kabupaten Ponorogo"
    assert programme.handover_by == "Bupati Ponorogo"
    assert "Kota" not in programme.default_handover_place


def test_a_city_gets_kota_wording_and_given_names_win():
    programme = create_programme(
        actor=system(),
        region_code="3577",
        code="pro-jkk-madiun",
        name="Pro JKK-JKM Kota Madiun",
        bpjs_branch="Cabang Madiun",
        regional_head_name="Hadi Santoso",
        handover_place="Gedung Diklat",
    )
    assert (programme.region_code, programme.kind, programme.code) == (
        "35.77",
        "kota",
        "pro-jkk-madiun",
    )
    assert programme.wording.head == "Wali Kota Madiun"
    assert programme.wording.hall_name == "Balai Kota Madiun"
    assert programme.default_handover_place == "Gedung Diklat"
    assert programme.handover_by == "Hadi Santoso, Wali Kota Madiun"
    assert Wording("kota", "Madiun").fill("Cakupan UCJ {kind_word}") == "Cakupan UCJ kota"


@pytest.mark.parametrize(
    "code",
    ["35", "35.99", "35.02.01", "abc", "", "99.01"],
)
def test_a_region_that_is_not_a_regency_or_city_is_refused(code):
    with pytest.raises(ProgrammeError) as err:
        create_programme(region_code=code, bpjs_branch="Cabang", actor=system())
    assert err.value.field == "region_code"
    assert "bukan kabupaten/kota" in err.value.message
    assert not Programme.objects.exists()


def test_refusals_say_what_is_wrong(make_user):
    create_programme(region_code="35.02", bpjs_branch="Cabang Ponorogo", actor=system())
    with pytest.raises(ProgrammeError, match="sudah dipakai"):
        create_programme(region_code="35.02", bpjs_branch="Cabang Ponorogo", actor=system())
    with pytest.raises(ProgrammeError, match="tidak sah") as err:
        create_programme(
            actor=system(), region_code="35.20", code="Kab Magetan!", bpjs_branch="Cabang"
        )
    assert err.value.field == "code"
    with pytest.raises(ProgrammeError, match="18 digit") as err:
        create_programme(region_code="35.20", bpjs_branch="Cabang", head_nip="1975", actor=system())
    assert err.value.field == "head_nip"
    with pytest.raises(ProgrammeError, match="[Kk]antor cabang") as err:
        create_programme(region_code="35.20", actor=system())
    # Only a system administrator creates programmes.
    with pytest.raises(AccessDenied, match="superuser"):
        create_programme(actor=make_user("biasa"), region_code="35.20", bpjs_branch="Cabang")
    assert list(Programme.objects.values_list("code", flat=True)) == ["kab-ponorogo"]


def test_logo_is_checked_by_content_and_stored_as_a_small_png():
    programme = create_programme(
        actor=system(), region_code="35.02", bpjs_branch="Cabang", logo=png(1200, 600)
    )
    stored = Image.open(io.BytesIO(bytes(programme.logo)))
    assert stored.format == "PNG" and max(stored.size) == 600
    assert len(programme.logo_sha256) == 64
    for bad, reason in [
        (b"<svg onload='alert(1)'></svg>", "bukan gambar"),
        (b"%PDF-1.4 not an image", "bukan gambar"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "bukan gambar"),
        (b"x" * (2 * 1024 * 1024 + 1), "terlalu besar"),
    ]:
        with pytest.raises(ProgrammeError, match=reason):
            create_programme(region_code="35.20", bpjs_branch="Cabang", logo=bad, actor=system())
    assert not Programme.objects.filter(region_code="35.20").exists()
    with pytest.raises(ProgrammeError, match="kosong"):
        normalise_logo(b"")


def test_cli_creates_a_programme_and_prints_json(make_user):
    admin = make_user("it-ponorogo")
    out = io.StringIO()
    call_command(
        "programme",
        "create",
        "--region",
        "35.02",
        "--bpjs-branch",
        "BPJS Ketenagakerjaan Cabang Ponorogo",
        "--dinas",
        "Dinas Tenaga Kerja",
        "--admin",
        "it-ponorogo",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["code"] == "kab-ponorogo"
    assert (data["kind"], data["area"], data["head"]) == (
        "kabupaten",
        "Kabupaten Ponorogo",
        "Bupati Ponorogo",
    )
    assert data["admins"] == ["it-ponorogo"]
    programme = Programme.objects.get(code="kab-ponorogo")
    assert Membership.objects.get(user=admin, programme=programme).role == Role.ADMIN
    # The same service refuses the same things, as JSON with exit status 1.
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("programme", "create", "--region", "35.99", "--bpjs-branch", "X", stdout=out)
    assert exited.value.code == 1
    refused = json.loads(out.getvalue())
    assert refused["field"] == "region_code" and "Kemendagri" in refused["error"]
    listed = io.StringIO()
    call_command("programme", "list", stdout=listed)
    assert [p["code"] for p in json.loads(listed.getvalue())] == ["kab-ponorogo"]


def test_fresh_install_leads_the_superuser_to_the_setup_page(root):
    client = Client()
    login = client.get(reverse("login")).content.decode()
    assert "Instalasi baru" not in login  # a user exists already
    client.force_login(root)
    assert client.get(reverse("home")).url == reverse("setup")
    page = client.get(reverse("setup")).content.decode()
    assert "Jawa Timur" in page and "Kabupaten Ponorogo" not in page
    page = client.get(reverse("setup"), {"province": "35"}).content.decode()
    assert "Kabupaten Ponorogo" in page and "Kota Madiun" in page
    assert "<script>" not in page and " onchange=" not in page.split("<main", 1)[1]
    page = client.get(reverse("setup"), {"province": "35", "region_code": "35.02"})
    html = page.content.decode()
    assert 'value="kab-ponorogo"' in html and 'value="Pemerintah Kabupaten Ponorogo"' in html
    assert 'value="Pendopo Kabupaten Ponorogo"' in html


def test_empty_install_login_page_says_how_to_begin(db):
    html = Client().get(reverse("login")).content.decode()
    assert "Instalasi baru" in html and "lindung createsuperuser" in html


def test_setup_page_creates_the_programme_and_makes_the_superuser_its_admin(root):
    client = Client()
    client.force_login(root)
    logo = io.BytesIO(png())
    logo.name = "logo-ponorogo.png"
    response = client.post(
        reverse("setup"),
        setup_form(
            dinas_name="Dinas Tenaga Kerja",
            head_name="Budi Prasetyo",
            head_nip="197001011990031001",
            regional_head_name="Sri Wahyuni",
            handover_place="",
            logo=logo,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(code="kab-ponorogo")
    assert response.url == reverse("programme_home", args=["kab-ponorogo"])
    assert Membership.objects.get(user=root, programme=programme).role == Role.ADMIN
    assert programme.has_logo and programme.head_nip == "197001011990031001"
    assert programme.default_handover_place == "Pendopo Kabupaten Ponorogo"
    home = client.get(response.url).content.decode()
    assert "Langkah penyiapan" in home and "Catat UMK" in home and "Impor daftar peserta" in home
    logo_response = client.get(reverse("programme_logo", args=["kab-ponorogo"]))
    assert logo_response["Content-Type"] == "image/png"
    # The history knows who created it.
    assert programme.history.earliest("history_date").history_user == root


def test_setup_page_keeps_the_form_and_says_why_on_a_bad_logo(root):
    client = Client()
    client.force_login(root)
    bad = io.BytesIO(b"<html><script>alert(1)</script></html>")
    bad.name = "logo.png"
    response = client.post(reverse("setup"), setup_form(bpjs_branch="Cabang Ponorogo", logo=bad))
    assert response.status_code == 200
    html = response.content.decode()
    assert "bukan gambar yang dapat dibaca" in html
    assert 'value="Cabang Ponorogo"' in html  # nothing typed is lost
    assert not Programme.objects.exists()


def test_setup_is_for_superusers_only(programme, users, client_for):
    for user in users.values():
        assert client_for(user).get(reverse("setup")).status_code == 404
        response = client_for(user).post(reverse("setup"), {"region_code": "35.02"})
        assert response.status_code == 404
    assert Programme.objects.count() == 1


def test_several_programmes_keep_working(root, programme, users, client_for):
    client = Client()
    client.force_login(root)
    second = create_programme(
        actor=root, admin=root, region_code="35.02", bpjs_branch="Cabang Ponorogo"
    )
    choose = client.get(reverse("home")).content.decode()
    # The superuser sees their own programme and is told of the other one (no role there).
    assert second.name in choose and "Pro JKK-JKM Kota Madiun" in choose
    assert client.get(reverse("programme_home", args=[programme.code])).status_code == 404
    assert client.get(reverse("programme_home", args=[second.code])).status_code == 200
    # Madiun's users still see only Madiun, with its own wording.
    home = client_for(users["operator"]).get(reverse("home"), follow=True).content.decode()
    assert "Pro JKK-JKM Kota Madiun" in home and second.name not in home


def test_admin_edits_the_profile_not_the_region(programme, users, client_for):
    admin = users["admin"]
    client = client_for(admin)
    url = reverse("programme_settings", args=[programme.code])
    assert client_for(users["operator"]).get(url).status_code == 403
    data = {
        "name": programme.name,
        "kind": "kota",
        "place_name": "Madiun",
        "pemda_name": "Pemerintah Kota Madiun",
        "bpjs_branch": "BPJS Ketenagakerjaan Cabang Madiun",
        "dinas_name": "Dinas Tenaga Kerja",
        "head_name": "Kepala Uji",
        "head_nip": "19700101 199003 1 001",
        "region_code": "35.02",
        "code": "lain",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    assert (programme.region_code, programme.code) == ("35.77", "kota-madiun")
    assert programme.head_nip == "197001011990031001"
    last = programme.history.latest("history_date")
    assert last.history_user == admin and last.dinas_name == "Dinas Tenaga Kerja"
    with pytest.raises(ProgrammeError):
        update_programme(actor=admin, programme=programme, region_code="35.02")


def test_settings_with_a_bad_logo_change_nothing(programme, users, client_for):
    bad = io.BytesIO(b"GIF89a not really")
    bad.name = "logo.gif"
    response = client_for(users["admin"]).post(
        reverse("programme_settings", args=[programme.code]),
        {
            "name": programme.name,
            "kind": "kota",
            "place_name": "Madiun",
            "pemda_name": programme.pemda_name,
            "bpjs_branch": programme.bpjs_branch,
            "dinas_name": "Dinas Baru",
            "logo": bad,
        },
    )
    assert response.status_code == 200
    assert "bukan gambar yang dapat dibaca" in response.content.decode()
    programme.refresh_from_db()
    assert programme.dinas_name == "" and not programme.has_logo
    good = io.BytesIO(png())
    good.name = "logo.png"
    response = client_for(users["admin"]).post(
        reverse("programme_settings", args=[programme.code]),
        {
            "name": programme.name,
            "kind": "kota",
            "place_name": "Madiun",
            "pemda_name": programme.pemda_name,
            "bpjs_branch": programme.bpjs_branch,
            "dinas_name": "Dinas Baru",
            "logo": good,
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.dinas_name == "Dinas Baru" and programme.has_logo
    last = programme.history.latest("history_date")
    assert last.logo_sha256 == programme.logo_sha256 and last.history_user == users["admin"]
