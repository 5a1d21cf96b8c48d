"""Registration hooks through which the apps above ``programmes`` supply what it may not import.

``programmes`` sits below ``registry`` and ``coverage`` (import-linter), yet its user and
parameter pages need their data: the funders a Mitra CSR user may be scoped to (coverage), the
agencies a default risk class may be set for (registry), and whether a set-up step is done
(PKS, funders, participants). Each app registers a function in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Choices = list[tuple[str, str]]

_funder_choices: list[Callable] = []
_agency_choices: list[Callable] = []
_setup_steps: list[SetupStep] = []


def _add(registry: list, item) -> None:
    if item not in registry:
        registry.append(item)


def register_funder_choices(func: Callable[..., Choices]) -> None:
    """``func(programme) -> [(funder code, label), …]``: what a Mitra CSR may be scoped to."""
    _add(_funder_choices, func)


def funder_choices(programme) -> Choices:
    return [choice for func in _funder_choices for choice in func(programme)]


def register_agency_choices(func: Callable[..., Choices]) -> None:
    """``func(programme) -> [(agency code, label), …]``: agencies of the programme."""
    _add(_agency_choices, func)


def agency_choices(programme) -> Choices:
    return [choice for func in _agency_choices for choice in func(programme)]


@dataclass(frozen=True)
class SetupStep:
    """One step of a new programme's set-up day, shown to its Admin until every step is done."""

    order: int
    label: str
    url_name: str
    done: Callable[..., bool]
    help: str = ""


def register_setup_step(
    order: int, label: str, url_name: str, done: Callable[..., bool], help: str = ""
) -> None:
    step = SetupStep(order, label, url_name, done, help)
    if all(s.label != label for s in _setup_steps):
        _setup_steps.append(step)
        _setup_steps.sort(key=lambda s: s.order)


def setup_steps() -> list[SetupStep]:
    return list(_setup_steps)


@dataclass(frozen=True)
class PersonPanel:
    """A section an app above ``registry`` adds to the person page (e.g. the person's claims
    with "Catat klaim"): a template and its context (``panel`` in the template)."""

    template: str
    context: dict


_person_panels: list[Callable] = []


def register_person_panel(func: Callable[..., PersonPanel | None]) -> None:
    """``func(user, programme, participant) -> PersonPanel | None`` (``None``: nothing to show
    to this user)."""
    _add(_person_panels, func)


def person_panels(user, programme, participant) -> list[PersonPanel]:
    panels = (func(user, programme, participant) for func in _person_panels)
    return [panel for panel in panels if panel is not None]


@dataclass(frozen=True)
class Todo:
    """One line of a role's to-do queue on the programme home: how many things wait (``None``
    for a set-up step that is simply not done yet) and the filtered page where they are done."""

    label: str
    count: int | None
    url: str
    order: int = 100


_todo_sources: list[Callable] = []


def register_todo(func: Callable[..., list[Todo]]) -> None:
    """``func(user, programme, role) -> [Todo, …]``: an app's lines of the to-do queue for a
    user of this role. One query per app; lines with nothing waiting are left out by the app
    (a count of 0 is not work)."""
    _add(_todo_sources, func)


def todos(user, programme, role: str) -> list[Todo]:
    lines = [todo for func in _todo_sources for todo in func(user, programme, role)]
    return sorted(lines, key=lambda t: t.order)


_record_pages: dict[str, str] = {}


def register_record_page(model_label: str, url_name: str) -> None:
    """The page of one record of ``model_label`` (``"claims.claim"``): a URL name taking the
    programme code and the record's id. The access log links what was read to it."""
    _record_pages[model_label] = url_name


def record_page(model_label: str) -> str | None:
    return _record_pages.get(model_label)
