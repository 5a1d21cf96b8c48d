"""``lindung serve``: the production web server (gunicorn) plus the background-task worker.

It first applies any pending migrations (``--no-migrate`` to skip), so ``lindung serve`` on a
fresh database is a working, empty install; it then says how to create the first superuser.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Jalankan server web (gunicorn) dan pekerja tugas latar (db_worker)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("LINDUNG_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("LINDUNG_WORKERS", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="Tanpa pekerja tugas latar.")
        parser.add_argument(
            "--no-migrate", action="store_true", help="Jangan terapkan migrasi basis data dulu."
        )

    def first_run_hint(self) -> None:
        """On a fresh database say what to do next (a superuser, then the set-up page)."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        if not User.objects.filter(is_superuser=True, is_active=True).exists():
            self.stdout.write(
                "Belum ada administrator sistem. Buat dengan: lindung createsuperuser "
                "(di folder proyek: .venv/bin/lindung createsuperuser), lalu masuk untuk "
                "menyiapkan program."
            )

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            # A fresh database gets its tables, an upgraded Lindung its new columns.
            call_command("migrate", interactive=False, verbosity=0)
            self.first_run_hint()
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="lindung.settings")
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen(
                [sys.executable, "-m", "lindung", "db_worker", "--no-reload", "--interval", "0.5"],
                env=env,
            )
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "lindung.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            "300",
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"Lindung berjalan di http://{options['bind']}/  (Ctrl+C untuk berhenti)")
        server = subprocess.Popen(gunicorn, env=env)

        def stop(*_):
            server.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            code = server.wait()
        except KeyboardInterrupt:
            server.terminate()
            code = server.wait()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
        sys.exit(code)
