"""Heirs (ahli waris) of a deceased participant, by the order BPJS TK publishes. DOMAIN.md §5 [N12].

1. widow/widower or children; 2. parents, grandchildren, grandparents; 3. siblings;
4. parents-in-law; 5. a person named in the participant's will; 6. none: the funeral cost goes to
whoever arranged the burial, the rest to the social-security fund.

The first group with at least one living member takes the benefit; members of that group share
it (BPJS pays it through one of them, normally the spouse).

>>> d = entitled_heirs([FamilyMember("parent", "Ibu"), FamilyMember("sibling", "Adik")])
>>> d.rank, [m.name for m in d.members]
(2, ['Ibu'])
>>> entitled_heirs([]).rank
6
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lindung.rules.errors import RulesError

__all__ = ["HEIR_ORDER", "RELATIONSHIPS", "FamilyMember", "HeirDecision", "entitled_heirs"]

#: rank → (relationships, Indonesian group name, English group name)
HEIR_ORDER: dict[int, tuple[tuple[str, ...], str, str]] = {
    1: (("spouse", "child"), "janda/duda atau anak", "widow/widower or children"),
    2: (
        ("parent", "grandchild", "grandparent"),
        "orang tua, cucu, kakek/nenek",
        "parents, grandchildren, grandparents",
    ),
    3: (("sibling",), "saudara kandung", "siblings"),
    4: (("parent_in_law",), "mertua", "parents-in-law"),
    5: (("will",), "pihak yang ditunjuk dalam wasiat", "person named in the will"),
}

#: Accepted relationship codes.
RELATIONSHIPS = tuple(r for rels, _, _ in HEIR_ORDER.values() for r in rels)

_BASIS = "[N12] urutan ahli waris BPJS Ketenagakerjaan"


@dataclass(frozen=True, slots=True)
class FamilyMember:
    """A family member (or will beneficiary) of the deceased participant."""

    relationship: str
    name: str | None = None
    alive: bool = True
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "relationship": self.relationship,
            "name": self.name,
            "alive": self.alive,
            "id": self.id,
        }


@dataclass(frozen=True, slots=True)
class HeirDecision:
    """The entitled group (rank 1–5) or rank 6 (no heir)."""

    rank: int
    relationships: tuple[str, ...]
    members: tuple[FamilyMember, ...]
    reason_id: str
    reason_en: str
    funeral_to_arranger: bool
    rest_to_fund: bool
    basis: str = _BASIS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "rank": self.rank,
            "relationships": list(self.relationships),
            "members": [m.to_dict() for m in self.members],
            "reason": self.reason_id,
            "reason_en": self.reason_en,
            "funeral_to_arranger": self.funeral_to_arranger,
            "rest_to_fund": self.rest_to_fund,
            "basis": self.basis,
        }


def _member(m: FamilyMember | Mapping[str, Any], i: int) -> FamilyMember:
    if isinstance(m, FamilyMember):
        member = m
    else:
        member = FamilyMember(
            relationship=m.get("relationship", ""),
            name=m.get("name"),
            alive=bool(m.get("alive", True)),
            id=m.get("id"),
        )
    if member.relationship not in RELATIONSHIPS:
        raise RulesError(
            f"Hubungan keluarga tidak dikenal: {member.relationship!r} "
            f"(pilih {', '.join(RELATIONSHIPS)}).",
            f"Unknown relationship: {member.relationship!r} (choose {', '.join(RELATIONSHIPS)}).",
            f"members[{i}].relationship",
        )
    return member


def entitled_heirs(members: Iterable[FamilyMember | Mapping[str, Any]]) -> HeirDecision:
    """The heirs entitled to the benefit, with the reason (Indonesian and English).

    Deceased members (``alive=False``) are skipped.

    >>> d = entitled_heirs([{"relationship": "spouse", "name": "Siti"},
    ...                     {"relationship": "child", "name": "Budi"},
    ...                     {"relationship": "parent", "name": "Pak Karto"}])
    >>> d.rank, [m.name for m in d.members]
    (1, ['Siti', 'Budi'])
    >>> print(d.reason_id)
    Golongan 1 (janda/duda atau anak): ada 2 orang; golongan berikutnya tidak berhak.
    """
    living = [m for m in (_member(x, i) for i, x in enumerate(members)) if m.alive]
    skipped_id: list[str] = []
    skipped_en: list[str] = []
    for rank, (rels, name_id, name_en) in HEIR_ORDER.items():
        group = tuple(m for m in living if m.relationship in rels)
        if group:
            before_id = f" Tidak ada {', '.join(skipped_id)}." if skipped_id else ""
            before_en = f" No {', '.join(skipped_en)}." if skipped_en else ""
            return HeirDecision(
                rank,
                rels,
                group,
                f"Golongan {rank} ({name_id}): ada {len(group)} orang; golongan berikutnya "
                f"tidak berhak.{before_id}",
                f"Group {rank} ({name_en}): {len(group)} person(s); later groups are not "
                f"entitled.{before_en}",
                False,
                False,
            )
        skipped_id.append(name_id)
        skipped_en.append(name_en)
    return HeirDecision(
        6,
        (),
        (),
        "Tidak ada ahli waris: biaya pemakaman dibayarkan kepada pihak yang mengurus pemakaman, "
        "santunan lainnya diserahkan ke dana jaminan sosial.",
        "No heir: the funeral cost goes to whoever arranged the burial; the rest goes to the "
        "social-security fund.",
        True,
        True,
    )
