"""Set-based database writes for imports: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

No model objects are built: polars frames go straight to the tables. History is kept in bulk
too: django-simple-history's tables get one row per created/changed record, written with one
``INSERT … SELECT`` from the rows stamped with the batch's timestamp.

Everything here runs inside the caller's transaction (``services.commit_import``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import polars as pl
from django.db import connection

CHUNK = 100_000
#: SQLite page cache for a bulk write (KiB). The default 2 MB makes every index insert of a
#: large load miss the cache; restored afterwards so web processes stay small.
SQLITE_BULK_CACHE_KIB = 256 * 1024


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def db_timestamp(ts: datetime):
    """The value Django itself would store for ``ts`` (str on SQLite, datetime on PostgreSQL)."""
    return connection.ops.adapt_datetimefield_value(ts)


def ts_text(ts: datetime) -> str:
    """``ts`` as text for a bulk write: what Django stores on SQLite, ISO 8601 for ``COPY``."""
    return ts.isoformat() if is_postgres() else str(db_timestamp(ts))


@contextmanager
def bulk_session() -> Iterator[None]:
    """Tune the connection for a large write (SQLite: a bigger page cache), then restore it."""
    if is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_BULK_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _cast(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(col.fill_null(""))
        elif dtype == pl.Boolean:
            exprs.append(
                col.replace_strict(
                    {"t": True, "f": False, "true": True, "false": False, "1": True, "0": False},
                    default=None,
                    return_dtype=pl.Boolean,
                )
            )
        elif dtype == pl.Date:
            exprs.append(col.str.to_date("%Y-%m-%d", strict=False))
        else:
            exprs.append(col.cast(dtype, strict=False))
    return frame.select(exprs)


def fetch_frame(
    sql: str, params: Iterable, schema: dict[str, pl.DataType], transform=None
) -> pl.DataFrame:
    """Run a SELECT and return its rows as a polars frame with ``schema`` (names in order).

    ``transform`` (frame -> frame) is applied to each chunk as it arrives, so a large result
    never has to be held whole in its raw form."""
    transform = transform or (lambda f: f)
    names = list(schema)
    params = list(params)
    with connection.cursor() as cursor:
        if is_postgres():
            buf = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
                for data in copy:
                    buf.write(data)
            if buf.tell() == 0:
                return transform(pl.DataFrame(schema=schema))
            buf.seek(0)
            text = pl.read_csv(
                buf,
                has_header=False,
                new_columns=names,
                infer_schema=False,
                empty_string_is_null=True,
            )
            del buf
            return transform(_cast(text, schema))
        cursor.execute(sql, params)
        frames = []
        while rows := cursor.fetchmany(CHUNK):
            frames.append(transform(_sqlite_rows(rows, schema)))
        if not frames:
            return transform(pl.DataFrame(schema=schema))
        return pl.concat(frames)


def _sqlite_rows(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows from SQLite as a frame; dates/booleans selected as text (``CAST … AS TEXT``) are
    parsed here."""
    raw_schema = {}
    for i, (name, dtype) in enumerate(schema.items()):
        textual = False
        if dtype in (pl.Date, pl.Boolean):
            sample = next((row[i] for row in rows if row[i] is not None), None)
            textual = isinstance(sample, str)
        raw_schema[name] = pl.String if textual else dtype
    frame = pl.DataFrame(rows, schema=raw_schema, orient="row")
    if raw_schema == schema:
        return frame
    fix = {n: t for n, t in schema.items() if raw_schema[n] != t}
    return frame.with_columns(_cast(frame.select(list(fix)), fix))


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as ISO text (what Django stores on SQLite)."""
    return frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
    )


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` into ``table`` (column names = frame's)."""
    if frame.height == 0:
        return 0
    cols = frame.columns
    with connection.cursor() as cursor:
        if is_postgres():
            text_cols = [c for c, t in frame.schema.items() if t == pl.String]
            force = f", FORCE_NOT_NULL ({', '.join(qn(c) for c in text_cols)})" if text_cols else ""
            sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in cols)}) FROM STDIN (FORMAT csv{force})"
            with cursor.cursor.copy(sql) as copy:
                for chunk in frame.iter_slices(CHUNK):
                    copy.write(chunk.write_csv(include_header=False))
        else:
            marks = ", ".join("?" for _ in cols)
            sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES ({marks})"  # noqa: S608 — quoted identifiers only
            raw = connection.connection
            for chunk in _sqlite_values(frame).iter_slices(CHUNK):
                raw.executemany(sql, chunk.iter_rows())
    return frame.height


def update_frame(table: str, frame: pl.DataFrame, key: str = "id") -> int:
    """Update rows of ``table`` matched on ``key`` with the other columns of ``frame``."""
    if frame.height == 0:
        return 0
    cols = [c for c in frame.columns if c != key]
    with connection.cursor() as cursor:
        if is_postgres():
            tmp = f"_upd_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {qn(tmp)}")
            cursor.execute(
                f"CREATE TEMP TABLE {qn(tmp)} ON COMMIT DROP AS SELECT "  # noqa: S608 — quoted identifiers only
                f"{', '.join(qn(c) for c in [key, *cols])} FROM {qn(table)} WITH NO DATA"
            )
            insert_frame(tmp, frame.select([key, *cols]))
            sets = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in cols)
            cursor.execute(
                f"UPDATE {qn(table)} AS x SET {sets} FROM {qn(tmp)} AS t WHERE x.{qn(key)} = t.{qn(key)}"  # noqa: S608 — quoted identifiers only
            )
            cursor.execute(f"DROP TABLE {qn(tmp)}")
        else:
            sets = ", ".join(f"{qn(c)} = ?" for c in cols)
            sql = f"UPDATE {qn(table)} SET {sets} WHERE {qn(key)} = ?"  # noqa: S608 — quoted identifiers only
            raw = connection.connection
            for chunk in _sqlite_values(frame.select([*cols, key])).iter_slices(CHUNK):
                raw.executemany(sql, chunk.iter_rows())
    return frame.height


def allocate_ids(table: str, n: int) -> pl.Series:
    """``n`` fresh primary keys for ``table`` (the caller holds the write lock on SQLite)."""
    if n == 0:
        return pl.Series("id", [], dtype=pl.Int64)
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return pl.Series("id", [r[0] for r in cursor.fetchall()], dtype=pl.Int64)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")  # noqa: S608 — quoted name
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        base = max(top, seq[0] if seq else 0) + 1
    return pl.int_range(base, base + n, dtype=pl.Int64, eager=True).alias("id")


def history_columns(model) -> list[str]:
    """Columns shared by a model's table and its django-simple-history table."""
    own = {f.column for f in model._meta.concrete_fields}
    hist = model.history.model
    return [f.column for f in hist._meta.concrete_fields if f.column in own]


def write_history(
    model, *, programme_id: int, ts: datetime, user_id: int | None, reason: str
) -> int:
    """History rows ('+' created / '~' changed) for every row of ``model`` stamped ``ts``.

    The caller stamped the created rows' ``created_at`` and the changed rows' ``updated_at``
    with ``ts``, so one ``INSERT … SELECT`` finds them all.
    """
    cols = history_columns(model)
    table = model._meta.db_table
    hist = model.history.model._meta.db_table
    stamp = db_timestamp(ts)
    collist = ", ".join(qn(c) for c in cols)
    sql = (
        f"INSERT INTO {qn(hist)} ({collist}, history_date, history_change_reason, history_type, "  # noqa: S608
        f"history_user_id) SELECT {collist}, %s, %s, CASE WHEN created_at = %s THEN '+' ELSE '~' END, %s "
        f"FROM {qn(table)} WHERE programme_id = %s AND updated_at = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, reason, stamp, user_id, programme_id, stamp])
        return cursor.rowcount


def write_history_rows(
    model, frame: pl.DataFrame, *, ts: datetime, user_id: int | None, reason: str, kind: str
) -> int:
    """History rows for models without timestamps, from a frame holding the full rows."""
    if frame.height == 0:
        return 0
    cols = history_columns(model)
    out = frame.select(cols).with_columns(
        history_date=pl.lit(ts_text(ts)),
        history_change_reason=pl.lit(reason),
        history_type=pl.lit(kind),
        history_user_id=pl.lit(user_id, dtype=pl.Int64),
    )
    return insert_frame(model.history.model._meta.db_table, out)


# --- rows by id (undoing an import) --------------------------------------------------------------


@contextmanager
def id_table(name: str, ids: Iterable[int]) -> Iterator[str]:
    """A temporary table ``name(id)`` holding ``ids``, for statements over a large id set."""
    frame = pl.DataFrame({"id": list(ids)}, schema={"id": pl.Int64}).unique()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {qn(name)}")
        kind = "bigint" if is_postgres() else "INTEGER"
        cursor.execute(f"CREATE TEMP TABLE {qn(name)} (id {kind} PRIMARY KEY)")
    try:
        insert_frame(name, frame)
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {qn(name)}")


def count_referencing(table: str, column: str, ids: str) -> int:
    """Rows of ``table`` whose ``column`` is one of the ids in temporary table ``ids``."""
    sql = f"SELECT COUNT(*) FROM {qn(table)} WHERE {qn(column)} IN (SELECT id FROM {qn(ids)})"  # noqa: S608 — quoted identifiers only
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def null_referencing(table: str, column: str, ids: str) -> int:
    """``SET NULL`` what Django's ``on_delete=SET_NULL`` would, for the ids in ``ids``."""
    sql = f"UPDATE {qn(table)} SET {qn(column)} = NULL WHERE {qn(column)} IN (SELECT id FROM {qn(ids)})"  # noqa: S608 — quoted identifiers only
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def delete_ids(model, ids: str, *, ts: datetime, user_id: int | None, reason: str) -> int:
    """Delete the rows of ``model`` whose id is in temporary table ``ids``, each with a '-'
    history row (as django-simple-history writes for a deletion)."""
    cols = history_columns(model)
    table = model._meta.db_table
    hist = model.history.model._meta.db_table
    collist = ", ".join(qn(c) for c in cols)
    where = f"WHERE id IN (SELECT id FROM {qn(ids)})"  # noqa: S608 — quoted identifiers only
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(hist)} ({collist}, history_date, history_change_reason, "  # noqa: S608 — quoted identifiers only
            f"history_type, history_user_id) SELECT {collist}, %s, %s, '-', %s "
            f"FROM {qn(table)} {where}",
            [db_timestamp(ts), reason, user_id],
        )
        cursor.execute(f"DELETE FROM {qn(table)} {where}")  # noqa: S608 — quoted identifiers only
        return cursor.rowcount


def changed_since(model, programme_id: int, ts: datetime) -> pl.DataFrame:
    """Ids of ``model`` rows with a history record after ``ts`` (a change made later), with the
    record's reason."""
    hist = model.history.model._meta.db_table
    sql = (
        f"SELECT id, history_change_reason FROM {qn(hist)} "  # noqa: S608 — quoted identifiers only
        "WHERE programme_id = %s AND history_date > %s"
    )
    return fetch_frame(
        sql, [int(programme_id), db_timestamp(ts)], {"id": pl.Int64, "reason": pl.String}
    )


def fetch_ids(table: str, columns: list[str], schema: dict, ids: str) -> pl.DataFrame:
    """``columns`` (``schema`` gives their polars types, id first) of the rows in ``ids``."""
    cols = ", ".join(
        f"CAST({qn(c)} AS TEXT)" if schema[c] in (pl.Date, pl.Boolean) else qn(c) for c in columns
    )
    sql = f"SELECT {cols} FROM {qn(table)} WHERE id IN (SELECT id FROM {qn(ids)})"  # noqa: S608 — quoted identifiers only
    return fetch_frame(sql, [], schema)
