"""Planning through the services, screens, API and CLI on a small programme: candidate pool
import, scenarios (hand-computed selection), refusals, comparison exports, adoption."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from lindung.coverage import services as coverage
from lindung.coverage.models import Enrolment
from lindung.demo.synthetic import Generator, candidate
from lindung.planning import services
from lindung.planning.engine import ScenarioError
from lindung.planning.models import Scenario
from lindung.programmes.permissions import AccessDenied
from lindung.registry import services as registry
from lindung.registry.models import Candidate, Participant
from tests.actors import system

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MONTHLY_BPU = 16_800  # JKK 10,000 + JKM 6,800 at the Rp 1,000,000 tier


def write_pool(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def pool_rows():
    gen = Generator(seed=11, serial_base=7000)
    return [candidate(gen, date(2025, 12, 1)) for _ in range(300)]


@pytest.fixture
def planned(programme, users, pool_rows, tmp_path):
    """A programme with its 2026 PKS, APBD funder, a CSR funder with a pledge, 300 candidates."""
    programme.workforce, programme.covered_elsewhere = 10_000, 4_000
    programme.save()
    coverage.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    coverage.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=system()
    )
    csr = coverage.create_funder(
        programme, code="CSR-BANK", name="Bank Jatim", kind="SC", actor=system()
    )
    coverage.add_pledge(
        csr, amount=5_000_000, start=date(2026, 1, 1), end=date(2026, 12, 31), actor=system()
    )
    result = registry.run_import(
        programme=programme,
        path=write_pool(tmp_path / "calon.csv", pool_rows),
        commit=True,
        actor=users["operator"],
        kind="candidates",
    )
    assert result["created"] == 300 and result["rejected"] == 0
    return programme


def base(**extra):
    data = {
        "name": "Uji",
        "year": 2026,
        "start_month": 7,
        "apbd_budget": 10_000_000,
        "csr_budget": 0,
        "segment": "BPU",
        "income_tier": 1_000_000,
        "priority": ["decile", "breadwinner", "dependants"],
        "include_current": False,
        "seed": 3,
        "runs": 1000,
    }
    data.update(extra)
    return data


def test_candidate_import_accounts_for_every_row(programme, users, pool_rows, tmp_path):
    rows = [dict(r) for r in pool_rows[:5]]
    rows[1]["nik"] = "12345"  # malformed
    rows[2]["desil"] = "12"  # out of range
    rows[3]["kode_kelurahan"] = "99.99.99.9999"
    rows.append(dict(rows[0]))  # duplicate NIK in the file
    result = registry.run_import(
        programme=programme,
        path=write_pool(tmp_path / "a.csv", rows),
        commit=True,
        actor=users["operator"],
        kind="candidates",
    )
    assert result["rows"] == 6
    assert result["created"] + result["rejected"] == 6
    assert result["rejected"] == 5  # both copies of the duplicate, and three bad rows
    assert result["errors_file"]
    # Fix and re-import: the row already stored is unchanged, the four others are created.
    fixed = [dict(r) for r in pool_rows[:5]]

    def again():
        return registry.run_import(
            programme=programme,
            path=write_pool(tmp_path / "b.csv", fixed),
            commit=True,
            actor=users["operator"],
            kind="candidates",
        )

    second = again()
    assert (second["created"], second["updated"], second["unchanged"], second["rejected"]) == (
        4,
        0,
        1,
        0,
    )
    fixed[0]["jumlah_tanggungan"] = "6"
    third = again()
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 4)
    c = Candidate.objects.get(programme=programme, nik=fixed[0]["nik"])
    assert c.dependants == 6
    assert c.history.count() == 2  # created, then updated by the third import


def test_scenario_selects_what_the_money_pays_in_priority_order(planned, users):
    # July–December: 6 months × Rp 16,800 = Rp 100,800 per person.
    # APBD Rp 10,000,000 -> 99 people; CSR pledge Rp 5,000,000 -> 49; typed CSR 1,000,000 -> 9.
    stored = services.create_scenario(
        actor=users["pimpinan"],
        programme=planned,
        data=base(csr_budget=1_000_000, csr_pledges=[{"funder": "CSR-BANK", "amount": 5_000_000}]),
    )
    r = stored.result
    per_person = 6 * MONTHLY_BPU
    expected = 10_000_000 // per_person + 5_000_000 // per_person + 1_000_000 // per_person
    assert r["cost_per_person"] == per_person
    assert r["selected"] == expected == 99 + 49 + 9
    assert r["funders"]["APBD"]["participants"] == 99
    assert r["funders"]["CSR-BANK"]["participants"] == 49
    assert r["funders"]["CSR"]["participants"] == 9
    assert r["budget_left"] == 16_000_000 - expected * per_person
    assert r["monthly"][0]["month"] == "2026-07" and len(r["monthly"]) == 6
    assert r["monthly"][0]["by_funder"]["CSR-BANK"] == 49 * MONTHLY_BPU
    # Priority: poorest decile first, breadwinners, more dependants, then NIK — recomputed here.
    pool = Candidate.objects.filter(programme=planned, covered_elsewhere=False)
    order = sorted(
        pool,
        key=lambda c: (
            c.decile if c.decile is not None else 99,
            not c.breadwinner,
            -c.dependants,
            c.nik,
        ),
    )
    chosen = list(stored.selections.order_by("position").values_list("nik", flat=True))
    assert chosen == [c.nik for c in order[:expected]]
    # UCJ before/after from the programme's settings.
    assert r["coverage_before"] == "0.4000"
    assert r["coverage_after"] == f"{(4_000 + expected) / 10_000:.4f}"


def test_same_seed_same_result_and_excluded_candidates_reported(planned, users):
    first = services.create_scenario(programme=planned, data=base(), actor=system())
    second = services.create_scenario(programme=planned, data=base(), actor=system())
    a, b = dict(first.result), dict(second.result)
    assert a["projected_claims"] == b["projected_claims"]
    assert a["selected"] == b["selected"]
    covered = Candidate.objects.filter(programme=planned, covered_elsewhere=True).count()
    assert a["excluded"] == {"enrolled": 0, "covered_elsewhere": covered}
    assert a["eligible"] == 300 - covered


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"apbd_budget": -1}, "apbd_budget", "negatif"),
        ({"year": 2030}, "start_month", "di luar periode"),
        ({"start_month": 13}, "start_month", "1 sampai 12"),
        ({"priority": ["umur"]}, "priority", "tidak dikenal"),
        ({"segment": "PU", "income_tier": None}, "monthly_wage", "positif"),
        ({"nonsense": 1}, "nonsense", "tidak dikenal"),
    ],
)
def test_bad_scenarios_are_refused_with_a_reason(planned, changes, field, text):
    with pytest.raises(ScenarioError) as err:
        services.create_scenario(programme=planned, data=base(**changes), actor=system())
    assert err.value.field == field
    assert text in err.value.message
    assert not Scenario.objects.exists()


def test_no_candidates_and_unmeetable_quota(planned, other_programme):
    coverage.create_agreement(
        other_programme,
        year=2026,
        number="X",
        signed_on=date(2025, 12, 1),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    with pytest.raises(ScenarioError, match="Belum ada calon peserta"):
        services.create_scenario(programme=other_programme, data=base(), actor=system())
    stored = services.create_scenario(
        actor=system(),
        programme=planned,
        data=base(quotas={"kelurahan": {"35.77.01.1001": 100_000}}),
    )
    assert any("tidak dapat dipenuhi" in w["id"] for w in stored.result["warnings"])
    assert any("cannot be met" in w["en"] for w in stored.result["warnings"])


def test_roles(planned, users):
    for role in ("operator", "verifikator", "auditor", "mitra_csr"):
        with pytest.raises(AccessDenied):
            services.create_scenario(actor=users[role], programme=planned, data=base())
    stored = services.create_scenario(actor=users["pimpinan"], programme=planned, data=base())
    with pytest.raises(AccessDenied):
        services.start_adoption(actor=users["pimpinan"], stored=stored)


@override_settings(TASKS=IMMEDIATE)
def test_screens_compare_exports_and_adoption(
    planned, users, client_for, django_capture_on_commit_callbacks
):
    pimpinan = client_for(users["pimpinan"])
    code = planned.code
    page = pimpinan.get(reverse("planning_new", args=[code]) + "?tahun=2026")
    assert page.status_code == 200 and "CSR-BANK" in page.content.decode()
    form = {
        "name": "APBD saja",
        "year": 2026,
        "start_month": 7,
        "apbd_budget": "10.000.000",
        "csr_budget": "",
        "segment": "BPU",
        "income_tier": 1_000_000,
        "priority_1": "decile",
        "priority_2": "breadwinner",
        "seed": 1,
    }
    r1 = pimpinan.post(reverse("planning_new", args=[code]), form)
    assert r1.status_code == 302
    s1 = Scenario.objects.get(name="APBD saja")
    form.update(
        name="APBD + CSR", csr_pledges=[str(planned.funders.get(code="CSR-BANK").pledges.get().pk)]
    )
    pimpinan.post(reverse("planning_new", args=[code]), form)
    s2 = Scenario.objects.get(name="APBD + CSR")
    assert s2.result["selected"] == s1.result["selected"] + 5_000_000 // (6 * MONTHLY_BPU)
    bad = pimpinan.post(reverse("planning_new", args=[code]), {**form, "apbd_budget": "-5"})
    assert bad.status_code == 200 and "tidak boleh negatif" in bad.content.decode()

    detail = pimpinan.get(reverse("planning_detail", args=[code, s1.pk]))
    body = detail.content.decode()
    assert "Siapa yang terpilih" in body and "<svg" in body
    assert s1.selections.first().nik not in body  # NIKs are masked on screen

    url = reverse("planning_compare", args=[code]) + f"?s={s1.pk}&s={s2.pk}"
    compared = pimpinan.get(url)
    assert (
        compared.status_code == 200
        and compared.content.decode().count('<figure class="card"><svg') == 3
    )
    pdf = pimpinan.get(
        reverse("planning_compare_download", args=[code, "pdf"]) + f"?s={s1.pk}&s={s2.pk}"
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = pimpinan.get(
        reverse("planning_compare_download", args=[code, "xlsx"]) + f"?s={s1.pk}&s={s2.pk}"
    )
    wb = load_workbook(io.BytesIO(xlsx.content))
    sheet = wb["Perbandingan"]
    labels = [row[0].value for row in sheet.iter_rows(min_row=4)]
    assert "Peserta baru terpilih" in labels
    # The scenario workbook lists the selected people; the Pimpinan sees masked NIKs only.
    book = load_workbook(
        io.BytesIO(pimpinan.get(reverse("planning_download", args=[code, s1.pk, "xlsx"])).content)
    )
    listed = [row[2].value for row in book[f"Terpilih {s1.pk}"].iter_rows(min_row=2)]
    assert len(listed) == s1.result["selected"] and all("••••" in nik for nik in listed)
    one = pimpinan.get(reverse("planning_compare", args=[code]) + f"?s={s1.pk}")
    assert one.status_code == 302  # one scenario cannot be compared

    # Pimpinan cannot adopt; the Admin confirms.
    assert pimpinan.get(reverse("planning_adopt", args=[code, s2.pk])).status_code == 403
    admin = client_for(users["admin"])
    unconfirmed = admin.post(reverse("planning_adopt", args=[code, s2.pk]), {})
    assert unconfirmed.status_code == 200 and not Participant.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(reverse("planning_adopt", args=[code, s2.pk]), {"confirm": "ya"})
    assert done.status_code == 302
    s2.refresh_from_db()
    assert s2.state == Scenario.State.ADOPTED
    n = s2.result["selected"]
    assert s2.adoption["rejected"] == 0, s2.adoption
    assert s2.adoption["enrolled"] == n, s2.adoption
    enrolments = Enrolment.objects.filter(programme=planned)
    assert enrolments.count() == n
    assert set(enrolments.values_list("start_date", flat=True)) == {date(2026, 7, 1)}
    bank = enrolments.filter(funder__code="CSR-BANK").count()
    assert bank == s2.result["funders"]["CSR-BANK"]["participants"]
    participant = Participant.objects.get(person__nik=s2.selections.first().nik)
    assert participant.segment == "BPU" and participant.income_tier == 1_000_000
    assert participant.history.exists()
    # Adopting twice is refused; the enrolled candidates are now excluded from new scenarios.
    with pytest.raises(ScenarioError, match="sudah diterapkan"):
        services.start_adoption(actor=users["admin"], stored=s2)
    again = services.create_scenario(programme=planned, data=base(), actor=system())
    assert again.result["excluded"]["enrolled"] == n


def test_api_and_cli(planned, users, client_for, tmp_path):
    client = client_for(users["pimpinan"])
    url = f"/api/v1/programmes/{planned.code}/plan"
    ok = client.post(url + "?save=false", base(), content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["selected"] == 10_000_000 // (6 * MONTHLY_BPU)
    assert not Scenario.objects.exists()
    bad = client.post(url, base(apbd_budget=-1), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "apbd_budget"
    denied = client_for(users["operator"]).post(url, base(), content_type="application/json")
    assert denied.status_code == 403

    path = tmp_path / "s.json"
    path.write_text(json.dumps(base()))
    out = io.StringIO()
    call_command("plan", "--programme", planned.code, "--scenario", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert result["selected"] == 99 and "p80" in result["projected_claims"]
    assert not Scenario.objects.exists()  # not saved without --save
    path.write_text(json.dumps(base(start_month=0)))
    with pytest.raises(CommandError, match="start_month"):
        call_command("plan", "--programme", planned.code, "--scenario", str(path))
