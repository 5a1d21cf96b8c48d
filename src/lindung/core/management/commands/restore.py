"""``lindung restore FILE`` onto an empty database (see :mod:`lindung.core.backup`)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Pulihkan cadangan Lindung ke basis data kosong."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            manifest = restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(
                {"restored": options["file"], "created_at": manifest["created_at"],
                 "tables": len(manifest["tables"]), "rows": sum(manifest["tables"].values())}
            )
        )  # fmt: skip
