"""Scholarships: eligibility, children, stop conditions, schedules, Madiun figures."""

from datetime import date, timedelta

import pytest

from lindung.rules.errors import RulesError
from lindung.rules.parameters import params_on
from lindung.rules.scholarships import (
    Child,
    age_on,
    instalment_schedule,
    participant_eligibility,
    scholarships,
    school_year_label,
    school_year_of,
)

EVENT = date(2025, 11, 10)  # school year 2025/2026
PP82 = date(2019, 12, 2)


def _sched(child, event=EVENT):
    return [
        (i.label, i.level, i.year_in_level, i.amount) for i in instalment_schedule(child, event)
    ]


def test_school_year():
    assert school_year_of(date(2025, 7, 1)) == 2025
    assert school_year_of(date(2026, 6, 30)) == 2025
    assert school_year_label(2025) == "2025/2026"
    assert age_on(date(2010, 11, 10), EVENT) == 15
    assert age_on(date(2010, 11, 11), EVENT) == 14


# ---------------------------------------------------------------- Madiun


def test_madiun_jkm_child_about_to_start_tk_87_million():
    # Event in the 2025/2026 school year; the child is 3 now and 4 on 1 July 2026.
    kid = Child(birth_date=date(2022, 5, 20))
    r = scholarships("jkm_death", EVENT, 48, [kid])
    assert r.eligible
    assert r.this_year == 0
    assert r.commitment == 87_000_000
    c = r.children[0]
    assert c.start_school_year == 2026
    assert len(c.schedule) == 19
    assert c.schedule[0].label == "2026/2027" and c.schedule[0].level == "TK"
    assert c.schedule[-1].level == "PT" and c.schedule[-1].year_in_level == 5
    assert c.to_dict()["start_school_year"] == "2026/2027"


def test_madiun_child_starting_tk_this_year():
    kid = Child(birth_date=date(2021, 5, 20), level="TK", year_in_level=1)
    r = scholarships("jkm_death", EVENT, 36, [kid])
    assert (r.this_year, r.commitment) == (1_500_000, 87_000_000)


def test_jkm_under_36_months_no_scholarship_with_reason():
    kid = Child(birth_date=date(2015, 1, 1), level="SD", year_in_level=5)
    r = scholarships("jkm_death", EVENT, 35, [kid])
    assert not r.eligible
    assert (r.this_year, r.commitment) == (0, 0)
    assert "35 bulan" in r.reason_id and "36" in r.reason_id
    assert "35 contribution months" in r.reason_en and "36" in r.reason_en
    assert r.children[0].reason_id == r.reason_id and not r.children[0].selected


@pytest.mark.parametrize("benefit", ["jkk_death", "jkk_total_disability"])
def test_jkk_no_minimum_period(benefit):
    kid = Child(birth_date=date(2015, 1, 1), level="SD", year_in_level=5)
    r = scholarships(benefit, EVENT, 0, [kid])
    assert r.eligible and "tanpa syarat masa iur" in r.reason_id
    # SD 5–6 (2 × 1.5M) + SMP (6M) + SMA (9M) + PT (60M)
    assert (r.this_year, r.commitment) == (1_500_000, 78_000_000)


@pytest.mark.parametrize("benefit", ["jkk_partial_disability", "jkk_stmb"])
def test_other_benefits_have_no_scholarship(benefit):
    ok, rid, ren, _ = participant_eligibility(benefit, 100, params_on(EVENT))
    assert not ok and "hanya untuk" in rid and "only" in ren


# ---------------------------------------------------------------- children


def test_two_eldest_of_three():
    kids = [
        Child(date(2018, 1, 1), "SD", 2, name="Bungsu"),
        Child(date(2010, 1, 1), "SMA", 1, name="Sulung"),
        Child(date(2013, 1, 1), "SMP", 1, name="Tengah"),
    ]
    r = scholarships("jkk_death", EVENT, 0, kids)
    assert [c.selected for c in r.children] == [False, True, True]
    assert r.children[0].eligible and "2 anak" in r.children[0].reason_id
    assert r.this_year == 3_000_000 + 2_000_000
    assert r.commitment == (3 * 3_000_000 + 60_000_000) + (3 * 2_000_000 + 9_000_000 + 60_000_000)


def test_chosen_children():
    kids = [
        Child(date(2018, 1, 1), "SD", 2, chosen=True),
        Child(date(2010, 1, 1), "SMA", 1),
        Child(date(2013, 1, 1), "SMP", 1, chosen=True),
    ]
    r = scholarships("jkk_death", EVENT, 0, kids)
    assert [c.selected for c in r.children] == [True, False, True]
    with pytest.raises(RulesError):
        scholarships("jkk_death", EVENT, 0, [Child(date(2018, 1, 1), "SD", 2, chosen=True)] * 3)


def test_ineligible_eldest_frees_a_place():
    kids = [
        Child(date(2001, 1, 1), "PT", 5),  # 24: too old
        Child(date(2010, 1, 1), "SMA", 1, married=True),
        Child(date(2012, 1, 1), "SMP", 2),
        Child(date(2014, 1, 1), "SD", 6),
    ]
    r = scholarships("jkk_death", EVENT, 0, kids)
    assert [c.selected for c in r.children] == [False, False, True, True]
    assert "24 tahun" in r.children[0].reason_id
    assert "menikah" in r.children[1].reason_id


def test_age_23_stop_and_cutoff():
    # 22 at the event: this year paid; 23 on 1 July 2026 → nothing more.
    kid = Child(date(2003, 3, 1), "PT", 3)
    assert _sched(kid) == [("2025/2026", "PT", 3, 12_000_000)]
    # turns 23 after 1 July 2026: 2026/2027 still paid
    kid = Child(date(2003, 9, 1), "PT", 3)
    assert [s[0] for s in _sched(kid)] == ["2025/2026", "2026/2027"]
    r = scholarships("jkk_death", EVENT, 0, [Child(date(2002, 11, 10), "PT", 3)])
    assert not r.children[0].eligible and "23" in r.children[0].reason_id
    assert instalment_schedule(Child(date(2002, 11, 10), "PT", 3), EVENT) == []


def test_working_child_permenaker_1_2025_exceptions():
    base = {"birth_date": date(2005, 1, 1), "level": "PT", "year_in_level": 2}
    cases = {
        ("pu", 6): True,
        ("pu", 7): False,
        ("pu", None): False,
        ("bpu", None): True,
        ("apprenticeship", None): True,
    }
    for (work, months), eligible in cases.items():
        kid = Child(**base, working=work, working_months=months)
        r = scholarships("jkk_death", EVENT, 0, [kid])
        assert r.children[0].eligible is eligible, (work, months)
        if not eligible:
            assert "Permenaker 1/2025" in r.children[0].reason_id
    # a working child not at school gets no exception
    r = scholarships("jkk_death", EVENT, 0, [Child(date(2007, 1, 1), working="bpu")])
    assert not r.children[0].eligible


def test_working_child_before_permenaker_1_2025_stops():
    kid = Child(date(2000, 1, 1), "PT", 2, working="bpu")
    r = scholarships("jkk_death", date(2020, 3, 1), 0, [kid])
    assert not r.children[0].eligible
    assert r.children[0].reason_id == "Tidak berhak: anak sudah bekerja."


def test_pre_school_start_rules():
    # born Sept 2022: 3 on 1 July 2026, 4 on 1 July 2027 → TK A (year 1) in 2027/2028
    assert _sched(Child(date(2022, 9, 1)))[0][:3] == ("2027/2028", "TK", 1)
    # 5 on 1 July 2026 and not in TK: TK B (year 2), then SD at 6
    first, second = _sched(Child(date(2020, 12, 1)))[:2]
    assert (first[:3], second[:3]) == (("2026/2027", "TK", 2), ("2027/2028", "SD", 1))
    # child born after the event (posthumous) gets a schedule too
    r = scholarships("jkm_death", EVENT, 40, [Child(EVENT + timedelta(days=100))])
    assert r.children[0].age_at_event == 0 and r.commitment == 87_000_000
    # a 9-year-old not at school: nothing until enrolled, and no place taken
    r = scholarships("jkm_death", EVENT, 40, [Child(date(2016, 1, 1))])
    c = r.children[0]
    assert c.eligible and not c.selected and c.commitment == 0
    assert "belum terdaftar" in c.reason_id and "jatah" in c.reason_id


def test_pt_beyond_five_years():
    r = scholarships("jkk_death", EVENT, 0, [Child(date(2004, 1, 1), "PT", 6)])
    assert r.children[0].commitment == 0
    assert "terlampaui" in r.children[0].reason_id


def test_lump_sum_regime_before_pp82():
    event = PP82 - timedelta(days=1)
    kids = [Child(date(2010, 1, 1), "SD", 4), Child(date(2008, 1, 1), "SMP", 2)]
    r = scholarships("jkk_death", event, 0, kids)
    assert r.regime == "lump_sum"
    assert [c.selected for c in r.children] == [False, True]  # one child, the eldest
    assert (r.this_year, r.commitment) == (12_000_000, 12_000_000)
    # JKM before PP 82/2019 needed 5 years (UNCONFIRMED)
    assert not scholarships("jkm_death", event, 59, kids).eligible
    assert scholarships("jkm_death", event, 60, kids).eligible


def test_schedule_for_instalments():
    kid = Child(date(2012, 3, 1), "SMP", 2)
    s = instalment_schedule(kid, EVENT)
    assert [i.level for i in s] == ["SMP", "SMP", "SMA", "SMA", "SMA"] + ["PT"] * 5
    assert sum(i.amount for i in s) == 2 * 2_000_000 + 9_000_000 + 60_000_000
    assert s[0].to_dict() == {
        "school_year": "2025/2026",
        "level": "SMP",
        "year_in_level": 2,
        "amount": 2_000_000,
    }
    assert instalment_schedule(kid, EVENT) == s  # deterministic (cached run)


def test_result_dict_shape():
    r = scholarships("jkk_death", EVENT, 0, [Child(date(2015, 1, 1), "SD", 5, name="Ani")])
    d = r.children[0].to_dict()
    assert d["name"] == "Ani" and d["this_year"] == 1_500_000 and d["commitment"] == 78_000_000
    assert len(d["schedule"]) == 13
