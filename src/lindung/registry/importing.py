"""The import engine: compare validated rows with the registry and write the difference.

Pure set operations on polars frames plus :mod:`.bulk` writes. No permission checks and no
transaction handling here: :mod:`.services` owns those (one transaction per commit).

Upsert keyed by NIK (per programme). Each valid row is exactly one of: created (new NIK), updated
(some stored field differs), unchanged. A blank ``tanggal_mulai`` keeps the stored start date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from . import bulk
from .models import Candidate, FamilyMember, Participant, Person, PossibleDuplicate
from .undo import Journal, capture_before
from .validation import (
    FAMILY_FIELDS,
    KEEP_IF_BLANK,
    PARTICIPANT_FIELDS,
    PERSON_FIELDS,
    name_key,
)

PERSON_TABLE = Person._meta.db_table
PARTICIPANT_TABLE = Participant._meta.db_table
FAMILY_TABLE = FamilyMember._meta.db_table
CANDIDATE_TABLE = Candidate._meta.db_table
COMPARED_PERSON = PERSON_FIELDS[1:]  # nik is the key
MAX_GROUP = 50  # possible-duplicate groups larger than this are cut (pairs grow quadratically)

EXISTING_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Int64,
    "nik": pl.String,
    "kk_number_db": pl.String,
    "full_name_db": pl.String,
    "birth_place_db": pl.String,
    "birth_date_db": pl.Date,
    "sex_db": pl.String,
    "address_db": pl.String,
    "rt_db": pl.String,
    "rw_db": pl.String,
    "kelurahan_code_db": pl.String,
    "phone_db": pl.String,
    "participant_id": pl.Int64,
    "segment_db": pl.String,
    "start_date_db": pl.Date,
    "agency_id_db": pl.Int64,
    "position_db": pl.String,
    "monthly_wage_db": pl.Int64,
    "risk_class_db": pl.Int64,
    "occupation_db": pl.String,
    "income_tier_db": pl.Int64,
    "decile_db": pl.Int64,
    "breadwinner_db": pl.Boolean,
    "prior_months_db": pl.Int64,
    "prior_evidence_db": pl.String,
    "kpj_db": pl.String,
    "bpjs_since_db": pl.Date,
    "paid_through_db": pl.Date,
    "arrears_months_db": pl.Int64,
    "arrears_amount_db": pl.Int64,
}


HASHED_PARTICIPANT = tuple(f for f in PARTICIPANT_FIELDS if f not in KEEP_IF_BLANK)
KEPT_DB = tuple(f"{f}_db" for f in KEEP_IF_BLANK)


def _row_hashes(suffix: str = "") -> list[pl.Expr]:
    """Hashes of the compared person and participant fields (same names, same dtypes on both
    sides, so equal values give equal hashes)."""
    person = pl.struct([pl.col(f"{f}{suffix}").alias(f) for f in COMPARED_PERSON])
    part = pl.struct([pl.col(f"{f}{suffix}").alias(f) for f in HASHED_PARTICIPANT])
    return [person.hash(seed=0).alias(f"_hp{suffix}"), part.hash(seed=0).alias(f"_ha{suffix}")]


def _compact(existing: pl.DataFrame) -> pl.DataFrame:
    return existing.select(
        "nik",
        "person_id",
        "participant_id",
        *_row_hashes("_db"),
        *KEPT_DB,
        name_key(pl.col("full_name_db")).alias("name_key_db"),
        "birth_date_db",
    )


def fetch_existing(programme_id: int, *, compact: bool = True) -> pl.DataFrame:
    """The programme's persons and participants. ``compact``: only keys, row hashes and what
    duplicate detection needs (a few columns, whatever the registry's size)."""

    # Dates and booleans come back as text and are parsed by polars: much faster than the
    # driver's per-value converters on a million rows.
    def col(alias: str, name: str, dtype) -> str:
        if dtype in (pl.Date, pl.Boolean):
            return f"CAST({alias}.{name} AS TEXT)"
        return f"{alias}.{name}"

    person_cols = ", ".join(col("p", c, EXISTING_SCHEMA[f"{c}_db"]) for c in COMPARED_PERSON)
    part_cols = ", ".join(col("pa", c, EXISTING_SCHEMA[f"{c}_db"]) for c in PARTICIPANT_FIELDS)
    sql = bulk.render(
        "SELECT p.id, p.nik, {person_cols}, pa.id, {part_cols} "
        "FROM {p} p LEFT JOIN {pa} pa ON pa.person_id = p.id WHERE p.programme_id = %s",
        person_cols=bulk.Fragment(person_cols),
        part_cols=bulk.Fragment(part_cols),
        p=Person,
        pa=Participant,
    )
    if not compact:
        return bulk.fetch_frame(sql, [int(programme_id)], EXISTING_SCHEMA)
    return bulk.fetch_frame(sql, [int(programme_id)], EXISTING_SCHEMA, transform=_compact)


@dataclass
class Plan:
    new: pl.DataFrame
    person_updates: pl.DataFrame
    participant_updates: pl.DataFrame
    participant_inserts: pl.DataFrame
    updated: int
    unchanged: int

    @property
    def created(self) -> int:
        return self.new.height


def diff_participants(valid: pl.DataFrame, existing: pl.DataFrame) -> Plan:
    """Classify each valid row against the compact registry keys of :func:`fetch_existing`.

    Only keys and row hashes are joined; the wide rows are filtered, never copied whole.
    """
    if existing.height == 0:
        none = valid.head(0).with_columns(
            pl.lit(None, dtype=pl.Int64).alias("person_id"),
            pl.lit(None, dtype=pl.Int64).alias("participant_id"),
        )
        return Plan(
            new=valid,
            person_updates=none,
            participant_updates=none,
            participant_inserts=none,
            updated=0,
            unchanged=0,
        )
    cls = valid.select("nik", *KEEP_IF_BLANK, *_row_hashes()).join(
        existing, on="nik", how="left", maintain_order="left"
    )
    known = pl.col("person_id").is_not_null()
    has_part = pl.col("participant_id").is_not_null()
    kept_changed = pl.any_horizontal(
        [pl.col(f).is_not_null() & pl.col(f).ne_missing(pl.col(f"{f}_db")) for f in KEEP_IF_BLANK]
    )
    flags = cls.select(
        pl.col("person_id"),
        pl.col("participant_id"),
        (~known).alias("_new"),
        (known & (pl.col("_hp") != pl.col("_hp_db"))).alias("_pc"),
        (known & has_part & ((pl.col("_ha") != pl.col("_ha_db")) | kept_changed)).alias("_ac"),
        (known & ~has_part).alias("_ai"),
        *KEPT_DB,
    )
    del cls
    w = valid.hstack(flags)
    counts = flags.select(
        pl.col("_new").sum().alias("new"),
        (~pl.col("_new") & (pl.col("_pc") | pl.col("_ac") | pl.col("_ai"))).sum().alias("changed"),
        (~pl.col("_new")).sum().alias("old"),
    ).row(0, named=True)
    keep_start = [pl.coalesce(f, f"{f}_db").alias(f) for f in KEEP_IF_BLANK]
    return Plan(
        new=w.filter(pl.col("_new")).select(valid.columns),
        person_updates=w.filter(pl.col("_pc")),
        participant_updates=w.filter(pl.col("_ac")).with_columns(keep_start),
        participant_inserts=w.filter(pl.col("_ai")).with_columns(keep_start),
        updated=int(counts["changed"]),
        unchanged=int(counts["old"] - counts["changed"]),
    )


def duplicate_pairs(valid: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    """Pairs of NIKs (``nik``, ``other_nik``) with the same name and birth date, at least one of
    them in ``valid``: the registry as it will be after the import."""
    touched = valid.select("nik", "name_key", "birth_date")
    before = existing.select(
        "nik", pl.col("name_key_db").alias("name_key"), pl.col("birth_date_db").alias("birth_date")
    ).join(touched.select("nik"), on="nik", how="anti")
    everyone = pl.concat(
        [touched.with_columns(_t=pl.lit(True)), before.with_columns(_t=pl.lit(False))]
    )
    keys = ["name_key", "birth_date"]
    grouped = (
        everyone.filter(
            (pl.len().over(keys) > 1) & pl.col("_t").any().over(keys) & (pl.col("name_key") != "")
        )
        .with_columns(_rank=pl.int_range(pl.len()).over(keys))
        .filter(pl.col("_rank") < MAX_GROUP)
    )
    if grouped.height == 0:
        return pl.DataFrame(schema={"nik": pl.String, "other_nik": pl.String})
    left = grouped.filter(pl.col("_t")).select("nik", *keys)
    right = grouped.select(pl.col("nik").alias("other_nik"), *keys)
    pairs = left.join(right, on=keys).filter(pl.col("nik") != pl.col("other_nik"))
    return (
        pairs.select(
            pl.min_horizontal("nik", "other_nik").alias("nik"),
            pl.max_horizontal("nik", "other_nik").alias("other_nik"),
        )
        .unique()
        .sort("nik", "other_nik")
    )


def _participant_rows(
    frame: pl.DataFrame,
    ids: pl.Series,
    person_ids: pl.Expr,
    programme_id: int,
    tsv: str,
    default_start: date,
) -> pl.DataFrame:
    return frame.select(
        ids.alias("id"),
        pl.lit(programme_id, dtype=pl.Int64).alias("programme_id"),
        person_ids.alias("person_id"),
        pl.col("segment"),
        pl.lit(Participant.Status.ACTIVE.value).alias("status"),
        pl.col("start_date").fill_null(default_start),
        pl.col("agency_id"),
        pl.col("position"),
        pl.col("monthly_wage"),
        pl.col("risk_class"),
        pl.col("occupation"),
        pl.col("income_tier"),
        pl.col("decile"),
        pl.col("breadwinner"),
        pl.col("prior_months").fill_null(0),
        pl.col("prior_evidence").fill_null(""),
        pl.col("kpj").fill_null(""),
        pl.col("bpjs_since"),
        pl.col("paid_through"),
        pl.col("arrears_months").fill_null(0),
        pl.col("arrears_amount").fill_null(0),
        pl.lit(tsv).alias("created_at"),
        pl.lit(tsv).alias("updated_at"),
    )


def commit_participants(
    *,
    programme_id: int,
    valid: pl.DataFrame,
    ts: datetime,
    user_id: int | None,
    reason: str,
    default_start: date,
    batch_id=None,
    progress=None,
    journal: Journal | None = None,
) -> dict:
    """Write the difference between ``valid`` and the registry (caller holds the transaction).

    ``journal``: where to note what is created and the changed rows' values before, for undo.
    """

    def step(pct: int, msg: str) -> None:
        if progress:
            progress(pct, msg)

    with bulk.bulk_session():
        existing = fetch_existing(programme_id)
        plan = diff_participants(valid, existing)
        step(20, f"Membandingkan selesai: {plan.created} baru, {plan.updated} berubah.")
        tsv = bulk.ts_text(ts)
        n_new = plan.new.height
        person_ids = bulk.allocate_ids(PERSON_TABLE, n_new)
        persons = plan.new.select(
            person_ids.alias("id"),
            pl.lit(programme_id, dtype=pl.Int64).alias("programme_id"),
            *PERSON_FIELDS,
            pl.lit(tsv).alias("created_at"),
            pl.lit(tsv).alias("updated_at"),
        )
        bulk.insert_frame(PERSON_TABLE, persons)
        step(40, "Data orang baru tersimpan.")
        n_ins = plan.participant_inserts.height
        part_ids = bulk.allocate_ids(PARTICIPANT_TABLE, n_new + n_ins)
        parts = _participant_rows(
            plan.new, part_ids.head(n_new), person_ids, programme_id, tsv, default_start
        )
        if n_ins:
            parts = pl.concat(
                [
                    parts,
                    _participant_rows(
                        plan.participant_inserts,
                        part_ids.tail(n_ins),
                        pl.col("person_id"),
                        programme_id,
                        tsv,
                        default_start,
                    ),
                ]
            )
        bulk.insert_frame(PARTICIPANT_TABLE, parts)
        step(60, "Data peserta baru tersimpan.")
        if journal is not None:
            journal.start(ts, "participants")
            journal.created(PERSON_TABLE, person_ids)
            journal.created(PARTICIPANT_TABLE, part_ids)
            capture_before(
                journal,
                Person,
                plan.person_updates.get_column("person_id"),
                list(COMPARED_PERSON),
                {c: EXISTING_SCHEMA[f"{c}_db"] for c in COMPARED_PERSON},
            )
            capture_before(
                journal,
                Participant,
                plan.participant_updates.get_column("participant_id"),
                list(PARTICIPANT_FIELDS),
                {c: EXISTING_SCHEMA[f"{c}_db"] for c in PARTICIPANT_FIELDS},
            )
        bulk.update_frame(
            PERSON_TABLE,
            plan.person_updates.select(
                pl.col("person_id").alias("id"), *COMPARED_PERSON, pl.lit(tsv).alias("updated_at")
            ),
        )
        bulk.update_frame(
            PARTICIPANT_TABLE,
            plan.participant_updates.select(
                pl.col("participant_id").alias("id"),
                *PARTICIPANT_FIELDS,
                pl.lit(tsv).alias("updated_at"),
            ),
        )
        step(75, "Perubahan tersimpan; menulis riwayat.")
        bulk.write_history(Person, programme_id=programme_id, ts=ts, user_id=user_id, reason=reason)
        bulk.write_history(
            Participant, programme_id=programme_id, ts=ts, user_id=user_id, reason=reason
        )
        step(90, "Riwayat tersimpan; mencari kemungkinan duplikat.")
        pairs = duplicate_pairs(valid, existing)
        flagged = _flag_duplicates(
            programme_id, pairs, existing, plan, person_ids, batch_id, user_id
        )
        return {
            "created": plan.created,
            "updated": plan.updated,
            "unchanged": plan.unchanged,
            "possible_duplicates": flagged,
        }


def _flag_duplicates(programme_id, pairs, existing, plan, person_ids, batch_id, user_id) -> int:
    if pairs.height == 0:
        return 0
    ids = pl.concat(
        [
            existing.select("nik", pl.col("person_id").alias("id")),
            plan.new.select("nik").with_columns(person_ids.alias("id")),
        ]
    )
    pairs = (
        pairs.join(ids, on="nik")
        .join(ids.rename({"nik": "other_nik", "id": "other_id"}), on="other_nik")
        .select(pl.col("id").alias("person_id"), "other_id")
    )
    known = bulk.fetch_frame(
        bulk.render(
            "SELECT person_id, other_id FROM {t} WHERE programme_id = %s", t=PossibleDuplicate
        ),
        [int(programme_id)],
        {"person_id": pl.Int64, "other_id": pl.Int64},
    )
    known = pl.concat(
        [
            known,
            known.select(
                pl.col("other_id").alias("person_id"), pl.col("person_id").alias("other_id")
            ),
        ]
    )
    pairs = pairs.join(known, on=["person_id", "other_id"], how="anti")
    if pairs.height == 0:
        return 0
    from simple_history.utils import bulk_create_with_history

    objs = [
        PossibleDuplicate(
            programme_id=programme_id,
            person_id=a,
            other_id=b,
            reason="Nama dan tanggal lahir sama, NIK berbeda.",
            batch_id=batch_id,
        )
        for a, b in pairs.iter_rows()
    ]
    bulk_create_with_history(objs, PossibleDuplicate, batch_size=1000, default_user=_user(user_id))
    return len(objs)


def _user(user_id):
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first()


# --- family members ------------------------------------------------------------------------------

FAMILY_EXISTING: dict[str, pl.DataType] = {
    "id": pl.Int64,
    "participant_id": pl.Int64,
    "relationship_db": pl.String,
    "full_name_db": pl.String,
    "nik_db": pl.String,
    "birth_date_db": pl.Date,
    "sex_db": pl.String,
    "phone_db": pl.String,
    "education_level_db": pl.String,
    "year_in_level_db": pl.Int64,
    "married_db": pl.Boolean,
    "working_db": pl.Boolean,
    "alive_db": pl.Boolean,
}
FAMILY_COMPARED = tuple(f for f in FAMILY_FIELDS if f != "participant_id")


def fetch_family(programme_id: int) -> pl.DataFrame:
    sql = bulk.render(
        "SELECT id, participant_id, {cols} FROM {t} WHERE programme_id = %s",
        cols=bulk.idents(FAMILY_COMPARED),
        t=FamilyMember,
    )
    return bulk.fetch_frame(sql, [int(programme_id)], FAMILY_EXISTING)


def diff_family(
    valid: pl.DataFrame, existing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(new rows, changed rows with ``id``, unchanged count). Matched by the member's NIK under the
    same participant, else by relationship and name."""
    existing = existing.with_columns(_name_key=name_key(pl.col("full_name_db")))
    by_nik = valid.filter(pl.col("nik") != "").join(
        existing.filter(pl.col("nik_db") != "").select(
            "id", "participant_id", pl.col("nik_db").alias("nik")
        ),
        on=["participant_id", "nik"],
        how="inner",
    )
    rest = valid.join(by_nik.select(pl.col("_row")), on="_row", how="anti")
    by_name = rest.join(
        existing.select(
            "id",
            "participant_id",
            pl.col("relationship_db").alias("relationship"),
            pl.col("_name_key").alias("name_key"),
        ),
        on=["participant_id", "relationship", "name_key"],
        how="left",
    ).unique(subset=["_row"], keep="first", maintain_order=True)
    matched = pl.concat(
        [by_nik.select(valid.columns + ["id"]), by_name.select(valid.columns + ["id"])],
        how="vertical",
    )
    new = matched.filter(pl.col("id").is_null()).drop("id")
    old = matched.filter(pl.col("id").is_not_null()).join(
        existing.drop("participant_id", "_name_key"), on="id"
    )
    changed = old.filter(
        pl.any_horizontal([pl.col(f).ne_missing(pl.col(f"{f}_db")) for f in FAMILY_COMPARED])
    )
    return new, changed, old.height - changed.height


def _write_rows(
    model,
    *,
    programme_id: int,
    new: pl.DataFrame,
    changed: pl.DataFrame,
    unchanged: int,
    cols: list[str],
    fixed: tuple[str, ...],
    ts: datetime,
    user_id: int | None,
    reason: str,
    journal: Journal | None = None,
    kind: str = "",
) -> dict:
    """Insert the new rows, update the changed ones (not their ``fixed`` columns), write history."""
    table = model._meta.db_table
    ids = bulk.allocate_ids(table, new.height)
    created_rows = new.with_columns(
        ids.alias("id"), pl.lit(programme_id, dtype=pl.Int64).alias("programme_id")
    ).select(cols)
    bulk.insert_frame(table, created_rows)
    changed_rows = changed.with_columns(
        pl.lit(programme_id, dtype=pl.Int64).alias("programme_id")
    ).select(cols)
    if journal is not None:
        journal.start(ts, kind)
        journal.created(table, ids)
        kept = [c for c in cols if c not in ("id", "programme_id", *fixed)]
        schema = {c: changed_rows.schema[c] for c in kept}
        capture_before(journal, model, changed_rows.get_column("id"), kept, schema)
    bulk.update_frame(table, changed_rows.drop("programme_id", *fixed))
    bulk.write_history_rows(model, created_rows, ts=ts, user_id=user_id, reason=reason, kind="+")
    bulk.write_history_rows(model, changed_rows, ts=ts, user_id=user_id, reason=reason, kind="~")
    return {
        "created": new.height,
        "updated": changed.height,
        "unchanged": unchanged,
        "possible_duplicates": 0,
    }


def commit_family(
    *,
    programme_id: int,
    valid: pl.DataFrame,
    ts: datetime,
    user_id: int | None,
    reason: str,
    journal: Journal | None = None,
) -> dict:
    new, changed, unchanged = diff_family(valid, fetch_family(programme_id))
    return _write_rows(
        FamilyMember,
        programme_id=programme_id,
        new=new,
        changed=changed,
        unchanged=unchanged,
        cols=["id", "programme_id", "participant_id", *FAMILY_COMPARED],
        fixed=(),
        ts=ts,
        user_id=user_id,
        reason=reason,
        journal=journal,
        kind="family",
    )


# --- candidates (planning pool) ------------------------------------------------------------------

CANDIDATE_COMPARED = (
    "full_name",
    "kelurahan_code",
    "occupation",
    "decile",
    "breadwinner",
    "dependants",
    "covered_elsewhere",
)
CANDIDATE_EXISTING: dict[str, pl.DataType] = {
    "id": pl.Int64,
    "nik": pl.String,
    "full_name_db": pl.String,
    "kelurahan_code_db": pl.String,
    "occupation_db": pl.String,
    "decile_db": pl.Int64,
    "breadwinner_db": pl.Boolean,
    "dependants_db": pl.Int64,
    "covered_elsewhere_db": pl.Boolean,
}


def fetch_candidates(programme_id: int) -> pl.DataFrame:
    sql = bulk.render(
        "SELECT id, nik, {cols} FROM {t} WHERE programme_id = %s",
        cols=bulk.idents(CANDIDATE_COMPARED),
        t=Candidate,
    )
    return bulk.fetch_frame(sql, [int(programme_id)], CANDIDATE_EXISTING)


def diff_candidates(
    valid: pl.DataFrame, existing: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(new rows, changed rows with ``id``, unchanged count), matched by NIK."""
    matched = valid.join(existing, on="nik", how="left", maintain_order="left")
    new = matched.filter(pl.col("id").is_null()).select(valid.columns)
    old = matched.filter(pl.col("id").is_not_null())
    changed = old.filter(
        pl.any_horizontal([pl.col(f).ne_missing(pl.col(f"{f}_db")) for f in CANDIDATE_COMPARED])
    ).select([*valid.columns, "id"])
    return new, changed, old.height - changed.height


def commit_candidates(
    *,
    programme_id: int,
    valid: pl.DataFrame,
    ts: datetime,
    user_id: int | None,
    reason: str,
    journal: Journal | None = None,
) -> dict:
    new, changed, unchanged = diff_candidates(valid, fetch_candidates(programme_id))
    return _write_rows(
        Candidate,
        programme_id=programme_id,
        new=new,
        changed=changed,
        unchanged=unchanged,
        cols=["id", "programme_id", "nik", *CANDIDATE_COMPARED],
        fixed=("nik",),
        ts=ts,
        user_id=user_id,
        reason=reason,
        journal=journal,
        kind="candidates",
    )
