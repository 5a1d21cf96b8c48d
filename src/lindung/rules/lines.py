"""Computed amounts with their trace: lines and results.

Every amount Lindung shows is a :class:`Line`: a code, an Indonesian label, an integer amount, the
legal basis and the formula with the values used. A :class:`Result` is a list of lines plus the
parameter values they used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lindung.rules.parameters import Value

__all__ = ["Line", "Result"]


@dataclass(frozen=True, slots=True)
class Line:
    """One computed amount.

    ``amount`` is integer rupiah (rounded once by the named rule), ``basis`` the legal reference,
    ``formula`` the computation with the values used (Indonesian number format).
    """

    code: str
    label: str
    amount: int
    basis: str
    formula: str
    label_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "code": self.code,
            "label": self.label,
            "label_en": self.label_en,
            "amount": self.amount,
            "basis": self.basis,
            "formula": self.formula,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """Lines of one computation, their total and the parameter values used."""

    lines: tuple[Line, ...]
    params: tuple[Value, ...] = field(default=())

    @property
    def total(self) -> int:
        """Sum of the line amounts (integer rupiah)."""
        return sum(line.amount for line in self.lines)

    def amount(self, code: str) -> int:
        """Amount of the line with this code (0 when absent)."""
        return sum(line.amount for line in self.lines if line.code == code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``lines``, ``total``, ``parameters``."""
        return {
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total,
            "parameters": [v.to_dict() for v in self.params],
        }
