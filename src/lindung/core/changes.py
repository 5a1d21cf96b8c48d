"""The change feed: what a write changed, recorded in the writing transaction and consumed by
the read models in that same transaction.

A read model (the dashboard's counts, :mod:`lindung.reports.counts`) must follow every change of
the records it summarises, whoever makes it. So every write appends to one table
(:class:`~lindung.core.models.Change`: programme, kind, id of the record) inside its own
transaction:

- ORM saves and deletes of the followed models append through :func:`follow` (signals, set up
  by the read model's app);
- bulk writes (``COPY``, ``INSERT … SELECT``, ``UPDATE``) append explicitly with :func:`record`
  or :func:`record_select` — they fire no signals.

The consumers (:func:`register_consumer`) run before the transaction commits: at the end of the
outermost :func:`atomic` block (every write use case is one), or at once when a change is
recorded outside one. A consumer takes the pending entries of a programme under a lock, brings
its read model up to date and deletes exactly the entries it applied; entries of transactions
that have not committed are invisible to it and stay for their own transaction. No watermark, no
guess about other writers, and a read (a dashboard GET) never writes: it finds the read model
already up to date when the writer has committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from . import sql
from .models import Change

ENROLMENT, PARTICIPANT, PERSON, CLAIM, PROGRAMME = (k.value for k in Change.Kind)
#: More entries than this in one write become one "whole programme" entry (the consumer rebuilds
#: the programme's read model rather than correct that many records one by one).
WHOLE_PROGRAMME_ABOVE = 20_000

_consumers: list[Callable[[], None]] = []
_local = threading.local()


def register_consumer(consumer: Callable[[], None]) -> None:
    """``consumer()`` applies the pending entries (called inside the writing transaction)."""
    if consumer not in _consumers:
        _consumers.append(consumer)


def _depth() -> int:
    return getattr(_local, "depth", 0)


@contextmanager
def atomic() -> Iterator[None]:
    """``transaction.atomic`` for a write use case: the change feed is applied when the
    outermost such block ends without an error, still inside its transaction. Usable as a
    decorator (``@changes.atomic()``)."""
    with transaction.atomic():
        _local.depth = _depth() + 1
        try:
            yield
        finally:
            _local.depth = _depth() - 1
        if _depth() == 0:
            apply()


def apply() -> None:
    """Run the consumers now (in a transaction of their own when none is open)."""
    with transaction.atomic():
        for consumer in _consumers:
            consumer()


def _recorded() -> None:
    if _depth() == 0:
        apply()


def record(kind: str, programme_id: int, ids: Iterable[int]) -> int:
    """Append entries for the records ``ids`` of one kind (all of one programme)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return 0
    if len(ids) > WHOLE_PROGRAMME_ABOVE:
        kind, ids = PROGRAMME, [0]
    sql.bulk_insert(
        Change, ("programme_id", "kind", "object_id"), [(programme_id, kind, i) for i in ids]
    )
    _recorded()
    return len(ids)


def record_programme(programme_id: int) -> None:
    """Everything of the programme may have changed (a consumer rebuilds its read model)."""
    record(PROGRAMME, programme_id, [0])


def record_select(kind: str, programme_id: int, select: str, params: Sequence = (), **names) -> int:
    """Append an entry for every id a query returns (``select`` yields one column, the id;
    same template rules as :func:`lindung.core.sql.render`). For the bulk paths."""
    (count,) = sql.fetchone("SELECT COUNT(*) FROM ({s}) x", params, s=sql.fragment(select, **names))
    if not count:
        return 0
    if count > WHOLE_PROGRAMME_ABOVE:
        record_programme(programme_id)
        return count
    sql.execute(
        "INSERT INTO {c} (programme_id, kind, object_id) SELECT %s, %s, x.id FROM ({s}) x",
        [programme_id, kind, *params],
        c=Change,
        s=sql.fragment(select, **names),
    )
    _recorded()
    return count


def follow(model: type[Model], kind: str, programme: str = "programme_id") -> None:
    """Record every ORM save and delete of ``model`` (``programme``: the attribute holding the
    programme's id)."""

    def changed(sender, instance, **kwargs):
        record(kind, getattr(instance, programme), [instance.pk])

    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"changes:{model}")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"changes-del:{model}")


# --- for the consumers -------------------------------------------------------------------------


def pending_programmes() -> list[int]:
    """The programmes with entries this transaction can see."""
    return sorted(Change.objects.values_list("programme_id", flat=True).distinct().order_by())


def pending(programme_id: int) -> list[tuple[str, int]]:
    return list(
        Change.objects.filter(programme_id=programme_id)
        .order_by()
        .values_list("kind", "object_id")
        .distinct()
    )


def has_pending(programme_id: int) -> bool:
    return Change.objects.filter(programme_id=programme_id).exists()


def clear(programme_id: int) -> None:
    """Delete the programme's entries this transaction can see (the consumer applied them while
    holding the programme's lock, so no other committed entry can have appeared meanwhile)."""
    Change.objects.filter(programme_id=programme_id).delete()
