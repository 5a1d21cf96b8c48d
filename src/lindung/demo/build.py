"""The synthetic demo programme "Pro JKK-JKM Kota Madiun", built through the services.

Deterministic and idempotent: a second build changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from lindung.core import exposure
from lindung.core.actors import system_actor
from lindung.programmes.models import Membership, Programme, Role
from lindung.programmes.services import create_programme, ensure_user, set_membership

DEMO_CODE = "kota-madiun"
DEMO_PASSWORD = exposure.DEMO_PASSWORD  # `lindung check` / `serve` warn while it still works

# (username, full name, role)
DEMO_USERS = [
    ("admin", "Admin Program", Role.ADMIN),
    ("operator", "Operator Disnaker", Role.OPERATOR),
    ("verifikator", "Verifikator Program", Role.VERIFIKATOR),
    # a second Verifikator approves what the first verified (four eyes, Programme.four_eyes)
    ("verifikator2", "Verifikator Kedua", Role.VERIFIKATOR),
    ("pimpinan", "Kepala Dinas", Role.PIMPINAN),
    ("auditor", "Auditor Inspektorat", Role.AUDITOR),
    ("mitra", "Mitra CSR", Role.MITRA_CSR),
]

PROGRAMME = {
    "name": "Pro JKK-JKM Kota Madiun",
    "pemda_name": "Pemerintah Kota Madiun",
    "region_code": "35.77",
    "bpjs_branch": "BPJS Ketenagakerjaan Cabang Madiun",
    "agreement_start": date(2025, 1, 1),
    "agreement_end": date(2025, 12, 31),
    # Kota Madiun: 96,093 workers, 51,404 covered (UCJ 53.49 %) [N50][N66]; the programme's
    # 17,484 are part of the covered, so 33,920 are covered outside the programme (assumption).
    "workforce": 96_093,
    "covered_elsewhere": 51_404 - 17_484,
}


@transaction.atomic
def build_foundation() -> Programme:
    builder = system_actor("demo")
    programme = Programme.objects.filter(code=DEMO_CODE).first()
    if programme is None:
        programme = create_programme(actor=builder, code=DEMO_CODE, **PROGRAMME)
    # The demo Admin is the programme's Admin, not a system administrator: everything a
    # programme needs is on its own pages (/admin/ is for superusers only).
    for username, full_name, role in DEMO_USERS:
        user = ensure_user(username, DEMO_PASSWORD, first_name=full_name)
        if not Membership.objects.filter(user=user, programme=programme).exists():
            set_membership(actor=builder, programme=programme, user=user, role=role)
    return programme


def build(say=None) -> Programme:
    from .full import build_candidates, build_full

    programme = build_foundation()
    build_full(programme, say)
    build_candidates(programme, say)
    return programme
