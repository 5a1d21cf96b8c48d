"""Rule cases written from the regulations, one YAML file per topic in ``tests/rules/cases/``.

Every case carries its ``source`` (regulation, official statement); a case without one fails.
Each topic has a small runner that feeds ``input`` to the public rule function and compares
``expect``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from lindung.rules import nik
from lindung.rules.contributions import due_date, late_fine, monthly_contribution
from lindung.rules.errors import RulesError
from lindung.rules.quote import quote

CASES = Path(__file__).parent / "cases"


def load(topic: str) -> list:
    cases = yaml.safe_load((CASES / f"{topic}.yaml").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["id"]) for c in cases]


def test_every_case_cites_its_source():
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert str(case.get("source", "")).strip(), (
                f"{path.name}: {case.get('id')} has no source"
            )


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.parametrize("case", load("nik"))
def test_nik(case):
    given, expect = case["input"], case["expect"]
    r = nik.check(
        given["nik"],
        _date(given.get("birth_date")),
        _date(given.get("reference_date")),
        strict=given.get("strict", False),
    )
    assert r.valid is expect["valid"]
    assert [p.code for p in r.errors] == expect["errors"]
    assert [p.code for p in r.warnings if p.code != "century_unknown"] == expect["warnings"]
    for field in ("current_regency_code", "sex"):
        if field in expect:
            assert getattr(r, field) == expect[field]
    if "birth_date" in expect:
        assert r.birth_date == _date(expect["birth_date"])
    if "message" in expect:
        assert expect["message"] in " ".join(p.message_id for p in r.problems)
    assert all(p.message_id and p.message_en for p in r.problems)


@pytest.mark.parametrize("case", load("disability"))
def test_disability(case):
    given, expect = case["input"], case["expect"]
    if "error_field" in expect:
        with pytest.raises(RulesError) as exc:
            quote(given)
        assert exc.value.field == expect["error_field"]
        assert exc.value.message_id and exc.value.message_en
        return
    r = quote(given)
    assert r["cash_total"] == expect["cash_total"]
    assert r["disability"]["percent"] == expect["percent"]
    assert r["disability"]["code"] == given["disability_item"]
    if "row" in expect:
        assert r["disability"]["row"] == expect["row"]
    line = r["lines"][0]
    assert r["disability"]["label"] in line["label"] and "Lampiran III" in line["basis"]


@pytest.mark.parametrize("case", load("children"))
def test_children(case):
    given, expect = case["input"], case["expect"]
    r = quote(given)
    assert r["scholarship_commitment"] == expect["commitment"]
    assert len(r["children"]) == len(expect["children"])
    for got, want in zip(r["children"], expect["children"], strict=True):
        assert got["selected"] is want["selected"], got["reason"]
        assert got["commitment"] == want["commitment"], got["reason"]
        if "start" in want:
            assert got["schedule"][0]["school_year"] == want["start"]
            assert got["schedule"][0]["level"] == want["level"]
        assert got["reason"] and got["reason_en"]


@pytest.mark.parametrize("case", load("contributions"))
def test_contributions(case):
    given, expect = case["input"], case["expect"]
    if case["kind"] == "due":
        segment, year, month = given["segment"], given["year"], given["month"]
        assert due_date(segment, year, month) == _date(expect["due"])
        fine = late_fine(segment, 10_000, 1, date(year, month, 1))
        assert fine.amount == expect["fine_per_10000"]
        return
    c = monthly_contribution(
        given["segment"],
        given["wage"],
        _date(given["month"]),
        risk_class=given.get("risk_class"),
        sector=given.get("sector"),
        funding=given.get("funding", "APBD"),
    )
    assert c.total == expect["total"]
