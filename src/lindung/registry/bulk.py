"""Set-based database writes for imports — now in :mod:`lindung.core.sql`, the one raw-SQL
module of Lindung. The names stay importable from here for the import engine."""

from lindung.core.sql import (  # noqa: F401 — re-exported for the import engine
    CHUNK,
    SQLITE_BULK_CACHE_KIB,
    Fragment,
    allocate_ids,
    bulk_session,
    changed_since,
    count_referencing,
    db_timestamp,
    delete_ids,
    fetch_frame,
    fetch_ids,
    history_columns,
    id_table,
    idents,
    insert_frame,
    is_postgres,
    null_referencing,
    qn,
    render,
    ts_text,
    update_frame,
    write_history,
    write_history_rows,
)
