"""The dashboard's read model: cached participant counts follow every change of the data,
and charts are redrawn only when their figures change."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.core import charts
from lindung.coverage import services as coverage
from lindung.reports.queries import Period, active_participants, dashboard
from tests.actors import system

pytestmark = pytest.mark.django_db
PERIOD = Period.parse("2025-01", "2025-06")


def test_cached_counts_follow_enrolments_and_registry_changes(
    programme, agreement, make_participant
):
    a = make_participant(programme, "PU")
    make_participant(programme, "BPU", start=date(2025, 3, 1))
    first = dashboard(programme, PERIOD, date(2025, 6, 30))
    assert first["active_participants"]["total"] == 2
    assert [m["PU"] + m["BPU"] for m in first["monthly"]] == [1, 1, 2, 2, 2, 2]
    # The same figures again come from the cache, and are the same.
    assert dashboard(programme, PERIOD, date(2025, 6, 30))["monthly"] == first["monthly"]

    # A new enrolment (bulk, no history row) is seen at once.
    late = make_participant(programme, "BPU", enrol=False, start=date(2025, 5, 1))
    coverage.enrol_many(programme, [late.pk], date(2025, 5, 1), actor=system())
    assert active_participants(programme, date(2025, 6, 30))["BPU"] == 2
    # Ending one is seen at once.
    coverage.end_enrolment(a, date(2025, 4, 30), "left", actor=system())
    after = dashboard(programme, PERIOD, date(2025, 6, 30))
    assert after["active_participants"] == {
        "total": 2,
        "PU": 0,
        "BPU": 2,
        "as_of": "2025-06-30",
    }
    assert [m["PU"] for m in after["monthly"]] == [1, 1, 1, 1, 0, 0]
    # A participant moving kelurahan (a registry change) moves in the area table at once.
    person = late.person
    person.kelurahan_code = "35.77.02.1001"
    person.save()
    codes = {r["code"]: r["participants"] for r in dashboard(programme, PERIOD)["by_kelurahan"]}
    assert codes.get("35.77.02.1001") == 1


def test_charts_are_redrawn_only_when_their_figures_change():
    one = charts.bars(["Jan", "Feb"], {"Iuran": [1_000_000, 2_000_000]}, title="Uji", money=True)
    again = charts.bars(["Jan", "Feb"], {"Iuran": [1_000_000, 2_000_000]}, title="Uji", money=True)
    changed = charts.bars(
        ["Jan", "Feb"], {"Iuran": [1_000_000, 2_500_000]}, title="Uji", money=True
    )
    assert one is again  # the memoised SVG text itself
    assert changed != one and changed.startswith("<svg")


def test_a_programme_without_enrolments_counts_zero(programme):
    assert active_participants(programme, date(2025, 1, 1)) == {
        "total": 0,
        "PU": 0,
        "BPU": 0,
        "as_of": "2025-01-01",
    }


def test_cached_claims_per_area_and_agency_follow_claims_and_registry_changes(
    programme, agreement, make_participant
):
    from lindung.claims.models import Claim
    from lindung.registry.models import Agency

    opd = Agency.objects.create(programme=programme, code="OPD-1", name="Dinas Satu")
    worker = make_participant(programme, "PU", kelurahan="35.77.01.1001")
    worker.agency = opd
    worker.save()

    def figures():
        data = dashboard(programme, PERIOD, date(2025, 6, 30))
        area = {r["code"]: (r["claims"], r["amount"]) for r in data["by_kelurahan"]}
        agency = {r["code"]: (r["claims"], r["amount"]) for r in data["by_agency"]}
        return area, agency

    assert figures() == ({"35.77.01.1001": (0, 0)}, {"OPD-1": (0, 0)})
    claim = Claim.objects.create(
        programme=programme,
        number="K-1",
        participant=worker,
        type="jkm_death",
        segment="PU",
        event_date=date(2025, 3, 2),
        bpjs_paid=42_000_000,
        bpjs_paid_on=date(2025, 4, 10),
    )
    assert figures() == ({"35.77.01.1001": (1, 42_000_000)}, {"OPD-1": (1, 42_000_000)})
    claim.bpjs_paid = 40_000_000  # a corrected payment
    claim.save()
    assert figures()[0] == {"35.77.01.1001": (1, 40_000_000)}
    person = worker.person
    person.kelurahan_code = "35.77.02.1001"  # the participant moves: so do the claims
    person.save()
    assert figures()[0] == {"35.77.02.1001": (1, 40_000_000)}
