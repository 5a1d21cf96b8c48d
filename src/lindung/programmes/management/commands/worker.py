"""``lindung worker``: the background-task worker (django-tasks' database worker) with job
recovery and a heartbeat.

On start, jobs whose worker is gone (a process killed with ``-9``, out of memory, a machine
restart) are marked failed with an Indonesian message and their import batch or scenario
adoption is put back where the user can retry or discard it
(:func:`lindung.programmes.jobs.recover_abandoned`). While it runs, a heartbeat says its jobs are
alive and looks for other workers' abandoned jobs. ``lindung serve`` runs this command and
restarts it when it dies.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from lindung.programmes import jobs


class Command(BaseCommand):
    help = "Jalankan pekerja tugas latar (dengan pemulihan pekerjaan yang terputus)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="Kerjakan antrean lalu berhenti.")

    def handle(self, *args, **options):
        me = jobs.become_worker()
        self.stdout.write(f"Pekerja latar {me} siap.")
        jobs.start_heartbeat()
        extra = ["--batch"] if options["batch"] else []
        call_command(
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            str(options["interval"]),
            "--worker-id",
            me.replace(":", "-")[:64],
            *extra,
            verbosity=options["verbosity"],
        )
