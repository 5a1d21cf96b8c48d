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
    """No value of a parameter is in force on the date asked for.

    ``label``: what the parameter is (Indonesian); ``since``: the first date a value is in force
    after ``on`` (the rule did not exist yet), ``ended``: the date it stopped (``None`` if not
    known). :meth:`for_field` names the request field that needed it.
    """

    def __init__(
        self,
        name: str,
        on: date,
        field: str | None = None,
        *,
        label: str | None = None,
        since: date | None = None,
        ended: date | None = None,
    ):
        self.name, self.on, self.label, self.since, self.ended = name, on, label, since, ended
        what_id = f"{label} ({name})" if label else f"Parameter {name}"
        what_en = f"Parameter {name}"
        when_id = when_en = ""
        if since is not None:
            when_id = f"; baru berlaku sejak {since.isoformat()}"
            when_en = f"; it applies from {since.isoformat()}"
        elif ended is not None:
            when_id = f"; tidak berlaku lagi sejak {ended.isoformat()}"
            when_en = f"; it no longer applies since {ended.isoformat()}"
        prefix_id = prefix_en = ""
        if field:
            prefix_id = f"{field}: "
            prefix_en = f"{field}: "
        super().__init__(
            f"{prefix_id}{what_id} tidak berlaku pada {on.isoformat()}{when_id}.",
            f"{prefix_en}{what_en} is not in force on {on.isoformat()}{when_en}.",
            field,
        )

    def for_field(self, field: str) -> ParameterNotInForce:
        """The same error, naming the request field that needed the parameter."""
        return ParameterNotInForce(
            self.name,
            self.on,
            field,
            label=self.label,
            since=self.since,
            ended=self.ended,
        )
