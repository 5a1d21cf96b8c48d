"""``lindung claims export --programme CODE --format json|xlsx [--out FILE]`` and
``lindung claims open-due --programme CODE [--on YYYY-MM-DD]``.

``export`` lists every claim of the programme with ``type``, ``state``, ``event_date``,
``participant_nik``, ``entitlement`` (``lines``, ``cash_total``, ``scholarship_commitment``;
frozen at approval), ``bpjs_decided``, ``bpjs_paid`` and its ``handover`` (``date``, ``amount``)
or ``null``::

    {"programme": "kota-madiun", "generated_at": "…", "count": 144, "claims": [
      {"number": "KLM/2025/00001", "type": "jkm_death", "state": "paid",
       "event_date": "2025-03-02", "participant_nik": "3577…", "entitlement": {"frozen": true,
       "lines": [{"code": …, "label": …, "amount": …, "basis": …, "formula": …}],
       "cash_total": 42000000, "scholarship_commitment": 87000000, …},
       "bpjs_decided": 42000000, "bpjs_paid": 42000000,
       "handover": {"date": "2025-04-10", "amount": 42000000, …}}, …]}

JSON goes to standard output unless ``--out`` names a file; ``xlsx`` needs ``--out``. The export
is recorded in the personal-data access log (channel ``cli``).

``open-due`` opens every scholarship instalment due on or before the date (default today), for
a daily or monthly cron job; it prints ``{"programme": …, "opened": N}``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.claims import exports, services
from lindung.core.cli import actor_for
from lindung.core.errors import cli_refusals
from lindung.programmes.models import Programme
from lindung.programmes.services import log_access


class Command(BaseCommand):
    help = "Klaim: ekspor semua klaim (JSON/XLSX) atau buka angsuran beasiswa yang jatuh tempo."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="ekspor semua klaim satu program")
        export.add_argument("--programme", "--program", required=True, help="kode program")
        export.add_argument("--format", choices=["json", "xlsx"], default="json")
        export.add_argument("--out", help="berkas tujuan (wajib untuk xlsx)")
        due = sub.add_parser("open-due", help="buka angsuran beasiswa yang jatuh tempo")
        due.add_argument("--programme", "--program", required=True, help="kode program")
        due.add_argument("--on", help="tanggal acuan TTTT-BB-HH (bawaan: hari ini)")
        due.add_argument("--user", help="nama pengguna yang menjalankan")

    def _programme(self, code: str) -> Programme:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            raise CommandError(f"Program '{code}' tidak ditemukan.")
        return programme

    def handle(self, *args, **opts):
        programme = self._programme(opts["programme"])
        if opts["action"] == "export":
            return self.export(programme, opts)
        return self.open_due(programme, opts)

    def export(self, programme: Programme, opts) -> None:
        fmt, out = opts["format"], opts.get("out")
        if fmt == "xlsx" and not out:
            raise CommandError("Format xlsx perlu --out BERKAS.xlsx.")
        if fmt == "json":
            data = exports.to_json(programme).encode()
        else:
            data = exports.to_xlsx(programme)
        log_access(
            user=None,
            programme=programme,
            action="export",
            object_type="claims.claim",
            detail=f"lindung claims export --format {fmt}" + (f" --out {out}" if out else ""),
            channel="cli",
        )
        if out:
            Path(out).write_bytes(data)
            sys.stderr.write(f"Ekspor klaim ditulis ke {out} ({len(data)} bita).\n")
        else:
            self.stdout.write(data.decode())

    def open_due(self, programme: Programme, opts) -> None:
        actor = actor_for(opts.get("user"))
        try:
            on = date.fromisoformat(opts["on"]) if opts.get("on") else None
        except ValueError as exc:
            raise CommandError("Tanggal ditulis TTTT-BB-HH.") from exc
        with cli_refusals():
            n = services.open_due_instalments(programme, on, actor=actor)
        self.stdout.write(json.dumps({"programme": programme.code, "opened": n}))
