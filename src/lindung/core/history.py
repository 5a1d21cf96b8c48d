"""The audit trail's history tables (django-simple-history), configured once for every model.

django-simple-history already keeps a history table's links to the tracked rows without a
database foreign key (a history row outlives its row). Lindung goes one step further for the
link to the user who made the change (``history_user``): it is indexed, and Django still applies
``on_delete=SET_NULL`` when a user is deleted, but PostgreSQL does not check it row by row. An
import writes a history row for every person, participant and membership period it creates —
600,000 rows for a 200,000-row file — and a deferred foreign key costs a check per row at
``COMMIT`` (about 1 s per 200,000 rows on the benchmark machine, issue 14). The user is the one
running the import, checked once when it starts; deleting an account still clears its name from
the history (Django's ``SET_NULL``, ``tests/coverage/test_audit_links.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from simple_history.models import HistoricalRecords


def audit_trail(*, no_db_index: Sequence[str] = (), **options) -> HistoricalRecords:
    """``HistoricalRecords`` for a Lindung model (``history = audit_trail()``).

    ``no_db_index``: fields indexed on the live table that nothing looks up in its history (each
    index is one more write per history row; the history is read by row id, programme, date and
    user).
    """
    return HistoricalRecords(user_db_constraint=False, no_db_index=list(no_db_index), **options)
