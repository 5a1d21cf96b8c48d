"""``lindung subject --programme CODE --nik NIK [--format json|xlsx] [--out FILE]``: everything
Lindung holds on one person, for a data subject's access request (UU PDP 27/2022, Art. 7).

Prints the JSON (or writes the file given by ``--out``; xlsx needs ``--out``). The read is in the
access log (channel ``cli``). A NIK not in the programme: a JSON ``error``, exit status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import system_actor
from lindung.programmes.models import Programme
from lindung.programmes.services import log_access
from lindung.registry import subject
from lindung.registry.models import Participant


class Command(BaseCommand):
    help = "Semua data satu orang (permintaan subjek data, UU PDP)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True)
        parser.add_argument("--nik", required=True)
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--out", default="")

    def handle(self, *args, programme, nik, format, out, **options):  # noqa: A002
        found = Programme.objects.filter(code=programme).first()
        if found is None:
            raise CommandError(f"Program tidak ditemukan: {programme!r}.")
        digits = "".join(ch for ch in nik if ch.isdigit())
        participant = (
            Participant.objects.filter(programme=found, person__nik=digits)
            .select_related("person", "programme")
            .first()
        )
        if participant is None:
            error = {"field": "nik", "message_id": f"NIK {digits} tidak ada di program ini."}
            self.stdout.write(json.dumps({"error": error}, ensure_ascii=False))
            sys.exit(1)
        if format == "xlsx" and not out:
            raise CommandError("Format xlsx perlu --out BERKAS.")
        data = subject.subject_data(participant)
        log_access(
            user=system_actor("cli"),
            programme=found,
            action="export",
            object_type="registry.person",
            object_id=participant.person_id,
            detail=f"ekspor data subjek (UU PDP) {format}: peserta {participant.pk}",
            channel="cli",
        )
        body = subject.subject_json(data) if format == "json" else subject.subject_xlsx(data)
        if out:
            Path(out).write_bytes(body)
            self.stdout.write(json.dumps({"out": out, "sections": len(data["bagian"])}))
        else:
            self.stdout.write(body.decode())
