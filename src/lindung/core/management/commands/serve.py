"""``lindung serve``: the production web server (gunicorn) plus the background-task worker.

The worker (``lindung worker``) is supervised: when it dies — killed, out of memory, a crash —
it is started again (after 1 s, doubling up to 60 s while it keeps dying at once) and the log
says so. On its start the worker marks the jobs of the dead process failed and puts their
import or adoption back where the user can retry it.
It first applies any pending migrations (``--no-migrate`` to skip), so ``lindung serve`` on a
fresh database is a working, empty install; it then says how to create the first superuser.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from lindung.core import exposure

log = logging.getLogger("lindung.serve")

#: A worker that ran this long before dying is restarted at once (the back-off starts again).
HEALTHY_SECONDS = 60
MAX_BACKOFF = 60.0


class WorkerSupervisor:
    """Starts ``lindung worker`` and starts it again whenever it exits."""

    def __init__(self, command: list[str], env: dict, write=print):
        self.command = command
        self.env = env
        self.write = write
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = 1.0
        self.restart_at: float | None = None
        self.restarts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self) -> None:
        """Call regularly: notices a dead worker and restarts it when its back-off is over."""
        now = time.monotonic()
        if self.process is not None and self.restart_at is None:
            code = self.process.poll()
            if code is None:
                return
            ran = now - self.started_at
            self.backoff = 1.0 if ran >= HEALTHY_SECONDS else min(self.backoff * 2, MAX_BACKOFF)
            self.restart_at = now + (0 if ran >= HEALTHY_SECONDS else self.backoff)
            how = f"sinyal {-code}" if code < 0 else f"kode {code}"
            self.write(
                f"PERINGATAN: pekerja latar (pid {self.process.pid}) berhenti ({how}) setelah "
                f"{ran:.0f} detik; dijalankan ulang"
                + (f" dalam {self.restart_at - now:.0f} detik." if self.restart_at > now else ".")
            )
        if self.restart_at is not None and now >= self.restart_at:
            self.restarts += 1
            self.start()
            self.write(f"Pekerja latar dijalankan ulang (pid {self.process.pid}).")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Command(BaseCommand):
    help = "Jalankan server web (gunicorn) dan pekerja tugas latar (diawasi, dijalankan ulang)."

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
        """On a fresh database (nobody can log in yet) say what to do next: a superuser, then
        the set-up page. A database with users (the demo, a running Pemda) needs no hint."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        if not User.objects.filter(is_active=True).exists():
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

        def say(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        supervisor = None
        if not options["no_worker"]:
            supervisor = WorkerSupervisor(
                [sys.executable, "-m", "lindung", "worker", "--interval", "0.5"], env, say
            )
            supervisor.start()
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
        warning = exposure.exposure_warning(options["bind"])
        if warning:
            line = "!" * 78
            self.stderr.write(self.style.ERROR(f"{line}\n{warning}\n{line}"))
            self.stderr.flush()
        say(f"Lindung berjalan di http://{options['bind']}/  (Ctrl+C untuk berhenti)")
        server = subprocess.Popen(gunicorn, env=env)
        stopping = {"now": False}

        def stop(*_):
            stopping["now"] = True
            server.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while server.poll() is None:
                if supervisor is not None and not stopping["now"]:
                    supervisor.check()
                time.sleep(0.5)
            code = server.returncode
        except KeyboardInterrupt:
            server.terminate()
            code = server.wait()
        finally:
            if supervisor is not None:
                supervisor.stop()
        sys.exit(code)
