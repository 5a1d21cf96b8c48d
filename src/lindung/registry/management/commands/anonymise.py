"""``lindung anonymise [--programme CODE] [--years N] [--dry-run]``: remove the identity of every
participant whose membership ended more than ``--years`` (default ``LINDUNG_RETENTION_YEARS``,
10) years ago, keeping the figures (:mod:`lindung.registry.anonymise`). Prints JSON:
``{"people", "rows", "history_rows", "files", "years", "imports", "import_days", "dry_run"}``;
``imports``: uploaded lists whose folders were deleted, ``--import-days`` (default
``LINDUNG_IMPORT_FILE_DAYS``, 90) after their import ended. Run it monthly from cron.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import system_actor
from lindung.programmes.models import Programme
from lindung.registry import anonymise


class Command(BaseCommand):
    help = "Anonimkan peserta yang keluar lebih lama dari masa simpan (UU PDP)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", default="")
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--import-days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, programme, years, import_days, dry_run, **options):
        found = None
        if programme:
            found = Programme.objects.filter(code=programme).first()
            if found is None:
                raise CommandError(f"Program tidak ditemukan: {programme!r}.")
        if years is not None and years < 1:
            raise CommandError("--years paling sedikit 1.")
        if import_days is not None and import_days < 1:
            raise CommandError("--import-days paling sedikit 1.")
        actor = system_actor("cli")
        result = anonymise.anonymise(actor=actor, programme=found, years=years, dry_run=dry_run)
        imports = anonymise.prune_import_files(
            actor=actor, programme=found, days=import_days, dry_run=dry_run
        )
        self.stdout.write(
            json.dumps(
                {
                    "people": result.people,
                    "rows": result.rows,
                    "history_rows": result.history_rows,
                    "files": result.files,
                    "years": years or anonymise.retention_years(),
                    "imports": imports,
                    "import_days": import_days or anonymise.import_file_days(),
                    "dry_run": dry_run,
                }
            )
        )
