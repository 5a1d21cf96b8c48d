"""The one authorization path: :func:`authorize`, used by every service, view, API endpoint
and command.

A user acts in a programme through exactly one :class:`~lindung.programmes.models.Role`.
An *action* is a short string (``"participant.import"``); :data:`PERMISSIONS` says which roles
may perform it. A user with no role in a programme sees nothing of it: lookups answer "not found"
rather than "forbidden", so the existence of other programmes does not leak.

It fails closed: no actor (``None``, an anonymous user), an inactive account or a role that does
not hold the action is refused with :class:`~lindung.core.errors.AccessDenied` (one error type,
Indonesian message). A named system actor (:mod:`lindung.core.actors`: the demo builder, the
command line without ``--user``, scheduled jobs) may do everything and is recorded in the
history by name.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_noop

from lindung.core.actors import is_system
from lindung.core.errors import AccessDenied

from .models import Membership, Programme, Role

A, OP, V, P, AU, CSR = (
    Role.ADMIN,
    Role.OPERATOR,
    Role.VERIFIKATOR,
    Role.PIMPINAN,
    Role.AUDITOR,
    Role.MITRA_CSR,
)
ALL = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "programme.view": ALL,
    "job.view": ALL,
    "audit.view": frozenset({A, AU}),
    "members.manage": frozenset({A}),
    "programme.edit": frozenset({A}),
    "parameters.view": frozenset({A, OP, V, P, AU}),
    "parameters.edit": frozenset({A}),
    "benefit.quote": frozenset({A, OP, V, P, AU}),
    "participant.view": ALL,
    "participant.edit": frozenset({A, OP}),
    "participant.import": frozenset({A, OP}),
    "participant.export": frozenset({A, OP, AU}),
    "nik.full": frozenset({A, OP, V}),
    "subject.export": frozenset({A}),
    "billing.view": ALL,
    "billing.run": frozenset({A, OP}),
    "payment.record": frozenset({A, OP}),
    "reconcile.edit": frozenset({A, OP}),
    "funder.edit": frozenset({A}),
    "claim.view": frozenset({A, OP, V, P, AU}),
    "claim.edit": frozenset({A, OP}),
    "claim.verify": frozenset({A, V}),
    "scholarship.verify": frozenset({A, V}),
    "handover.edit": frozenset({A, OP}),
    "report.view": frozenset({A, P, AU}),
    "plan.view": frozenset({A, P, AU}),
    "plan.edit": frozenset({A, P}),
    "plan.adopt": frozenset({A}),
    "api.token": ALL,
}

#: Each action in words, for a refusal that says what the user may not do.
ACTION_WORDS: dict[str, str] = {
    "programme.view": gettext_noop("membuka program ini"),
    "job.view": gettext_noop("melihat kemajuan pekerjaan"),
    "audit.view": gettext_noop("melihat jejak audit dan log akses"),
    "subject.export": gettext_noop(
        "mengekspor seluruh data pribadi seorang peserta (hak subjek data)"
    ),
    "members.manage": gettext_noop("mengelola pengguna dan peran"),
    "programme.edit": gettext_noop("mengubah pengaturan program"),
    "parameters.view": gettext_noop("melihat parameter"),
    "parameters.edit": gettext_noop("mengubah parameter"),
    "benefit.quote": gettext_noop("memakai kalkulator manfaat"),
    "participant.view": gettext_noop("melihat data peserta"),
    "participant.edit": gettext_noop("mengubah data peserta"),
    "participant.import": gettext_noop("mengimpor data peserta"),
    "participant.export": gettext_noop("mengunduh data peserta"),
    "nik.full": gettext_noop("melihat NIK lengkap"),
    "billing.view": gettext_noop("melihat tagihan iuran"),
    "billing.run": gettext_noop("membuat tagihan iuran"),
    "payment.record": gettext_noop("mencatat pembayaran iuran"),
    "reconcile.edit": gettext_noop("mencocokkan tagihan dengan BPJS"),
    "funder.edit": gettext_noop("mengubah penyandang dana"),
    "claim.view": gettext_noop("melihat klaim"),
    "claim.edit": gettext_noop("mencatat atau mengubah klaim"),
    "claim.verify": gettext_noop("memverifikasi atau menyetujui klaim"),
    "scholarship.verify": gettext_noop("memverifikasi beasiswa"),
    "handover.edit": gettext_noop("mencatat penyerahan santunan"),
    "report.view": gettext_noop("melihat dasbor dan laporan"),
    "plan.view": gettext_noop("melihat perencanaan"),
    "plan.edit": gettext_noop("menyusun skenario perencanaan"),
    "plan.adopt": gettext_noop("menerapkan skenario perencanaan"),
    "api.token": gettext_noop("membuat token API"),
}

DENIED_MESSAGE = "Peran Anda di program ini tidak mengizinkan tindakan ini."
NO_ACTOR_MESSAGE = (
    "Tidak ada pengguna yang bertindak: tindakan ini harus dilakukan oleh pengguna yang masuk "
    "atau oleh aktor sistem yang bernama."
)

__all__ = ["AccessDenied", "PERMISSIONS", "authorize", "can", "denied", "programme_for", "role_of"]


def denied(action: str, role: Role | None, what: str = "") -> AccessDenied:
    """The refusal of ``action`` for a user with ``role`` (``what``: the action in words, e.g.
    "mencatat klaim", for a sentence instead of the action's code)."""
    with translation.override("id"):
        role_label = str(Role(role).label) if role else "tanpa peran"
    what = what or ACTION_WORDS.get(action, "")
    if what:
        message = f"Peran Anda ({role_label}) tidak mengizinkan {what}."
    else:
        message = f"{DENIED_MESSAGE} (tindakan: {action}; peran: {role_label})"
    with translation.override("en"):  # the same sentence for English pages and the API
        role_en = str(Role(role).label) if role else "no role"
        what_en = translation.gettext(what) if what else ""
    message_en = (
        f"Your role ({role_en}) does not allow {what_en}."
        if what_en and what_en != what
        else f"Your role ({role_en}) does not allow this."
    )
    return AccessDenied(message, message_en, action=action, role=role)


def role_of(user, programme: Programme) -> Role | None:
    """The user's role in the programme, or ``None``. Cached per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if _token_programme(user) not in (None, programme.pk):
        return None  # an API token acts in its own programme only
    cache = user.__dict__.setdefault("_lindung_roles", {})
    if programme.pk not in cache:
        role = (
            Membership.objects.filter(user=user, programme=programme)
            .values_list("role", flat=True)
            .first()
        )
        cache[programme.pk] = Role(role) if role else None
    return cache[programme.pk]


def can(user, programme: Programme, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"Unknown action {action!r}")
    role = role_of(user, programme)
    return role is not None and role in PERMISSIONS[action]


def authorize(actor, action: str, programme: Programme, what: str = "") -> Role | None:
    """Allow ``actor`` to perform ``action`` in ``programme`` or raise :class:`AccessDenied`.

    Returns the actor's role (``None`` for a system actor, who may do everything)."""
    if action not in PERMISSIONS:
        raise KeyError(f"Unknown action {action!r}")
    if actor is None or not getattr(actor, "pk", None):
        raise AccessDenied(NO_ACTOR_MESSAGE, "No actor: refused.", action=action)
    if is_system(actor):
        return None
    role = role_of(actor, programme)
    if role is None or role not in PERMISSIONS[action]:
        raise denied(action, role, what)
    return role


def _token_programme(user) -> int | None:
    """The programme an API token restricts this request's user to (see ``tokens``)."""
    return getattr(user, "_lindung_token_programme_id", None)


def require(user, programme: Programme, action: str) -> Role | None:
    """:func:`authorize` with the arguments in the older order (kept for callers elsewhere)."""
    return authorize(user, action, programme)


def visible_programmes(user) -> QuerySet[Programme]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Programme.objects.none()
    qs = Programme.objects.filter(memberships__user=user).distinct()
    if _token_programme(user) is not None:
        qs = qs.filter(pk=_token_programme(user))
    return qs


def programme_for(user, code: str, action: str = "programme.view") -> Programme:
    """Look up a programme by code for a user; unknown *or foreign* programmes are a 404."""
    programme = visible_programmes(user).filter(code=code).first()
    if programme is None:
        raise Http404("Program tidak ditemukan.")
    authorize(user, action, programme)
    return programme


def allowed_actions(user, programme: Programme) -> set[str]:
    role = role_of(user, programme)
    if role is None:
        return set()
    return {action for action, roles in PERMISSIONS.items() if role in roles}
