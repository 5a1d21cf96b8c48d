"""Retention of people who left (UU PDP 27/2022, Art. 43–44: personal data is erased when its
retention period ends): ``lindung anonymise`` removes the identity of every participant whose
membership ended more than ``LINDUNG_RETENTION_YEARS`` years ago (default 10), keeping the
figures.

Kept: the rows themselves, amounts, dates of membership, claims, segment, sex, the kelurahan
(counts per kelurahan) and the **year** of birth (ages in reports). Removed, in the rows and in
their change history: names, NIK (the person's becomes ``X`` + 15 digits, never a valid NIK), KK,
place of birth, day and month of birth, address, RT/RW, phone numbers, bank accounts, guardians,
contacts, and free-text notes on their rows — in the person, the participant, every row referring
to them (family, heirs, scholarship plans, handovers …, found by foreign keys as in
:mod:`.subject`) and inside JSON snapshots; stored documents (scans of ID cards, certificates) are
deleted from disk.

Uploaded lists hold many people at once, so they are not edited but kept only for a while:
:func:`prune_import_files` deletes an import's folder (the upload, its staging data, the error and
warning lists, the undo journal) ``LINDUNG_IMPORT_FILE_DAYS`` days (default 90) after the import
ended; the batch keeps its counts and says when its files went.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from lindung.core.actors import is_system
from lindung.core.errors import AccessDenied

from .models import ImportBatch, Participant, Person
from .queries import worded_failure
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
#: Free text written about a person on their own rows (notes, reasons, a statement number): it may
#: name them or their family, so it goes too.
FREE_TEXT = frozenset(
    {"note", "difference_note", "override_reason", "stop_reason", "prior_evidence"}
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
        elif name in IDENTITY | FREE_TEXT and isinstance(value, str):
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


# --- uploaded lists --------------------------------------------------------------------------------

#: Imports whose files may go: ended ones, and uploads left unfinished (never committed).
ENDED = (ImportBatch.State.COMMITTED, ImportBatch.State.UNDONE, ImportBatch.State.FAILED)
ABANDONED = (
    ImportBatch.State.UPLOADED,
    ImportBatch.State.MAPPING,
    ImportBatch.State.VALIDATED,
)


def import_file_days() -> int:
    return int(settings.LINDUNG_IMPORT_FILE_DAYS)


def imports_due(today: date | None = None, days: int | None = None, programme=None):
    """Imports whose files are past their keeping period and still on disk."""
    today = today or timezone.localdate()
    days = import_file_days() if days is None else days
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    last = Coalesce("undone_at", "committed_at", "validated_at", "created_at")
    qs = (
        ImportBatch.objects.annotate(last=last)
        .filter(state__in=ENDED + ABANDONED, last__lt=cutoff)
        .exclude(info__has_key="files_removed_on")
    )
    return qs.filter(programme=programme) if programme is not None else qs


def prune_import_files(
    *, actor, programme=None, days: int | None = None, dry_run: bool = False, today=None
) -> int:
    """Delete the folders of the imports due (:func:`imports_due`); the number of imports. An
    unfinished upload becomes *gagal* with the reason (it can no longer be committed)."""
    if not is_system(actor):
        raise AccessDenied(
            "Penghapusan berkas impor hanya lewat perintah `lindung anonymise` di server.",
            "Removing import files is a server command.",
            action="registry.anonymise",
        )
    from . import queries

    today = today or timezone.localdate()
    batches = list(imports_due(today, days, programme))
    if dry_run:
        return len(batches)
    for batch in batches:
        folder = queries.import_dir(batch)
        if batch.directory and folder.is_dir():
            shutil.rmtree(folder)
        batch.info = {**(batch.info or {}), "files_removed_on": today.strftime("%d/%m/%Y")}
        fields = ["info"]
        if batch.state in ABANDONED:
            batch.state = ImportBatch.State.FAILED
            batch.message = (
                "Impor ini tidak disimpan dalam masa simpan berkasnya; berkasnya sudah dihapus. "
                "Unggah lagi bila masih diperlukan."
            )
            batch.info["failure"] = worded_failure(
                batch.message,
                "This import was not saved within the time its files are kept; its files have "
                "been deleted. Upload it again if it is still needed.",
            )
            fields += ["state", "message"]
        batch.save(update_fields=fields)
    return len(batches)
