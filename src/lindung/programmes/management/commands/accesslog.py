"""``lindung accesslog prune [--days N]`` and ``lindung accesslog report --programme CODE``.

``prune`` deletes access-log rows older than ``--days`` (default ``LINDUNG_ACCESS_LOG_DAYS``,
730) in every programme and prints ``{"deleted": n, "days": d}``; run it daily from cron.
``report`` prints the access report (who read how many persons when, by channel) of the last
``--days`` days (default 30) as JSON lines; reading it is itself logged (channel ``cli``).
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lindung.core.actors import system_actor
from lindung.core.errors import DomainError
from lindung.programmes import access, services
from lindung.programmes.models import Programme


class Command(BaseCommand):
    help = "Log akses data pribadi: pangkas (prune) atau laporan (report)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["prune", "report"])
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--programme", default="")

    def handle(self, *args, action, days, programme, **options):
        actor = system_actor("cli")
        if action == "prune":
            try:
                deleted = services.prune_access_log(actor=actor, days=days)
            except DomainError as exc:
                raise CommandError(str(exc)) from exc
            kept = days or services.access_log_days()
            self.stdout.write(json.dumps({"deleted": deleted, "days": kept}))
            return
        found = Programme.objects.filter(code=programme).first()
        if found is None:
            raise CommandError(f"Program tidak ditemukan: {programme!r} (pakai --programme KODE).")
        end = timezone.localdate()
        start = end - timedelta(days=(days or 30) - 1)
        rows = access.access_report(found, start, end)
        services.log_access(
            user=actor,
            programme=found,
            action="view",
            object_type="programmes.accesslog",
            detail=f"laporan akses {start:%Y-%m-%d}..{end:%Y-%m-%d}",
            channel="cli",
        )
        for r in rows:
            line = {**r.__dict__, "day": r.day.isoformat()}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
