"""The demo programme reproduces Kota Madiun's 2025 figures, read through `lindung report`
(not from the generator's counters), and a second build changes nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lindung.core.formatting import percent
from tests.actors import system

pytestmark = pytest.mark.django_db


def report(*args) -> dict:
    out = io.StringIO()
    call_command("report", "--programme", "kota-madiun", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def table_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"programmes", "registry", "coverage", "claims"}
    }


def test_demo_reproduces_the_press_release(tmp_path):
    call_command("demo", "--no-serve", stdout=io.StringIO())
    data = report("--from", "2025-01", "--to", "2025-11", "--as-of", "2025-12-31")

    active = data["active_participants"]
    assert (active["total"], active["PU"], active["BPU"]) == (17_484, 7_902, 9_582)

    paid = data["contributions"]["paid"]
    assert abs(paid - 3_000_000_000) <= 3_000_000_000 * 0.02
    assert data["contributions"]["billed"] == paid  # every invoice paid

    claims = data["claims"]
    assert claims["count"] == 144
    assert abs(claims["amount"] - 6_200_000_000) <= 6_200_000_000 * 0.01
    assert {"jkm_death", "jkk_death", "scholarship"} <= set(claims["by_type"])
    assert sum(t["count"] for t in claims["by_type"].values()) == 144

    assert isinstance(data["claim_ratio"], float)
    assert abs(data["claim_ratio"] - 2.06) <= 0.01
    assert percent(Decimal(str(data["claim_ratio"]))) in {"205 %", "206 %", "207 %"}
    assert data["claim_ratio_with_commitments"] > data["claim_ratio"]

    # The 2026 agreement signed on 29 December 2025, and the three handovers that day.
    Agreement = apps.get_model("coverage", "Agreement")
    pks_2026 = Agreement.objects.get(year=2026)
    assert pks_2026.signed_on.isoformat() == "2025-12-29"
    Handover = apps.get_model("claims", "Handover")
    amounts = sorted(Handover.objects.filter(date="2025-12-29").values_list("amount", flat=True))
    assert amounts == [42_000_000, 42_000_000, 129_000_000]

    # January 2026 can be billed under the new agreement.
    from lindung.coverage.services import run_billing
    from lindung.programmes.models import Programme

    before = table_counts()
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert table_counts() == before, "a second demo build must change nothing"

    programme = Programme.objects.get(code="kota-madiun")
    result = run_billing(programme, 2026, 1, actor=system())
    assert result is not None

    # The dashboard shows the same headline figures to the Pimpinan, with links to the lists.
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    client = Client()
    client.force_login(users.get(username="pimpinan"))
    url = reverse("reports_dashboard", args=["kota-madiun"])
    html = client.get(url, {"dari": "2025-01", "sampai": "2025-11", "per": "2025-12-31"})
    text = html.content.decode()
    assert "17.484" in text and "Rp\xa06,2\xa0M" in text and "206 %" in text
    assert "klaim yang dibayar 2,1 kali iuran yang dibayar" in text
    assert "Januari 2025 – November 2025" in text
    assert reverse("claims_list", args=["kota-madiun"]) + "?type=jkm_death" in text
    pdf = client.get(
        reverse("reports_download", args=["kota-madiun", "pdf"]),
        {"dari": "2025-01", "sampai": "2025-11"},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(
        reverse("reports_download", args=["kota-madiun", "xlsx"]),
        {"dari": "2025-01", "sampai": "2025-11"},
    )
    assert xlsx.content[:2] == b"PK"
    api = client.get(
        "/api/v1/programmes/kota-madiun/dashboard",
        {"dari": "2025-01", "sampai": "2025-11", "per": "2025-12-31"},
    )
    assert api.json()["claims"]["count"] == 144
    # Operators do not see the dashboard; Mitra CSR neither.
    operator = Client()
    operator.force_login(users.get(username="operator"))
    assert operator.get(url).status_code == 403

    plan_on_the_demo(tmp_path)


def plan(tmp_path, **changes) -> dict:
    scenario = {
        "year": 2026,
        "start_month": 1,
        "apbd_budget": 2_000_000_000,
        "csr_budget": 500_000_000,
        "segment": "BPU",
        "income_tier": 1_000_000,
        "priority": ["decile", "breadwinner", "dependants"],
        "include_current": False,
        "seed": 2026,
    }
    scenario.update(changes)
    path = tmp_path / "skenario.json"
    path.write_text(json.dumps(scenario))
    out = io.StringIO()
    call_command("plan", "--programme", "kota-madiun", "--scenario", str(path), stdout=out)
    return json.loads(out.getvalue())


def plan_on_the_demo(tmp_path):
    """Issue 8: the demo's pool of 44,800 uncovered workers, Rp 2 M APBD + Rp 500 jt CSR."""
    Candidate = apps.get_model("registry", "Candidate")
    assert Candidate.objects.count() == 44_800
    result = plan(tmp_path)
    # Hand computation: Rp 16,800 a month (JKK 10,000 + JKM 6,800 at the Rp 1 jt tier) for
    # January–December = Rp 201,600 a person. APBD: 2,000,000,000 // 201,600 = 9,920 people;
    # CSR: 500,000,000 // 201,600 = 2,480 people. Together 12,400.
    assert result["cost_per_person"] == 12 * 16_800 == 201_600
    assert result["selected"] == 9_920 + 2_480 == 12_400
    assert result["funders"]["APBD"]["participants"] == 9_920
    assert result["cost"] == 12_400 * 201_600
    assert result["budget_left"] == 2_500_000_000 - 12_400 * 201_600
    assert result["excluded"]["enrolled"] == 150  # the pool also lists current participants
    # Priority order: decile ascending, breadwinner first, more dependants, then NIK.
    pool = Candidate.objects.filter(covered_elsewhere=False).exclude(
        nik__in=apps.get_model("registry", "Person").objects.values("nik")
    )
    order = sorted(
        pool.values_list("decile", "breadwinner", "dependants", "nik"),
        key=lambda c: (99 if c[0] is None else c[0], not c[1], -c[2], c[3]),
    )
    cut = order[12_399]
    by_decile = {row["decile"]: row["count"] for row in result["by_decile"]}
    expected = {}
    for decile, *_ in order[:12_400]:
        expected[decile] = expected.get(decile, 0) + 1
    assert by_decile == expected
    assert max(by_decile) == cut[0]
    # The projection's central estimate against the analytic expectation computed here from the
    # programme's own 2025 history: Σ claims_t / BPU participant-months × 12,400 × 12 × amount_t.
    Claim = apps.get_model("claims", "Claim")
    CoverageMonth = apps.get_model("coverage", "CoverageMonth")
    months = CoverageMonth.objects.filter(
        segment="BPU", month__gte="2025-01-01", month__lt="2026-01-01", billed__gt=0
    ).count()
    analytic = Decimal(0)
    calibration = {c["type"]: c for c in result["calibration"]}
    for type_ in calibration:
        n = (
            Claim.objects.filter(
                segment="BPU", type=type_, event_date__gte="2025-01-01", event_date__lt="2026-01-01"
            )
            .exclude(state__in=["rejected", "withdrawn"])
            .count()
        )
        assert calibration[type_]["claims"] == n
        analytic += Decimal(n) / months * 12_400 * 12 * calibration[type_]["amount_per_claim"]
    central = result["projected_claims"]["central"]
    assert abs(central - analytic) <= analytic * Decimal("0.02")
    low80, high80 = result["projected_claims"]["p80"]
    low95, high95 = result["projected_claims"]["p95"]
    assert low95 <= low80 <= central <= high80 <= high95
    # The same seed gives the same result; another seed a different simulation.
    assert plan(tmp_path) == result
    assert plan(tmp_path, seed=1)["projected_claims"]["central"] != central
