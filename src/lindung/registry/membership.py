"""How the registry asks for membership changes without knowing coverage.

Membership is the enrolment periods, which the coverage app keeps
(:mod:`lindung.coverage.membership`). The registry sits below coverage and may not import it,
so coverage registers the handlers here in its ``ready()`` (the same pattern as the Mitra CSR
scope in :mod:`.queries`). Without them (coverage not installed) a change of membership is
refused rather than silently half-done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from lindung.core.errors import DomainError


@dataclass
class Handlers:
    #: ``status(participant, status, on, *, actor, note) -> Participant``
    status: Callable
    #: ``imported(programme, *, created_at, actor, note) -> dict``: enrol the new participants
    #: of an import and follow its corrected start dates (its rows are stamped ``created_at``).
    imported: Callable
    #: ``created(participant, *, actor)``: a participant made on the form.
    created: Callable
    #: ``start_changed(programme, ids, *, actor) -> dict``
    start_changed: Callable


_handlers: Handlers | None = None


def register(handlers: Handlers) -> None:
    global _handlers
    _handlers = handlers


def _get() -> Handlers:
    if _handlers is None:
        raise DomainError(
            "Kepesertaan tidak dapat diubah: modul kepesertaan (coverage) tidak terpasang.",
            message_en="The membership cannot be changed: the membership module (coverage) "
            "is not installed.",
        )
    return _handlers


def change_status(participant, status: str, on: date, *, actor, note: str = ""):
    """End or (re)open the participant's membership (the person page's status)."""
    return _get().status(participant, status, on, actor=actor, note=note)


def imported(programme, *, created_at: datetime, actor, note: str) -> dict:
    return _get().imported(programme, created_at=created_at, actor=actor, note=note)


def created(participant, *, actor) -> None:
    _get().created(participant, actor=actor)


def start_changed(programme, ids: list[int], *, actor) -> dict:
    return _get().start_changed(programme, ids, actor=actor)
