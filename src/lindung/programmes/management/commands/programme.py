"""``lindung programme create|list``: set up a Pemda's programme from the command line.

::

    lindung programme create --region 35.02 --bpjs-branch "BPJS Ketenagakerjaan Cabang Ponorogo" \\
        [--name "Program JKK-JKM Kabupaten Ponorogo"] [--code kab-ponorogo] [--kind kabupaten|kota] \\
        [--pemda-name …] [--place-name …] [--dinas …] [--head-name …] [--head-title …] \\
        [--head-nip …] [--regional-head …] [--handover-place …] [--workforce N] \\
        [--covered-elsewhere N] [--logo FILE] [--admin USERNAME]

prints the programme as JSON (its code, names, kind and wording). Missing names are derived from
the Kemendagri region, like the set-up page; both call
:func:`lindung.programmes.services.create_programme`. ``--admin`` gives an existing user the
Admin role. On a refusal the JSON has ``"error"`` (Indonesian) and ``"field"``, exit status 1.
``lindung programme list`` prints every programme.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lindung.core.actors import system_actor
from lindung.programmes import services
from lindung.programmes.models import Programme
from lindung.programmes.services import ProgrammeError
from lindung.programmes.wording import Kind

#: option -> Programme field
OPTIONS = {
    "name": "name",
    "pemda_name": "pemda_name",
    "place_name": "place_name",
    "kind": "kind",
    "bpjs_branch": "bpjs_branch",
    "dinas": "dinas_name",
    "head_name": "head_name",
    "head_title": "head_title",
    "head_nip": "head_nip",
    "regional_head": "regional_head_name",
    "handover_place": "handover_place",
    "workforce": "workforce",
    "covered_elsewhere": "covered_elsewhere",
}


def describe(programme: Programme) -> dict:
    words = programme.wording
    return {
        "code": programme.code,
        "name": programme.name,
        "pemda_name": programme.pemda_name,
        "region_code": programme.region_code,
        "kind": programme.kind,
        "area": words.area,
        "head": words.head,
        "hall": words.hall_name,
        "bpjs_branch": programme.bpjs_branch,
        "dinas_name": programme.dinas_name,
        "head_name": programme.head_name,
        "handover_place": programme.default_handover_place,
        "logo": programme.has_logo,
        "admins": sorted(
            programme.memberships.filter(role="admin").values_list("user__username", flat=True)
        ),
    }


class Command(BaseCommand):
    help = "Buat atau daftar program (JSON)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="buat program untuk satu kabupaten/kota")
        create.add_argument("--region", required=True, help="kode Kemendagri, mis. 35.02")
        create.add_argument("--code", default="", help="kode program, mis. kab-ponorogo")
        create.add_argument("--name", help="nama program")
        create.add_argument("--kind", choices=Kind.values, help="kabupaten atau kota")
        create.add_argument("--pemda-name", help="mis. Pemerintah Kabupaten Ponorogo")
        create.add_argument("--place-name", help="nama daerah tanpa 'Kabupaten'/'Kota'")
        create.add_argument("--bpjs-branch", required=True, help="kantor cabang BPJS TK")
        create.add_argument("--dinas", help="dinas pengelola")
        create.add_argument("--head-name", help="nama kepala dinas")
        create.add_argument("--head-title", help="jabatan penanda tangan tagihan")
        create.add_argument("--head-nip", help="NIP kepala dinas (18 digit)")
        create.add_argument("--regional-head", help="nama Bupati/Wali Kota")
        create.add_argument("--handover-place", help="tempat penyerahan santunan")
        create.add_argument("--workforce", type=int, help="jumlah angkatan kerja")
        create.add_argument("--covered-elsewhere", type=int, help="peserta BPJS TK di luar program")
        create.add_argument("--logo", help="berkas gambar logo (PNG/JPEG/GIF/WebP)")
        create.add_argument("--admin", help="pengguna yang menjadi Admin program")
        sub.add_parser("list", help="daftar program")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            out = [describe(p) for p in Programme.objects.order_by("code")]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        admin = None
        if opts.get("admin"):
            admin = get_user_model().objects.filter(username=opts["admin"]).first()
            if admin is None:
                raise CommandError(f"Pengguna '{opts['admin']}' tidak ditemukan.")
        logo = None
        if opts.get("logo"):
            path = Path(opts["logo"])
            if not path.is_file():
                raise CommandError(f"Berkas logo '{path}' tidak ditemukan.")
            logo = path.read_bytes()
        fields = {field: opts.get(option) for option, field in OPTIONS.items()}
        try:
            programme = services.create_programme(
                actor=system_actor("cli"),
                region_code=opts["region"],
                code=opts["code"],
                admin=admin,
                logo=logo,
                **fields,
            )
        except ProgrammeError as exc:
            out = {"error": exc.message, "field": exc.field}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            sys.exit(1)
        self.stdout.write(json.dumps(describe(programme), ensure_ascii=False, indent=2))
