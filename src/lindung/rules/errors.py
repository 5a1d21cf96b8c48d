"""Typed errors of the rules package, each with an Indonesian and an English message."""

from __future__ import annotations

from datetime import date

__all__ = ["ParameterNotInForce", "RulesError"]


class RulesError(ValueError):
    """A rule cannot be applied to the given input.

    ``message_id`` is Indonesian (the default interface language), ``message_en`` English;
    ``field`` names the offending input where there is one.
    """

    def __init__(self, message_id: str, message_en: str, field: str | None = None):
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready form: ``field``, ``message_id``, ``message_en``."""
        return {"field": self.field, "message_id": self.message_id, "message_en": self.message_en}


class ParameterNotInForce(RulesError):
    """No value of a parameter is in force on the date asked for."""

    def __init__(self, name: str, on: date, field: str | None = None):
        self.name = name
        self.on = on
        super().__init__(
            f"Parameter {name} tidak berlaku pada {on.isoformat()}.",
            f"Parameter {name} is not in force on {on.isoformat()}.",
            field,
        )
