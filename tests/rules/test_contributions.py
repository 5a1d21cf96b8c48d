"""Contributions: monthly amounts, discounts, due dates, fines, BPU lapse."""

from datetime import date

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules.contributions import (
    bpu_lapse,
    bpu_tier_for_income,
    due_date,
    explain_due_date,
    late_fine,
    monthly_contribution,
    months_late,
)
from lindung.rules.errors import RulesError
from lindung.rules.workdays import holiday_name, is_working_day, next_working_day

UMK_2025 = 2_422_105


def test_pu_madiun_2025_class_i():
    c = monthly_contribution("PU", UMK_2025, date(2025, 3, 1))
    assert c.total == 13_079  # 0.54 % × 2,422,105 = 13,079.367
    assert [line.amount for line in c.lines] == [5_813, 7_266]
    assert "0,24% × Rp 2.422.105 = 5.813,052" in c.lines[0].formula
    assert c.lines[0].basis.startswith("[N22][N24b]")
    d = c.to_dict()
    assert d["total"] == 13_079 and d["month"] == "2025-03-01"
    assert {p["name"] for p in d["parameters"]} >= {"pu.jkk_rate", "pu.jkm_rate", "money.rounding"}


def test_pu_madiun_2023_matches_reported_premium():
    # Madiun reported Rp 11,800/person/month in 2023 ≈ 0.54 % × UMK 2023 (rounded in the press).
    # Rounding per line gives 5,257 + 6,571 = 11,828; rounding the total would give 11,827:
    # the rule is UNCONFIRMED, hence the named parameter.
    c = monthly_contribution("PU", 2_190_216, date(2023, 5, 1))
    assert [line.amount for line in c.lines] == [5_257, 6_571]
    assert c.total == 11_828


@pytest.mark.parametrize(
    ("risk", "jkk"), [("I", 5_813), ("II", 13_079), ("III", 21_557), ("IV", 30_761), ("V", 42_145)]
)
def test_pu_risk_classes(risk, jkk):
    c = monthly_contribution("PU", UMK_2025, date(2025, 3, 1), risk_class=risk)
    assert c.lines[0].amount == jkk and c.lines[1].amount == 7_266


def test_bpu_lowest_and_highest_tier():
    low = monthly_contribution("BPU", 1_000_000, date(2025, 3, 1))
    assert low.total == 16_800
    assert [line.amount for line in low.lines] == [10_000, 6_800]
    high = monthly_contribution("BPU", 20_700_000, date(2025, 3, 1))
    assert high.lines[0].amount == 207_000 and high.total == 213_800


def test_discount_labour_intensive_scoped():
    month = date(2025, 4, 1)
    private = monthly_contribution("PU", UMK_2025, month, sector="padat_karya", funding="SWASTA")
    codes = [line.code for line in private.lines]
    assert "diskon_jkk_padat_karya_jkk_50_2025a" in codes
    assert private.total == 2_907 + 7_266  # JKK 5,813.052 × 50 % = 2,906.526 → 2,907
    assert private.lines[2].amount == -2_906
    assert private.discounts[0].code == "padat_karya_jkk_50_2025a"
    assert any(
        p["name"] == "discount.padat_karya_jkk_50_2025a" for p in private.to_dict()["parameters"]
    )
    # APBD-paid workers are out of scope, and so is anyone outside the period or sector.
    apbd = monthly_contribution("PU", UMK_2025, month, sector="padat_karya", funding="APBD")
    assert apbd.total == 13_079 and apbd.discounts == ()
    assert (
        monthly_contribution(
            "PU", UMK_2025, date(2025, 1, 1), sector="padat_karya", funding="SWASTA"
        ).total
        == 13_079
    )
    assert monthly_contribution("PU", UMK_2025, month, funding="SWASTA").total == 13_079


def test_discount_covid_relief_2020():
    c = monthly_contribution("BPU", 1_000_000, date(2020, 9, 1), funding="APBD")
    assert c.total == 10_000 - 9_900 + 6_800 - 6_732
    assert all(line.amount >= -10_000 for line in c.lines)


def test_bpu_transport_discount_excludes_apbd():
    month = date(2026, 3, 1)
    csr = monthly_contribution("BPU", 1_000_000, month, sector="transportasi", funding="CSR")
    assert csr.total == 5_000 + 3_400
    apbd = monthly_contribution("BPU", 1_000_000, month, sector="transportasi", funding="APBD")
    assert apbd.total == 16_800


def test_contribution_errors():
    with pytest.raises(RulesError) as e:
        monthly_contribution("XX", 1, date(2025, 1, 1))
    assert e.value.field == "segment"
    with pytest.raises(RulesError) as e:
        monthly_contribution("PU", 0, date(2025, 1, 1))
    assert e.value.field == "wage"
    with pytest.raises(RulesError) as e:
        monthly_contribution("PU", 1_000, date(2025, 1, 1), risk_class="VI")
    assert e.value.field == "risk_class"


@given(
    segment=st.sampled_from(["PU", "BPU"]),
    wage=st.integers(min_value=1_000_000, max_value=20_700_000),
    extra=st.integers(min_value=0, max_value=5_000_000),
    month=st.dates(min_value=date(2015, 7, 1), max_value=date(2027, 12, 1)),
    sector=st.sampled_from([None, "padat_karya", "transportasi"]),
    funding=st.sampled_from(["APBD", "CSR", "SWASTA"]),
)
def test_contribution_properties(segment, wage, extra, month, sector, funding):
    kw = {"sector": sector, "funding": funding}
    a = monthly_contribution(segment, wage, month, **kw)
    b = monthly_contribution(segment, min(wage + extra, 20_700_000), month, **kw)
    assert isinstance(a.total, int) and a.total >= 0
    assert all(isinstance(line.amount, int) for line in a.lines)
    assert b.total >= a.total


def test_tier_for_income():
    on = date(2025, 1, 1)
    assert bpu_tier_for_income(1, on) == 1_000_000
    assert bpu_tier_for_income(1_000_001, on) == 2_000_000
    assert bpu_tier_for_income(20_000_001, on) == 20_700_000
    assert bpu_tier_for_income(30_000_000, on) == 20_700_000


# ---------------------------------------------------------------- due dates


def test_holiday_library_has_idul_fitri_2025_and_cuti_bersama_is_separate():
    assert holiday_name(date(2025, 3, 31)) == "Hari Raya Idul Fitri"
    assert holiday_name(date(2025, 4, 1)) is not None
    # cuti bersama 2–7 April 2025 is only in the "government" category
    assert holiday_name(date(2025, 4, 2)) is None
    assert holiday_name(date(2025, 4, 2), cuti_bersama=True) is not None
    assert date(2025, 3, 31) in holidays.country_holidays("ID", years=2025)
    assert not is_working_day(date(2025, 3, 31))
    assert next_working_day(date(2025, 3, 29)) == date(2025, 4, 2)
    assert next_working_day(date(2025, 3, 29), cuti_bersama=True) == date(2025, 4, 8)


@pytest.mark.parametrize(
    ("segment", "year", "month", "expected"),
    [
        ("PU", 2025, 1, date(2025, 2, 17)),  # 15 Feb 2025 is a Saturday
        ("PU", 2025, 2, date(2025, 3, 17)),  # 15 Mar 2025 is a Saturday
        ("PU", 2025, 3, date(2025, 4, 15)),  # a Tuesday
        ("PU", 2025, 5, date(2025, 6, 16)),  # 15 Jun 2025 is a Sunday
        ("PU", 2025, 12, date(2026, 1, 15)),  # next month is next year
        ("BPU", 2025, 6, date(2025, 6, 16)),  # same month for BPU
        ("BPU", 2022, 4, date(2022, 4, 18)),  # 15 Apr 2022 Good Friday, then weekend
        ("PU", 2022, 3, date(2022, 4, 18)),
        ("BPU", 2020, 8, date(2020, 8, 18)),  # Sat 15 → Sun → Mon 17 Aug Independence Day
        ("BPU", 2024, 6, date(2024, 6, 18)),  # Sat 15 → Sun → Mon 17 Jun Idul Adha
        ("BPU", 2024, 4, date(2024, 4, 15)),  # cuti bersama Idul Fitri is a working day here
    ],
)
def test_due_dates(segment, year, month, expected):
    assert due_date(segment, year, month) == expected


def test_due_date_with_cuti_bersama():
    assert due_date("BPU", 2024, 4, cuti_bersama=True) == date(2024, 4, 16)
    assert due_date("BPU", 2024, 6, cuti_bersama=True) == date(2024, 6, 19)


def test_explain_due_date():
    d = explain_due_date("BPU", 2020, 8)
    assert d.nominal == date(2020, 8, 15)
    assert [r for _, r in d.skipped] == ["Sabtu", "Minggu", "Hari Kemerdekaan Republik Indonesia"]
    assert d.to_dict()["due"] == "2020-08-18"
    assert d.to_dict()["contribution_month"] == "2020-08"
    assert "[N16]" in d.basis


def test_due_date_errors():
    with pytest.raises(RulesError):
        due_date("XX", 2025, 1)
    with pytest.raises(RulesError):
        due_date("PU", 2025, 13)


def test_late_fine_and_months_late():
    assert months_late(date(2025, 6, 16), date(2025, 6, 1)) == 0
    assert months_late(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert months_late(date(2025, 1, 31), date(2025, 3, 1)) == 2
    line = late_fine("PU", 13_079, 1, date(2025, 7, 1))
    assert line.amount == 262 and line.code == "denda_keterlambatan"
    assert "UNCONFIRMED" in line.basis
    assert late_fine("BPU", 16_800, 3, date(2025, 7, 1)).amount == 0


def test_bpu_lapse():
    assert not bpu_lapse([]).lapsed
    ok = bpu_lapse([False, False, False, True], on=date(2025, 1, 1))
    assert not ok.lapsed and ok.longest_unpaid_run == 3 and "3" in ok.reason_id
    gone = bpu_lapse([True] + [False] * 6)
    assert gone.lapsed and gone.lapsed_at == 4 and gone.longest_unpaid_run == 6
    assert "mendaftar ulang" in gone.reason_id and "re-register" in gone.reason_en
    assert bpu_lapse([False, False], max_unpaid=1).lapsed


def test_umk_lookup():
    from lindung.rules.contributions import umk
    from lindung.rules.errors import ParameterNotInForce

    assert umk("35.77", date(2024, 12, 31)).value == 2_274_277
    assert umk("35.19", date(2025, 1, 1)).value == 2_400_321  # Kabupaten Madiun
    with pytest.raises(ParameterNotInForce):
        umk("93.01", date(2025, 1, 1))  # Kabupaten Merauke: not shipped
