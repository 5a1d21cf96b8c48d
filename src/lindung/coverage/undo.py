"""Coverage's part in undoing a registry import (registered in ``apps.py`` with
:func:`lindung.registry.undo.register_undo_hook`).

An import can be undone until a billing run has used one of its rows: once a participant the
import created was billed, or a participant it changed was billed by a run after the import, the
invoices carry its data and undoing would leave them pointing at nothing (or at values that are
no longer the registry's). Enrolment periods of participants the import created (made by the
billing preparation or an enrolment hook, never billed — else the undo is refused) are removed
with the participants.
"""

from __future__ import annotations

from lindung.core.formatting import month_year
from lindung.registry.undo import Reason, UndoScope

from . import months
from .models import BillingRun, CoverageMonth, Enrolment

_CHUNK = 900  # SQLite's limit on bound variables


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _billed(scope: UndoScope, ids, months_=None) -> tuple[int, set]:
    count, billed_months = 0, set()
    for chunk in _chunks(ids):
        qs = CoverageMonth.objects.filter(programme_id=scope.programme_id, participant_id__in=chunk)
        if months_ is not None:
            qs = qs.filter(month__in=months_)
        rows = list(qs.values_list("participant_id", "month"))
        count += len({pid for pid, _ in rows})
        billed_months.update(m for _, m in rows)
    return count, billed_months


def refuse(scope: UndoScope) -> str | None:
    created, when = _billed(scope, scope.created_participants)
    runs_after = set(
        BillingRun.objects.filter(
            programme_id=scope.programme_id, started_at__gt=scope.committed_ts
        ).values_list("month", flat=True)
    )
    changed, when_changed = (0, set())
    if runs_after and scope.changed_participants:
        changed, when_changed = _billed(scope, scope.changed_participants, runs_after)
    if not created and not changed:
        return None
    used = sorted(when | when_changed)
    more = " …" if len(used) > 3 else ""
    labels = ", ".join(months.label(m) for m in used[:3]) + more
    labels_en = ", ".join(month_year(m, language="en") for m in used[:3]) + more
    count = f"{created + changed:,}".replace(",", ".")
    return Reason(
        f"Impor ini tidak dapat dibatalkan: penagihan {labels} sudah memakai "
        f"{count} peserta dari impor ini. Perbaiki datanya lewat impor baru atau "
        "formulir; perubahan iuran mengikuti lewat penyesuaian tagihan.",
        en=f"This import cannot be undone: the billing of {labels_en} already uses {count} "
        "participants of this import. Correct the data through a new import or the form; "
        "contribution changes follow through invoice adjustments.",
    )


def undo(scope: UndoScope, actor) -> None:
    for chunk in _chunks(scope.created_participants):
        Enrolment.objects.filter(programme_id=scope.programme_id, participant_id__in=chunk).delete()
