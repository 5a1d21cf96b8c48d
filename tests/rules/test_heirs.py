"""Heirs by the BPJS TK order."""

import pytest

from lindung.rules.errors import RulesError
from lindung.rules.heirs import FamilyMember, entitled_heirs


def test_spouse_and_children_first():
    d = entitled_heirs(
        [
            FamilyMember("parent", "Bapak"),
            FamilyMember("spouse", "Siti"),
            FamilyMember("child", "Budi"),
            FamilyMember("sibling", "Adik"),
        ]
    )
    assert d.rank == 1
    assert [m.name for m in d.members] == ["Siti", "Budi"]
    assert "Golongan 1" in d.reason_id and "Group 1" in d.reason_en
    assert not d.funeral_to_arranger and not d.rest_to_fund


def test_children_only():
    assert entitled_heirs([{"relationship": "child", "name": "A"}]).rank == 1


@pytest.mark.parametrize(
    ("members", "rank"),
    [
        (["grandchild", "sibling"], 2),
        (["grandparent", "parent_in_law"], 2),
        (["sibling", "parent_in_law", "will"], 3),
        (["parent_in_law", "will"], 4),
        (["will"], 5),
    ],
)
def test_order(members, rank):
    d = entitled_heirs([{"relationship": r} for r in members])
    assert d.rank == rank
    assert all(m.relationship in d.relationships for m in d.members)


def test_deceased_members_are_skipped_and_reason_lists_missing_groups():
    d = entitled_heirs(
        [
            {"relationship": "spouse", "name": "X", "alive": False},
            {"relationship": "sibling", "name": "Y"},
        ]
    )
    assert d.rank == 3
    assert "Tidak ada janda/duda atau anak, orang tua, cucu, kakek/nenek." in d.reason_id
    assert "No widow/widower or children" in d.reason_en
    assert d.to_dict()["members"][0]["name"] == "Y"


def test_nobody():
    d = entitled_heirs([{"relationship": "spouse", "alive": False}])
    assert d.rank == 6 and d.members == ()
    assert d.funeral_to_arranger and d.rest_to_fund
    assert "pemakaman" in d.reason_id and "social-security fund" in d.reason_en
    assert d.to_dict()["rank"] == 6


def test_unknown_relationship():
    with pytest.raises(RulesError) as e:
        entitled_heirs([{"relationship": "spouse"}, {"relationship": "cousin"}])
    assert e.value.field == "members[1].relationship"
