"""Typed errors of the claims use cases, with Indonesian messages (and English)."""

from __future__ import annotations


class ClaimError(ValueError):
    """A refused claim operation. ``str(exc)`` is the Indonesian message."""

    def __init__(self, message: str, message_en: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.field = field

    def to_dict(self) -> dict:
        return {"field": self.field, "message_id": self.message, "message_en": self.message_en}


class TransitionError(ClaimError):
    """An illegal or unauthorised state change (claim or scholarship instalment)."""


class NotCoveredError(TransitionError):
    """Approval of a claim whose participant was not covered on the event date, without an
    override reason."""


class DocumentError(ClaimError):
    """A refused upload or document change."""


class HeirError(ClaimError):
    pass


class ScholarshipError(ClaimError):
    pass


class HandoverError(ClaimError):
    pass
