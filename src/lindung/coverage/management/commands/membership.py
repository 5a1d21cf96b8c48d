"""``lindung membership [--programme CODE] [--fix] [--user USERNAME]``.

Checks that every participant's registry status agrees with its enrolment periods (enrolment is
the membership, see :mod:`lindung.coverage.consistency`) and prints a JSON report::

    {"checked": 17484, "disagreements": [], "fixed": false,
     "resolved_by_migration": [{"participant": 12, "at": "…", "what": "…"}]}

``resolved_by_migration`` lists what the data migration ``coverage.0002`` changed when the
database was upgraded (kept in the history). ``--fix`` resolves what is found now by the same
rules, as the user named by ``--user`` (or the system actor of the command line). Exit status 1
when disagreements remain.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from lindung.core import changes
from lindung.core.cli import actor_for
from lindung.core.errors import cli_refusals
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry.models import Participant

from ... import consistency
from ...models import Enrolment


def resolved_by_migration(programme_id: int | None) -> list[dict]:
    """What the data migration changed (history rows with its reason)."""
    out = []
    for model in (Enrolment, Participant):
        rows = model.history.filter(history_change_reason=consistency.REASON_LABEL)
        if programme_id is not None:
            rows = rows.filter(programme_id=programme_id)
        for row in rows.order_by("history_date", "history_id"):
            pid = row.participant_id if model is Enrolment else row.id
            what = (
                f"periode #{row.id}: {row.start_date}–{row.end_date or '…'} {row.end_reason}"
                if model is Enrolment
                else f"status {row.status}, berakhir {row.end_date or '–'}"
            )
            kind = {"+": "dibuat", "~": "diubah", "-": "dihapus"}[row.history_type]
            out.append(
                {"participant": pid, "at": row.history_date.isoformat(), "what": f"{kind}: {what}"}
            )
    return out


class Command(BaseCommand):
    help = "Periksa kesesuaian status peserta dengan periode kepesertaannya (laporan JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", "--program", help="kode program (bawaan: semua)")
        parser.add_argument("--fix", action="store_true", help="selesaikan yang ditemukan")
        parser.add_argument("--user", help="nama pengguna yang menyelesaikan (Operator/Admin)")

    def handle(self, *args, **opts):
        programme = None
        if opts.get("programme"):
            programme = Programme.objects.filter(code=opts["programme"]).first()
            if programme is None:
                raise CommandError(f"Program '{opts['programme']}' tidak ditemukan.")
        pid = programme.pk if programme else None
        actor = actor_for(opts.get("user"))
        members, periods = consistency.read(consistency.live_models(actor), pid)
        findings = consistency.analyse(members, periods)
        fixed = False
        if findings and opts["fix"]:
            with cli_refusals(), transaction.atomic():
                for programme_id in sorted({f.programme_id for f in findings}):
                    authorize(actor, "participant.edit", Programme.objects.get(pk=programme_id))
                consistency.apply(
                    consistency.live_models(actor), findings, actor.pk, timezone.now()
                )
                for programme_id in sorted({f.programme_id for f in findings}):
                    changes.record_programme(programme_id)
            fixed = True
        report = {
            "checked": len(members),
            "disagreements": [
                {"participant": f.participant_id, "found": f.problem, "resolution": f.action}
                for f in findings
            ],
            "fixed": fixed,
            "resolved_by_migration": resolved_by_migration(pid),
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if findings and not fixed:
            sys.exit(1)
