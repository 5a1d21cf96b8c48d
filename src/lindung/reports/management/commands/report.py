"""``lindung report --programme CODE --from YYYY-MM --to YYYY-MM --format json|xlsx|pdf [--out F]``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from lindung.core.cli import emit
from lindung.programmes.models import Programme
from lindung.programmes.services import log_access

from ...queries import Period, dashboard
from ...render import to_json, to_pdf, to_xlsx


class Command(BaseCommand):
    help = "Laporan program untuk suatu periode (JSON, xlsx atau PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True)
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM")
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: end of period)")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--out", default=None)

    def handle(self, *args, **o):
        programme = Programme.objects.filter(code=o["programme"]).first()
        if programme is None:
            raise CommandError(f"Program '{o['programme']}' tidak ditemukan.")
        try:
            period = Period.parse(o["start"], o["end"])
            as_of = date.fromisoformat(o["as_of"]) if o["as_of"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        data = dashboard(programme, period, as_of)
        log_access(
            user=None,
            programme=programme,
            action="export",
            object_type="report",
            detail=f"lindung report {o['format']} {period.label()}",
            channel="cli",
        )
        if o["format"] == "json":
            body = to_json(data).encode()
        elif o["format"] == "xlsx":
            body = to_xlsx(data)
        else:
            body = to_pdf(data)
        emit(self, body, o["format"], o["out"], "Laporan")
