"""Typed errors of the coverage use cases, with Indonesian messages (and English)."""

from __future__ import annotations


class CoverageError(ValueError):
    """A refused coverage operation. ``str(exc)`` is the Indonesian message."""

    def __init__(self, message: str, message_en: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.field = field

    def to_dict(self) -> dict:
        return {"field": self.field, "message_id": self.message, "message_en": self.message_en}


class AgreementError(CoverageError):
    pass


class FunderError(CoverageError):
    pass


class EnrolmentError(CoverageError):
    pass


class BillingError(CoverageError):
    pass


class InvoiceError(CoverageError):
    pass


class PaymentError(CoverageError):
    pass


class ReconciliationError(CoverageError):
    pass
