"""``lindung check``: configuration and database health as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import lindung
from lindung.core import exposure

DEFAULT = "127.0.0.1:8000"


def health(bind: str | None = None) -> dict:
    """The report; ``bind``: the address ``lindung serve`` listens on (``LINDUNG_BIND``)."""
    db = settings.DATABASES["default"]
    report: dict = {
        "version": lindung.__version__,
        "python": platform.python_version(),
        "debug": settings.DEBUG,
        "time_zone": settings.TIME_ZONE,
        "language": settings.LANGUAGE_CODE,
        "database": {
            "engine": connection.vendor,
            "name": str(db["NAME"]),
            "host": db.get("HOST") or None,
        },
        "ok": True,
        "problems": [],
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        if connection.vendor == "sqlite":
            report["database"]["server_version"] = connection.Database.sqlite_version
        else:
            report["database"]["server_version"] = str(connection.pg_version)
        report["database"]["reachable"] = True
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        report["migrations"] = {
            "applied": len(executor.loader.applied_migrations),
            "pending": [f"{m.app_label}.{m.name}" for m, _ in plan],
            "up_to_date": not plan,
        }
        if plan:
            report["ok"] = False
            report["problems"].append(
                "Ada migrasi yang belum dijalankan: jalankan `lindung migrate`."
            )
    except Exception as exc:  # noqa: BLE001 — the health report must describe, not crash
        report["ok"] = False
        report["database"]["reachable"] = False
        report["problems"].append(f"Basis data tidak dapat dihubungi: {exc}")
    if report["database"].get("reachable"):
        try:
            warning = exposure.exposure_warning(bind or os.environ.get("LINDUNG_BIND", DEFAULT))
        except Exception:  # noqa: BLE001 — e.g. no user table yet
            warning = ""
        if warning:
            report["ok"] = False
            report["problems"].append(warning)
    if settings.SECRET_KEY.startswith("django-insecure"):
        report["ok"] = False
        report["problems"].append("LINDUNG_SECRET_KEY tidak aman.")
    return report


class Command(BaseCommand):
    help = "Kesehatan konfigurasi dan basis data, sebagai JSON."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=None, help="alamat yang dilayani (bawaan: LINDUNG_BIND, 127.0.0.1)"
        )

    def handle(self, *args, **options):
        report = health(options["bind"])
        for problem in report["problems"]:
            if problem.startswith("PERINGATAN"):
                self.stderr.write(self.style.ERROR(problem))
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        if not report["ok"]:
            sys.exit(1)
