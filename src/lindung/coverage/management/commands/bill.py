"""``lindung bill --programme CODE --month YYYY-MM [--user USERNAME] [--lapse]``.

Runs the monthly billing of one contribution month and prints a JSON summary::

    {"programme": "kota-madiun", "month": "2025-03", "participants": 17484,
     "total": 264330138, "lines_created": 17484, "adjustments_created": 0,
     "invoices_created": ["TAG/2025/03/APBD"], "nothing_new": false, …}

Running a month again prints ``"nothing_new": true`` unless something changed (then the
changes are correction lines). ``--lapse`` first ends the BPU memberships with more than 3
consecutive unpaid months due before the first day of the month billed. Exit status 1 when the
billing is refused (the reason is in ``"error"``).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from lindung.core.cli import actor_for
from lindung.core.errors import DomainError
from lindung.coverage import months, services
from lindung.programmes.models import Programme


class Command(BaseCommand):
    help = "Jalankan penagihan iuran bulanan satu program (ringkasan JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", "--program", required=True, help="kode program")
        parser.add_argument("--month", "--bulan", required=True, help="bulan iuran TTTT-BB")
        parser.add_argument("--user", help="nama pengguna yang menjalankan (Operator/Admin)")
        parser.add_argument(
            "--lapse",
            action="store_true",
            help="akhiri dulu kepesertaan BPU yang menunggak lebih dari 3 bulan",
        )
        parser.add_argument("--quiet", action="store_true", help="tanpa bilah kemajuan")

    def handle(self, *args, **opts):
        programme = Programme.objects.filter(code=opts["programme"]).first()
        if programme is None:
            raise CommandError(f"Program '{opts['programme']}' tidak ditemukan.")
        try:
            month = months.parse_month(opts["month"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        actor = actor_for(opts.get("user"))
        show = not opts["quiet"] and sys.stderr.isatty()

        def progress(percent: int, message: str = "") -> None:
            if show:
                bar = "#" * (percent // 4)
                sys.stderr.write(f"\r[{bar:<25}] {percent:3d} % {message[:60]:<60}")
                sys.stderr.flush()

        out: dict = {}
        try:
            if opts["lapse"]:
                out["lapse"] = services.apply_bpu_lapses(programme, month, actor=actor)
            result = services.run_billing(
                programme, month.year, month.month, actor=actor, progress=progress
            )
        except DomainError as exc:
            if show:
                sys.stderr.write("\n")
            out.update({"programme": programme.code, "month": opts["month"], "error": str(exc)})
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            sys.exit(1)
        if show:
            sys.stderr.write("\n")
        out.update(result.to_dict())
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
