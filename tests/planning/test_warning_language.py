"""A scenario's warnings in the page's language (issue 16): stored with their Indonesian and
English text, shown in the language of the page, the PDF and the workbook; the CLI's JSON keeps
both; a scenario stored before (plain Indonesian strings) still shows its warnings as they are."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from lindung.planning import services
from tests.actors import system

from .test_services import base, planned, pool_rows  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

QUOTA = {"kelurahan": {"35.77.01.1001": 100_000}}


def _client(client_for, user, language):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return " ".join(
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )


def test_warnings_follow_the_page_language(planned, users, client_for):  # noqa: F811
    quota = services.create_scenario(
        programme=planned, data=base(name="Kuota", quotas=QUOTA), actor=system()
    )
    plain = services.create_scenario(programme=planned, data=base(name="Biasa"), actor=system())
    stored = quota.result["warnings"]
    assert stored and all(set(w) == {"id", "en"} for w in stored)
    meet = next(w for w in stored if "35.77.01.1001" in w["id"])
    assert meet["id"].startswith("Kuota kelurahan 35.77.01.1001 (100.000) tidak dapat dipenuhi")
    assert meet["en"].startswith("The quota for kelurahan 35.77.01.1001 (100.000) cannot be met")

    code = planned.code
    detail = reverse("planning_detail", args=[code, quota.pk])
    compare = reverse("planning_compare", args=[code]) + f"?s={quota.pk}&s={plain.pk}"
    pdf = reverse("planning_download", args=[code, quota.pk, "pdf"])
    xlsx = reverse("planning_download", args=[code, quota.pk, "xlsx"])
    english = _client(client_for, users["pimpinan"], "en")
    indonesian = _client(client_for, users["pimpinan"], "id")
    for url in (detail, compare):
        en = english.get(url).content.decode()
        assert "cannot be met" in en and "tidak dapat dipenuhi" not in en, url
        id_ = indonesian.get(url).content.decode()
        assert "tidak dapat dipenuhi" in id_ and "cannot be met" not in id_, url
    en_pdf = _pdf_text(english.get(pdf).content)
    assert "cannot be met" in en_pdf and "tidak dapat dipenuhi" not in en_pdf
    assert "tidak dapat dipenuhi" in _pdf_text(indonesian.get(pdf).content)
    en_xlsx = _xlsx_text(english.get(xlsx).content)
    assert "cannot be met" in en_xlsx and "tidak dapat dipenuhi" not in en_xlsx
    assert "July 2026" in en_xlsx and "Juli" not in en_xlsx and "Penyandang dana" not in en_xlsx
    sheets = load_workbook(io.BytesIO(english.get(xlsx).content)).sheetnames
    assert sheets == ["Comparison", f"Cash flow {quota.pk}", f"Selected {quota.pk}"], sheets
    assert "tidak dapat dipenuhi" in _xlsx_text(indonesian.get(xlsx).content)


def test_the_cli_json_keeps_both_texts(planned, tmp_path):  # noqa: F811
    path = tmp_path / "s.json"
    path.write_text(json.dumps(base(quotas=QUOTA)))
    out = io.StringIO()
    call_command("plan", "--programme", planned.code, "--scenario", str(path), stdout=out)
    warnings = json.loads(out.getvalue())["warnings"]
    assert any("tidak dapat dipenuhi" in w["id"] and "cannot be met" in w["en"] for w in warnings)


def test_a_scenario_stored_before_shows_its_warnings_as_they_are(planned, users, client_for):  # noqa: F811
    old = services.create_scenario(programme=planned, data=base(name="Lama"), actor=system())
    old.result = {**old.result, "warnings": ["Peringatan lama yang tersimpan sebagai teks."]}
    old.save(update_fields=["result"])
    for language in ("en", "id"):
        client = _client(client_for, users["pimpinan"], language)
        page = client.get(reverse("planning_detail", args=[planned.code, old.pk]))
        assert page.status_code == 200
        assert "⚠ Peringatan lama yang tersimpan sebagai teks." in page.content.decode()


def test_priority_order_follows_the_page_language(planned, users, client_for):  # noqa: F811
    """The scenario's priority order (stored in Indonesian) reads in the page's language, on
    the scenario page and in the form's choices."""
    stored = services.create_scenario(
        programme=planned, data=base(name="Urutan", priority=["decile"]), actor=system()
    )
    assert stored.result["priority"][0]["label"] == "desil DTSEN terendah dahulu"
    detail = reverse("planning_detail", args=[planned.code, stored.pk])
    english = _client(client_for, users["admin"], "en").get(detail).content.decode()
    assert "lowest DTSEN decile first" in english and "lowest NIK (final tie-break)" in english
    assert "desil DTSEN" not in english and "penentu akhir" not in english
    indonesian = _client(client_for, users["admin"], "id").get(detail).content.decode()
    assert "desil DTSEN terendah dahulu" in indonesian and "lowest DTSEN" not in indonesian
    form = reverse("planning_new", args=[planned.code])
    english = _client(client_for, users["admin"], "en").get(form).content.decode()
    assert "most dependants first" in english and "tanggungan terbanyak" not in english
