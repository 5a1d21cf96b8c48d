"""``lindung corrections --programme CODE [--month YYYY-MM] [--apply --user NAME]``: what a
corrected parameter changes in issued invoices and approved claims (JSON); with ``--apply`` the
month's difference becomes correction lines (the same service as the page's button)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from lindung.core.cli import actor_for
from lindung.core.errors import cli_refusals
from lindung.core.params import BadParameter, parse_month
from lindung.coverage import services as coverage_services
from lindung.programmes.models import Programme

from ...corrections import report


class Command(BaseCommand):
    help = (
        "Apa yang berubah karena koreksi parameter: tagihan terbit dan hak klaim disetujui yang "
        "kini dihitung berbeda (JSON). --apply --month: jadikan selisih bulan itu baris koreksi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True)
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--apply", action="store_true")
        parser.add_argument("--user", help="Admin yang menerapkan (tanpa ini: aktor sistem)")

    def handle(self, *args, **opts):
        programme = Programme.objects.filter(code=opts["programme"]).first()
        if programme is None:
            raise CommandError(f"Program '{opts['programme']}' tidak ditemukan.")
        month = None
        if opts.get("month"):
            try:
                month = parse_month(opts["month"], "month")
            except BadParameter as exc:
                raise CommandError(str(exc)) from exc
        if opts["apply"]:
            if month is None:
                raise CommandError("--apply memerlukan --month YYYY-MM.")
            actor = actor_for(opts.get("user"))
            with cli_refusals():
                result = coverage_services.reprice_month(
                    programme, month.year, month.month, actor=actor
                )
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            json.dumps(report(programme, month), ensure_ascii=False, indent=2, default=str)
        )
