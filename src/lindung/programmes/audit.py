"""One audit mechanism for all domain models: django-simple-history, read here — plus the
append-only transition logs (enrolments, invoices, claims, instalments), which are their own
record and therefore have no history table.

Apps register their audited models with :func:`register` (history) and :func:`register_log`
(transition logs); the audit page and each record's history page read them through
:func:`recent_changes` and :func:`record_history`.

Bounded: a page of the audit trail costs three queries whatever its size and however many
models are registered — one ``UNION ALL`` over every history and log table finds the page's
entries, one reads those rows with the row each follows (as JSON, for the before/after), one
reads their users. A record's history page reads its rows in order and compares neighbours
(no query per row).

Masked here, in the data layer: the before/after values of a viewer without full-NIK rights go
through :mod:`lindung.programmes.masking` (NIKs masked, birth dates cut to the year, kelurahan
and address hidden), by the field's own name before it is labelled, so a page rendering a
:class:`Change` needs nothing. Without a viewer the values are masked (fail closed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lindung.core import formatting, sql

from . import masking
from .models import Programme

# model label ("app_label.modelname") -> where its programme is: "programme" (a foreign key),
# "self" (the programme itself) or MembersOf (logins, which belong to no single programme)
_AUDITED: dict[str, Any] = {}
# transition log label -> name of the foreign key to the object whose state changed
_LOGS: dict[str, str] = {}

TYPE_LABELS = {"+": "dibuat", "~": "diubah", "-": "dihapus"}
STATUS_LABEL = "status"
#: Fields that name a record in a list (never the NIK: it is personal data).
TITLE_FIELDS = (
    "number",
    "full_name",
    "name",
    "code",
    "filename",
    "reference",
    "child_name",
    "username",
)
_JSON_CHUNK = 40


@dataclass(frozen=True)
class MembersOf:
    """Scope of a login's records (users, accounts): those of the programme's present and past
    members (``column`` holds the user id)."""

    column: str


def members_of(column: str) -> MembersOf:
    return MembersOf(column)


def register(model: type[models.Model], programme_path: Any = "programme") -> None:
    """Show ``model``'s history (it declares ``history = HistoricalRecords()``).
    ``programme_path``: ``"programme"`` (a foreign key), ``"self"`` (the programme itself) or
    :func:`members_of` (a login's records)."""
    if programme_path not in ("programme", "self") and not isinstance(programme_path, MembersOf):
        raise ValueError("programme_path must be 'programme', 'self' or members_of(...)")
    _AUDITED[model._meta.label_lower] = programme_path


def register_log(model: type[models.Model]) -> None:
    """Show the entries of an append-only transition log (a ``TransitionLog`` subclass)."""
    _LOGS[model._meta.label_lower] = model.SUBJECT


_VALUE_LABELS: dict[tuple[str, str], Any] = {}


def register_value_labels(model: type[models.Model], field: str, label) -> None:
    """Show ``model.field``'s stored codes in words in the audit trail: ``label(code)`` returns
    the words (or the code itself when it has none) — for codes that are not the field's
    ``choices`` (e.g. a claim document's kind, whose list lives with the claims' checklists)."""
    _VALUE_LABELS[(model._meta.label_lower, field)] = label


def audited_models() -> dict[str, Any]:
    return dict(_AUDITED)


@dataclass
class Change:
    at: datetime
    user: Any
    kind: str
    model_label: str
    verbose_name: str
    object_id: Any
    object_repr: str
    reason: str
    changes: list[tuple[str, Any, Any]]
    #: Where the entry sits in the trail: (its table's label, its id) — with ``at``, the
    #: cursor of the pages before and after it (:class:`Cursor`).
    key: tuple[str, int] | None = None


@dataclass(frozen=True)
class Cursor:
    """A place in the audit trail, between pages: the entries ``older`` (or newer) than the one
    at ``at`` in table ``label`` with id ``ref``. Keyset paging: every page costs what the first
    does, however deep (an ``OFFSET`` reads all the entries it skips, in every table)."""

    at: datetime
    label: str
    ref: int
    older: bool = True

    @classmethod
    def of(cls, change: Change, older: bool = True) -> Cursor:
        label, ref = change.key
        return cls(change.at, label, ref, older)

    def encode(self) -> str:
        """For a link's query string: ``<ISO time>~<label>~<id>``."""
        return f"{self.at.astimezone(UTC).isoformat()}~{self.label}~{self.ref}"

    @classmethod
    def decode(cls, text: str | None, older: bool = True) -> Cursor | None:
        """The cursor of a link, or ``None`` for anything else (the page then starts from the
        newest entry: a mangled link is not worth an error)."""
        parts = (text or "").split("~")
        if len(parts) != 3 or not parts[2].isdigit() or len(parts[2]) > 18:
            return None
        try:
            at = parse_datetime(parts[0])
        except ValueError:
            return None
        if at is None or parts[1] not in _AUDITED and parts[1] not in _LOGS:
            return None
        at = at if timezone.is_aware(at) else at.replace(tzinfo=UTC)
        return cls(at, parts[1], int(parts[2]), older)

    def where(self, label: str, at_col: str, id_col: str) -> tuple[str, list]:
        """The condition on one table of the trail (ordered by time, id, table label)."""
        at = sql.db_timestamp(self.at)
        if self.older:
            same = "<=" if label < self.label else "<"
            text = f" AND {at_col} <= %s AND ({at_col} < %s OR {id_col} {same} %s)"
        else:
            same = ">=" if label > self.label else ">"
            text = f" AND {at_col} >= %s AND ({at_col} > %s OR {id_col} {same} %s)"
        return text, [at, at, self.ref]


# --- SQL pieces ----------------------------------------------------------------------------------


def _json(alias: str, columns: list[str]) -> sql.Fragment:
    """A JSON object of the row's ``columns`` (in chunks: SQL functions take a bounded number of
    arguments)."""
    parts = []
    for i in range(0, len(columns), _JSON_CHUNK):
        pairs = ", ".join(f"'{c}', {alias}.{sql.qn(c)}" for c in columns[i : i + _JSON_CHUNK])
        parts.append(
            f"jsonb_build_object({pairs})" if sql.is_postgres() else f"json_object({pairs})"
        )
    if sql.is_postgres():
        return sql.Fragment(" || ".join(parts))
    text = parts[0]
    for part in parts[1:]:
        text = f"json_patch({text}, {part})"
    return sql.Fragment(text)


def _columns(history_model) -> list[str]:
    return [
        f.column for f in history_model._meta.concrete_fields if not f.column.startswith("history_")
    ]


def _scope(label: str, alias: str = "") -> sql.Fragment:
    """The condition keeping a history/log table's rows inside the programme (one ``%s``)."""
    lead = f"{alias}." if alias else ""
    where = _AUDITED.get(label)
    if isinstance(where, MembersOf):
        from .models import Membership

        return sql.fragment(
            "{col} IN (SELECT user_id FROM {m} WHERE programme_id = %s)",
            col=sql.Fragment(lead + sql.qn(where.column)),
            m=Membership.history.model,
        )
    column = "id" if where == "self" else "programme_id"
    return sql.Fragment(f"{lead}{column} = %s")


@dataclass(frozen=True)
class Filter:
    """What the audit page may be narrowed to: who, when (``since`` inclusive, ``until``
    exclusive) and which kind of record (a model label of :func:`record_types`)."""

    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    record_type: str | None = None

    def where(self, user_col: str, at_col: str) -> tuple[str, list]:
        text, params = "", []
        for value, condition in (
            (self.user_id, f" AND {user_col} = %s"),
            (self.since, f" AND {at_col} >= %s"),
            (self.until, f" AND {at_col} < %s"),
        ):
            if value is not None:
                text += condition
                params.append(value)
        return text, params


def _log_subject(label: str) -> str:
    log = apps.get_model(label)
    return log._meta.get_field(_LOGS[label]).related_model._meta.label_lower


def record_types() -> list[tuple[str, str]]:
    """``(model label, verbose name)`` of every audited kind of record, by name."""
    names = {label: str(apps.get_model(label)._meta.verbose_name) for label in _AUDITED}
    for label in _LOGS:
        subject = _log_subject(label)
        names.setdefault(subject, str(apps.get_model(subject)._meta.verbose_name))
    return sorted(names.items(), key=lambda item: item[1].lower())


def _page_sources(
    programme: Programme, n: int, flt: Filter, cursor: Cursor | None = None
) -> tuple[list[str], list]:
    """One SELECT per registered table: its ``n`` latest entries of the programme (narrowed by
    ``flt``; older or newer than ``cursor`` — then the ``n`` nearest to it)."""
    parts, params = [], []
    order = "ASC" if cursor is not None and not cursor.older else "DESC"
    hist_where, hist_params = flt.where("history_user_id", "history_date")
    for label in _AUDITED:
        if flt.record_type and label != flt.record_type:
            continue
        hist = apps.get_model(label).history.model
        near, near_params = (
            cursor.where(label, "history_date", "history_id") if cursor else ("", [])
        )
        parts.append(
            sql.render(
                "SELECT * FROM (SELECT CAST(%s AS VARCHAR(100)) AS label, history_id AS ref, "
                "history_date AS at "
                "FROM {t} WHERE {scope}{more} ORDER BY history_date {o}, history_id {o} "
                "LIMIT %s) q",
                t=hist,
                scope=_scope(label),
                more=sql.Fragment(hist_where + near),
                o=sql.Fragment(order),
            )
        )
        params += [label, programme.pk, *hist_params, *near_params, n]
    log_where, log_params = flt.where("user_id", "at")
    for label in _LOGS:
        if flt.record_type and _log_subject(label) != flt.record_type:
            continue
        near, near_params = cursor.where(label, "at", "id") if cursor else ("", [])
        parts.append(
            sql.render(
                "SELECT * FROM (SELECT CAST(%s AS VARCHAR(100)) AS label, id AS ref, at FROM {t} "
                "WHERE programme_id = %s{more} ORDER BY at {o}, id {o} LIMIT %s) q",
                t=apps.get_model(label),
                more=sql.Fragment(log_where + near),
                o=sql.Fragment(order),
            )
        )
        params += [label, programme.pk, *log_params, *near_params, n]
    return parts, params


def _page(
    programme: Programme,
    limit: int,
    offset: int,
    flt: Filter | None = None,
    cursor: Cursor | None = None,
) -> list[tuple[str, int]]:
    """Query 1: the page's ``(label, id)`` in time order, newest first (after ``offset``
    entries, or next to ``cursor``)."""
    if cursor is not None:
        offset = 0
    parts, params = _page_sources(programme, limit + offset, flt or Filter(), cursor)
    if not parts:
        return []
    order = "ASC" if cursor is not None and not cursor.older else "DESC"
    rows = sql.fetchall(
        "SELECT label, ref FROM ({union}) u ORDER BY at {o}, ref {o}, label {o} LIMIT %s OFFSET %s",
        [*params, limit, offset],
        union=sql.Fragment(" UNION ALL ".join(parts)),
        o=sql.Fragment(order),
    )
    page = [(label, int(ref)) for label, ref in rows]
    return page if order == "DESC" else page[::-1]


def _history_rows(label: str, ids: list[int]) -> tuple[str, list]:
    """A history table's rows with, for each, the JSON of the row before it."""
    hist = apps.get_model(label).history.model
    cols = _columns(hist)
    text = sql.render(
        "SELECT CAST(%s AS VARCHAR(100)), h.history_id, h.history_date, h.history_type, "
        "h.history_user_id, "
        "h.history_change_reason, {now}, (SELECT {before} FROM {t} p WHERE p.id = h.id "
        "AND (p.history_date < h.history_date OR (p.history_date = h.history_date "
        "AND p.history_id < h.history_id)) ORDER BY p.history_date DESC, p.history_id DESC "
        "LIMIT 1) FROM {t} h WHERE h.history_id IN ({ids})",
        now=_json("h", cols),
        before=_json("p", cols),
        t=hist,
        ids=sql.marks(len(ids)),
    )
    return text, [label, *ids]


def _log_rows(label: str, ids: list[int]) -> tuple[str, list]:
    subject = f"{_LOGS[label]}_id"
    text = sql.render(
        "SELECT CAST(%s AS VARCHAR(100)), l.id, l.at, '~', l.user_id, l.note, {row}, NULL "
        "FROM {t} l "
        "WHERE l.id IN ({ids})",
        row=_json("l", [subject, "from_state", "to_state"]),
        t=apps.get_model(label),
        ids=sql.marks(len(ids)),
    )
    return text, [label, *ids]


def _rows(page: list[tuple[str, int]]) -> dict[tuple[str, int], tuple]:
    """Query 2: the page's rows, keyed by ``(label, id)``."""
    by_label: dict[str, list[int]] = {}
    for label, ref in page:
        by_label.setdefault(label, []).append(ref)
    parts, params = [], []
    for label, ids in by_label.items():
        text, p = (_log_rows if label in _LOGS else _history_rows)(label, ids)
        parts.append(text)
        params += p
    if not parts:
        return {}
    rows = sql.fetchall("{u}", params, u=sql.Fragment(" UNION ALL ".join(parts)))
    return {(row[0], int(row[1])): row for row in rows}


# --- turning rows into changes -------------------------------------------------------------------


def _loads(value) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else json.loads(value)


def _when(value) -> datetime:
    """A stored time, aware: SQLite gives a naive UTC time (or its text), PostgreSQL an aware
    one."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"Not a timestamp: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _title(model, row: dict) -> str:
    for name in TITLE_FIELDS:
        if row.get(name):
            label = _VALUE_LABELS.get((model._meta.label_lower, name))
            return str(label(row[name]) if label is not None else row[name])
    return f"#{row.get('id', '')}"


@dataclass(frozen=True)
class UserRef:
    """A user named by a changed field (e.g. "diterima oleh"): resolved to the user with the
    page's one users query."""

    id: int


def _shown(field, value):
    """A stored value as people read it: a choice's label, yes/no, a user to resolve."""
    if field is None or value is None:
        return value
    # SQLite's JSON has booleans as 1/0: shown as yes/no like PostgreSQL's true/false.
    if isinstance(field, models.BooleanField) and value in (0, 1):
        return bool(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.JSONField):
        # A stored snapshot (entitlement, checks): kept whole for who wants it, never a dict
        # on the page (the value filter folds it into a disclosure).
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return formatting.Stored(value)
    if field.is_relation and field.related_model is get_user_model():
        return UserRef(int(value))
    return value


def _viewer_mask(programme: Programme, viewer) -> masking.Masking:
    return masking.MASKED if viewer is None else masking.for_user(viewer, programme)


def _diff(
    model, now: dict, before: dict, mask: masking.Masking = masking.MASKED
) -> list[tuple[str, Any, Any]]:
    """``(field's verbose name, before, after)`` of each changed column, masked for ``mask``."""
    if not before:
        return []
    fields = {f.column: f for f in model._meta.concrete_fields}
    out = []
    for column, value in now.items():
        if column == "id" or (old := before.get(column)) == value:
            continue
        field = fields.get(column)
        name = str(field.verbose_name) if field is not None else column
        key = field.name if field is not None else column
        old, value = mask.value(key, old), mask.value(key, value)
        label = _VALUE_LABELS.get((model._meta.label_lower, key))
        if label is not None:
            old, value = (v if v in (None, "") else label(v) for v in (old, value))
        out.append((name, _shown(field, old), _shown(field, value)))
    return out


def _resolve_users(changes: list[Change], users: dict) -> None:
    for change in changes:
        change.changes = [
            (
                name,
                *(
                    users.get(v.id, f"pengguna #{v.id}") if isinstance(v, UserRef) else v
                    for v in (old, new)
                ),
            )
            for name, old, new in change.changes
        ]


def _history_change(
    label: str, row: tuple, users: dict, mask: masking.Masking = masking.MASKED
) -> Change:
    _label, _hid, at, kind, user_id, reason, now, before = row
    model = apps.get_model(label)
    now, before = _loads(now), _loads(before)
    return Change(
        at=_when(at),
        user=users.get(user_id),
        kind=TYPE_LABELS.get(kind, kind),
        model_label=label,
        verbose_name=str(model._meta.verbose_name),
        object_id=now.get("id"),
        object_repr=_title(model, now),
        reason=reason or "",
        changes=_diff(model, now, before, mask) if kind == "~" else [],
    )


def _log_change(label: str, row: tuple, users: dict) -> Change:
    _label, _id, at, _kind, user_id, note, entry, _none = row
    log = apps.get_model(label)
    entry = _loads(entry)
    subject = log._meta.get_field(_LOGS[label]).related_model
    states = log.STATES
    old, new = entry.get("from_state") or "", entry.get("to_state") or ""
    return Change(
        at=_when(at),
        user=users.get(user_id),
        kind=STATUS_LABEL,
        model_label=subject._meta.label_lower,
        verbose_name=str(subject._meta.verbose_name),
        object_id=entry.get(f"{_LOGS[label]}_id"),
        object_repr=f"#{entry.get(f'{_LOGS[label]}_id')}",
        reason=note or "",
        changes=[
            (
                STATUS_LABEL,
                str(states(old).label) if old in states.values else old or None,
                str(states(new).label) if new in states.values else new,
            )
        ],
    )


def _users(rows, changes: list[Change] = (), members_of: Programme | None = None) -> dict:
    """Query 3: the users named by the rows and by their changed fields (and, with
    ``members_of``, every member of that programme: the page's user filter)."""
    ids = {row[4] for row in rows if row[4] is not None}
    ids |= {v.id for c in changes for _n, *vs in c.changes for v in vs if isinstance(v, UserRef)}
    if members_of is None:
        return get_user_model().objects.in_bulk(ids) if ids else {}
    found = get_user_model().objects.filter(
        models.Q(pk__in=ids) | models.Q(memberships__programme=members_of)
    )
    return {user.pk: user for user in found.distinct()}


@dataclass
class Page:
    changes: list[Change]
    #: Users met on the page and the programme's members, ``{id: user}``.
    users: dict


def audit_page(
    programme: Programme,
    limit: int = 100,
    offset: int = 0,
    flt: Filter | None = None,
    *,
    cursor: Cursor | None = None,
    viewer=None,
) -> Page:
    """The audit page: :func:`recent_changes` and, from the same users query, the programme's
    members (for the user filter) — 3 queries; values masked for ``viewer``."""
    users: dict = {}
    changes = recent_changes(
        programme, limit, offset, flt, cursor=cursor, viewer=viewer, _users_out=users
    )
    return Page(changes, users)


def recent_changes(
    programme: Programme,
    limit: int = 100,
    offset: int = 0,
    flt: Filter | None = None,
    *,
    cursor: Cursor | None = None,
    viewer=None,
    _users_out: dict | None = None,
) -> list[Change]:
    """The programme's changes, newest first: ``limit`` of them after ``offset`` (or the
    ``limit`` nearest to ``cursor`` on its side), narrowed by ``flt`` (3 queries); personal
    values masked for ``viewer`` (masked when not given)."""
    mask = _viewer_mask(programme, viewer)
    page = _page(programme, limit, offset, flt, cursor)
    rows = _rows(page)
    made = []
    for label, ref in page:
        row = rows.get((label, ref))
        if row is None:
            continue
        if label in _LOGS:
            change = _log_change(label, row, {})
        else:
            change = _history_change(label, row, {}, mask)
        change.key = (label, ref)
        made.append((change, row[4]))
    out = [change for change, _user in made]
    members_of = programme if _users_out is not None else None
    users = _users(rows.values(), out, members_of)
    if _users_out is not None:
        _users_out.update(users)
    for change, user_id in made:
        change.user = users.get(user_id)
    _resolve_users(out, users)
    return out


def _scoped_model(programme: Programme, label: str):
    """The registered model for ``label`` and the filter that keeps it inside the programme."""
    label = label.lower()
    if label not in _AUDITED:
        raise Http404("Jenis data tidak dikenal.")
    model = apps.get_model(label)
    where = _AUDITED[label]
    if isinstance(where, MembersOf):
        from .models import Membership

        users = Membership.history.filter(programme_id=programme.pk).values("user_id")
        return model, {f"{where.column}__in": users}
    scope = {"id": programme.pk} if where == "self" else {"programme": programme}
    return model, scope


def record_history(programme: Programme, label: str, pk, *, viewer=None) -> list[Change]:
    """Every change of one record, newest first (its rows read once, neighbours compared),
    personal values masked for ``viewer`` (masked when not given)."""
    mask = _viewer_mask(programme, viewer)
    model, scope = _scoped_model(programme, label)
    records = list(
        model.history.filter(id=pk)
        .filter(**scope)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    if not records:
        raise Http404("Riwayat tidak ditemukan.")
    out, previous = [], None
    for record in records:
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = []
            for c in delta.changes:
                field = model._meta.get_field(c.field)
                name = str(getattr(field, "verbose_name", c.field))
                old, new = mask.value(c.field, c.old), mask.value(c.field, c.new)
                changes.append((name, _shown(field, old), _shown(field, new)))
        values = {f.attname: getattr(record, f.attname, None) for f in model._meta.concrete_fields}
        out.append(
            Change(
                at=record.history_date,
                user=record.history_user,
                kind=TYPE_LABELS.get(record.history_type, record.history_type),
                model_label=label.lower(),
                verbose_name=str(model._meta.verbose_name),
                object_id=record.id,
                object_repr=_title(model, values),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    out.reverse()
    refs = {v.id for c in out for _n, *vs in c.changes for v in vs if isinstance(v, UserRef)}
    _resolve_users(out, get_user_model().objects.in_bulk(refs) if refs else {})
    return out
