"""The two state machines of this app, as data: who may take which step.

Claim: ``draft → submitted_to_bpjs → verified → approved → paid``, plus ``rejected`` and
``withdrawn``. The Operator enters, submits to BPJS, withdraws and records BPJS's payment; the
Verifikator verifies, approves and rejects. (Admin holds both actions.)

Scholarship instalment: ``upcoming → awaiting_documents → claimed → paid``, and ``stopped`` (with a
reason) from any open state. The instalment is opened when its school year falls due, re-verified
by the Verifikator (school enrolment, age, not married/working), claimed and paid by the Operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from .models import ClaimState as C
from .models import InstalmentState as I  # noqa: E741


@dataclass(frozen=True)
class Step:
    """One allowed transition: the permission action it needs and its button label."""

    action: str
    label: str
    note_required: bool = False
    style: str = ""


CLAIM_TRANSITIONS: dict[tuple[str, str], Step] = {
    (C.DRAFT, C.SUBMITTED): Step("claim.edit", "Ajukan ke BPJS", style="primary"),
    (C.DRAFT, C.WITHDRAWN): Step("claim.edit", "Tarik klaim", note_required=True),
    (C.SUBMITTED, C.VERIFIED): Step("claim.verify", "Verifikasi", style="primary"),
    (C.SUBMITTED, C.REJECTED): Step("claim.verify", "Tolak", note_required=True),
    (C.SUBMITTED, C.WITHDRAWN): Step("claim.edit", "Tarik klaim", note_required=True),
    (C.VERIFIED, C.APPROVED): Step("claim.verify", "Setujui", style="primary"),
    (C.VERIFIED, C.REJECTED): Step("claim.verify", "Tolak", note_required=True),
    (C.VERIFIED, C.WITHDRAWN): Step("claim.edit", "Tarik klaim", note_required=True),
    (C.APPROVED, C.PAID): Step("claim.edit", "Catat dibayar BPJS", style="primary"),
}

#: States in which the claim's inputs (wage, percentages, dates…) may still change.
EDITABLE_STATES = frozenset({C.DRAFT, C.SUBMITTED, C.VERIFIED})
#: States after which nothing changes any more.
FINAL_STATES = frozenset({C.PAID, C.REJECTED, C.WITHDRAWN})

INSTALMENT_TRANSITIONS: dict[tuple[str, str], Step] = {
    (I.UPCOMING, I.AWAITING): Step("claim.edit", "Buka (jatuh tempo)", style="primary"),
    (I.AWAITING, I.CLAIMED): Step("claim.edit", "Ajukan klaim beasiswa", style="primary"),
    (I.CLAIMED, I.PAID): Step("claim.edit", "Catat dibayar", style="primary"),
    (I.UPCOMING, I.STOPPED): Step("scholarship.verify", "Hentikan", note_required=True),
    (I.AWAITING, I.STOPPED): Step("scholarship.verify", "Hentikan", note_required=True),
    (I.CLAIMED, I.STOPPED): Step("scholarship.verify", "Hentikan", note_required=True),
}

OPEN_INSTALMENT_STATES = frozenset({I.UPCOMING, I.AWAITING, I.CLAIMED})


def claim_steps_from(state: str) -> list[tuple[str, Step]]:
    return [(to, step) for (frm, to), step in CLAIM_TRANSITIONS.items() if frm == state]


def instalment_steps_from(state: str) -> list[tuple[str, Step]]:
    return [(to, step) for (frm, to), step in INSTALMENT_TRANSITIONS.items() if frm == state]


def _label(choices, state: str, language: str | None) -> str:
    try:
        label = choices(state).label
    except ValueError:
        return state
    if language is None:
        return str(label)
    with translation.override(language):
        return str(label)


def claim_state_label(state: str, language: str | None = None) -> str:
    """The state's words in ``language`` (default: the active one)."""
    return _label(C, state, language)


def instalment_state_label(state: str, language: str | None = None) -> str:
    """The instalment state's words in ``language`` (default: the active one)."""
    return _label(I, state, language)
