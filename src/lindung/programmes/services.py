"""Write use cases for tenancy: programmes, memberships, the access log.

Each function is one transaction and raises typed errors; views, API and CLI call these.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from lindung.core.actors import is_system
from lindung.core.errors import AccessDenied, DomainError

from .models import AccessLog, Membership, Programme, Role
from .permissions import authorize


class ProgrammeError(DomainError):
    """A refused tenancy change, with an Indonesian message."""


def _with_actor(obj, actor):
    if actor is not None and getattr(actor, "pk", None):
        obj._history_user = actor
    return obj


@transaction.atomic
def create_programme(*, actor, code: str, **fields) -> Programme:
    """A new programme: by a system actor (set-up, demo) or a superuser."""
    if not (is_system(actor) or getattr(actor, "is_superuser", False) and actor.is_active):
        raise AccessDenied(
            "Program baru hanya dapat dibuat oleh administrator sistem.",
            "Only a system administrator may create a programme.",
            action="programme.create",
        )
    if Programme.objects.filter(code=code).exists():
        raise ProgrammeError(f"Kode program '{code}' sudah dipakai.")
    programme = _with_actor(Programme(code=code, **fields), actor)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def update_programme(*, actor, programme: Programme, **fields) -> Programme:
    authorize(actor, "programme.edit", programme)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    _with_actor(programme, actor).save()
    return programme


@transaction.atomic
def set_membership(*, actor, programme: Programme, user, role: Role | str) -> Membership:
    """Give ``user`` the ``role`` in ``programme`` (replacing a previous role): by the
    programme's Admin or a system actor (set-up, demo)."""
    authorize(actor, "members.manage", programme)
    role = Role(role)
    membership = Membership.objects.filter(user=user, programme=programme).first()
    if membership is None:
        membership = Membership(user=user, programme=programme, role=role)
    elif membership.role == role:
        return membership
    membership.role = role
    _with_actor(membership, actor).save()
    user.__dict__.pop("_lindung_roles", None)
    return membership


@transaction.atomic
def remove_membership(*, actor, programme: Programme, user) -> None:
    authorize(actor, "members.manage", programme)
    for membership in Membership.objects.filter(user=user, programme=programme):
        _with_actor(membership, actor).delete()
    user.__dict__.pop("_lindung_roles", None)


def ensure_user(
    username: str,
    password: str,
    *,
    email: str = "",
    first_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """Create a user if missing (idempotent; an existing password is left alone)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        user.set_password(password)
        user.save()
    return user


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    *,
    user,
    programme: Programme | None,
    action: str,
    object_type: str,
    object_id: str = "",
    detail: str = "",
    channel: str = "web",
    request=None,
) -> AccessLog:
    """Record a read or export of personal data (UU PDP 27/2022)."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        programme=programme,
        action=AccessLog.Action(action),
        object_type=object_type,
        object_id=str(object_id),
        detail=detail[:500],
        channel=channel,
        ip_address=client_ip(request),
    )
