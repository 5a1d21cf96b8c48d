"""The quote JSON contract (issue 3), errors naming the field, and batch mode."""

import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.rules.contributions import monthly_contribution
from lindung.rules.money import format_rupiah
from lindung.rules.quote import (
    QuoteError,
    QuoteRequest,
    QuoteResponse,
    main,
    quote,
    quote_json,
    run_batch,
)

UMK = 2_422_105
RESPONSE_FIELDS = set(QuoteResponse.__annotations__)


def q(**kw):
    base = {"segment": "PU", "event_date": "2025-06-01"}
    base.update(kw)
    return quote(base)


def test_response_fields_of_the_contract():
    r = q(benefit="jkm_death", contribution_months=12)
    assert set(r) == RESPONSE_FIELDS
    for f in (
        "lines",
        "cash_total",
        "scholarship_eligible",
        "scholarship_reason",
        "scholarship_this_year",
        "scholarship_commitment",
        "children",
        "parameters",
    ):
        assert f in r
    for line in r["lines"]:
        assert {"code", "label", "amount", "basis"} <= set(line)
    for p in r["parameters"]:
        assert {"name", "value", "from", "ref", "unconfirmed"} <= set(p)
    json.dumps(r)  # JSON-ready


def test_madiun_jkm_42_million_cash():
    r = q(benefit="jkm_death", contribution_months=12)
    assert r["cash_total"] == 42_000_000
    assert r["scholarship_eligible"] is False
    assert "kurang dari syarat minimal 36 bulan" in r["scholarship_reason"]
    assert r["scholarship_commitment"] == 0 and r["grand_total"] == 42_000_000


def test_madiun_129_million_case():
    r = q(
        benefit="jkm_death",
        contribution_months=36,
        event_date="2025-12-29",
        children=[{"birth_date": "2022-03-14", "level": "none"}],
    )
    assert r["cash_total"] == 42_000_000
    assert r["scholarship_eligible"] is True
    assert r["scholarship_this_year"] == 0
    assert r["scholarship_commitment"] == 87_000_000
    assert r["grand_total"] == 129_000_000
    child = r["children"][0]
    assert child["start_school_year"] == "2026/2027" and len(child["schedule"]) == 19


def test_madiun_under_36_months_no_scholarship():
    r = q(
        benefit="jkm_death",
        contribution_months=35,
        children=[{"birth_date": "2022-03-14", "level": "none"}],
    )
    assert r["scholarship_eligible"] is False and r["scholarship_commitment"] == 0
    assert r["scholarship_reason_en"].startswith("No scholarship")
    assert r["children"][0]["reason"] == r["scholarship_reason"]


@pytest.mark.parametrize(
    ("request_", "cash"),
    [
        ({"benefit": "jkk_death", "monthly_wage": UMK}, 138_261_040),
        (
            {"benefit": "jkk_partial_disability", "monthly_wage": UMK, "disability_percent": 10},
            19_376_840,
        ),
        ({"benefit": "jkk_stmb", "monthly_wage": UMK, "incapacity_months": 14}, 31_487_365),
        (
            {"benefit": "jkk_total_disability", "segment": "BPU", "monthly_wage": 1_000_000},
            68_000_000,
        ),
        ({"benefit": "jkk_death", "segment": "BPU", "monthly_wage": 1_000_000}, 70_000_000),
        ({"benefit": "jkm_death", "contribution_months": 0}, 42_000_000),
        (
            {
                "benefit": "jkk_partial_disability",
                "monthly_wage": UMK,
                "disability_percent": "35",
                "function_loss_percent": Decimal("50"),
            },
            33_909_470,
        ),
        (
            {
                "benefit": "jkk_partial_disability",
                "monthly_wage": UMK,
                "disability_item": "mata_satu",
            },
            67_818_940,
        ),
        (
            {
                "benefit": "jkk_partial_disability",
                "monthly_wage": UMK,
                "disability_item": "lengan_kanan_bahu",
                "left_handed": True,
            },
            67_818_940,
        ),
    ],
)
def test_domain_worked_examples_through_quote(request_, cash):
    assert q(**request_)["cash_total"] == cash


def test_jkk_death_with_children_and_extras():
    r = q(
        benefit="jkk_death",
        monthly_wage=UMK,
        transport={"land": 6_000_000},
        home_care_cost=1_000_000,
        children=[
            {
                "birth_date": "2014-08-01",
                "level": "SD",
                "year_in_level": 5,
                "name": "Ani",
                "married": False,
                "working": False,
            }
        ],
    )
    assert r["cash_total"] == 138_261_040 + 5_000_000 + 1_000_000
    assert r["scholarship_this_year"] == 1_500_000  # 2024/2025: SD 5
    assert r["scholarship_commitment"] == 3_000_000 + 6_000_000 + 9_000_000 + 60_000_000
    assert r["children"][0]["name"] == "Ani"
    names = [p["name"] for p in r["parameters"]]
    assert len(names) == len(set(names))
    assert {
        "jkk.transport_cap",
        "jkk.home_care_cap",
        "scholarship.levels",
        "money.rounding",
    } <= set(names)


def test_parameters_carry_dates_refs_and_flags():
    r = q(benefit="jkm_death", contribution_months=40, event_date="2019-12-01")
    by_name = {p["name"]: p for p in r["parameters"]}
    assert by_name["jkm.lump_sum"]["from"] == "2015-07-01"
    assert by_name["jkm.lump_sum"]["value"] == 16_200_000
    assert by_name["jkm.scholarship_min_months"]["unconfirmed"] is True
    assert by_name["money.rounding"]["value"] == "half_up_per_line"
    assert r["cash_total"] == 24_000_000


def test_accepts_date_objects_and_numeric_strings():
    r = quote(
        {
            "benefit": "jkk_death",
            "segment": "PU",
            "event_date": date(2025, 6, 1),
            "monthly_wage": " 2422105 ",
            "contribution_months": None,
            "children": None,
        }
    )
    assert r["cash_total"] == 138_261_040
    from datetime import datetime

    r = quote(
        {
            "benefit": "jkk_death",
            "segment": "PU",
            "event_date": datetime(2025, 6, 1, 8),
            "monthly_wage": Decimal("2422105"),
        }
    )
    assert r["event_date"] == "2025-06-01"
    assert q(benefit="jkk_death", monthly_wage=2422105.0)["cash_total"] == 138_261_040


# ------------------------------------------------------------------ errors naming the field

BAD = [
    ({"benefit": "jkm"}, "benefit"),
    ({"segment": "X", "benefit": "jkm_death"}, "segment"),
    ({"benefit": "jkm_death", "contribution_months": 1, "event_date": "2025-02-30"}, "event_date"),
    ({"benefit": "jkm_death", "contribution_months": 1, "event_date": "01/06/2025"}, "event_date"),
    ({"benefit": "jkm_death", "contribution_months": 1, "event_date": "2015-06-30"}, "event_date"),
    ({"benefit": "jkm_death", "contribution_months": 1, "event_date": None}, "event_date"),
    ({"benefit": "jkm_death", "contribution_months": 1, "event_date": 20250601}, "event_date"),
    ({"benefit": "jkm_death"}, "contribution_months"),
    ({"benefit": "jkm_death", "contribution_months": -1}, "contribution_months"),
    ({"benefit": "jkm_death", "contribution_months": "x"}, "contribution_months"),
    ({"benefit": "jkm_death", "contribution_months": True}, "contribution_months"),
    ({"benefit": "jkm_death", "contribution_months": 1.5}, "contribution_months"),
    ({"benefit": "jkm_death", "contribution_months": float("nan")}, "contribution_months"),
    ({"benefit": "jkk_death"}, "monthly_wage"),
    ({"benefit": "jkk_death", "monthly_wage": 0}, "monthly_wage"),
    ({"benefit": "jkk_death", "monthly_wage": "2.422.105"}, "monthly_wage"),
    ({"benefit": "jkk_death", "segment": "BPU", "monthly_wage": 20_700_001}, "monthly_wage"),
    ({"benefit": "jkk_partial_disability", "monthly_wage": UMK}, "disability_percent"),
    (
        {"benefit": "jkk_partial_disability", "monthly_wage": UMK, "disability_percent": 0},
        "disability_percent",
    ),
    (
        {"benefit": "jkk_partial_disability", "monthly_wage": UMK, "disability_percent": 101},
        "disability_percent",
    ),
    (
        {
            "benefit": "jkk_partial_disability",
            "monthly_wage": UMK,
            "disability_percent": 10,
            "function_loss_percent": "abc",
        },
        "function_loss_percent",
    ),
    (
        {"benefit": "jkk_partial_disability", "monthly_wage": UMK, "disability_item": "x"},
        "disability_item",
    ),
    (
        {"benefit": "jkk_partial_disability", "monthly_wage": UMK, "disability_item": 5},
        "disability_item",
    ),
    (
        {
            "benefit": "jkk_partial_disability",
            "monthly_wage": UMK,
            "disability_item": "mata_satu",
            "disability_percent": 10,
        },
        "disability_percent",
    ),
    (
        {
            "benefit": "jkk_partial_disability",
            "monthly_wage": UMK,
            "disability_item": "mata_satu",
            "left_handed": "yes",
        },
        "left_handed",
    ),
    ({"benefit": "jkk_stmb", "monthly_wage": UMK}, "incapacity_months"),
    ({"benefit": "jkk_stmb", "monthly_wage": UMK, "incapacity_months": 0}, "incapacity_months"),
    ({"benefit": "jkm_death", "contribution_months": 1, "transport": {"land": 1}}, "transport"),
    ({"benefit": "jkm_death", "contribution_months": 1, "home_care_cost": 1}, "home_care_cost"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "transport": [1]}, "transport"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "transport": {"bus": 1}}, "transport"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "transport": {"air": -1}}, "transport.air"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "home_care_cost": -1}, "home_care_cost"),
    (
        {
            "benefit": "jkk_death",
            "event_date": "2019-06-01",
            "monthly_wage": UMK,
            "home_care_cost": 1,
        },
        "home_care_cost",  # issue 17: no home care before PP 82/2019, and the field says which
    ),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "wage": 1}, "wage"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "children": {}}, "children"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "children": [{}] * 21}, "children"),
    ({"benefit": "jkk_death", "monthly_wage": UMK, "children": ["x"]}, "children[0]"),
    (
        {"benefit": "jkk_death", "monthly_wage": UMK, "children": [{"level": "SD"}]},
        "children[0].birth_date",
    ),
    (
        {"benefit": "jkk_death", "monthly_wage": UMK, "children": [{"birth_date": "2030-01-01"}]},
        "children[0].birth_date",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "level": "S1"}],
        },
        "children[0].level",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "level": "SD"}],
        },
        "children[0].year_in_level",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "level": "SD", "year_in_level": 7}],
        },
        "children[0].year_in_level",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "level": "none", "year_in_level": 2}],
        },
        "children[0].year_in_level",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "working": "farmer"}],
        },
        "children[0].working",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "married": "no"}],
        },
        "children[0].married",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "working_months": -1}],
        },
        "children[0].working_months",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "name": 5}],
        },
        "children[0].name",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "nik": "1"}],
        },
        "children[0].nik",
    ),
    (
        {
            "benefit": "jkk_death",
            "monthly_wage": UMK,
            "children": [{"birth_date": "2015-01-01", "chosen": True}] * 3,
        },
        "children",
    ),
]


@pytest.mark.parametrize(("patch", "field"), BAD)
def test_invalid_input_names_the_field(patch, field):
    request = {"segment": "PU", "event_date": "2025-06-01"}
    request.update(patch)
    with pytest.raises(QuoteError) as e:
        quote(request)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.field == field
    assert err.message_id and err.message_en
    assert err.to_dict() == {
        "field": field,
        "message_id": err.message_id,
        "message_en": err.message_en,
    }


def test_request_must_be_an_object():
    with pytest.raises(QuoteError) as e:
        quote([1])
    assert e.value.field is None and str(e.value) == "The request must be a JSON object."


def test_children_options():
    r = q(
        benefit="jkk_death",
        monthly_wage=UMK,
        children=[
            {
                "birth_date": "2004-01-01",
                "level": "PT",
                "year_in_level": 2,
                "working": "pu",
                "working_months": 4,
            },
            {"birth_date": "2005-01-01", "level": "PT", "year_in_level": 1, "working": True},
            {"birth_date": "2006-01-01", "level": "SMA", "year_in_level": 3, "chosen": None},
        ],
    )
    assert [c["eligible"] for c in r["children"]] == [True, False, True]
    assert [c["selected"] for c in r["children"]] == [True, False, True]


# ------------------------------------------------------------------ properties


@settings(max_examples=60)
@given(
    benefit=st.sampled_from(
        ["jkm_death", "jkk_death", "jkk_total_disability", "jkk_partial_disability", "jkk_stmb"]
    ),
    wage=st.integers(min_value=1_000_000, max_value=20_700_000),
    extra=st.integers(min_value=0, max_value=10_000_000),
    day=st.dates(min_value=date(2015, 7, 1), max_value=date(2028, 12, 31)),
    months=st.integers(min_value=0, max_value=400),
    pct=st.integers(min_value=1, max_value=100),
    n=st.integers(min_value=1, max_value=60),
    births=st.lists(st.dates(min_value=date(1995, 1, 1), max_value=date(2025, 1, 1)), max_size=4),
)
def test_quote_properties(benefit, wage, extra, day, months, pct, n, births):
    kids = [{"birth_date": b.isoformat(), "level": "none"} for b in births if b <= day]
    base = {
        "benefit": benefit,
        "segment": "PU",
        "event_date": day.isoformat(),
        "contribution_months": months,
        "disability_percent": pct,
        "incapacity_months": n,
        "children": kids,
    }
    if benefit != "jkk_partial_disability":
        base.pop("disability_percent")
    if benefit != "jkk_stmb":
        base.pop("incapacity_months")
    a = quote({**base, "monthly_wage": wage})
    b = quote({**base, "monthly_wage": wage + extra})
    for r in (a, b):
        for key in ("cash_total", "scholarship_this_year", "scholarship_commitment", "grand_total"):
            assert type(r[key]) is int and r[key] >= 0
        assert all(type(line["amount"]) is int and line["amount"] >= 0 for line in r["lines"])
        assert r["cash_total"] == sum(line["amount"] for line in r["lines"])
    assert b["cash_total"] >= a["cash_total"]
    if benefit == "jkk_stmb":
        assert a["cash_total"] <= n * wage


# ------------------------------------------------------------------ CLI / batch


def test_quote_json_never_raises():
    payload, ok = quote_json('{"benefit": "jkm_death"')
    assert not ok and payload["error"]["message_en"].startswith("Invalid JSON")
    payload, ok = quote_json(
        '{"benefit": "jkk_partial_disability", "segment": "PU", '
        '"event_date": "2025-06-01", "monthly_wage": 2422105, '
        '"disability_percent": 12.5}'
    )
    assert ok and payload["cash_total"] == 24_221_050


def test_run_batch_lines():
    out = io.StringIO()
    lines = [
        json.dumps(
            {
                "benefit": "jkm_death",
                "segment": "PU",
                "event_date": "2025-06-01",
                "contribution_months": 40,
            }
        ),
        "",
        '{"benefit": "jkk_death", "segment": "PU", "event_date": "2025-06-01"}',
        "not json",
    ]
    failed = run_batch(lines, out.write)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert failed == 2 and len(rows) == 3
    assert rows[0]["cash_total"] == 42_000_000
    assert rows[1]["error"]["field"] == "monthly_wage"
    assert rows[2]["error"]["field"] is None


def test_main_single_and_batch_and_usage():
    req = json.dumps(
        {
            "benefit": "jkk_death",
            "segment": "BPU",
            "event_date": "2025-06-01",
            "monthly_wage": 1_000_000,
        }
    )
    out = io.StringIO()
    assert main([], io.StringIO(req), out) == 0
    assert json.loads(out.getvalue())["cash_total"] == 70_000_000
    out = io.StringIO()
    assert main([], io.StringIO("{}"), out) == 1
    assert json.loads(out.getvalue())["error"]["field"] == "benefit"
    out = io.StringIO()
    assert main(["--batch"], io.StringIO(req + "\n" + req + "\n"), out) == 0
    assert len(out.getvalue().splitlines()) == 2
    out = io.StringIO()
    assert main(["--nope"], io.StringIO(""), out) == 2
    assert "Usage" in out.getvalue()


def test_python_m_batch_subprocess():
    req = {
        "benefit": "jkm_death",
        "segment": "PU",
        "event_date": "2025-12-29",
        "contribution_months": 36,
        "children": [{"birth_date": "2022-03-14", "level": "none"}],
    }
    proc = subprocess.run(
        [sys.executable, "-m", "lindung.rules.quote", "--batch"],
        input=json.dumps(req) + "\n" + "{bad\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert rows[0]["grand_total"] == 129_000_000
    assert "error" in rows[1]
    assert proc.stderr == ""


def test_request_schema_lists_contract_fields():
    fields = set(QuoteRequest.__annotations__)
    assert {
        "benefit",
        "segment",
        "monthly_wage",
        "event_date",
        "contribution_months",
        "disability_percent",
        "function_loss_percent",
        "incapacity_months",
        "children",
    } <= fields


def test_schema_usable_by_pydantic():
    pydantic = pytest.importorskip("pydantic")
    req = pydantic.TypeAdapter(QuoteRequest)
    schema = req.json_schema()
    assert set(schema["required"]) == {"benefit", "segment", "event_date"}
    resp = pydantic.TypeAdapter(QuoteResponse)
    r = quote(
        {
            "benefit": "jkm_death",
            "segment": "PU",
            "event_date": "2025-06-01",
            "contribution_months": 40,
            "children": [{"birth_date": "2021-03-01", "level": "none"}],
        }
    )
    assert resp.validate_python(r)["grand_total"] == 129_000_000
    assert "from" in resp.json_schema()["$defs"]["QuoteParameter"]["properties"]


@pytest.mark.parametrize(
    "child, field",
    [
        ({"level": "SD", "year_in_level": 1, "start_level": "SD"}, "children[0].start_level"),
        (
            {"level": "SD", "year_in_level": 1, "start_school_year": 2027},
            "children[0].start_school_year",
        ),
        ({"level": "none", "start_level": "SMP"}, "children[0].start_level"),
        ({"level": "none", "start_school_year": "2027/2029"}, "children[0].start_school_year"),
        ({"level": "none", "start_school_year": 2025}, "children[0].start_school_year"),
        ({"level": "none", "start_school_year": "tahun depan"}, "children[0].start_school_year"),
    ],
)
def test_start_overrides_are_checked(child, field):
    with pytest.raises(QuoteError) as exc:
        q(
            benefit="jkk_death",
            monthly_wage=UMK,
            event_date="2025-12-01",
            children=[{"birth_date": "2020-07-01", **child}],
        )
    assert exc.value.field == field


def test_start_overrides_accept_year_or_school_year():
    kid = {"birth_date": "2020-07-01", "level": "none"}
    a = q(
        benefit="jkk_death",
        monthly_wage=UMK,
        event_date="2025-12-01",
        children=[{**kid, "start_school_year": 2027}],
    )
    b = q(
        benefit="jkk_death",
        monthly_wage=UMK,
        event_date="2025-12-01",
        children=[{**kid, "start_school_year": "2027/2028", "start_level": "SD"}],
    )
    assert a["scholarship_commitment"] == b["scholarship_commitment"] == 72_000_000
    assert a["children"][0]["path"].startswith("Belum sekolah: mulai SD 1 tahun ajaran 2027/2028")


@pytest.mark.parametrize(
    ("declared", "tier"), [(1_500_000, 2_000_000), (999_999, 1_000_000), (20_000_001, 20_700_000)]
)
def test_bpu_income_between_tiers_is_rounded_up_like_billing(declared, tier):
    # issue 17: the quote took Rp 1,500,000 as it is while billing rounds up to the next tier
    r = q(benefit="jkk_death", segment="BPU", monthly_wage=declared)
    assert r["monthly_wage"] == tier
    first = r["lines"][0]
    assert first["code"] == "dasar_penghasilan_bpu" and first["amount"] == 0
    assert first["formula"].startswith(format_rupiah(declared))
    assert r["lines"][1]["amount"] == 48 * tier  # the death benefit on the tier
    assert any(p["name"] == "bpu.tiers" and p["unconfirmed"] for p in r["parameters"])
    contribution = monthly_contribution("BPU", declared, date(2025, 6, 1))
    assert contribution.lines[0].code == "dasar_penghasilan_bpu"
    assert contribution.total == monthly_contribution("BPU", tier, date(2025, 6, 1)).total
    assert "dasar_penghasilan_bpu" not in [
        line["code"] for line in q(benefit="jkk_death", segment="BPU", monthly_wage=tier)["lines"]
    ]


def test_parameter_not_in_force_names_the_field_and_when_it_starts():
    with pytest.raises(QuoteError) as exc:
        q(benefit="jkk_death", event_date="2019-06-01", monthly_wage=UMK, home_care_cost=5)
    err = exc.value
    assert err.field == "home_care_cost"
    assert "jkk.home_care_cap" in err.message_id and "2019-12-02" in err.message_id
    assert "perawatan di rumah" in err.message_id and "2019-12-02" in err.message_en
