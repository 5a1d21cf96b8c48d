"""The access report (UU PDP 27/2022): who read how many persons' data when, by channel — read
from :class:`~lindung.programmes.models.AccessLog`, one row per request (a list page, an API
list, an export, a person page), summed per day, user and channel.

Its retention (``LINDUNG_ACCESS_LOG_DAYS``) is applied by
:func:`lindung.programmes.services.prune_access_log` (``lindung accesslog prune``).

Channels: ``halaman`` (pages), ``API``, ``ekspor`` (any export or download, whatever the
channel it was asked through) and ``CLI`` (commands).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from .models import AccessLog, Programme

CHANNELS = {"web": "halaman", "api": "API", "export": "ekspor", "cli": "CLI"}
EXPORT_ACTIONS = {AccessLog.Action.EXPORT, AccessLog.Action.DOWNLOAD}


@dataclass(frozen=True)
class AccessRow:
    day: date
    user: str
    channel: str
    requests: int
    records: int


def channel_label(action: str, channel: str) -> str:
    return CHANNELS["export"] if action in EXPORT_ACTIONS else CHANNELS.get(channel, channel)


def access_report(programme: Programme, start: date, end: date) -> list[AccessRow]:
    """Per day, user and channel between ``start`` and ``end`` (inclusive), newest day first:
    how many requests and how many persons' records they gave (one query)."""
    rows = (
        AccessLog.objects.filter(programme=programme, at__date__gte=start, at__date__lte=end)
        .annotate(day=TruncDate("at"))
        .values("day", "user__username", "action", "channel")
        .annotate(requests=Count("id"), records=Sum("records"))
    )
    merged: dict[tuple, list[int]] = {}
    for r in rows:
        key = (r["day"], r["user__username"] or "–", channel_label(r["action"], r["channel"]))
        total = merged.setdefault(key, [0, 0])
        total[0] += r["requests"]
        total[1] += r["records"] or 0
    out = [AccessRow(day, user, ch, n, rec) for (day, user, ch), (n, rec) in merged.items()]
    out.sort(key=lambda r: (-r.day.toordinal(), r.user, r.channel))
    return out


def report_xlsx(programme: Programme, rows: list[AccessRow], start: date, end: date) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    head = book.add_format({"bold": True, "bg_color": "#E8F3EE", "border": 1})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    number = book.add_format({"num_format": "#,##0"})
    sheet = book.add_worksheet("Laporan akses")
    sheet.write_string(0, 0, f"Laporan akses data pribadi — {programme.name}")
    sheet.write_string(1, 0, f"Periode {start:%d/%m/%Y} s.d. {end:%d/%m/%Y}")
    titles = ["Tanggal", "Pengguna", "Kanal", "Jumlah permintaan", "Jumlah orang dibaca"]
    widths = [12, 24, 10, 18, 20]
    for col, (title, width) in enumerate(zip(titles, widths, strict=True)):
        sheet.write_string(3, col, title, head)
        sheet.set_column(col, col, width)
    for n, r in enumerate(rows, start=4):
        sheet.write_datetime(n, 0, timezone.datetime(r.day.year, r.day.month, r.day.day), day)
        sheet.write_string(n, 1, r.user)
        sheet.write_string(n, 2, r.channel)
        sheet.write_number(n, 3, r.requests, number)
        sheet.write_number(n, 4, r.records, number)
    book.close()
    return buf.getvalue()


# --- the access log page -----------------------------------------------------------------------

#: What was read, in words, for the entries that name no model (a report, a comparison).
KIND_WORDS = {
    "report": "laporan dasbor",
    "planning.comparison": "perbandingan skenario",
    "programmes.audit": "jejak audit",
}


def kind_label(object_type: str) -> str:
    """``claims.claim`` → "klaim": the model's verbose name, or a word for the other entries."""
    if object_type in KIND_WORDS:
        return KIND_WORDS[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "data lain"


@dataclass(frozen=True)
class AccessFilter:
    """Who, when (``since`` and ``until`` inclusive days), what kind and which action."""

    user_id: int | None = None
    since: date | None = None
    until: date | None = None
    kind: str = ""
    action: str = ""


@dataclass
class AccessEntry:
    at: Any
    user: str
    action: str
    kind: str
    record: str
    url: str
    detail: str
    records: int
    channel: str


def _filtered(programme: Programme, flt: AccessFilter):
    qs = AccessLog.objects.filter(programme=programme)
    if flt.user_id:
        qs = qs.filter(user_id=flt.user_id)
    if flt.since:
        qs = qs.filter(at__gte=_start(flt.since))
    if flt.until:
        qs = qs.filter(at__lt=_start(flt.until + timedelta(days=1)))
    if flt.kind:
        qs = qs.filter(object_type=flt.kind)
    if flt.action:
        qs = qs.filter(action=flt.action)
    return qs.select_related("user").order_by("-at", "-id")


def _start(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def _labels(entries) -> dict[tuple[str, str], Any]:
    """The records named on the page, one query per kind of record."""
    wanted: dict[str, set] = {}
    for e in entries:
        if e.object_id and e.object_type not in KIND_WORDS:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    found = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        pk = model._meta.pk
        try:
            keys = [pk.to_python(i) for i in ids]
        except ValidationError:
            continue
        for key, obj in model._default_manager.in_bulk(keys).items():
            found[(label, str(key))] = obj
    return found


def user_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "sistem"


def access_entries(programme: Programme, entries, mask) -> list[AccessEntry]:
    """The page's log entries in words: the user's name, the action, the kind of record, the
    record's own label with a link to its page (or its history), the detail masked for the
    viewer."""
    from .audit import audited_models
    from .hooks import record_page

    labels = _labels(entries)
    audited = audited_models()
    out = []
    for e in entries:
        obj = labels.get((e.object_type, e.object_id))
        url = ""
        if obj is not None and record_page(e.object_type):
            url = reverse(record_page(e.object_type), args=[programme.code, obj.pk])
        elif obj is not None and e.object_type in audited:
            url = reverse("record_history", args=[programme.code, e.object_type, obj.pk])
        record = (
            mask.text(str(obj)) if obj is not None else ("(sudah dihapus)" if e.object_id else "")
        )
        out.append(
            AccessEntry(
                at=e.at,
                user=user_name(e.user),
                action=str(e.get_action_display()),
                kind=kind_label(e.object_type),
                record=record,
                url=url,
                detail=mask.text(e.detail),
                records=e.records,
                channel=channel_label(e.action, e.channel),
            )
        )
    return out


def access_log(programme: Programme, flt: AccessFilter):
    """The access log of the programme narrowed by ``flt``, newest first (a queryset to page)."""
    return _filtered(programme, flt)


def filter_choices(programme: Programme) -> dict:
    """The filter form's choices: the programme's members and past readers, the kinds of
    record read, the actions."""
    User = get_user_model()  # noqa: N806
    readers = AccessLog.objects.filter(programme=programme).values("user_id")
    users = User.objects.filter(Q(memberships__programme=programme) | Q(pk__in=readers)).distinct()
    kinds = (
        AccessLog.objects.filter(programme=programme)
        .values_list("object_type", flat=True)
        .distinct()
    )
    return {
        "users": sorted(((str(u.pk), user_name(u)) for u in users), key=lambda i: i[1].lower()),
        "kinds": sorted(((k, kind_label(k)) for k in kinds), key=lambda i: i[1].lower()),
        "actions": list(AccessLog.Action.choices),
    }
