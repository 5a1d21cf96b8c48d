"""Small SQL helpers for the bulk paths (billing, ledger refresh, enrolment in bulk).

``executemany`` on SQLite and ``COPY`` on PostgreSQL, as DESIGN.md asks: per-row ORM saves are
5–8× slower. Everything here runs inside the caller's transaction.
"""

# SQL here is built only from model table names and fixed fragments; values are always bound
# parameters (or integer ids formatted by int()).
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection
from django.db.models import Model


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def table(model: type[Model]) -> str:
    """The quoted table name of a model."""
    return connection.ops.quote_name(model._meta.db_table)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in ``columns`` order) into the model's table; returns the count.

    No model ``save()``, no signals, no history rows: callers record what they did elsewhere
    (billing runs, events).
    """
    rows = list(rows)
    if not rows:
        return 0
    connection.ensure_connection()
    name = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    if is_postgres():
        raw = connection.connection
        with raw.cursor() as cur:
            with cur.copy(f'COPY "{name}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw = connection.connection
        raw.executemany(
            f'INSERT INTO "{name}" ({cols}) VALUES ({marks})',
            ([_sqlite_value(v) for v in row] for row in rows),
        )
    return len(rows)


def executemany(sql: str, rows: Iterable[Sequence]) -> None:
    """``cursor.executemany`` with Django's ``%s`` placeholders (fast path on SQLite)."""
    rows = list(rows)
    if not rows:
        return
    connection.ensure_connection()
    if is_postgres():
        with connection.cursor() as cur:
            cur.executemany(sql, rows)
    else:
        connection.connection.executemany(
            sql.replace("%s", "?"), ([_sqlite_value(v) for v in row] for row in rows)
        )


def fetchall(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def as_date(value) -> date | None:
    """SQLite returns dates from raw SQL as text; PostgreSQL as ``date``."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
