"""Dated parameters: loading, lookup by date, provenance, unconfirmed flags."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.rules import parameters as P
from lindung.rules.errors import ParameterNotInForce
from lindung.rules.parameters import EARLIEST, all_parameters, discounts, params_on

PP82 = date(2019, 12, 2)


def test_no_float_anywhere():
    def walk(value):
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for param in all_parameters().values():
        for v in param.values:
            walk(v.value)
    for d in discounts():
        assert isinstance(d.rate, Decimal)


def test_every_value_has_provenance():
    for param in all_parameters().values():
        assert param.label and param.unit, param.name
        for v in param.values:
            assert v.ref, (param.name, v.start)
            assert isinstance(v.start, date)
            assert v.start >= EARLIEST


def test_jkm_before_and_after_pp82():
    before, after = params_on(PP82 - timedelta(days=1)), params_on(PP82)
    assert before.value("jkm.lump_sum") == 16_200_000
    assert before.value("jkm.periodic_months") * before.value("jkm.periodic_monthly") == 4_800_000
    assert before.value("jkm.funeral") == 3_000_000
    assert before.value("scholarship.lump_sum") == 12_000_000
    assert before.value("scholarship.max_children") == 1
    assert after.value("jkm.lump_sum") == 20_000_000
    assert after.value("jkm.periodic_months") * after.value("jkm.periodic_monthly") == 12_000_000
    assert after.value("jkm.funeral") == 10_000_000
    assert "scholarship.lump_sum" not in after  # ended by PP 82/2019
    assert after.value("scholarship.max_children") == 2
    assert after.value("jkm.scholarship_min_months") == 36
    v = after["jkm.lump_sum"]
    assert (v.start, v.unconfirmed) == (PP82, False)
    assert "PP 82/2019" in v.ref and "[N2]" in v.ref


def test_contribution_rates():
    p = params_on(date(2025, 1, 1))
    assert p.value("pu.jkk_rate") == {
        "I": Decimal("0.0024"),
        "II": Decimal("0.0054"),
        "III": Decimal("0.0089"),
        "IV": Decimal("0.0127"),
        "V": Decimal("0.0174"),
    }
    assert p.value("pu.jkm_rate") == Decimal("0.0030")
    assert p.value("bpu.jkk_rate") == Decimal("0.01")
    assert p.value("bpu.jkm_flat") == 6_800
    assert p.value("bpu.tier_lowest") == 1_000_000
    assert p.value("bpu.tier_highest") == 20_700_000
    tiers = p.value("bpu.tiers")
    assert tiers[0] == 1_000_000 and tiers[-1] == 20_700_000 and tiers == sorted(tiers)


def test_jkk_parameters():
    p = params_on(date(2025, 1, 1))
    assert p.value("jkk.death_multiplier") == 48
    assert p.value("jkk.total_disability_multiplier") == 56
    assert p.value("jkk.disability_multiplier") == 80
    assert p.value("jkk.death_floor") == "jkm.lump_sum"
    assert p.value("jkk.funeral") == 10_000_000
    assert p.value("jkk.transport_cap") == {
        "land": 5_000_000,
        "sea": 2_000_000,
        "air": 10_000_000,
    }
    assert p.value("jkk.home_care_cap") == 20_000_000
    assert p.value("jkk.stmb_schedule") == [
        {"from_month": 1, "to_month": 12, "percent": 100},
        {"from_month": 13, "to_month": None, "percent": 50},
    ]
    assert "jkk.home_care_cap" not in params_on(PP82 - timedelta(days=1))


def test_scholarship_table():
    levels = params_on(date(2025, 1, 1)).value("scholarship.levels")
    table = {r["level"]: (r["per_year"], r["years"]) for r in levels}
    assert table == {
        "TK": (1_500_000, 2),
        "SD": (1_500_000, 6),
        "SMP": (2_000_000, 3),
        "SMA": (3_000_000, 3),
        "PT": (12_000_000, 5),
    }
    assert sum(a * n for a, n in table.values()) == 87_000_000
    assert sum(n for _, n in table.values()) == 19


def test_umk_kota_madiun():
    expected = {2023: 2_190_216, 2024: 2_274_277, 2025: 2_422_105, 2026: 2_594_414}
    for year, amount in expected.items():
        v = params_on(date(year, 6, 1))["umk.35.77"]
        assert v.value == amount
        assert v.unconfirmed is (year == 2026)
    assert "umk.35.77" not in params_on(date(2022, 12, 31))


@pytest.mark.parametrize(
    "name",
    [
        "money.rounding",
        "bpu.tiers",
        "pu.late_fine_rate",
        "pu.default_risk_class",
        "jkk.disability_table",
        "scholarship.tk_entry_age",
        "scholarship.sd_entry_age",
    ],
)
def test_unconfirmed_flags(name):
    assert params_on(date(2025, 6, 1))[name].unconfirmed is True


def test_confirmed_values_are_not_flagged():
    p = params_on(date(2025, 6, 1))
    for name in ("jkm.lump_sum", "pu.jkm_rate", "bpu.jkm_flat", "jkk.death_multiplier"):
        assert p[name].unconfirmed is False


def test_missing_parameter_raises_typed_error():
    with pytest.raises(ParameterNotInForce) as e:
        params_on(date(2025, 1, 1))["no.such"]
    assert e.value.name == "no.such"
    assert "no.such" in e.value.message_id and "no.such" in e.value.message_en
    assert e.value.to_dict()["field"] is None
    with pytest.raises(ParameterNotInForce):
        params_on(date(2010, 1, 1)).value("jkm.lump_sum")


def test_paramset_helpers():
    p = params_on(date(2025, 1, 1))
    assert p.get("no.such") is None
    assert p.get("jkm.lump_sum").value == 20_000_000
    assert any(v.name == "jkm.lump_sum" for v in p.values())
    assert "2025-01-01" in repr(p)
    assert params_on(date(2025, 1, 1)) is p  # cached
    with pytest.raises(TypeError):
        params_on("2025-01-01")


def test_discounts_have_scope_and_period():
    found = {d.code: d for d in discounts()}
    pk = found["padat_karya_jkk_50_2025a"]
    assert pk.rate == Decimal("0.50") and pk.programmes == ("jkk",)
    assert pk.in_force(date(2025, 2, 1)) and not pk.in_force(date(2025, 1, 1))
    assert pk.applies_to("PU", "padat_karya", "SWASTA")
    assert not pk.applies_to("PU", "padat_karya", "APBD")
    assert not pk.applies_to("BPU", "padat_karya", None)
    assert not pk.applies_to("PU", None, None)
    pk2 = found["padat_karya_jkk_50_2025b"]
    assert pk2.in_force(date(2026, 1, 1)) and not pk2.in_force(date(2026, 2, 1))
    transport = found["bpu_transportasi_50"]
    assert "APBD" in transport.funding_excluded and "APBN" in transport.funding_excluded
    d = transport.to_dict()
    # PP 50/2025: transport BPU January 2026 - March 2027 (15 months), sourced
    assert (d["value"], d["unconfirmed"], d["from"], d["until"]) == (
        "0.50",
        False,
        "2026-01-01",
        "2027-03-31",
    )
    assert transport.in_force(date(2027, 3, 1)) and not transport.in_force(date(2027, 4, 1))
    other = found["bpu_nontransportasi_50"]
    assert other.applies_to("BPU", "pertanian", "CSR") and other.applies_to("BPU", None, None)
    assert not other.applies_to("BPU", "transportasi", "CSR")
    assert not other.applies_to("BPU", "pertanian", "APBD")
    assert other.unconfirmed and other.in_force(date(2026, 4, 1))
    assert not other.in_force(date(2026, 3, 1)) and not other.in_force(date(2027, 1, 1))


def test_value_to_dict_is_json_ready():
    d = params_on(date(2025, 1, 1))["pu.jkk_rate"].to_dict()
    assert d["value"]["I"] == "0.0024"
    assert d["from"] == "2015-07-01"
    d["value"] = "changed"
    assert params_on(date(2025, 1, 1))["pu.jkk_rate"].to_dict()["value"]["I"] == "0.0024"


def test_parse_errors():
    with pytest.raises(ValueError, match="no values"):
        P._parse_parameter("x", {"values": []}, "t.yaml")
    with pytest.raises(ValueError, match="must be a date"):
        P._parse_parameter("x", {"values": [{"from": "2020", "value": 1}]}, "t.yaml")
    with pytest.raises(ValueError, match="same date"):
        P._parse_parameter(
            "x",
            {
                "values": [
                    {"from": date(2020, 1, 1), "value": 1},
                    {"from": date(2020, 1, 1), "value": 2},
                ]
            },
            "t.yaml",
        )


def test_load_rejects_duplicate_parameter(monkeypatch):
    files = [("a.yaml", "x:\n  values:\n    - {from: 2020-01-01, value: 1}\n")] * 2
    monkeypatch.setattr(P, "_param_files", lambda: iter(files))
    P._load.cache_clear()
    try:
        with pytest.raises(ValueError, match="defined twice"):
            P._load()
    finally:
        monkeypatch.undo()
        P._load.cache_clear()
        params_on.cache_clear()


def test_yaml_floats_become_decimal():
    import yaml

    data = yaml.load("a: 0.0024\nb: 1_000\n", Loader=P._Loader)  # noqa: S506
    assert data == {"a": Decimal("0.0024"), "b": 1000}


# Every parameter changes exactly at its effective dates.
_CHANGES = sorted({(p.name, v.start) for p in all_parameters().values() for v in p.values[1:]})


@pytest.mark.parametrize(("name", "start"), _CHANGES)
def test_value_changes_exactly_at_effective_date(name, start):
    param = all_parameters()[name]
    i = [v.start for v in param.values].index(start)
    new, old = param.values[i], param.values[i - 1]
    on = params_on(start).get(name)
    before = params_on(start - timedelta(days=1)).get(name)
    assert (on.value if on else None) == new.value
    assert (before.value if before else None) == old.value
    if on is not None:
        assert on.start == start and on.ref == new.ref


@given(st.dates(min_value=EARLIEST, max_value=date(2030, 12, 31)))
def test_lookup_picks_latest_value_not_after_date(day):
    ps = params_on(day)
    for param in all_parameters().values():
        candidates = [v for v in param.values if v.start <= day]
        got = ps.get(param.name)
        if not candidates or candidates[-1].value is None:
            assert got is None
        else:
            assert got is candidates[-1]


def test_not_in_force_says_since_when_or_since_when_not():
    from lindung.rules.errors import ParameterNotInForce

    with pytest.raises(ParameterNotInForce) as exc:
        params_on(date(2025, 1, 1))["scholarship.lump_sum"]
    assert exc.value.ended == date(2019, 12, 2) and "tidak berlaku lagi sejak" in str(
        exc.value.message_id
    )
    with pytest.raises(ParameterNotInForce) as exc:
        params_on(date(2019, 1, 1))["jkk.home_care_cap"]
    assert exc.value.since == date(2019, 12, 2) and exc.value.field is None
    named = exc.value.for_field("home_care_cost")
    assert named.field == "home_care_cost" and named.message_id.startswith("home_care_cost: ")
    with pytest.raises(ParameterNotInForce) as exc:
        params_on(date(2025, 1, 1))["no.such_parameter"]
    assert exc.value.since is None and exc.value.ended is None
