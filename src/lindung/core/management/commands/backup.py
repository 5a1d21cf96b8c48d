"""``lindung backup [--out FILE] [--with-secret-key]`` (see :mod:`lindung.core.backup`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lindung.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Cadangkan basis data, berkas unggahan dan (opsional) kunci rahasia ke satu berkas."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="Berkas tujuan (.tar.gz); bawaan var/backups/…")
        parser.add_argument("--with-secret-key", action="store_true")

    def handle(self, *args, **options):
        out = options["out"] or str(
            Path(settings.VAR_DIR) / "backups" / f"lindung-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        )
        try:
            manifest = backup(Path(out), with_secret_key=options["with_secret_key"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(manifest["tables"].values())
        self.stdout.write(
            json.dumps(
                {"file": out, "engine": manifest["engine"], "tables": len(manifest["tables"]),
                 "rows": total, "secret_key": manifest["secret_key"]}
            )
        )  # fmt: skip
