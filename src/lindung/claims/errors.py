"""Typed errors of the claims use cases, with Indonesian messages (and English)."""

from __future__ import annotations

from lindung.core.errors import DomainError


class ClaimError(DomainError):
    """A refused claim operation. ``str(exc)`` is the Indonesian message."""


class TransitionError(ClaimError):
    """An illegal state change (claim or scholarship instalment). A role that may not take the
    step is refused by the authorization path instead
    (:class:`~lindung.core.errors.AccessDenied`)."""


class NotCoveredError(TransitionError):
    """Approval of a claim whose participant was not covered on the event date, without an
    override reason."""


class SubmissionError(TransitionError):
    """ "Ajukan ke BPJS" refused because something is still missing: ``missing`` lists each item
    in Indonesian (:func:`lindung.claims.readiness.submission_gaps`)."""

    def __init__(self, missing: list[str]):
        items = " ".join(f"({n}) {text}" for n, text in enumerate(missing, 1))
        super().__init__(
            f"Klaim belum dapat diajukan ke BPJS. Yang masih kurang: {items}",
            f"The claim cannot be submitted to BPJS yet: {len(missing)} item(s) missing.",
            "missing",
        )
        self.missing = list(missing)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "missing": self.missing}


class FourEyesError(TransitionError):
    """Approval by the person who entered or verified the claim, while the programme asks for
    four eyes (``Programme.four_eyes``)."""


class DocumentError(ClaimError):
    """A refused upload or document change."""


class HeirError(ClaimError):
    pass


class ScholarshipError(ClaimError):
    pass


class HandoverError(ClaimError):
    pass
