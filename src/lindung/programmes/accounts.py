"""Write use cases for a programme's users, for its Admin: create, reset a password, change a
role, deactivate. No programme task needs Django's ``/admin/`` (which is for superusers only).

Rules (each refused with an Indonesian message, :class:`~lindung.programmes.services.ProgrammeError`):

- an Admin manages the users of their own programme only: a user who is not a member is "not
  found"; a user who also belongs to a programme the Admin does not administer may get another
  role here, but their login (password, name, active) is not the Admin's to change;
- nobody becomes superuser or staff here, and a superuser's or staff user's login is managed by
  a superuser only;
- an Admin does not lock themselves out (no self-deactivation) nor leave the programme without
  an Admin (see :func:`~lindung.programmes.services.set_membership`);
- a new user and a reset password get a **temporary password** shown once to the Admin; the
  user must choose their own at the next login (:mod:`lindung.programmes.middleware`).

Every change is in the audit trail: the user's own history (``auth.user``), the account's
(``programmes.account``: temporary password issued, changed) and the membership's.
"""

from __future__ import annotations

import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .models import Account, Membership, Programme, Role
from .permissions import require
from .services import ProgrammeError, _with_actor, remove_membership, set_membership

#: No look-alike characters (0/O, 1/l/I): the Admin reads it out or writes it down.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


def temporary_password() -> str:
    """``"k7mq-x2pd-9frw"``: 12 random characters (≈ 59 bits), grouped for reading aloud."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def member_of(programme: Programme, user_id) -> Membership:
    """The membership of a user in the programme; a user of another programme is "not found"."""
    membership = (
        Membership.objects.filter(programme=programme, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ProgrammeError(
            "Pengguna tidak ditemukan di program ini.",
            message_en="The user was not found in this programme.",
        )
    return membership


def login_refusal(actor, programme: Programme, user) -> ProgrammeError | None:
    """Why ``actor`` may not change ``user``'s login (password, name, active), or ``None``."""
    if user.is_superuser or user.is_staff:
        return ProgrammeError(
            "Akun administrator sistem hanya dapat diubah oleh administrator sistem.",
            message_en="A system administrator's account can only be changed by a system "
            "administrator.",
        )
    elsewhere = Membership.objects.filter(user=user).exclude(programme=programme)
    for membership in elsewhere.select_related("programme"):
        if not Membership.objects.filter(
            user=actor, programme=membership.programme, role=Role.ADMIN
        ).exists():
            return ProgrammeError(
                "Pengguna ini juga terdaftar di program lain; akunnya (kata sandi, nama, "
                "status aktif) hanya dapat diubah administrator sistem. Anda tetap dapat "
                "mengubah atau mencabut perannya di program ini.",
                message_en="This user is also registered in another programme; their account "
                "(password, name, active status) can only be changed by a system "
                "administrator. You can still change or revoke their role in this programme.",
            )
    return None


def manages_login(actor, programme: Programme, user) -> str | None:
    """Why ``actor`` may not change ``user``'s login, in the page's language, or ``None``."""
    refusal = login_refusal(actor, programme, user)
    return refusal.in_language() if refusal else None


def _require_login_manager(actor, programme: Programme, user) -> None:
    require(actor, programme, "members.manage")
    member_of(programme, user.pk)
    refusal = login_refusal(actor, programme, user)
    if refusal:
        raise refusal


def _account(user) -> Account:
    account, _created = Account.objects.get_or_create(user=user)
    return account


def _issue_temporary_password(user, actor, reason: str) -> str:
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    account = _account(user)
    account.must_change_password = True
    account.password_reset_at = timezone.now()
    account._change_reason = reason
    _with_actor(account, actor).save()
    return password


def _clean_identity(full_name: str, email: str) -> tuple[str, str]:
    full_name = (full_name or "").strip()
    email = (email or "").strip()
    if not full_name:
        raise ProgrammeError(
            "Nama lengkap wajib diisi.", "full_name", message_en="The full name is required."
        )
    if len(full_name) > 150:
        raise ProgrammeError(
            "Nama lengkap paling panjang 150 karakter.",
            "full_name",
            message_en="The full name may be at most 150 characters.",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ProgrammeError(
                f"Alamat surel '{email}' tidak sah (mis. nama@dinas.go.id).",
                "email",
                message_en=f"Email address '{email}' is not valid (e.g. nama@dinas.go.id).",
            ) from exc
    return full_name, email


@transaction.atomic
def create_user(
    *,
    actor,
    programme: Programme,
    username: str,
    full_name: str,
    role: Role | str,
    email: str = "",
    scope=(),
):
    """Create a login with a role in ``programme``; returns ``(user, temporary password)``."""
    require(actor, programme, "members.manage")
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise ProgrammeError(
            "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda "
            "hubung, diawali huruf atau angka (mis. budi.santoso).",
            "username",
            message_en="A username has 3–40 characters: lower-case letters, digits, dots, "
            "underscores or hyphens, starting with a letter or a digit (e.g. budi.santoso).",
        )
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ProgrammeError(
            f"Nama pengguna '{username}' sudah dipakai; pilih nama lain.",
            "username",
            message_en=f"Username '{username}' is already taken; choose another.",
        )
    full_name, email = _clean_identity(full_name, email)
    try:
        role = Role(role)
    except ValueError as exc:
        raise ProgrammeError(
            "Pilih peran pengguna.", "role", message_en="Choose the user's role."
        ) from exc
    user = User(username=username, first_name=full_name, email=email)
    user.set_unusable_password()
    _with_actor(user, actor).save()
    Account.objects.create(user=user, created_by=actor)
    set_membership(actor=actor, programme=programme, user=user, role=role, scope=scope)
    password = _issue_temporary_password(user, actor, "Pengguna dibuat dengan kata sandi sementara")
    return user, password


@transaction.atomic
def reset_password(*, actor, programme: Programme, user) -> str:
    """Give ``user`` a new temporary password (to be changed at the next login); returns it.

    The old password stops working at once and the user's open sessions end (Django checks
    the password hash on every request)."""
    _require_login_manager(actor, programme, user)
    return _issue_temporary_password(user, actor, "Kata sandi direset oleh Admin")


@transaction.atomic
def update_user(*, actor, programme: Programme, user, full_name: str, email: str = ""):
    _require_login_manager(actor, programme, user)
    full_name, email = _clean_identity(full_name, email)
    if (user.first_name, user.last_name, user.email) != (full_name, "", email):
        user.first_name, user.last_name, user.email = full_name, "", email
        _with_actor(user, actor).save()
    return user


@transaction.atomic
def set_active(*, actor, programme: Programme, user, active: bool):
    """Deactivate (or reactivate) a login: a deactivated user cannot log in; nothing is deleted,
    the history and the roles stay."""
    _require_login_manager(actor, programme, user)
    if not active and user.pk == actor.pk:
        raise ProgrammeError(
            "Anda tidak dapat menonaktifkan akun Anda sendiri.",
            message_en="You cannot deactivate your own account.",
        )
    if user.is_active != active:
        user.is_active = active
        user._change_reason = "Diaktifkan kembali" if active else "Dinonaktifkan"
        _with_actor(user, actor).save()
    return user


@transaction.atomic
def change_role(*, actor, programme: Programme, user, role: Role | str, scope=()):
    """Give a member another role (and, for a Mitra CSR, its funders)."""
    member_of(programme, user.pk)
    try:
        role = Role(role)
    except ValueError as exc:
        raise ProgrammeError(
            "Pilih peran pengguna.", "role", message_en="Choose the user's role."
        ) from exc
    return set_membership(actor=actor, programme=programme, user=user, role=role, scope=scope)


@transaction.atomic
def remove_role(*, actor, programme: Programme, user) -> None:
    """Take a member's role in the programme away; the login stays (and other programmes')."""
    member_of(programme, user.pk)
    remove_membership(actor=actor, programme=programme, user=user)


def must_change_password(user) -> bool:
    return Account.objects.filter(user=user, must_change_password=True).exists()


@transaction.atomic
def password_changed(user) -> None:
    """The user chose their own password: the temporary one is gone."""
    account = _account(user)
    account.must_change_password = False
    account.password_changed_at = timezone.now()
    account._change_reason = "Kata sandi diganti oleh pengguna"
    _with_actor(account, user).save()
