"""``lindung demo``: migrate, build the demo programme and its users, and serve."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from lindung.demo.build import DEMO_PASSWORD, DEMO_USERS, build


class Command(BaseCommand):
    help = "Siapkan basis data, program demo 'Pro JKK-JKM Kota Madiun' dan penggunanya, lalu jalankan server."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Hanya bangun data demo.")
        parser.add_argument("--bind", default=None)

    def handle(self, *args, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        programme = build(say=lambda m: self.stdout.write("  " + m))
        self.stdout.write(
            f"Program demo '{programme.name}' (kode {programme.code}) siap "
            f"dalam {time.monotonic() - started:.1f} detik."
        )
        self.stdout.write(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):")
        for username, full_name, role in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role.label:<12} {full_name}")
        if not options["no_serve"]:
            serve_args = ["serve", "--no-migrate"]
            if options["bind"]:
                serve_args += ["--bind", options["bind"]]
            call_command(*serve_args)
