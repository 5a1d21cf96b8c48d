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
