"""The user guide (Panduan): one Indonesian page per role plus an index, served from the package
at /panduan/, linked from every page's footer, with the screenshots the browser walk makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lindung.core import guide
from lindung.programmes.models import Role

pytestmark = pytest.mark.django_db

IMG = re.compile(r'<img src="(/panduan/img/[a-z0-9-]+\.png)"')


def test_the_footer_links_the_guide_for_a_logged_in_user(users, client_for, programme):
    page = client_for(users["operator"]).get(reverse("programme_home", args=[programme.code]))
    assert page.status_code == 200
    footer = page.content.decode().split('<footer class="foot">')[1]
    assert f'<a href="{reverse("panduan")}" class="guide-link">Panduan</a>' in footer


def test_the_guide_is_for_logged_in_users():
    response = Client().get(reverse("panduan_page", args=["operator"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Client().get(reverse("panduan_image", args=["dasbor-1366.png"])).status_code == 302


def test_the_index_links_every_role_page(users, client_for):
    html = client_for(users["mitra_csr"]).get(reverse("panduan")).content.decode()
    assert "<h1>Panduan Pengguna Lindung</h1>" in html
    for slug in guide.PAGES:
        assert f'href="{reverse("panduan_page", args=[slug])}"' in html
    assert ".md" not in html  # every link between the pages is rewritten to its address


@pytest.mark.parametrize("slug", guide.PAGES)
def test_each_role_page_renders_with_its_screenshots(slug, users, client_for):
    client = client_for(users["auditor"])  # any role may read every page of the guide
    response = client.get(reverse("panduan_page", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1>Panduan [A-Z][\w ]+</h1>", html)
    assert '<article class="panduan" lang="id">' in html
    assert "<script" not in html.split('<article class="panduan"')[1]
    images = IMG.findall(html)
    assert len(images) >= 1
    for src in images:
        picture = client.get(src)
        assert picture.status_code == 200, src
        assert picture["Content-Type"] == "image/png"
        assert b"".join(picture.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert f'href="{reverse("panduan")}"' in html  # back to the index


def test_a_role_page_names_the_menu_of_that_role():
    """The guide describes the real menu: each role page lists the menu entries the role sees."""
    from lindung.programmes.permissions import PERMISSIONS

    menu = {
        "Dasbor": "report.view",
        "Perencanaan": "plan.view",
        "Impor": "participant.import",
        "Duplikat": "participant.edit",
        "Rekonsiliasi BPJS": "participant.export",
        "Klaim": "claim.view",
        "Audit": "audit.view",
        "Pengguna": "members.manage",
        "Pengaturan": "programme.edit",
    }
    roles = {
        "operator": Role.OPERATOR,
        "verifikator": Role.VERIFIKATOR,
        "pimpinan": Role.PIMPINAN,
        "admin": Role.ADMIN,
        "auditor": Role.AUDITOR,
        "mitra-csr": Role.MITRA_CSR,
    }
    for slug, role in roles.items():
        text = (guide.FOLDER / f"{slug}.md").read_text()
        listed = text.split("## Yang tampak")[1].split("##")[0]
        listed = listed.split("\n\n")[1]  # the paragraph "Menu …: **Beranda**, …"
        for label, action in menu.items():
            shown = f"**{label}**" in listed
            assert shown == (role in PERMISSIONS[action]), (slug, label)


def test_every_screenshot_the_guide_shows_is_there_and_none_is_left_over():
    referenced = set()
    for path in guide.FOLDER.glob("*.md"):
        referenced |= set(re.findall(r"\]\(img/([a-z0-9-]+\.png)\)", path.read_text()))
    present = {p.name for p in guide.IMAGES.glob("*.png")}
    assert referenced == present
    assert sum(p.stat().st_size for p in guide.IMAGES.glob("*.png")) < 3_000_000


def test_an_unknown_role_or_image_is_not_found(users, client_for):
    client = client_for(users["operator"])
    assert client.get("/panduan/bendahara/").status_code == 404
    assert client.get("/panduan/img/").status_code == 404
    assert client.get("/panduan/img/tidak-ada.png").status_code == 404
    assert client.get("/panduan/img/..%2Fguide.py").status_code == 404
    assert client.get("/panduan/img/index.md").status_code == 404


def test_the_english_page_says_the_guide_is_indonesian_only(users, client_for):
    client = client_for(users["pimpinan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("panduan_page", args=["pimpinan"])).content.decode()
    assert '<html lang="en">' in html
    assert "This user guide is available in Indonesian only." in html
    assert ">User guide</a>" in html
    assert "<h1>Panduan Pimpinan</h1>" in html  # the content stays Indonesian


def test_docs_panduan_is_the_packaged_guide():
    """One source: ``docs/panduan`` in the repository is the folder shipped in the package."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "panduan"
    assert docs.resolve() == guide.FOLDER.resolve()
    assert (docs / "index.md").read_text() == (guide.FOLDER / "index.md").read_text()
