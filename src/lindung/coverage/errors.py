"""Typed errors of the coverage use cases, with Indonesian messages (and English)."""

from __future__ import annotations

from lindung.core.errors import DomainError


class CoverageError(DomainError):
    """A refused coverage operation. ``str(exc)`` is the Indonesian message."""


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
