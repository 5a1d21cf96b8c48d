"""JKM/JKK benefits: every worked example of DOMAIN.md §2–§3, traces, properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules import benefits as B
from lindung.rules.disability import disability_percent, disability_table
from lindung.rules.errors import ParameterNotInForce, RulesError
from lindung.rules.parameters import params_on

UMK = 2_422_105
D = date(2025, 6, 1)
PP82 = date(2019, 12, 2)


# ------------------------------------------------------------ DOMAIN.md worked examples


def test_jkm_death_cash_42_million():
    r = B.jkm_death(D)
    assert r.total == 42_000_000
    assert [(line.code, line.amount) for line in r.lines] == [
        ("jkm_santunan_sekaligus", 20_000_000),
        ("jkm_santunan_berkala", 12_000_000),
        ("jkm_biaya_pemakaman", 10_000_000),
    ]
    assert all("PP 82/2019" in line.basis for line in r.lines)
    assert r.lines[1].formula == "24 × Rp 500.000 = Rp 12.000.000"


def test_jkm_death_before_pp82():
    r = B.jkm_death(PP82 - timedelta(days=1))
    assert r.total == 24_000_000
    assert r.amount("jkm_santunan_sekaligus") == 16_200_000
    assert r.amount("jkm_biaya_pemakaman") == 3_000_000
    assert B.jkm_death(PP82).total == 42_000_000


def test_jkk_death_pu_umk():
    r = B.jkk_death(UMK, D)
    assert r.total == 138_261_040  # 48 × 2,422,105 + 10,000,000 + 12,000,000
    assert r.amount("jkk_santunan_kematian") == 116_261_040
    assert "48 × Rp 2.422.105" in r.lines[0].formula
    names = {v.name for v in r.params}
    assert {"jkk.death_multiplier", "jkk.death_floor", "jkm.lump_sum", "jkk.funeral"} <= names


def test_jkk_death_bpu_lowest_tier_70_million():
    assert B.jkk_death(1_000_000, D, segment="BPU").total == 70_000_000
    assert "penghasilan" in B.jkk_death(1_000_000, D, segment="BPU").lines[0].label


def test_jkk_death_floor_is_jkm_lump_sum():
    r = B.jkk_death(300_000, D)  # 48 × 300,000 = 14,400,000 < 20,000,000
    assert r.amount("jkk_santunan_kematian") == 20_000_000
    assert (
        B.jkk_death(300_000, PP82 - timedelta(days=1)).amount("jkk_santunan_kematian") == 16_200_000
    )


def test_partial_disability_anatomical_10_percent():
    r = B.jkk_partial_disability(UMK, D, 10)
    assert r.total == 19_376_840  # 0.10 × 80 × 2,422,105
    assert r.lines[0].code == "jkk_santunan_cacat_anatomis"
    assert r.lines[0].formula == "10% × 80 × Rp 2.422.105 = Rp 19.376.840"


def test_partial_disability_functional():
    r = B.jkk_partial_disability(UMK, D, 35, Decimal("50"))
    assert r.total == 33_909_470  # 50 % × 35 % × 80 × 2,422,105
    assert r.lines[0].code == "jkk_santunan_cacat_fungsi"
    # fractional result rounded once, half up
    r = B.jkk_partial_disability(1_000_001, D, "2.5")
    assert r.total == 2_000_002  # 0.025 × 80 × 1,000,001 = 2,000,002
    r = B.jkk_partial_disability(1_000_003, D, 1, 33)
    exact = Decimal("0.33") * Decimal("0.01") * 80 * 1_000_003
    assert r.total == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert "→" in r.lines[0].formula


def test_stmb_14_months_exact():
    r = B.jkk_stmb(UMK, D, 14)
    assert r.total == 31_487_365  # 12 × 2,422,105 + 2 × 1,211,052.5 — rounded once per band
    assert [(line.code, line.amount) for line in r.lines] == [
        ("jkk_stmb_100", 29_065_260),
        ("jkk_stmb_50", 2_422_105),
    ]


def test_stmb_odd_half_month_rounds_half_up_once():
    r = B.jkk_stmb(UMK, D, 13)
    assert r.amount("jkk_stmb_50") == 1_211_053
    assert "1.211.052,5 → Rp 1.211.053" in r.lines[1].formula


def test_stmb_before_pp82_has_75_percent_band():
    r = B.jkk_stmb(1_000_000, PP82 - timedelta(days=1), 14)
    assert [line.amount for line in r.lines] == [6_000_000, 4_500_000, 1_000_000]
    assert B.jkk_stmb(1_000_000, D, 0).lines == ()
    assert B.jkk_stmb(1_000_000, D, 1).lines[0].label.endswith("(bulan 1)")


def test_total_disability_bpu_68_million():
    r = B.jkk_total_disability(1_000_000, D, segment="BPU")
    assert r.total == 68_000_000  # 56 × 1,000,000 + 12,000,000
    assert r.amount("jkk_santunan_cacat_total") == 56_000_000


def test_transport_caps_per_mode():
    r = B.jkk_transport(D, {"land": 6_000_000, "sea": 1_000_000, "air": 12_000_000})
    assert [line.amount for line in r.lines] == [5_000_000, 1_000_000, 10_000_000]
    old = B.jkk_transport(PP82 - timedelta(days=1), {"land": 6_000_000})
    assert old.total == 1_000_000 and old.params[0].unconfirmed
    with pytest.raises(RulesError) as e:
        B.jkk_transport(D, {"bike": 1})
    assert e.value.field == "transport"
    with pytest.raises(RulesError) as e:
        B.jkk_transport(D, {"land": -1})
    assert e.value.field == "transport.land"


def test_home_care_cap():
    assert B.jkk_home_care(D, 5_000_000).total == 5_000_000
    assert B.jkk_home_care(D, 30_000_000).total == 20_000_000
    with pytest.raises(ParameterNotInForce):
        B.jkk_home_care(PP82 - timedelta(days=1), 1)


@pytest.mark.parametrize("bad", [0, -1, True, "100", Decimal("1")])
def test_wage_must_be_positive_int(bad):
    with pytest.raises(RulesError) as e:
        B.jkk_death(bad, D)
    assert e.value.field == "monthly_wage"


@pytest.mark.parametrize("bad", [0, -5, 101, "x", None, float("inf")])
def test_percent_validation(bad):
    with pytest.raises(RulesError):
        B.jkk_partial_disability(UMK, D, bad)


@pytest.mark.parametrize("bad", [-1, True, 1.5])
def test_stmb_months_validation(bad):
    with pytest.raises(RulesError) as e:
        B.jkk_stmb(UMK, D, bad)
    assert e.value.field == "incapacity_months"


def test_result_to_dict():
    d = B.jkm_death(D).to_dict()
    assert d["total"] == 42_000_000
    assert d["lines"][0]["label"] == "Santunan sekaligus JKM"
    assert d["parameters"][0]["from"] == "2019-12-02"


# ------------------------------------------------------------ disability table


def test_disability_table_rows():
    t = disability_table(D)
    # the rows DOMAIN.md lists, unchanged
    assert {k: t[k].percent for k in ("mata_keduanya", "mata_satu", "tuli_keduanya")} == {
        "mata_keduanya": 70,
        "mata_satu": 35,
        "tuli_keduanya": 40,
    }
    assert (t["tuli_satu"].percent, t["lengan_kanan_bahu"].percent) == (20, 40)
    assert t["lengan_kiri_bahu"].percent == 35 and not t["lengan_kiri_bahu"].unconfirmed
    # every row: one kind, a label in both languages, a body-part group, a reference
    for item in t.values():
        assert item.label and item.label_en and item.group and item.ref
        for text in (item.label, item.label_en):  # a comma in a YAML flow map splits a label
            assert text.count("(") == text.count(")"), item.code
        assert [item.percent, item.range, item.per_unit].count(None) == 2, item.code
        if item.left_handed_swap:
            assert t[item.left_handed_swap].left_handed_swap == item.code
    assert disability_percent("lengan_kiri_bahu", D, left_handed=True) == 40
    assert disability_percent("mata_satu", D, left_handed=True) == 35
    with pytest.raises(RulesError):
        disability_percent("kaki", D)


# ------------------------------------------------------------ properties

wages = st.integers(min_value=1, max_value=10**9)
dates = st.dates(min_value=date(2015, 7, 1), max_value=date(2030, 12, 31))
dates_pp82 = st.dates(min_value=PP82, max_value=date(2030, 12, 31))
percents = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


def _ok(result):
    for line in result.lines:
        assert type(line.amount) is int and line.amount >= 0
    assert type(result.total) is int and result.total >= 0


@given(
    w=wages,
    extra=st.integers(min_value=0, max_value=10**8),
    day=dates,
    pct=percents,
    loss=percents,
    months=st.integers(min_value=0, max_value=120),
)
def test_amounts_non_negative_ints_and_monotone_in_wage(w, extra, day, pct, loss, months):
    w2 = w + extra
    for fn in (B.jkk_death, B.jkk_total_disability):
        a, b = fn(w, day), fn(w2, day)
        _ok(a)
        assert b.total >= a.total
    a, b = B.jkk_partial_disability(w, day, pct), B.jkk_partial_disability(w2, day, pct)
    _ok(a)
    assert b.total >= a.total
    a, b = B.jkk_partial_disability(w, day, pct, loss), B.jkk_partial_disability(w2, day, pct, loss)
    _ok(a)
    assert b.total >= a.total
    a, b = B.jkk_stmb(w, day, months), B.jkk_stmb(w2, day, months)
    _ok(a)
    assert b.total >= a.total
    _ok(B.jkm_death(day))


@given(w=wages, day=dates, months=st.integers(min_value=0, max_value=240))
def test_stmb_never_exceeds_n_months_of_wage(w, day, months):
    assert B.jkk_stmb(w, day, months).total <= months * w


@given(w=wages, day=dates_pp82)
def test_jkk_death_at_least_jkm_lump_sum(w, day):
    r = B.jkk_death(w, day)
    assert r.amount("jkk_santunan_kematian") >= params_on(day).value("jkm.lump_sum")
