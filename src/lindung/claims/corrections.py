"""What a corrected parameter changes in claims already approved.

An approved claim's entitlement is frozen in its snapshot and never changes silently. After a
parameter is corrected (a national benefit parameter after an upgrade), :func:`differences`
recomputes each frozen entitlement from the same inputs — the claim as approved, the paid months
and the children recorded in the snapshot — with today's parameters, and lists the claims whose
cash benefit or scholarship commitment would now differ. A Verifikator sees a flagged difference
on the claim (:func:`lindung.claims.services.flag_parameter_correction`).
"""

from __future__ import annotations

import copy

from lindung.programmes.models import Programme
from lindung.registry.models import FamilyMember

from . import entitlement
from .models import Claim, ClaimTransition

#: The note that marks a claim's flagged difference in its transition log.
FLAG_PREFIX = "Koreksi parameter:"


def _recomputed(claim: Claim) -> dict:
    """The frozen entitlement's inputs, computed again with today's parameters."""
    frozen = claim.snapshot or {}
    again = copy.copy(claim)
    again.paid_months = (frozen.get("coverage") or {}).get("paid_months", claim.paid_months)
    children = set((frozen.get("inputs") or {}).get("children_ids") or [])
    members = [
        m
        for m in FamilyMember.objects.filter(participant_id=claim.participant_id).order_by(
            "birth_date", "id"
        )
        if m.relationship != FamilyMember.Relationship.CHILD or m.pk in children
    ]
    return entitlement.compute(again, members)


def differences(programme: Programme) -> list[dict]:
    """Approved (or later) claims whose entitlement today's parameters compute differently."""
    flagged = set(
        ClaimTransition.objects.filter(
            programme=programme, note__startswith=FLAG_PREFIX
        ).values_list("claim_id", flat=True)
    )
    out = []
    claims = (
        Claim.objects.filter(programme=programme)
        .exclude(snapshot=None)
        .select_related("participant__person")
        .order_by("event_date", "id")
    )
    for claim in claims:
        old = (claim.snapshot or {}).get("quote") or {}
        new = _recomputed(claim).get("quote")
        if not old or not new:
            continue
        cash = new["cash_total"] - old.get("cash_total", 0)
        commitment = new["scholarship_commitment"] - old.get("scholarship_commitment", 0)
        if not cash and not commitment:
            continue
        out.append(
            {
                "claim_id": claim.pk,
                "number": claim.number,
                "type": claim.get_type_display(),
                "event_date": claim.event_date.isoformat(),
                "state": claim.get_state_display(),
                "cash_before": old.get("cash_total", 0),
                "cash_now": new["cash_total"],
                "cash_difference": cash,
                "commitment_before": old.get("scholarship_commitment", 0),
                "commitment_now": new["scholarship_commitment"],
                "commitment_difference": commitment,
                "flagged": claim.pk in flagged,
            }
        )
    return out
