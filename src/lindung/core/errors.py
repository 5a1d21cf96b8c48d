"""Errors in one place: the refused action, and how every channel shows it.

A use case that refuses something raises a :class:`DomainError` (or a subclass): the Indonesian
message is ``str(exc)``, the English one ``exc.message_en``, and ``exc.field`` names the input
at fault when there is one. :class:`AccessDenied` is the refusal of the authorization path
(:func:`lindung.programmes.permissions.authorize`).

Each channel maps it once:

- web views: :func:`refusals` (the message on the form or as a flash message, in the page's
  language: ``message_en`` when English is chosen);
- the JSON API: :func:`api_response` (``400``/``403`` with ``{"error": {...}}``), registered
  once on the API;
- the CLI: :func:`cli_refusals` (a ``CommandError`` carrying the message).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils import translation


class DomainError(ValueError):
    """A refused operation. ``str(exc)`` is the Indonesian message."""

    #: The HTTP status the API answers with.
    status = 400

    def __init__(self, message: str, message_en: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.field = field

    def to_dict(self) -> dict:
        return {"field": self.field, "message_id": self.message, "message_en": self.message_en}

    def in_language(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the active one, i.e. the page's): English only
        when English is chosen, Indonesian otherwise."""
        return in_language(self.message, self.message_en, language)


def in_language(message: str, message_en: str, language: str | None = None) -> str:
    """``message_en`` when ``language`` (default: the active one) is English and there is an
    English sentence, ``message`` (Indonesian) otherwise: for refusals that are not
    :class:`DomainError` (e.g. a scenario's) and for refusals stored to be shown later."""
    language = language or translation.get_language() or "id"
    return message_en if language.startswith("en") and message_en else message


class AccessDenied(DomainError, PermissionDenied):
    """The actor may not do this: no user, a role that does not allow the action, or a user
    whose account is gone. Django answers 403 when a view lets it through."""

    status = 403

    def __init__(self, message: str, message_en: str = "", *, action: str = "", role=None):
        super().__init__(message, message_en or "You may not do this.")
        self.action = action
        self.role = role


def english(text) -> str:
    """The English of an Indonesian text of the catalogue (a lazy ``gettext_lazy`` label or a
    msgid), for a refusal's ``message_en``; the text itself when the catalogue has none."""
    from django.utils.functional import Promise

    with translation.override("en"):
        return str(text) if isinstance(text, Promise) else translation.gettext(text)


@dataclass
class Refusal:
    """What :func:`refusals` caught (``error`` stays ``None`` when nothing was refused)."""

    error: DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None


@contextmanager
def refusals(request, form=None, prefix: str = "") -> Iterator[Refusal]:
    """For views: run a use case; a refusal is shown instead of raised.

    With ``form`` the message goes to the form (on its field when the error names one the form
    has), otherwise it becomes a flash message. ``prefix`` is put before it (e.g. the document's
    label)::

        with refusals(request, form) as outcome:
            services.create_claim(...)
        if not outcome.refused:
            return redirect(...)
    """
    outcome = Refusal()
    try:
        yield outcome
    except DomainError as exc:
        outcome.error = exc
        text = f"{prefix}{exc.in_language()}"
        if form is not None:
            field = exc.field if exc.field in getattr(form, "fields", {}) else None
            form.add_error(field, text)
        else:
            messages.error(request, text)


def api_response(api, request, exc: DomainError):
    """The API's answer to a refusal (registered once as the API's exception handler)."""
    return api.create_response(
        request, {"detail": str(exc), "error": exc.to_dict()}, status=exc.status
    )


@contextmanager
def cli_refusals() -> Iterator[None]:
    """For management commands: a refusal ends the command with its message (exit status 1)."""
    from django.core.management.base import CommandError

    try:
        yield
    except DomainError as exc:
        raise CommandError(str(exc)) from exc
