"""``lindung plan --programme CODE --scenario FILE.json --format json|xlsx|pdf [--out F] [--save]``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lindung.core.cli import actor_for, emit
from lindung.programmes.models import Programme
from lindung.programmes.services import log_access

from ... import render, services
from ...engine import ScenarioError


class Command(BaseCommand):
    help = "Hitung skenario perluasan dari berkas JSON (hasil JSON, xlsx atau PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True)
        parser.add_argument("--scenario", required=True, help="berkas JSON skenario")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--out", default=None)
        parser.add_argument(
            "--save", action="store_true", help="simpan skenario (tampil di layar Perencanaan)"
        )

    def handle(self, *args, **o):
        programme = Programme.objects.filter(code=o["programme"]).first()
        if programme is None:
            raise CommandError(f"Program '{o['programme']}' tidak ditemukan.")
        try:
            with open(o["scenario"], encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Berkas skenario tidak dapat dibuka: {exc}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"Berkas skenario bukan JSON yang sah: {exc}") from None
        try:
            with transaction.atomic():
                stored = services.create_scenario(
                    actor=actor_for(None), programme=programme, data=data
                )
                body = self._render(stored, o["format"])
                if not o["save"]:
                    transaction.set_rollback(True)
        except ScenarioError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        log_access(
            user=None,
            programme=programme,
            action="export",
            object_type="planning.scenario",
            detail=f"lindung plan {o['format']}",
            channel="cli",
        )
        emit(self, body, o["format"], o["out"], "Hasil")

    @staticmethod
    def _render(stored, fmt: str) -> bytes:
        if fmt == "pdf":
            return render.scenario_pdf(stored)
        if fmt == "xlsx":
            return render.compare_xlsx([stored], selected=True)
        return render.to_json(stored).encode()
