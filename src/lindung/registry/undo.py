"""Undoing a committed import: what it created is removed, what it changed is put back.

At commit time a **journal** is written next to the import's files (``undo/``): the ids of the
rows the import created and, for the rows it changed, their values just before. Undoing (one
transaction, :func:`lindung.registry.services.undo_import`) deletes the created rows and restores
the changed ones, each with a history record ("Batal impor …").

It is refused, with the reason, when

- a row of the import was changed again later (by hand or by another import): undoing would
  throw that work away;
- another app says no: apps register a hook with :func:`register_undo_hook` — coverage refuses
  once a billing run used one of the import's participants, and removes the enrolment periods
  it made for participants the import created;
- any other record still points at a participant or person the import created (a claim, a
  family member added since, a named allocation…): the reverse relations are checked
  generically, so a new app cannot be forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from django.db import models
from django.utils import translation

from . import bulk


class Reason(str):
    """Why an import cannot be undone: the Indonesian text (the string itself) with its English
    sentence (``en``). A hook may return a plain string: its English is then the Indonesian."""

    en: str

    def __new__(cls, text: str, en: str = ""):
        reason = super().__new__(cls, text)
        reason.en = en or text
        return reason


def english(reason: str) -> str:
    """The English sentence of a reason (a plain string is its own English)."""
    return getattr(reason, "en", reason)


def in_language(reason: str, language: str | None = None) -> str:
    """The reason in ``language`` (default: the page's), like ``DomainError.in_language``."""
    language = language or translation.get_language() or "id"
    return english(reason) if language.startswith("en") else str(reason)


def _worded(language: str, text) -> str:
    """A lazily translated name (a model's verbose name) in ``language``."""
    with translation.override(language):
        return str(text)


JOURNAL = "undo"


@dataclass(frozen=True)
class UndoScope:
    """What an import did, as the hooks see it (ids of this programme's rows)."""

    programme_id: int
    batch_id: str
    kind: str
    committed_ts: datetime  # the timestamp every history row of the import carries
    created_participants: tuple[int, ...] = ()
    changed_participants: tuple[int, ...] = ()
    created_persons: tuple[int, ...] = ()
    changed_persons: tuple[int, ...] = ()


@dataclass(frozen=True)
class UndoHook:
    """``refuse(scope) -> str | None``: a reason to refuse (a :class:`Reason`, Indonesian with
    its English; a plain string is Indonesian only), checked before anything
    is written and again inside the undo transaction. ``undo(scope, actor)``: remove this app's
    part, inside the undo transaction before the registry deletes its rows. ``handles``: models
    whose rows pointing at created participants/persons ``undo`` removes itself (the generic
    check of remaining references skips them)."""

    name: str
    refuse: Callable[[UndoScope], str | None] | None = None
    undo: Callable[[UndoScope, object], None] | None = None
    handles: tuple[type[models.Model], ...] = field(default_factory=tuple)


_HOOKS: dict[str, UndoHook] = {}


def register_undo_hook(
    name: str,
    *,
    refuse: Callable[[UndoScope], str | None] | None = None,
    undo: Callable[[UndoScope, object], None] | None = None,
    handles: tuple[type[models.Model], ...] = (),
) -> None:
    """Register (or replace) an app's part in undoing an import; call it from ``ready()``."""
    _HOOKS[name] = UndoHook(name, refuse, undo, tuple(handles))


def hooks() -> list[UndoHook]:
    return list(_HOOKS.values())


# --- the journal ----------------------------------------------------------------------------------


class Journal:
    """What a commit did, written to ``<import folder>/undo/``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / JOURNAL

    def start(self, ts: datetime, kind: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*"):
            old.unlink()
        (self.folder / "meta.json").write_text(
            json.dumps({"ts": ts.isoformat(), "kind": kind}), encoding="utf-8"
        )

    def created(self, table: str, ids: pl.Series) -> None:
        if ids.len():
            pl.DataFrame({"id": ids.cast(pl.Int64)}).write_parquet(
                self.folder / f"created-{table}.parquet"
            )

    def before(self, table: str, frame: pl.DataFrame) -> None:
        """The changed rows' values before the import (``id`` + compared columns)."""
        if frame.height:
            frame.write_parquet(self.folder / f"before-{table}.parquet")

    # reading

    @property
    def exists(self) -> bool:
        return (self.folder / "meta.json").exists()

    def meta(self) -> dict:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def created_ids(self, table: str) -> list[int]:
        path = self.folder / f"created-{table}.parquet"
        return pl.read_parquet(path).get_column("id").to_list() if path.exists() else []

    def before_rows(self, table: str) -> pl.DataFrame | None:
        path = self.folder / f"before-{table}.parquet"
        return pl.read_parquet(path) if path.exists() else None


def capture_before(
    journal: Journal | None, model, ids: pl.Series, columns: list[str], schema: dict
) -> None:
    """Save the current values of the rows about to change (inside the commit's transaction)."""
    if journal is None or ids.len() == 0:
        return
    table = model._meta.db_table
    with bulk.id_table("_undo_before", ids.to_list()) as tmp:
        frame = bulk.fetch_ids(table, ["id", *columns], {"id": pl.Int64, **schema}, tmp)
    journal.before(table, frame)


# --- refusing --------------------------------------------------------------------------------------


def scope_of(batch, journal: Journal) -> UndoScope:
    from .models import Participant, Person

    meta = journal.meta()
    p_table, a_table = Person._meta.db_table, Participant._meta.db_table
    before_p = journal.before_rows(p_table)
    before_a = journal.before_rows(a_table)
    return UndoScope(
        programme_id=batch.programme_id,
        batch_id=str(batch.pk),
        kind=meta["kind"],
        committed_ts=datetime.fromisoformat(meta["ts"]),
        created_participants=tuple(journal.created_ids(a_table)),
        changed_participants=tuple(before_a.get_column("id").to_list())
        if before_a is not None
        else (),
        created_persons=tuple(journal.created_ids(p_table)),
        changed_persons=tuple(before_p.get_column("id").to_list()) if before_p is not None else (),
    )


def _touched(journal: Journal) -> dict:
    """{model: (created ids, changed ids)} for every table the journal names."""
    from .models import Candidate, FamilyMember, Participant, Person

    out = {}
    for model in (Person, Participant, FamilyMember, Candidate):
        table = model._meta.db_table
        created = journal.created_ids(table)
        before = journal.before_rows(table)
        changed = before.get_column("id").to_list() if before is not None else []
        if created or changed:
            out[model] = (created, changed)
    return out


def _later_changes(batch, journal: Journal, touched: dict) -> str | None:
    from .models import ImportBatch

    ts = datetime.fromisoformat(journal.meta()["ts"])
    # A later import that was undone itself left the rows as they were: its history (the import
    # and its undoing, both naming the batch id) does not count as a change.
    undone = [
        str(pk)
        for pk in ImportBatch.objects.filter(
            programme_id=batch.programme_id, state=ImportBatch.State.UNDONE
        ).values_list("pk", flat=True)
    ]
    for model, (created, changed) in touched.items():
        later = bulk.changed_since(model, batch.programme_id, ts)
        if undone:
            later = later.filter(~pl.col("reason").str.contains("|".join(undone)).fill_null(False))
        mine = pl.Series("id", [*created, *changed], dtype=pl.Int64)
        hit = later.filter(pl.col("id").is_in(mine.implode()))
        if hit.height:
            count = f"{hit.height:,}".replace(",", ".")
            return Reason(
                f"Impor ini tidak dapat dibatalkan: {count} data "
                f"{_worded('id', model._meta.verbose_name)} dari impor ini sudah diubah lagi "
                "sesudahnya (secara manual atau oleh impor lain). Membatalkan akan menghapus "
                "perubahan itu; perbaiki datanya lewat impor atau formulir.",
                en=f"This import cannot be undone: {count} "
                f"{_worded('en', model._meta.verbose_name)} records of this import were changed "
                "again afterwards (by hand or by another import). Undoing would remove those "
                "changes; correct the data through an import or the form.",
            )
    return None


def _reverse_relations(model) -> list:
    """Every foreign key pointing at ``model``, hidden ones (``related_name="+"``) included."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]


def _references(scope: UndoScope) -> str | None:
    """Records of other tables still pointing at rows the import created (generic check)."""
    from .models import Participant, Person, PossibleDuplicate

    handled: set[type[models.Model]] = {Participant, PossibleDuplicate}
    for hook in hooks():
        handled.update(hook.handles)
    found = []
    for model, ids in ((Participant, scope.created_participants), (Person, scope.created_persons)):
        if not ids:
            continue
        with bulk.id_table("_undo_refs", ids) as tmp:
            for rel in _reverse_relations(model):
                related = rel.related_model
                if related in handled or rel.many_to_many:
                    continue
                if getattr(rel, "on_delete", None) in (models.SET_NULL, models.DO_NOTHING):
                    continue
                n = bulk.count_referencing(related._meta.db_table, rel.field.column, tmp)
                if n:
                    found.append((f"{n:,}".replace(",", "."), related._meta.verbose_name_plural))
    if not found:
        return None
    used = ", ".join(f"{n} {_worded('id', name)}" for n, name in found)
    used_en = ", ".join(f"{n} {_worded('en', name)}" for n, name in found)
    return Reason(
        f"Impor ini tidak dapat dibatalkan: peserta yang dibuatnya sudah dipakai oleh {used}. "
        "Hapus atau pindahkan data itu dahulu.",
        en=f"This import cannot be undone: the participants it created are already used by "
        f"{used_en}. Delete or move those records first.",
    )


def refusal(batch) -> str | None:
    """Why this committed import cannot be undone now (a :class:`Reason`: Indonesian, with its
    English), or ``None``."""
    from . import queries

    journal = Journal(queries.import_dir(batch))
    if not journal.exists:
        return Reason(
            "Impor ini tidak dapat dibatalkan: catatan perubahannya tidak ada (impor dari versi "
            "sebelumnya, atau berkasnya sudah dihapus).",
            en="This import cannot be undone: its record of changes is missing (an import from "
            "an earlier version, or its files were deleted).",
        )
    touched = _touched(journal)
    why = _later_changes(batch, journal, touched)
    if why:
        return why
    scope = scope_of(batch, journal)
    for hook in hooks():
        if hook.refuse:
            why = hook.refuse(scope)
            if why:
                return why
    if scope.kind == "participants":
        return _references(scope)
    return None


# --- undoing ---------------------------------------------------------------------------------------


def undo(batch, journal: Journal, *, ts: datetime, actor, reason: str, progress) -> dict:
    """Remove the created rows and restore the changed ones (caller holds the transaction and
    has checked :func:`refusal`)."""
    from .importing import FAMILY_COMPARED
    from .models import Candidate, FamilyMember, Participant, Person, PossibleDuplicate
    from .validation import PARTICIPANT_FIELDS, PERSON_FIELDS

    user_id = getattr(actor, "pk", None)
    scope = scope_of(batch, journal)
    for hook in hooks():
        if hook.undo:
            hook.undo(scope, actor)
    progress(40, "Menghapus data yang dibuat impor…")
    removed = restored = 0
    tsv = bulk.ts_text(ts)
    for model in (PossibleDuplicate, FamilyMember, Candidate, Participant, Person):
        if model is PossibleDuplicate:
            ids = list(
                PossibleDuplicate.objects.filter(
                    models.Q(batch_id=batch.pk)
                    | models.Q(person_id__in=scope.created_persons)
                    | models.Q(other_id__in=scope.created_persons)
                ).values_list("id", flat=True)
            )
        else:
            ids = journal.created_ids(model._meta.db_table)
        if not ids:
            continue
        with bulk.id_table("_undo_ids", ids) as tmp:
            for rel in _reverse_relations(model):
                if getattr(rel, "on_delete", None) is models.SET_NULL:
                    bulk.null_referencing(rel.related_model._meta.db_table, rel.field.column, tmp)
            n = bulk.delete_ids(model, tmp, ts=ts, user_id=user_id, reason=reason)
        if model in (FamilyMember, Candidate, Participant):
            removed += n
    progress(70, "Mengembalikan data yang diubah impor…")
    compared = {
        Person: [f for f in PERSON_FIELDS if f != "nik"],
        Participant: list(PARTICIPANT_FIELDS),
        FamilyMember: list(FAMILY_COMPARED),
        Candidate: [
            "full_name",
            "kelurahan_code",
            "occupation",
            "decile",
            "breadwinner",
            "dependants",
            "covered_elsewhere",
        ],
    }
    for model, columns in compared.items():
        before = journal.before_rows(model._meta.db_table)
        if before is None or before.height == 0:
            continue
        stamped = "updated_at" in {f.column for f in model._meta.concrete_fields}
        frame = before.select(["id", *columns])
        if stamped:
            frame = frame.with_columns(pl.lit(tsv).alias("updated_at"))
        bulk.update_frame(model._meta.db_table, frame)
        if stamped:
            bulk.write_history(
                model, programme_id=batch.programme_id, ts=ts, user_id=user_id, reason=reason
            )
        else:
            with bulk.id_table("_undo_ids", frame.get_column("id").to_list()) as tmp:
                rows = bulk.fetch_ids(
                    model._meta.db_table,
                    bulk.history_columns(model),
                    _schema(model),
                    tmp,
                )
            bulk.write_history_rows(model, rows, ts=ts, user_id=user_id, reason=reason, kind="~")
        restored += before.height
    # A restored start date takes the enrolment period's start back with it (as the import's
    # correction had moved it): the membership follows the registry, through coverage's handler.
    moved = 0
    if scope.changed_participants:
        from . import membership

        follow = membership.start_changed(
            batch.programme, list(scope.changed_participants), actor=actor
        )
        moved = follow.get("moved", 0)
    return {"removed": removed, "restored": restored, "periods_moved": moved}


def _schema(model) -> dict:
    out = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField):
            out[f.column] = pl.Date
        elif isinstance(f, models.BooleanField):
            out[f.column] = pl.Boolean
        elif isinstance(f, models.IntegerField | models.ForeignKey | models.AutoField):
            out[f.column] = pl.Int64
        else:
            out[f.column] = pl.String
    return {c: out[c] for c in bulk.history_columns(model)}
