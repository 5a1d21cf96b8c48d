"""Write use cases of the registry: imports, participants, family members, agencies, duplicates.

Each use case is one transaction and raises a typed :class:`RegistryError` with an Indonesian
message. Views, the API, the ``lindung import`` command and background jobs call these.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import polars as pl
from django.db import transaction
from django.utils import timezone

from lindung.core import changes, sql
from lindung.core.actors import job_actor
from lindung.core.errors import DomainError
from lindung.programmes.jobs import start_job
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize

from . import importing, membership, queries, spreadsheets
from .models import Agency, FamilyMember, ImportBatch, Participant, Person, PossibleDuplicate
from .reading import ROW, SUPPORTED, UnreadableFile, read_table
from .validation import (
    FAMILY_FIELDS,
    PARTICIPANT_FIELDS,
    PERSON_FIELDS,
    Validated,
    validate_candidates,
    validate_family,
    validate_participants,
)


class RegistryError(DomainError):
    """A refused registry change, with an Indonesian message."""


class UnreadableImport(RegistryError):
    """The uploaded file is not a readable table."""


class ImportStateError(RegistryError):
    """The import is not in a state that allows this step."""


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


def create_import(
    *,
    actor,
    programme: Programme,
    filename: str,
    source,
    kind: str = ImportBatch.Kind.PARTICIPANTS,
    background: bool = True,
) -> ImportBatch:
    """Store an uploaded list and start validating it (a background job unless told otherwise).

    ``source`` is a path or an uploaded file (anything with ``chunks()`` or ``read()``).
    """
    _check(actor, programme, "participant.import")
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableImport(
            f"Jenis berkas '{suffix or filename}' tidak didukung: unggah .xlsx atau .csv."
        )
    if kind not in ImportBatch.Kind.values:
        raise RegistryError(f"Jenis impor '{kind}' tidak dikenal.")
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
        batch.info = {"source": target.name}
        batch.save()
        if background:
            job = start_job(
                programme=programme,
                kind="registry.import.validate",
                label=f"Memeriksa {batch.filename}",
                func_path="lindung.registry.services.validate_import_job",
                kwargs={"batch_id": str(batch.pk)},
                user=batch.created_by,
            )
            ImportBatch.objects.filter(pk=batch.pk).update(
                validate_job=job, state=ImportBatch.State.VALIDATING
            )
            batch.validate_job, batch.state = job, ImportBatch.State.VALIDATING
    return batch


def _summary(batch: ImportBatch) -> dict:
    rejected = queries.rejected_file(batch)
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
        "blank_rows": batch.blank_rows,
        "possible_duplicates": batch.possible_duplicates,
        "errors_file": str(rejected) if rejected else None,
        "message": batch.message,
    }


def summary(batch: ImportBatch) -> dict:
    return _summary(batch)


def _validate(batch: ImportBatch, progress) -> tuple[Validated, object]:
    folder = queries.import_dir(batch)
    raw = read_table(folder / batch.info.get("source", ""), batch.kind)
    progress(
        30, f"Berkas terbaca: {raw.frame.height:,} baris. Memeriksa setiap baris…".replace(",", ".")
    )
    family = batch.kind == ImportBatch.Kind.FAMILY
    ref = queries.reference_for(batch.programme, family=family)
    frame = raw.canonical()
    if family:
        validated = validate_family(frame, ref)
    elif batch.kind == ImportBatch.Kind.CANDIDATES:
        validated = validate_candidates(frame, ref)
    else:

        def chunk_done(done: int, total: int) -> None:
            text = f"Memeriksa baris: {done:,} dari {total:,}".replace(",", ".")
            progress(30 + (30 * done) // max(total, 1), text)

        validated = validate_participants(frame, ref, progress=chunk_done)
    return validated, raw


def validate_import(batch_id, progress=None) -> dict:
    """Read and check every row, compare with the registry, write the staging files.

    Raises :class:`UnreadableImport` (and marks the import failed) when the file is unreadable.
    """
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme").get(pk=batch_id)
    if batch.state not in {ImportBatch.State.UPLOADED, ImportBatch.State.VALIDATING}:
        raise ImportStateError("Berkas ini sudah diperiksa.")
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.VALIDATING)
    progress(5, "Membaca berkas…")
    try:
        validated, raw = _validate(batch, progress)
    except UnreadableFile as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.FAILED, message=str(exc)[:500]
        )
        raise UnreadableImport(str(exc)) from exc
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.FAILED, message=f"Pemeriksaan gagal: {exc}"[:500]
        )
        raise
    folder = queries.import_dir(batch)
    valid = validated.valid
    valid.write_parquet(folder / "valid.parquet")
    validated.errors.write_parquet(folder / "errors.parquet")
    if validated.errors.height:
        progress(65, "Menulis berkas baris yang ditolak…")
        source_cols = [h for h in raw.headers if h in raw.mapping or h in raw.unknown]
        spreadsheets.write_rejected(
            str(folder / "ditolak.xlsx"),
            raw.frame.select([ROW, *source_cols]),
            source_cols,
            validated.messages_by_row(),
        )
    raw_info = {
        "sheet": raw.sheet,
        "separator": raw.separator,
        "header_row": raw.header_row,
        "mapping": raw.mapping,
        "unknown": raw.unknown,
        "missing": raw.missing,
    }
    del raw  # the file's text is no longer needed: free it before comparing
    progress(70, "Membandingkan dengan data yang sudah terdaftar…")
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
    progress(90, "Menyimpan hasil pemeriksaan…")
    info = dict(batch.info)
    info.update(raw_info)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.VALIDATED,
        rows=validated.rows,
        blank_rows=validated.blank_rows,
        rejected=validated.rejected,
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
                "Impor ini tidak dapat disimpan sekarang: statusnya "
                f"'{locked.get_state_display()}'."
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


def commit_import(batch_id, progress=None, *, actor, enrol: bool = True) -> dict:
    """Write the validated rows (one transaction): created/updated/unchanged, with history; the
    new participants are enrolled through coverage (``enrol=False``: the caller enrols them
    itself, in the same transaction — the adoption of a scenario, with its funder)."""
    progress = progress or (lambda pct, msg="": None)
    batch = ImportBatch.objects.select_related("programme", "committed_by").get(pk=batch_id)
    if batch.state != ImportBatch.State.COMMITTING:
        raise ImportStateError("Impor ini belum siap disimpan atau sudah disimpan.")
    progress(5, "Menyimpan ke registri…")
    folder = queries.import_dir(batch)
    reason = f"Impor {batch.filename} ({batch.pk})"[:200]
    try:
        _check(actor, batch.programme, "participant.import")
        valid = pl.read_parquet(folder / "valid.parquet")
        user_id = actor.pk
        with changes.atomic():
            Programme.objects.select_for_update().filter(pk=batch.programme_id).first()
            ts = timezone.now()
            if ts.microsecond == 0:
                ts += timedelta(microseconds=1)
            if batch.kind == ImportBatch.Kind.FAMILY:
                result = importing.commit_family(
                    programme_id=batch.programme_id,
                    valid=valid,
                    ts=ts,
                    user_id=user_id,
                    reason=reason,
                )
            elif batch.kind == ImportBatch.Kind.CANDIDATES:
                result = importing.commit_candidates(
                    programme_id=batch.programme_id,
                    valid=valid,
                    ts=ts,
                    user_id=user_id,
                    reason=reason,
                )
            else:
                result = importing.commit_participants(
                    programme_id=batch.programme_id,
                    valid=valid,
                    ts=ts,
                    user_id=user_id,
                    reason=reason,
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
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.VALIDATED, message=f"Penyimpanan gagal: {exc}"[:500]
        )
        raise
    batch.refresh_from_db()
    progress(100, f"Tersimpan: {batch.created} baru, {batch.updated} diperbarui.")
    summary = _summary(batch)
    if "membership" in result:
        summary["membership"] = result["membership"]
    return summary


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
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.VALIDATED, message=str(exc)[:500]
        )
        raise
    return commit_import(batch_id, progress, actor=actor)


def run_import(
    *,
    programme: Programme,
    path: Path,
    commit: bool,
    actor,
    kind: str = "participants",
    progress=None,
    enrol: bool = True,
) -> dict:
    """The whole flow in this process (the CLI): store, validate, optionally commit."""
    if not Path(path).is_file():
        raise UnreadableImport(f"Berkas {path} tidak ditemukan atau tidak dapat dibuka.")
    batch = create_import(
        actor=actor,
        programme=programme,
        filename=Path(path).name,
        source=path,
        kind=kind,
        background=False,
    )
    result = validate_import(batch.pk, progress)
    if commit:
        batch.refresh_from_db()
        start_commit(actor=actor, batch=batch, background=False)
        result = commit_import(batch.pk, progress, actor=actor, enrol=enrol)
    return result


# --- participants through the form ---------------------------------------------------------------


def _validate_record(programme: Programme, record: dict[str, str]) -> dict:
    """Run the import's checks on one record; return the clean row or raise InvalidRecord."""
    from .columns import PARTICIPANT_COLUMNS

    data = {c.name: [(record.get(c.name) or None)] for c in PARTICIPANT_COLUMNS}
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)).with_columns(
        pl.lit(1, dtype=pl.Int64).alias(ROW),
        pl.lit(False).alias("_num_nik"),
        pl.lit(False).alias("_num_no_kk"),
        pl.lit(False).alias("_num_no_hp"),
    )
    validated = validate_participants(frame, queries.reference_for(programme))
    if validated.errors.height:
        errors: dict[str, list[str]] = {}
        for column, message in validated.errors.select("column", "message").iter_rows():
            errors.setdefault(column, []).append(message)
        raise InvalidRecord(errors)
    if validated.valid.height == 0:
        raise InvalidRecord({"nik": ["Data kosong."]})
    return validated.valid.row(0, named=True)


#: What the form writes: the import's fields (the start date is decided below).
PARTICIPANT_ATTRS = tuple(f for f in PARTICIPANT_FIELDS if f != "start_date")


@changes.atomic()
def save_participant(
    *, actor, programme: Programme, record: dict[str, str], participant: Participant | None = None
) -> Participant:
    """Create (``participant=None``) or update a participant from canonical-column text. A new
    participant is enrolled from its start date; a corrected start date moves the start of its
    membership (coverage's hooks)."""
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
            raise RegistryError("Peserta bukan bagian dari program ini.")
        person = participant.person
        start = row["start_date"] or participant.start_date
    for attr in PERSON_FIELDS:
        setattr(person, attr, row[attr])
    _with_actor(person, actor).save()
    participant.person = person
    for attr in PARTICIPANT_ATTRS:
        setattr(participant, attr, row[attr])
    moved = not new and participant.start_date != start
    participant.start_date = start
    _with_actor(participant, actor).save()
    if new:
        membership.created(participant, actor=actor)
    elif moved:
        membership.start_changed(programme, [participant.pk], actor=actor)
    return participant


def set_status(
    *, actor, participant: Participant, status: str, end_date=None, note: str = ""
) -> Participant:
    """Mark a participant died, left, moved away ("tidak aktif") or active again on a date
    (today by default). The status is the membership: the enrolment period is ended or
    (re)opened in the same transaction (coverage's hook), and the dashboard follows at once."""
    _check(actor, participant.programme, "participant.edit")
    if status not in Participant.Status.values:
        raise RegistryError(f"Status '{status}' tidak dikenal.")
    on = end_date or timezone.localdate()
    return membership.change_status(participant, status, on, actor=actor, note=note)


# --- family members ------------------------------------------------------------------------------


@transaction.atomic
def save_family_member(
    *, actor, participant: Participant, record: dict[str, str], member: FamilyMember | None = None
) -> FamilyMember:
    """Add or change a family member using the family import's checks."""
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
    if validated.errors.height:
        errors: dict[str, list[str]] = {}
        for column, message in validated.errors.select("column", "message").iter_rows():
            errors.setdefault(column, []).append(message)
        raise InvalidRecord(errors)
    row = validated.valid.row(0, named=True)
    if member is None:
        member = FamilyMember(programme=programme, participant=participant)
    elif member.participant_id != participant.pk:
        raise RegistryError("Anggota keluarga bukan milik peserta ini.")
    for attr in FAMILY_FIELDS:
        if attr != "participant_id":
            setattr(member, attr, row[attr])
    _with_actor(member, actor).save()
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
        raise RegistryError("Kode dan nama instansi wajib diisi.")
    if len(code) > 30 or " " in code:
        raise RegistryError("Kode instansi paling banyak 30 karakter, tanpa spasi (mis. DINKES).")
    if Agency.objects.filter(programme=programme, code__iexact=code).exists():
        raise RegistryError(f"Kode instansi '{code}' sudah dipakai di program ini.")
    if kind not in Agency.Kind.values:
        raise RegistryError("Jenis instansi tidak dikenal.")
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
        raise RegistryError("Keputusan tidak dikenal.")
    duplicate.decision = decision
    duplicate.note = note.strip()[:300]
    duplicate.decided_by = actor if getattr(actor, "pk", None) else None
    duplicate.decided_at = None if decision == PossibleDuplicate.Decision.OPEN else timezone.now()
    _with_actor(duplicate, actor).save()
    return duplicate
