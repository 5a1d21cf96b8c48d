"""``lindung import participants FILE --programme CODE [--mapping MAPPING.json] [--set F=V …]
[--save-mapping] [--commit] [--user USERNAME]``.

Validates (and with ``--commit`` writes) a participant list, or a family list with
``lindung import family FILE …``, and prints a JSON summary::

    {"rows": 50000, "created": 47000, "updated": 0, "unchanged": 0, "rejected": 3000,
     "warned": 120, "copies": 2, "errors_file": "/…/ditolak.xlsx", …}

The columns are mapped as on the import page: the programme's saved mapping, then the automatic
guess; ``--mapping`` gives a JSON mapping (``{"columns": {"Tempat/Tgl Lahir":
"tempat_tanggal_lahir", "Keterangan": ""}, "set": {"segmen": "BPU"}}``) and ``--set segmen=BPU``
one value for the whole file. Without ``--commit`` the counts say what a commit *would* do. The
exit status is non-zero only when the file cannot be read (2) or the command is used wrongly
(1); rejected rows are data, not failure — they are in ``errors_file``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.cli import actor_for
from lindung.core.errors import cli_refusals
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry import services
from lindung.registry.mapping import Mapping, MappingError


class Command(BaseCommand):
    help = "Impor daftar peserta atau anggota keluarga dari .xlsx/.csv (JSON ringkasan)."

    def add_arguments(self, parser):
        parser.add_argument(
            "what", choices=["participants", "family", "candidates", "peserta", "keluarga", "calon"]
        )
        parser.add_argument("file")
        parser.add_argument("--programme", "--program", required=True, help="kode program")
        parser.add_argument(
            "--commit", action="store_true", help="simpan (tanpa ini: periksa saja)"
        )
        parser.add_argument(
            "--user", help="nama pengguna yang mengimpor (harus berperan Operator/Admin)"
        )
        parser.add_argument("--quiet", action="store_true", help="tanpa bilah kemajuan")
        parser.add_argument(
            "--mapping", help='berkas JSON pemetaan kolom: {"columns": {…}, "set": {…}}'
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KOLOM=NILAI",
            help="satu nilai untuk seluruh berkas, mis. segmen=BPU (boleh berulang)",
        )
        parser.add_argument(
            "--save-mapping",
            action="store_true",
            help="simpan pemetaan ini sebagai pemetaan program untuk berkas berikutnya",
        )

    def handle(self, *args, **opts):
        kind = {"peserta": "participants", "keluarga": "family", "calon": "candidates"}.get(
            opts["what"], opts["what"]
        )
        programme = Programme.objects.filter(code=opts["programme"]).first()
        if programme is None:
            raise CommandError(f"Program '{opts['programme']}' tidak ditemukan.")
        actor = actor_for(opts.get("user"))
        with cli_refusals():
            authorize(actor, "participant.import", programme)
        path = Path(opts["file"])
        show = not opts["quiet"] and sys.stderr.isatty()
        try:
            mapping = Mapping.load(opts["mapping"]) if opts.get("mapping") else Mapping()
            for item in opts.get("set") or []:
                name, sep, value = item.partition("=")
                if not sep or not name.strip():
                    raise MappingError(f"--set '{item}': tulis KOLOM=NILAI, mis. segmen=BPU.")
                mapping.values[name.strip()] = value.strip()
        except MappingError as exc:
            raise CommandError(str(exc)) from exc

        def progress(percent: int, message: str = "") -> None:
            if show:
                bar = "#" * (percent // 4)
                sys.stderr.write(f"\r[{bar:<25}] {percent:3d} % {message[:60]:<60}")
                sys.stderr.flush()

        with cli_refusals():
            try:
                result = services.run_import(
                    programme=programme,
                    path=path,
                    commit=opts["commit"],
                    actor=actor,
                    kind=kind,
                    progress=progress,
                    mapping=mapping,
                    save_mapping=opts["save_mapping"],
                )
            except services.UnreadableImport as exc:
                if show:
                    sys.stderr.write("\n")
                self.stdout.write(
                    json.dumps({"error": str(exc), "file": str(path)}, ensure_ascii=False)
                )
                sys.exit(2)
        if show:
            sys.stderr.write("\n")
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
