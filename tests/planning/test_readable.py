"""Planning pages in words (issue 16): the compare page states each scenario's start month and
warns when they differ, months and coverage read "Juli 2026" and per cent, the wage placeholder
is the programme's UMK, warnings name benefits in words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from lindung.core.formatting import group
from lindung.planning import services
from lindung.programmes.queries import umk_for
from tests.actors import system

from .test_services import base, planned, pool_rows  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_compare_states_start_months_and_coverage_in_per_cent(planned, users, client_for):  # noqa: F811
    january = services.create_scenario(
        programme=planned, data=base(name="Awal tahun", start_month=1), actor=system()
    )
    july = services.create_scenario(
        programme=planned, data=base(name="Pertengahan", start_month=7), actor=system()
    )
    pimpinan = client_for(users["pimpinan"])
    code = planned.code
    url = reverse("planning_compare", args=[code]) + f"?s={january.pk}&s={july.pk}"
    html = pimpinan.get(url).content.decode()
    notice = re.search(r'id="start-notice"[^>]*>([^<]*)<', html)
    assert notice, "the different start months are not said"
    assert "Awal tahun: Januari 2026" in notice.group(1)
    assert "Pertengahan: Juli 2026" in notice.group(1)
    assert '<th scope="row">Mulai bulan</th><td class="num">Januari 2026</td>' in html
    assert "basis poin" not in html and "Cakupan UCJ (%)" in html
    same = reverse("planning_compare", args=[code]) + f"?s={july.pk}&s={july.pk}"
    assert 'id="start-notice"' not in pimpinan.get(same).content.decode()

    detail = pimpinan.get(reverse("planning_detail", args=[code, july.pk])).content.decode()
    monthly = detail[detail.index('id="monthly"') :]
    assert "<td>Juli 2026</td>" in monthly and "<td>2026-07</td>" not in monthly
    for warning in july.result["warnings"]:
        for text in (warning["id"], warning["en"]):
            assert not re.search(r"\bjk[km]_[a-z_]+", text), text


def test_the_wage_placeholder_is_the_programmes_umk(planned, users, client_for):  # noqa: F811
    html = client_for(users["pimpinan"]).get(
        reverse("planning_new", args=[planned.code]) + "?tahun=2026"
    )
    assert html.status_code == 200
    field = re.search(r'<input[^>]*name="monthly_wage"[^>]*>', html.content.decode()).group(0)
    umk = umk_for(planned, 2026)
    assert umk is not None
    assert f'placeholder="{group(int(umk.value))}"' in field
    assert "2.000.000.000" not in field
