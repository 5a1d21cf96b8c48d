"""The set-up steps of a new programme that this app can judge (the others are registered by
``registry`` and ``coverage``): shown to the Admin on the programme's home page until done."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Membership, Role


def _profile_done(programme) -> bool:
    return bool(programme.dinas_name and programme.head_name and programme.bpjs_branch)


def _umk_done(programme) -> bool:
    from .queries import umk_for

    return umk_for(programme, timezone.localdate().year) is not None


def _users_done(programme) -> bool:
    roles = set(Membership.objects.filter(programme=programme).values_list("role", flat=True))
    return {Role.ADMIN, Role.OPERATOR} <= roles


#: (order, label, url name, done(programme), help)
STEPS = [
    (
        10,
        gettext_lazy("Lengkapi data dinas dan penanda tangan surat"),
        "programme_settings",
        _profile_done,
        gettext_lazy("Nama dinas, kepala dinas dan NIP dicetak di tagihan dan berita acara."),
    ),
    (
        20,
        gettext_lazy("Catat UMK tahun berjalan dengan dasar hukumnya"),
        "parameters",
        _umk_done,
        gettext_lazy("UMK dipakai sebagai dasar iuran non-ASN (PU)."),
    ),
    (
        60,
        gettext_lazy("Buat pengguna untuk setiap peran"),
        "members",
        _users_done,
        gettext_lazy("Paling sedikit seorang Operator untuk impor, tagihan dan klaim."),
    ),
]
