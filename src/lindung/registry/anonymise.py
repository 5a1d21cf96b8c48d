"""Retention of people who left (UU PDP 27/2022, Art. 43–44: personal data is erased when its
retention period ends): ``lindung anonymise`` removes the identity of every participant whose
membership ended more than ``LINDUNG_RETENTION_YEARS`` years ago (default 10), keeping the
figures.

Kept: the rows themselves, amounts, dates of membership, claims, segment, sex, the kelurahan
(counts per kelurahan) and the **year** of birth (ages in reports). Removed, in the rows and in
their change history: names, NIK (the person's becomes ``X`` + 15 digits, never a valid NIK), KK,
place of birth, day and month of birth, address, RT/RW, phone numbers, bank accounts, guardians,
contacts — in the person, the participant, every row referring to them (family, heirs,
scholarship plans, handovers …, found by foreign keys as in :mod:`.subject`) and inside JSON
snapshots; stored documents (scans of ID cards, certificates) are deleted from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from lindung.core.actors import is_system
from lindung.core.errors import AccessDenied

from .models import Participant, Person
from .subject import referring_objects

#: Field names that identify a person (blanked; a person's NIK gets a placeholder).
IDENTITY = frozenset(
    {
        "full_name",
        "child_name",
        "nik",
        "kk_number",
        "birth_place",
        "address",
        "rt",
        "rw",
        "phone",
        "bank_account",
        "account_holder",
        "guardian_name",
        "guardian_nik",
        "guardian_phone",
        "contact_name",
        "contact_phone",
        "contact_address",
        "recipient",
        "participant_nik",
        "participant_name",
    }
)
BIRTH = frozenset({"birth_date"})
LEFT = (
    Participant.Status.LEFT,
    Participant.Status.DIED,
    Participant.Status.INACTIVE,
    Participant.Status.LAPSED,
)
PLACEHOLDER = "X"


@dataclass
class Result:
    people: int = 0
    rows: int = 0
    history_rows: int = 0
    files: int = 0
    to_delete: list = field(default_factory=list)


def retention_years() -> int:
    return int(settings.LINDUNG_RETENTION_YEARS)


def due(today: date | None = None, years: int | None = None, programme=None):
    """Participants whose membership ended before the retention cut-off, not yet anonymised."""
    today = today or timezone.localdate()
    years = retention_years() if years is None else years
    cutoff = today - timedelta(days=round(365.25 * years))
    qs = Participant.objects.filter(status__in=LEFT, end_date__lt=cutoff).exclude(
        person__nik__startswith=PLACEHOLDER
    )
    return qs.filter(programme=programme) if programme is not None else qs


def _scrub_json(value):
    if isinstance(value, dict):
        return {
            k: ("" if k in IDENTITY and isinstance(v, str) else _scrub_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def _scrub(obj, result: Result, person_pk: int | None = None) -> list[str]:
    """Blank the identity fields of ``obj`` (a row or a history row); the changed field names."""
    changed = []
    for fld in obj._meta.concrete_fields:
        name, value = fld.name, getattr(obj, fld.attname)
        new = value
        if name == "nik" and person_pk is not None:
            new = f"{PLACEHOLDER}{person_pk:015d}"[:16]
        elif name == "full_name" and person_pk is not None:
            new = f"Anonim {person_pk}"
        elif name in IDENTITY and isinstance(value, str):
            new = ""
        elif name in BIRTH and isinstance(value, date):
            new = date(value.year, 1, 1)
        elif isinstance(fld, models.JSONField) and value:
            new = _scrub_json(value)
        elif isinstance(fld, models.FileField) and value:
            result.to_delete.append((value.storage, value.name))
            new = ""
        if new != value:
            setattr(obj, fld.attname, new)
            changed.append(fld.attname)
    return changed


def _objects(participant: Participant) -> list[tuple[type, list]]:
    """The person, the participant and every row referring to them (as in :mod:`.subject`)."""
    start = [(Person, [participant.person_id]), (Participant, [participant.pk])]
    return [
        (Person, [participant.person]),
        (Participant, [participant]),
        *referring_objects(start),
    ]


def _anonymise_one(participant: Participant, result: Result) -> None:
    person_pk = participant.person_id
    for model, rows in _objects(participant):
        own = person_pk if model is Person else None
        for obj in rows:
            changed = _scrub(obj, result, own)
            if changed:
                # a queryset update: no new history row recording the identity being removed
                model._default_manager.filter(pk=obj.pk).update(
                    **{name: getattr(obj, name) for name in changed}
                )
                result.rows += 1
        history = getattr(model, "history", None)
        if history is None:
            continue
        old = list(history.model.objects.filter(id__in=[o.pk for o in rows]))
        for h in old:
            changed = _scrub(h, result, own)
            if changed:
                history.model.objects.filter(pk=h.pk).update(
                    **{name: getattr(h, name) for name in changed}
                )
                result.history_rows += 1


def anonymise(*, actor, programme=None, years: int | None = None, dry_run: bool = False):
    """Anonymise every participant due (:func:`due`); a server command (system actor). One
    transaction; ``dry_run`` counts only."""
    if not is_system(actor):
        raise AccessDenied(
            "Penganoniman hanya lewat perintah `lindung anonymise` di server.",
            "Anonymising is a server command.",
            action="registry.anonymise",
        )
    result = Result()
    with transaction.atomic():
        people = list(due(years=years, programme=programme).select_related("person"))
        result.people = len(people)
        if dry_run:
            return result
        for participant in people:
            _anonymise_one(participant, result)
        files = {(storage, name) for storage, name in result.to_delete}
        result.files = len(files)

        def delete_files():  # stored scans go only once the anonymisation is committed
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return result
