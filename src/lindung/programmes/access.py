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
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
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
