"""The one place where Lindung writes raw SQL: set-based reads and writes for the bulk paths
(imports, billing, the coverage ledger, the dashboard's read model).

Why raw SQL at all: per-row ORM saves are 5–8× slower than ``COPY`` (PostgreSQL) and
``executemany`` (SQLite), and an ``INSERT … SELECT`` keeps a million rows inside the database.
Everything here runs inside the caller's transaction.

**Statements are templates.** Values are always bound parameters (``%s``); only names and
trusted fragments are put into the text, by :func:`render`::

    sql.fetchall(
        "SELECT id FROM {e} WHERE programme_id = %s AND start_date <= %s", [pid, day], e=Enrolment
    )

A name may be a model class (its quoted table name), :func:`ident` (a quoted identifier),
:func:`idents` (a comma-separated list of them), :func:`marks` (``%s, %s, …`` for an ``IN``
list) or :class:`Fragment` (SQL text built from constants by the caller, e.g. a ``CASE``
expression, :func:`fragment`). A plain ``str`` or ``int`` is refused with ``TypeError``: a value
can only reach the database as a bound parameter. This module is therefore the only one where the
SQL-injection lint (ruff S608) is switched off.
"""

# ruff: noqa: S608

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

import polars as pl
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

CHUNK = 100_000
#: SQLite page cache for a bulk write (KiB). The default 2 MB makes every index insert of a
#: large load miss the cache; restored afterwards so web processes stay small.
SQLITE_BULK_CACHE_KIB = 256 * 1024


# --- composing statements ----------------------------------------------------------------------


class Fragment(str):
    """SQL text the caller built from constants (never from input): an expression, a join, a
    condition with ``%s`` marks whose values the caller binds."""


def fragment(template: str, **names) -> Fragment:
    """A :class:`Fragment` rendered from a template (same rules as :func:`render`)."""
    return Fragment(render(template, **names))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def qn(name: str) -> str:
    """A quoted identifier (a table or column name)."""
    return connection.ops.quote_name(name)


def ident(name: str) -> Fragment:
    return Fragment(qn(name))


def idents(names: Iterable[str], prefix: str = "") -> Fragment:
    """``"a", "b"`` (or ``t."a", t."b"`` with ``prefix="t"``)."""
    lead = f"{prefix}." if prefix else ""
    return Fragment(", ".join(f"{lead}{qn(n)}" for n in names))


def marks(n: int) -> Fragment:
    """``%s, %s, …`` (``n`` of them) for an ``IN`` list."""
    return Fragment(", ".join(["%s"] * int(n)))


def table(model: type[Model]) -> str:
    """The quoted table name of a model."""
    return qn(model._meta.db_table)


def _name(value) -> str:
    if isinstance(value, type) and issubclass(value, Model):
        return table(value)
    if isinstance(value, Fragment):
        return value
    raise TypeError(
        f"Only models, identifiers and fragments go into SQL text, not {type(value).__name__}: "
        "bind values as %s parameters."
    )


def render(template: str, **names) -> str:
    """The statement text: ``{name}`` placeholders replaced by quoted names or fragments."""
    if not names:
        return template
    return template.format_map({key: _name(value) for key, value in names.items()})


# --- running statements ------------------------------------------------------------------------


def fetchall(template: str, params: Sequence = (), **names) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(render(template, **names), params)
        return cur.fetchall()


def fetchone(template: str, params: Sequence = (), **names) -> tuple | None:
    with connection.cursor() as cur:
        cur.execute(render(template, **names), params)
        return cur.fetchone()


@functools.lru_cache(maxsize=256)
def _prepared_text(vendor: str, template: str, names: tuple) -> str:
    text = render(template, **dict(names))
    return text if vendor == "postgresql" else text.replace("%s", "?")


def fetchone_prepared(template: str, params: Sequence, **names) -> tuple | None:
    """One row of a statement run many times in a row (a claim's coverage, per participant):
    the driver directly, as a prepared statement on PostgreSQL — skipping Django's cursor
    wrapper and re-planning halves the time per call. The statement's text is rendered once."""
    conn = connections[DEFAULT_DB_ALIAS]  # one look-up of the thread's connection
    text = _prepared_text(conn.vendor, template, tuple(names.items()))
    if conn.connection is None:
        conn.ensure_connection()
    try:
        if conn.vendor == "postgresql":
            return conn.connection.execute(text, params, prepare=True).fetchone()
        return conn.connection.execute(text, [_sqlite_value(v) for v in params]).fetchone()
    except Exception:
        with conn.wrap_database_errors:  # the driver's error as Django's
            raise


def execute(template: str, params: Sequence = (), **names) -> int:
    """Run one statement; returns the number of rows it changed."""
    with connection.cursor() as cur:
        cur.execute(render(template, **names), params)
        return cur.rowcount


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def executemany(template: str, rows: Iterable[Sequence], **names) -> None:
    """One statement for many parameter rows (the driver's fast path on SQLite)."""
    rows = list(rows)
    if not rows:
        return
    text = render(template, **names)
    connection.ensure_connection()
    if is_postgres():
        with connection.cursor() as cur:
            cur.executemany(text, rows)
    else:
        with connection.wrap_database_errors:
            connection.connection.executemany(
                text.replace("%s", "?"), ([_sqlite_value(v) for v in row] for row in rows)
            )


def bulk_insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in ``columns`` order) into the model's table; returns the count.

    No model ``save()`` and no signals: the caller writes the history
    (:func:`write_history_select`) and the change feed (:mod:`lindung.core.changes`) itself.
    """
    rows = list(rows)
    if not rows:
        return 0
    connection.ensure_connection()
    name, cols = table(model), idents(columns)
    raw = connection.connection
    with connection.wrap_database_errors:  # the driver's errors as Django's (IntegrityError …)
        if is_postgres():
            with raw.cursor() as cur:
                with cur.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            raw.executemany(
                f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' for _ in columns)})",
                ([_sqlite_value(v) for v in row] for row in rows),
            )
    return len(rows)


def as_date(value) -> date | None:
    """SQLite returns dates from raw SQL as text; PostgreSQL as ``date``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- temporary tables --------------------------------------------------------------------------


def drop_temp(*names: str) -> None:
    for name in names:
        execute("DROP TABLE IF EXISTS {t}", t=ident(name))


def create_temp(name: str, columns: str) -> None:
    """A temporary table (dropped first if this connection already has one)."""
    drop_temp(name)
    execute("CREATE TEMPORARY TABLE {t} ({c})", t=ident(name), c=Fragment(columns))


def analyze(*names: str | type[Model]) -> None:
    """Fresh planner statistics (PostgreSQL never analyses temporary tables on its own)."""
    for name in names:
        execute("ANALYZE {t}", t=name if not isinstance(name, str) else ident(name))


@contextmanager
def without_nested_loops() -> Iterator[None]:
    """PostgreSQL: no nested-loop joins for the statements inside (the rest of the transaction
    plans as usual). For a bulk ``INSERT … SELECT`` whose ``NOT EXISTS`` reads the table being
    filled, on tables the planner believes empty: a nested loop would scan the growing table
    once per row (minutes at 200,000 rows); a hash anti-join reads it once."""
    if not is_postgres():
        yield
        return
    execute("SELECT set_config('enable_nestloop', 'off', true)")
    try:
        yield
    finally:
        execute("SELECT set_config('enable_nestloop', 'on', true)")


# --- polars frames (the import engine) ---------------------------------------------------------


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
    (before,) = fetchone("PRAGMA cache_size")
    execute(f"PRAGMA cache_size = -{int(SQLITE_BULK_CACHE_KIB)}")
    try:
        yield
    finally:
        execute(f"PRAGMA cache_size = {int(before)}")


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
    """Run a SELECT (a statement already rendered) and return its rows as a polars frame with
    ``schema`` (names in order).

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


def insert_frame(table_name: str, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` into the table (column names = frame's)."""
    if frame.height == 0:
        return 0
    name, cols = qn(table_name), idents(frame.columns)
    with connection.cursor() as cursor:
        if is_postgres():
            text_cols = [c for c, t in frame.schema.items() if t == pl.String]
            force = f", FORCE_NOT_NULL ({idents(text_cols)})" if text_cols else ""
            with cursor.cursor.copy(f"COPY {name} ({cols}) FROM STDIN (FORMAT csv{force})") as cp:
                for chunk in frame.iter_slices(CHUNK):
                    cp.write(chunk.write_csv(include_header=False))
        else:
            text = f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' for _ in frame.columns)})"
            raw = connection.connection
            for chunk in _sqlite_values(frame).iter_slices(CHUNK):
                raw.executemany(text, chunk.iter_rows())
    return frame.height


def update_frame(table_name: str, frame: pl.DataFrame, key: str = "id") -> int:
    """Update rows of the table matched on ``key`` with the other columns of ``frame``."""
    if frame.height == 0:
        return 0
    cols = [c for c in frame.columns if c != key]
    name, k = qn(table_name), qn(key)
    if is_postgres():
        tmp = qn(f"_upd_{table_name}")
        execute(f"DROP TABLE IF EXISTS {tmp}")
        execute(
            f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS SELECT {idents([key, *cols])} "
            f"FROM {name} WITH NO DATA"
        )
        insert_frame(f"_upd_{table_name}", frame.select([key, *cols]))
        sets = ", ".join(f"{qn(c)} = t.{qn(c)}" for c in cols)
        execute(f"UPDATE {name} AS x SET {sets} FROM {tmp} AS t WHERE x.{k} = t.{k}")
        execute(f"DROP TABLE {tmp}")
    else:
        sets = ", ".join(f"{qn(c)} = ?" for c in cols)
        raw = connection.connection
        for chunk in _sqlite_values(frame.select([*cols, key])).iter_slices(CHUNK):
            raw.executemany(f"UPDATE {name} SET {sets} WHERE {k} = ?", chunk.iter_rows())
    return frame.height


def allocate_ids(table_name: str, n: int) -> pl.Series:
    """``n`` fresh primary keys for the table (the caller holds the write lock on SQLite)."""
    if n == 0:
        return pl.Series("id", [], dtype=pl.Int64)
    if is_postgres():
        rows = fetchall(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table_name, n],
        )
        return pl.Series("id", [r[0] for r in rows], dtype=pl.Int64)
    (top,) = fetchone(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table_name)}")
    seq = fetchone("SELECT seq FROM sqlite_sequence WHERE name = %s", [table_name])
    base = max(top, seq[0] if seq else 0) + 1
    return pl.int_range(base, base + n, dtype=pl.Int64, eager=True).alias("id")


# --- history of bulk writes (django-simple-history's tables) -----------------------------------


def history_columns(model) -> list[str]:
    """Columns shared by a model's table and its django-simple-history table."""
    own = {f.column for f in model._meta.concrete_fields}
    hist = model.history.model
    return [f.column for f in hist._meta.concrete_fields if f.column in own]


def write_history_select(
    model,
    where: str,
    params: Sequence,
    *,
    at: datetime,
    user_id: int | None,
    reason: str,
    kind: str = "+",
    **names,
) -> int:
    """History rows for the rows of ``model`` that ``where`` selects (one ``INSERT … SELECT``):
    ``kind`` is simple-history's type (``+`` created, ``~`` changed, ``-`` deleted)."""
    cols = idents(history_columns(model))
    return execute(
        "INSERT INTO {hist} ({cols}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {cols}, %s, %s, %s, %s FROM {own} WHERE {where}",
        [db_timestamp(at), reason[:100], kind, user_id, *params],
        hist=model.history.model,
        own=model,
        cols=cols,
        where=fragment(where, **names),
    )


def write_history(
    model, *, programme_id: int, ts: datetime, user_id: int | None, reason: str
) -> int:
    """History rows ('+' created / '~' changed) for every row of ``model`` stamped ``ts``.

    The caller stamped the created rows' ``created_at`` and the changed rows' ``updated_at``
    with ``ts``, so one ``INSERT … SELECT`` finds them all.
    """
    cols = idents(history_columns(model))
    stamp = db_timestamp(ts)
    return execute(
        "INSERT INTO {hist} ({cols}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {cols}, %s, %s, CASE WHEN created_at = %s THEN '+' ELSE '~' END, "
        "%s FROM {own} WHERE programme_id = %s AND updated_at = %s",
        [stamp, reason, stamp, user_id, programme_id, stamp],
        hist=model.history.model,
        own=model,
        cols=cols,
    )


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


# --- rows by id (undoing an import) ------------------------------------------------------------


@contextmanager
def id_table(name: str, ids: Iterable[int]) -> Iterator[str]:
    """A temporary table ``name(id)`` holding ``ids``, for statements over a large id set."""
    frame = pl.DataFrame({"id": list(ids)}, schema={"id": pl.Int64}).unique()
    drop_temp(name)
    kind = "bigint" if is_postgres() else "INTEGER"
    execute(f"CREATE TEMP TABLE {qn(name)} (id {kind} PRIMARY KEY)")
    try:
        insert_frame(name, frame)
        yield name
    finally:
        drop_temp(name)


def count_referencing(table_name: str, column: str, ids: str) -> int:
    """Rows of the table whose ``column`` is one of the ids in temporary table ``ids``."""
    (n,) = fetchone(
        "SELECT COUNT(*) FROM {t} WHERE {c} IN (SELECT id FROM {ids})",
        t=ident(table_name),
        c=ident(column),
        ids=ident(ids),
    )
    return int(n)


def null_referencing(table_name: str, column: str, ids: str) -> int:
    """``SET NULL`` what Django's ``on_delete=SET_NULL`` would, for the ids in ``ids``."""
    return execute(
        "UPDATE {t} SET {c} = NULL WHERE {c} IN (SELECT id FROM {ids})",
        t=ident(table_name),
        c=ident(column),
        ids=ident(ids),
    )


def delete_ids(model, ids: str, *, ts: datetime, user_id: int | None, reason: str) -> int:
    """Delete the rows of ``model`` whose id is in temporary table ``ids``, each with a '-'
    history row (as django-simple-history writes for a deletion)."""
    where = "id IN (SELECT id FROM {ids})"
    write_history_select(
        model, where, [], at=ts, user_id=user_id, reason=reason, kind="-", ids=ident(ids)
    )
    return execute("DELETE FROM {own} WHERE " + where, own=model, ids=ident(ids))


def changed_since(model, programme_id: int, ts: datetime) -> pl.DataFrame:
    """Ids of ``model`` rows with a history record after ``ts`` (a change made later), with the
    record's reason."""
    text = render(
        "SELECT id, history_change_reason FROM {hist} WHERE programme_id = %s AND history_date > %s",
        hist=model.history.model,
    )
    return fetch_frame(
        text, [int(programme_id), db_timestamp(ts)], {"id": pl.Int64, "reason": pl.String}
    )


def fetch_ids(table_name: str, columns: list[str], schema: dict, ids: str) -> pl.DataFrame:
    """``columns`` (``schema`` gives their polars types, id first) of the rows in ``ids``."""
    cols = ", ".join(
        f"CAST({qn(c)} AS TEXT)" if schema[c] in (pl.Date, pl.Boolean) else qn(c) for c in columns
    )
    text = f"SELECT {cols} FROM {qn(table_name)} WHERE id IN (SELECT id FROM {qn(ids)})"
    return fetch_frame(text, [], schema)


# --- whole-database operations (backup) --------------------------------------------------------


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's and Lindung's)."""
    return {
        name: int(fetchone("SELECT COUNT(*) FROM {t}", t=ident(name))[0])
        for name in sorted(connection.introspection.table_names())
    }


def sqlite_backup_to(path) -> None:
    """A consistent copy of the SQLite database into the file ``path`` (SQLite's backup API)."""
    import sqlite3

    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        with target:
            connection.connection.backup(target)
    finally:
        target.close()
