"""One audit mechanism for all domain models: django-simple-history, read here.

Apps register their audited models with :func:`register`; the audit page and each record's
history page read the history tables through :func:`record_history` and :func:`recent_changes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404

from .models import Programme

# model label ("app_label.ModelName") -> lookup path from the model to its programme, or a
# function of the programme giving the filter (logins, which belong to no single programme)
_AUDITED: dict[str, Any] = {}

TYPE_LABELS = {"+": "dibuat", "~": "diubah", "-": "dihapus"}


def register(model: type[models.Model], programme_path: Any = "programme") -> None:
    _AUDITED[model._meta.label_lower] = programme_path


def members_of(field: str):
    """Scope of a login's records (users, accounts): those of the programme's present and past
    members (``field`` holds the user id)."""

    def scope(programme: Programme) -> dict:
        from .models import Membership

        users = Membership.history.filter(programme_id=programme.pk).values("user_id")
        return {f"{field}__in": users}

    return scope


def audited_models() -> dict[str, Any]:
    return dict(_AUDITED)


@dataclass
class Change:
    at: datetime
    user: Any
    kind: str
    model_label: str
    verbose_name: str
    object_id: Any
    object_repr: str
    reason: str
    changes: list[tuple[str, Any, Any]]


def _programme_filter(path, programme: Programme) -> dict:
    if callable(path):
        return path(programme)
    if path == "self":
        return {"id": programme.pk}
    return {path: programme}


def _history_changes(record) -> list[tuple[str, Any, Any]]:
    prev = record.prev_record
    if prev is None:
        return []
    delta = record.diff_against(prev)
    return [(c.field, c.old, c.new) for c in delta.changes]


def _to_change(record, label: str) -> Change:
    model = apps.get_model(label)
    return Change(
        at=record.history_date,
        user=record.history_user,
        kind=TYPE_LABELS.get(record.history_type, record.history_type),
        model_label=label,
        verbose_name=str(model._meta.verbose_name),
        object_id=record.id,
        object_repr=str(record.instance) if record.history_type != "-" else str(record),
        reason=record.history_change_reason or "",
        changes=_history_changes(record),
    )


def _scoped_model(programme: Programme, label: str):
    """The registered model for ``label`` and the filter that keeps it inside the programme."""
    label = label.lower()
    if label not in _AUDITED:
        raise Http404("Jenis data tidak dikenal.")
    model = apps.get_model(label)
    return model, _programme_filter(_AUDITED[label], programme)


def record_history(programme: Programme, label: str, pk) -> list[Change]:
    model, scope = _scoped_model(programme, label)
    history = model.history.filter(id=pk).filter(**scope).select_related("history_user")
    records = list(history.order_by("-history_date", "-history_id"))
    if not records:
        raise Http404("Riwayat tidak ditemukan.")
    return [_to_change(r, label.lower()) for r in records]


def recent_changes(programme: Programme, limit: int = 100) -> list[Change]:
    changes: list[Change] = []
    for label, path in _AUDITED.items():
        model = apps.get_model(label)
        qs = (
            model.history.filter(**_programme_filter(path, programme))
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        changes.extend(_to_change(r, label) for r in qs)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]
