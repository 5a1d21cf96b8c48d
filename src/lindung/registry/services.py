"""Write use cases of the registry: imports, participants, family members, agencies, duplicates.

Each use case is one transaction and raises a typed :class:`RegistryError` with an Indonesian
message. Views, the API, the ``lindung import`` command and background jobs call these.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from lindung.core import changes, sandbox, sql
from lindung.core.actors import job_actor
from lindung.core.errors import DomainError
from lindung.programmes.jobs import start_job
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize

from . import importing, membership, pipeline, queries, undo
from .columns import guess_mapping
from .mapping import Mapping, MappingError
from .models import (
    Agency,
    ColumnMapping,
    FamilyMember,
    ImportBatch,
    Participant,
    Person,
    PossibleDuplicate,
)
from .reading import ROW, SUPPORTED
from .undo import Journal
from .validation import (
    FAMILY_FIELDS,
    KEEP_IF_BLANK,
    MAX_PRIOR_MONTHS,
    PARTICIPANT_FIELDS,
    PERSON_FIELDS,
    validate_family,
    validate_record,
)


class RegistryError(DomainError):
    """A refused registry change, with an Indonesian message."""


class UnreadableImport(RegistryError):
    """The uploaded file is not a readable table."""


class ImportStateError(RegistryError):
    """The import is not in a state that allows this step."""


def _state(batch: ImportBatch, language: str) -> str:
    """The import's state label in ``language`` (a lazily translated choice)."""
    with translation.override(language):
        return str(batch.get_state_display())


class InvalidRecord(RegistryError):
    """A participant/family record failed the import's checks: ``errors`` = {column: [msg]}."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        text = "; ".join(f"{col}: {' '.join(msgs)}" for col, msgs in errors.items())
        super().__init__(f"Data tidak valid — {text}")


def _with_actor(obj, actor):
    if actor is not None and getattr(actor, "pk", None):
        obj._history_user = actor
    return obj


def _check(actor, programme: Programme, action: str) -> None:
    """The one authorization path (a user holding the action, or a named system actor)."""
    authorize(actor, action, programme)


# --- imports -------------------------------------------------------------------------------------
#
# upload → read (background, limited child process) → MAPPING: the user confirms or changes the
# column mapping → check (background, child) → VALIDATED: preview → commit (background) →
# COMMITTED → optionally undo. The CLI runs the same steps in one go.


def upload_limit_bytes() -> int:
    return int(getattr(settings, "LINDUNG_UPLOAD_MAX_MB", 256)) * 1024 * 1024


def check_upload_size(size: int | None) -> None:
    """Refuse an upload larger than ``LINDUNG_UPLOAD_MAX_MB`` (Indonesian message)."""
    limit = upload_limit_bytes()
    if size is not None and size > limit:
        mb = f"{size / 1048576:,.0f}".replace(",", ".")
        limit_mb = f"{limit // 1048576:,}".replace(",", ".")
        raise UnreadableImport(
            f"Berkas berukuran {mb} MB; batas unggahan {limit_mb} MB. "
            "Bagi daftar menjadi beberapa berkas, atau simpan sebagai .xlsx (lebih kecil dari "
            ".csv), lalu unggah lagi.",
            message_en=f"The file is {mb} MB; the upload limit is {limit_mb} MB. Split the list "
            "into several files, or save it as .xlsx (smaller than .csv), then upload again.",
        )


def _size_of(source) -> int | None:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    return getattr(source, "size", None)


def create_import(
    *,
    actor,
    programme: Programme,
    filename: str,
    source,
    kind: str = ImportBatch.Kind.PARTICIPANTS,
    background: bool = True,
) -> ImportBatch:
    """Store an uploaded list and start reading it (a background job unless told otherwise).

    ``source`` is a path or an uploaded file (anything with ``chunks()`` or ``read()``).
    """
    _check(actor, programme, "participant.import")
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableImport(
            f"Jenis berkas '{suffix or filename}' tidak didukung: unggah .xlsx atau .csv.",
            message_en=f"File type '{suffix or filename}' is not supported: upload .xlsx or .csv.",
        )
    if kind not in ImportBatch.Kind.values:
        raise RegistryError(
            f"Jenis impor '{kind}' tidak dikenal.", message_en=f"Unknown import kind '{kind}'."
        )
    check_upload_size(_size_of(source))
    with transaction.atomic():
        batch = ImportBatch(
            programme=programme,
            kind=kind,
            filename=Path(filename).name[:255],
            created_by=actor if getattr(actor, "pk", None) else None,
            directory="",
        )
        batch.directory = f"imports/{programme.code}/{batch.pk}"
        folder = queries.import_dir(batch)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"sumber{suffix}"
        if isinstance(source, str | Path):
            shutil.copyfile(source, target)
        else:
            with target.open("wb") as out:
                if hasattr(source, "chunks"):
                    for chunk in source.chunks():
                        out.write(chunk)
                else:
                    shutil.copyfileobj(source, out)
        check_upload_size(target.stat().st_size)
        batch.info = {"source": target.name}
        batch.save()
        if background:
            _start_step(batch, "read", f"Membaca {batch.filename}", ImportBatch.State.READING)
    return batch


_STEPS = {
    "read": ("registry.import.read", "lindung.registry.services.read_import_job"),
    "check": ("registry.import.validate", "lindung.registry.services.validate_import_job"),
}


def _start_step(batch: ImportBatch, step: str, label: str, state: str) -> None:
    kind, func_path = _STEPS[step]
    job = start_job(
        programme=batch.programme,
        kind=kind,
        label=label,
        func_path=func_path,
        kwargs={"batch_id": str(batch.pk)},
        user=batch.created_by,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(validate_job=job, state=state)
    batch.validate_job, batch.state = job, state


def _summary(batch: ImportBatch) -> dict:
    rejected = queries.rejected_file(batch)
    warned = queries.warnings_file(batch)
    committed = batch.state == ImportBatch.State.COMMITTED
    return {
        "batch": str(batch.pk),
        "state": batch.state,
        "committed": committed,
        "rows": batch.rows,
        "created": batch.created if committed else batch.planned_create,
        "updated": batch.updated if committed else batch.planned_update,
        "unchanged": batch.unchanged if committed else batch.planned_unchanged,
        "rejected": batch.rejected,
        "copies": batch.copies,
        "warned": batch.warned,
        "blank_rows": batch.blank_rows,
        "ignored_rows": batch.ignored_rows,
        "possible_duplicates": batch.possible_duplicates,
        "errors_file": str(rejected) if rejected else None,
        "warnings_file": str(warned) if warned else None,
        "mapping": batch.mapping,
        "message": batch.message,
        "ledger": (batch.info or {}).get("ledger") or {"rows": 0},
    }


def summary(batch: ImportBatch) -> dict:
    return _summary(batch)


def _sandboxed(batch: ImportBatch, func: str, kwargs: dict, progress, *, size: int = 0):
    """Run a file step in the limited child; any failure marks the import failed, with why."""
    try:
        return sandbox.run(
            f"lindung.registry.pipeline:{func}",
            kwargs,
            progress=progress,
            fresh_after=size > 50 * 1048576,
        )
    except sandbox.SandboxFailure as exc:
        message, message_en = exc.message, exc.message_en
        if exc.kind == "error" and exc.error_type not in {"UnreadableFile", "MappingError"}:
            message = f"Berkas tidak dapat diperiksa ({exc.error_type}): {exc.message}"
            message_en = f"The file cannot be checked ({exc.error_type}): {exc.message_en}"
        _fail(batch, ImportBatch.State.FAILED, message, message_en)
        raise UnreadableImport(message, message_en=message_en) from exc


def _fail(batch: ImportBatch, state: str, message: str, message_en: str = "") -> None:
    """Put the import in ``state`` with why, in both languages (the English is kept in the
    import's ``info``; :func:`.queries.failure` shows the page's)."""
    info = dict(
        ImportBatch.objects.filter(pk=batch.pk).values_list("info", flat=True).first() or {}
    )
    info["failure"] = queries.worded_failure(message, message_en)
    ImportBatch.objects.filter(pk=batch.pk).update(state=state, message=message[:500], info=info)


def _saved_mapping(batch: ImportBatch) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(programme=batch.programme, kind=batch.kind).first()


def read_import(batch_id, progress=None) -> dict:
    """Read the stored file (in the limited child) and guess the column mapping: the import
    then waits for the user to confirm it (state ``mapping``).

    Raises :class:`UnreadableImport` (and marks the import failed) when the file is unreadable.
    """
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme").get(pk=batch_id)
    if batch.state not in {ImportBatch.State.UPLOADED, ImportBatch.State.READING}:
        raise ImportStateError(
            "Berkas ini sudah dibaca.", message_en="This file has already been read."
        )
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.READING)
    folder = queries.import_dir(batch)
    source = folder / batch.info.get("source", "")
    progress(5, "Membaca berkas…")
    layout = _sandboxed(
        batch,
        "read_source",
        {
            "source": str(source),
            "folder": str(folder),
            "kind": batch.kind,
            "max_rows": int(getattr(settings, "LINDUNG_IMPORT_MAX_ROWS", 1_100_000)),
        },
        lambda pct, msg="": progress(5 + pct * 8 // 10, msg),
        size=source.stat().st_size if source.exists() else 0,
    )
    saved = _saved_mapping(batch)
    guessed, unknown = guess_mapping(
        layout["headers"], batch.kind, saved.columns if saved else None
    )
    mapping = Mapping(columns=guessed, values=dict(saved.values) if saved else {})
    info = dict(batch.info)
    info.update(layout)
    info.update(
        {
            "guessed": guessed,
            "unknown": unknown,
            "missing": mapping.missing(batch.kind),
            "saved_mapping": bool(saved),
        }
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.MAPPING,
        info=info,
        mapping=mapping.to_json(),
        ignored_rows=layout["ignored_rows"],
        message="",
    )
    batch.refresh_from_db()
    progress(100, f"Berkas terbaca: {layout['source_rows']:,} baris.".replace(",", "."))
    return _summary(batch)


def read_import_job(*, job_id, progress, batch_id):
    return read_import(batch_id, progress)


def set_mapping(
    *,
    actor,
    batch: ImportBatch,
    mapping: Mapping,
    save: bool = False,
    background: bool = True,
) -> ImportBatch:
    """Confirm the column mapping (Operator/Admin) and start checking the rows with it.

    Allowed while waiting for the mapping or on a checked (not yet committed) import, to change
    it. ``save``: keep it as the programme's mapping for the next file of this kind.
    """
    _check(actor, batch.programme, "participant.import")
    headers = batch.info.get("headers") or []
    saved = _saved_mapping(batch)
    try:
        resolved = mapping.resolve(headers, batch.kind, saved.columns if saved else None)
    except MappingError as exc:
        raise RegistryError(str(exc), message_en=exc.message_en) from exc
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state not in {ImportBatch.State.MAPPING, ImportBatch.State.VALIDATED}:
            raise ImportStateError(
                "Pemetaan kolom tidak dapat diubah sekarang: status impor "
                f"'{_state(locked, 'id')}'.",
                message_en="The column mapping cannot be changed now: the import's status is "
                f"'{_state(locked, 'en')}'.",
            )
        locked.mapping = resolved.to_json()
        info = dict(locked.info)
        info["missing"] = resolved.missing(batch.kind)
        info["unknown"] = [
            h for h in headers if h not in resolved.columns and not h.startswith("__UNNAMED__")
        ]
        locked.info = info
        locked.state = ImportBatch.State.VALIDATING
        locked.message = ""
        locked.save(update_fields=["mapping", "info", "state", "message"])
        if save:
            ColumnMapping.objects.update_or_create(
                programme=locked.programme,
                kind=locked.kind,
                defaults={
                    "columns": resolved.saved_form(headers),
                    "values": resolved.values,
                    "updated_by": actor if getattr(actor, "pk", None) else None,
                },
            )
        if background:
            _start_step(
                locked, "check", f"Memeriksa {locked.filename}", ImportBatch.State.VALIDATING
            )
    return locked


def validate_import(batch_id, progress=None) -> dict:
    """Check every row with the confirmed mapping (in the limited child), compare with the
    registry, and keep the results for the preview.

    Raises :class:`UnreadableImport` (and marks the import failed) when the file cannot be
    checked. An import not read yet is read first and checked with the automatic mapping.
    """
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme").get(pk=batch_id)
    if batch.state in {ImportBatch.State.UPLOADED, ImportBatch.State.READING}:
        # Not read yet (a caller without the mapping step): read, take the automatic mapping.
        read_import(batch.pk, progress)
        batch.refresh_from_db()
    if batch.state not in {ImportBatch.State.VALIDATING, ImportBatch.State.MAPPING}:
        raise ImportStateError(
            "Berkas ini sudah diperiksa.", message_en="This file has already been checked."
        )
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.VALIDATING)
    folder = queries.import_dir(batch)
    family = batch.kind == ImportBatch.Kind.FAMILY
    ref = queries.reference_for(batch.programme, family=family)
    progress(5, "Memeriksa setiap baris…")
    counts = _sandboxed(
        batch,
        "check_source",
        {"folder": str(folder), "kind": batch.kind, "mapping": batch.mapping, "ref": ref},
        lambda pct, msg="": progress(5 + pct * 6 // 10, msg.replace(",", ".")),
        size=(folder / pipeline.RAW).stat().st_size if (folder / pipeline.RAW).exists() else 0,
    )
    progress(70, "Membandingkan dengan data yang sudah terdaftar…")
    valid = pl.read_parquet(folder / "valid.parquet")
    try:
        if batch.kind == ImportBatch.Kind.FAMILY:
            new, changed, unchanged = importing.diff_family(
                valid, importing.fetch_family(batch.programme_id)
            )
            planned = (new.height, changed.height, unchanged)
            pairs = 0
        elif batch.kind == ImportBatch.Kind.CANDIDATES:
            new, changed, unchanged = importing.diff_candidates(
                valid, importing.fetch_candidates(batch.programme_id)
            )
            planned = (new.height, changed.height, unchanged)
            pairs = 0
        else:
            existing = importing.fetch_existing(batch.programme_id)
            plan = importing.diff_participants(valid, existing)
            planned = (plan.created, plan.updated, plan.unchanged)
            del plan
            pairs = importing.duplicate_pairs(valid, existing).height
    except pl.exceptions.PanicException as exc:  # never let a library bug kill the worker
        message, message_en = f"Perbandingan gagal: {exc}", f"The comparison failed: {exc}"
        _fail(batch, ImportBatch.State.FAILED, message, message_en)
        raise UnreadableImport(message, message_en=message_en) from exc
    progress(90, "Menyimpan hasil pemeriksaan…")
    info = dict(batch.info)
    info.update(
        {
            "missing": counts["missing"],
            "file_issues": counts["file_issues"],
            "ledger": counts.get("ledger") or {},
        }
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.VALIDATED,
        rows=counts["rows"],
        blank_rows=counts["blank_rows"],
        rejected=counts["rejected"],
        warned=counts["warned"],
        copies=counts["copies"],
        planned_create=planned[0],
        planned_update=planned[1],
        planned_unchanged=planned[2],
        possible_duplicates=pairs,
        validated_at=timezone.now(),
        info=info,
        message="",
    )
    batch.refresh_from_db()
    progress(100, f"Selesai: {batch.rows} baris, {batch.rejected} ditolak.")
    return _summary(batch)


def validate_import_job(*, job_id, progress, batch_id):
    return validate_import(batch_id, progress)


def start_commit(*, actor, batch: ImportBatch, background: bool = True) -> ImportBatch:
    """Queue the commit of a validated import (Operator/Admin)."""
    _check(actor, batch.programme, "participant.import")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportBatch.State.VALIDATED:
            raise ImportStateError(
                f"Impor ini tidak dapat disimpan sekarang: statusnya '{_state(locked, 'id')}'.",
                message_en="This import cannot be saved now: its status is "
                f"'{_state(locked, 'en')}'.",
            )
        locked.state = ImportBatch.State.COMMITTING
        locked.committed_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["state", "committed_by"])
        if background:
            job = start_job(
                programme=batch.programme,
                kind="registry.import.commit",
                label=f"Menyimpan {batch.filename}",
                func_path="lindung.registry.services.commit_import_job",
                kwargs={"batch_id": str(batch.pk), "user_id": actor.pk},
                user=locked.committed_by,
            )
            ImportBatch.objects.filter(pk=batch.pk).update(commit_job=job)
            locked.commit_job = job
    return locked


def _stamp():
    ts = timezone.now()
    if ts.microsecond == 0:
        ts += timedelta(microseconds=1)
    return ts


def commit_import(batch_id, progress=None, *, actor, enrol: bool = True) -> dict:
    """Write the validated rows (one transaction): created/updated/unchanged, with history, and
    a journal of what changed so the import can be undone; the new participants are enrolled
    through coverage (``enrol=False``: the caller enrols them itself, in the same transaction —
    the adoption of a scenario, with its funder)."""
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme", "committed_by").get(pk=batch_id)
    if batch.state != ImportBatch.State.COMMITTING:
        raise ImportStateError(
            "Impor ini belum siap disimpan atau sudah disimpan.",
            message_en="This import is not ready to be saved, or it has been saved already.",
        )
    progress(5, "Menyimpan ke registri…")
    folder = queries.import_dir(batch)
    reason = f"Impor {batch.filename} ({batch.pk})"[:200]
    journal = Journal(folder)
    try:
        _check(actor, batch.programme, "participant.import")
        valid = pl.read_parquet(folder / "valid.parquet")
        user_id = actor.pk
        with changes.atomic():
            Programme.objects.select_for_update().filter(pk=batch.programme_id).first()
            ts = _stamp()
            common = {
                "programme_id": batch.programme_id,
                "valid": valid,
                "ts": ts,
                "user_id": user_id,
                "reason": reason,
                "journal": journal,
            }
            if batch.kind == ImportBatch.Kind.FAMILY:
                result = importing.commit_family(**common)
            elif batch.kind == ImportBatch.Kind.CANDIDATES:
                result = importing.commit_candidates(**common)
            else:
                result = importing.commit_participants(
                    **common,
                    default_start=queries.reference_for(batch.programme).default_start,
                    batch_id=batch.pk,
                    progress=progress,
                )
                result["membership"] = _after_participants(batch, ts, actor, reason, enrol)
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.COMMITTED,
                created=result["created"],
                updated=result["updated"],
                unchanged=result["unchanged"],
                possible_duplicates=result["possible_duplicates"],
                committed_at=timezone.now(),
                message="",
            )
    except BaseException as exc:
        message, message_en = _step_failed(exc, "Penyimpanan gagal", "Saving failed")
        _fail(batch, ImportBatch.State.VALIDATED, message, message_en)
        if isinstance(exc, pl.exceptions.PanicException):
            raise RegistryError(message, message_en=message_en) from exc
        raise
    batch.refresh_from_db()
    progress(100, f"Tersimpan: {batch.created} baru, {batch.updated} diperbarui.")
    summary = _summary(batch)
    if "membership" in result:
        summary["membership"] = result["membership"]
    return summary


def _step_failed(exc: BaseException, what: str, what_en: str) -> tuple[str, str]:
    """``"Penyimpanan gagal: …"`` and its English; a refusal gives its own two sentences."""
    if isinstance(exc, DomainError):
        return f"{what}: {exc.message}", f"{what_en}: {exc.message_en}"
    return f"{what}: {exc}", f"{what_en}: {exc}"


def _after_participants(batch: ImportBatch, ts, actor, reason: str, enrol: bool) -> dict:
    """The import's people and participants (stamped ``ts``) go into the change feed; the new
    ones are enrolled and corrected start dates followed (coverage's hook)."""
    stamped = "SELECT id FROM {t} WHERE programme_id = %s AND updated_at = %s"
    params = [batch.programme_id, sql.db_timestamp(ts)]
    changes.record_select(changes.PERSON, batch.programme_id, stamped, params, t=Person)
    changes.record_select(changes.PARTICIPANT, batch.programme_id, stamped, params, t=Participant)
    if not enrol:
        return {}
    return membership.imported(batch.programme, created_at=ts, actor=actor, note=reason)


def commit_import_job(*, job_id, progress, batch_id, user_id=None):
    """The commit in the worker, as the user who asked for it (fails closed when that account
    is gone: the import goes back to "checked", with the reason)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        actor = job_actor(user_id if user_id is not None else batch.committed_by_id)
    except DomainError as exc:
        _fail(batch, ImportBatch.State.VALIDATED, exc.message, exc.message_en)
        raise
    return commit_import(batch_id, progress, actor=actor)


def recover_abandoned_job(job) -> None:
    """The worker running this import's job died (``programmes.jobs.recover_abandoned``): a
    commit goes back to *siap disimpan* (its transaction was rolled back, nothing is half
    written) so it can be saved again or discarded; a check is marked failed."""
    batch = ImportBatch.objects.filter(Q(validate_job=job) | Q(commit_job=job)).first()
    if batch is None:
        return
    if batch.commit_job_id == job.pk and batch.state == ImportBatch.State.COMMITTING:
        _fail(
            batch,
            ImportBatch.State.VALIDATED,
            "Penyimpanan terhenti karena pekerja latar berhenti; tidak ada baris yang "
            "tersimpan. Tekan 'Simpan ke registri' untuk mengulang, atau buang impor ini.",
            "Saving stopped because the background worker stopped; no row was saved. Press "
            "'Save to the registry' to try again, or discard this import.",
        )
    elif batch.validate_job_id == job.pk and batch.state in (
        ImportBatch.State.UPLOADED,
        ImportBatch.State.VALIDATING,
    ):
        _fail(
            batch,
            ImportBatch.State.FAILED,
            "Pemeriksaan terhenti karena pekerja latar berhenti. Buang impor ini lalu unggah "
            "berkasnya lagi.",
            "The check stopped because the background worker stopped. Discard this import, then "
            "upload its file again.",
        )


def discard_import(*, actor, batch: ImportBatch) -> None:
    """Throw away an import that was not saved (its files and its row); nothing in the registry
    changes. A saved or running import cannot be discarded."""
    _check(actor, batch.programme, "participant.import")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state not in (
            ImportBatch.State.UPLOADED,
            ImportBatch.State.MAPPING,
            ImportBatch.State.VALIDATED,
            ImportBatch.State.FAILED,
        ) or (locked.state == ImportBatch.State.UPLOADED and locked.validate_job_id):
            raise ImportStateError(
                f"Impor berstatus '{_state(locked, 'id')}' tidak dapat dibuang.",
                message_en=f"An import with status '{_state(locked, 'en')}' cannot be discarded.",
            )
        folder = queries.import_dir(locked)
        locked.delete()
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def start_undo(*, actor, batch: ImportBatch, background: bool = True) -> ImportBatch:
    """Queue undoing a committed import (Operator/Admin); refused with the reason when it can
    no longer be undone (see :mod:`lindung.registry.undo`)."""
    _check(actor, batch.programme, "participant.import")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportBatch.State.COMMITTED:
            raise ImportStateError(
                "Hanya impor yang sudah tersimpan yang dapat dibatalkan (status: "
                f"'{_state(locked, 'id')}').",
                message_en="Only an import that has been saved can be undone (status: "
                f"'{_state(locked, 'en')}').",
            )
        why = undo_refusal(locked)
        if why:
            raise ImportStateError(why, message_en=undo.english(why))
        locked.state = ImportBatch.State.UNDOING
        locked.undone_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["state", "undone_by"])
        if background:
            job = start_job(
                programme=batch.programme,
                kind="registry.import.undo",
                label=f"Membatalkan {batch.filename}",
                func_path="lindung.registry.services.undo_import_job",
                kwargs={"batch_id": str(batch.pk), "user_id": actor.pk},
                user=locked.undone_by,
            )
            ImportBatch.objects.filter(pk=batch.pk).update(undo_job=job)
            locked.undo_job = job
    return locked


def undo_refusal(batch: ImportBatch) -> str | None:
    """Why a committed import cannot be undone now (an Indonesian :class:`~.undo.Reason` with
    its English ``en``; ``undo.in_language(why)`` for a page), or ``None``."""
    return undo.refusal(batch)


def undo_import(batch_id, progress=None, *, actor) -> dict:
    """Undo a committed import (one transaction): created rows removed, changed rows restored,
    each with history. Refused (state back to committed) when something used its rows since."""
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme", "undone_by").get(pk=batch_id)
    if batch.state != ImportBatch.State.UNDOING:
        raise ImportStateError(
            "Impor ini tidak sedang dibatalkan.", message_en="This import is not being undone."
        )
    _check(actor, batch.programme, "participant.import")
    progress(5, "Memeriksa apakah impor masih dapat dibatalkan…")
    reason = f"Batal impor {batch.filename} ({batch.pk})"[:200]
    try:
        with changes.atomic():
            Programme.objects.select_for_update().filter(pk=batch.programme_id).first()
            why = undo.refusal(batch)
            if why:
                raise ImportStateError(why, message_en=undo.english(why))
            result = undo.undo(
                batch,
                Journal(queries.import_dir(batch)),
                ts=_stamp(),
                actor=actor,
                reason=reason,
                progress=progress,
            )
            # Rows went away in bulk (no signals): the dashboard's read model rebuilds the
            # programme in this transaction rather than follow them one by one.
            changes.record_programme(batch.programme_id)
            info = dict(batch.info)
            info["undo"] = result
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.UNDONE, undone_at=timezone.now(), info=info, message=""
            )
    except BaseException as exc:
        message, message_en = _step_failed(exc, "Pembatalan gagal", "Undoing failed")
        _fail(batch, ImportBatch.State.COMMITTED, message, message_en)
        if isinstance(exc, pl.exceptions.PanicException):
            raise RegistryError(message, message_en=message_en) from exc
        raise
    batch.refresh_from_db()
    progress(100, "Impor dibatalkan.")
    return {**_summary(batch), **result}


def undo_import_job(*, job_id, progress, batch_id, user_id=None):
    """The undo in the worker, as the user who asked for it (fails closed when that account is
    gone: the import stays saved, with the reason)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        actor = job_actor(user_id if user_id is not None else batch.undone_by_id)
    except DomainError as exc:
        _fail(batch, ImportBatch.State.COMMITTED, exc.message, exc.message_en)
        raise
    return undo_import(batch_id, progress, actor=actor)


def run_import(
    *,
    programme: Programme,
    path: Path,
    commit: bool,
    actor,
    kind: str = "participants",
    progress=None,
    mapping: Mapping | None = None,
    save_mapping: bool = False,
    enrol: bool = True,
) -> dict:
    """The whole flow in this process (the CLI): store, read, map (the given mapping, else the
    programme's saved one and the automatic guess — the same as the page), check, optionally
    commit."""
    if not Path(path).is_file():
        raise UnreadableImport(
            f"Berkas {path} tidak ditemukan atau tidak dapat dibuka.",
            message_en=f"File {path} was not found or cannot be opened.",
        )
    batch = create_import(
        actor=actor,
        programme=programme,
        filename=Path(path).name,
        source=path,
        kind=kind,
        background=False,
    )
    read_import(batch.pk, progress)
    batch.refresh_from_db()
    chosen = mapping or Mapping()
    saved = _saved_mapping(batch)
    if saved and not chosen.values:
        chosen = Mapping(columns=chosen.columns, values=dict(saved.values))
    elif saved:
        chosen = Mapping(columns=chosen.columns, values={**saved.values, **chosen.values})
    set_mapping(actor=actor, batch=batch, mapping=chosen, save=save_mapping, background=False)
    result = validate_import(batch.pk, progress)
    if commit:
        batch.refresh_from_db()
        start_commit(actor=actor, batch=batch, background=False)
        result = commit_import(batch.pk, progress, actor=actor, enrol=enrol)
    return result


# --- participants through the form ---------------------------------------------------------------


def _validate_record(programme: Programme, record: dict[str, str]) -> dict:
    """Run the import's checks on one record; return the clean row or raise InvalidRecord."""
    validated = validate_record(record, queries.reference_for(programme))
    _refuse_errors(validated)
    if validated.valid.height == 0:
        raise InvalidRecord({"nik": ["Data kosong."]})
    row = validated.valid.row(0, named=True)
    row["_warnings"] = validated.warnings.get_column("message").to_list()
    return row


def _refuse_errors(validated) -> None:
    if validated.errors.height:
        errors: dict[str, list[str]] = {}
        for column, message in validated.errors.select("column", "message").iter_rows():
            errors.setdefault(column, []).append(message)
        raise InvalidRecord(errors)


#: What the form writes: the import's fields (the start date is decided below; the months
#: carried in and their evidence only when given).
PARTICIPANT_ATTRS = tuple(f for f in PARTICIPANT_FIELDS if f not in KEEP_IF_BLANK)


@changes.atomic()
def save_participant(
    *, actor, programme: Programme, record: dict[str, str], participant: Participant | None = None
) -> Participant:
    """Create (``participant=None``) or update a participant from canonical-column text. A new
    participant is enrolled from its start date; a corrected start date moves the start of its
    membership (coverage's hooks).

    The import's warnings (e.g. a birth date that disagrees with the NIK's date part) do not
    refuse the record; they are on the returned participant's ``warnings`` list."""
    _check(actor, programme, "participant.edit")
    row = _validate_record(programme, record)
    clash = Person.objects.filter(programme=programme, nik=row["nik"])
    if participant is not None:
        clash = clash.exclude(pk=participant.person_id)
    if clash.exists():
        raise InvalidRecord({"nik": ["NIK ini sudah terdaftar di program ini untuk orang lain."]})
    new = participant is None
    if new:
        person = Person(programme=programme)
        participant = Participant(programme=programme)
        start = row["start_date"] or queries.reference_for(programme).default_start
    else:
        if participant.programme_id != programme.pk:
            raise RegistryError(
                "Peserta bukan bagian dari program ini.",
                message_en="The participant is not part of this programme.",
            )
        person = participant.person
        start = row["start_date"] or participant.start_date
    for attr in PERSON_FIELDS:
        setattr(person, attr, row[attr])
    _with_actor(person, actor).save()
    participant.person = person
    for attr in PARTICIPANT_ATTRS:
        setattr(participant, attr, row[attr])
    for attr in ("prior_months", "prior_evidence"):
        if row[attr] is not None:
            setattr(participant, attr, row[attr])
    moved = not new and participant.start_date != start
    participant.start_date = start
    _with_actor(participant, actor).save()
    if new:
        membership.created(participant, actor=actor)
    elif moved:
        membership.start_changed(programme, [participant.pk], actor=actor)
    participant.warnings = row["_warnings"]
    return participant


@transaction.atomic
def set_prior_months(
    *, actor, participant: Participant, months: int, evidence: str = ""
) -> Participant:
    """Record the contribution months of earlier BPJS TK JKK/JKM membership a worker carries
    into the programme, with its evidence (they count towards the scholarship's 36 months).
    ``months=0`` clears them. Written with history (who, when, the value before)."""
    _check(actor, participant.programme, "participant.edit")
    evidence = (evidence or "").strip()
    if isinstance(months, bool) or not isinstance(months, int):
        raise RegistryError(
            "Bulan iuran sebelumnya harus bilangan bulat.",
            message_en="The earlier contribution months must be a whole number.",
        )
    if not 0 <= months <= MAX_PRIOR_MONTHS:
        raise RegistryError(
            f"Bulan iuran sebelumnya harus 0–{MAX_PRIOR_MONTHS} bulan (sekarang {months}).",
            message_en=f"The earlier contribution months must be 0–{MAX_PRIOR_MONTHS} months "
            f"(now {months}).",
        )
    if months and not evidence:
        raise RegistryError(
            "Bukti iuran sebelumnya wajib diisi, mis. nomor surat keterangan atau rincian iuran "
            "dari BPJS Ketenagakerjaan.",
            message_en="The evidence of the earlier contributions is required, e.g. the number "
            "of a statement or a contribution record from BPJS Ketenagakerjaan.",
        )
    if len(evidence) > 200:
        raise RegistryError(
            "Bukti iuran sebelumnya terlalu panjang: paling banyak 200 karakter.",
            message_en="The evidence of the earlier contributions is too long: 200 characters "
            "at most.",
        )
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.prior_months = months
    participant.prior_evidence = evidence if months else ""
    _with_actor(participant, actor).save(
        update_fields=["prior_months", "prior_evidence", "updated_at"]
    )
    return participant


def set_status(
    *, actor, participant: Participant, status: str, end_date=None, note: str = ""
) -> Participant:
    """Mark a participant died, left, moved away ("tidak aktif") or active again on a date
    (today by default). The status is the membership: the enrolment period is ended or
    (re)opened in the same transaction (coverage's hook), and the dashboard follows at once."""
    _check(actor, participant.programme, "participant.edit")
    if status not in Participant.Status.values:
        raise RegistryError(
            f"Status '{status}' tidak dikenal.", message_en=f"Unknown status '{status}'."
        )
    on = end_date or timezone.localdate()
    return membership.change_status(participant, status, on, actor=actor, note=note)


# --- family members ------------------------------------------------------------------------------


@transaction.atomic
def save_family_member(
    *, actor, participant: Participant, record: dict[str, str], member: FamilyMember | None = None
) -> FamilyMember:
    """Add or change a family member using the family import's checks (warnings on the
    returned member's ``warnings`` list)."""
    programme = participant.programme
    _check(actor, programme, "participant.edit")
    from .columns import FAMILY_COLUMNS

    data = {c.name: [(record.get(c.name) or None)] for c in FAMILY_COLUMNS}
    data["nik_peserta"] = [participant.person.nik]
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)).with_columns(
        pl.lit(1, dtype=pl.Int64).alias(ROW),
        pl.lit(False).alias("_num_nik_peserta"),
        pl.lit(False).alias("_num_nik"),
        pl.lit(False).alias("_num_no_hp"),
    )
    ref = queries.reference_for(programme)
    ref = type(ref)(**{**ref.__dict__, "participants": {participant.person.nik: participant.pk}})
    validated = validate_family(frame, ref)
    _refuse_errors(validated)
    row = validated.valid.row(0, named=True)
    if member is None:
        member = FamilyMember(programme=programme, participant=participant)
    elif member.participant_id != participant.pk:
        raise RegistryError(
            "Anggota keluarga bukan milik peserta ini.",
            message_en="The family member does not belong to this participant.",
        )
    for attr in FAMILY_FIELDS:
        if attr != "participant_id":
            setattr(member, attr, row[attr])
    _with_actor(member, actor).save()
    member.warnings = validated.warnings.get_column("message").to_list()
    return member


# --- agencies ------------------------------------------------------------------------------------


@transaction.atomic
def create_agency(
    *, actor, programme: Programme, code: str, name: str, kind: str = Agency.Kind.OPD
) -> Agency:
    _check(actor, programme, "participant.edit")
    code = code.strip().upper()
    name = name.strip()
    if not code or not name:
        raise RegistryError(
            "Kode dan nama instansi wajib diisi.",
            message_en="The agency's code and name are required.",
        )
    if len(code) > 30 or " " in code:
        raise RegistryError(
            "Kode instansi paling banyak 30 karakter, tanpa spasi (mis. DINKES).",
            message_en="An agency code has at most 30 characters, without spaces (e.g. DINKES).",
        )
    if Agency.objects.filter(programme=programme, code__iexact=code).exists():
        raise RegistryError(
            f"Kode instansi '{code}' sudah dipakai di program ini.",
            message_en=f"Agency code '{code}' is already in use in this programme.",
        )
    if kind not in Agency.Kind.values:
        raise RegistryError("Jenis instansi tidak dikenal.", message_en="Unknown agency kind.")
    agency = Agency(programme=programme, code=code, name=name[:200], kind=kind)
    _with_actor(agency, actor).save()
    return agency


# --- possible duplicates -------------------------------------------------------------------------


@transaction.atomic
def decide_duplicate(
    *, actor, duplicate: PossibleDuplicate, decision: str, note: str = ""
) -> PossibleDuplicate:
    """Record a person's decision on a possible duplicate (nothing is merged automatically)."""
    _check(actor, duplicate.programme, "participant.edit")
    if decision not in {
        PossibleDuplicate.Decision.DIFFERENT,
        PossibleDuplicate.Decision.SAME,
        PossibleDuplicate.Decision.OPEN,
    }:
        raise RegistryError("Keputusan tidak dikenal.", message_en="Unknown decision.")
    duplicate.decision = decision
    duplicate.note = note.strip()[:300]
    duplicate.decided_by = actor if getattr(actor, "pk", None) else None
    duplicate.decided_at = None if decision == PossibleDuplicate.Decision.OPEN else timezone.now()
    _with_actor(duplicate, actor).save()
    return duplicate
