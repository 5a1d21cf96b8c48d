"""Who acts: a user, or a named system actor. Never nobody.

Every write use case takes a required ``actor``. A person acts as their user account; work that
no person starts acts as a *system actor* named here (a user account that cannot log in, marked
by a :class:`~lindung.core.models.SystemActor` row), so that the history says who did it.
Background jobs act as the user who started them (:func:`job_actor`): when that account is gone
or switched off, the job refuses to run instead of running as nobody.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from .errors import AccessDenied

#: The system actors and what each is for (username ``sistem:<name>``).
SYSTEM_ACTORS = {
    "demo": "Pembangun program demo (lindung demo)",
    "cli": "Baris perintah tanpa --user",
    "jadwal": "Pekerjaan terjadwal",
    "migrasi": "Migrasi data",
}
PREFIX = "sistem:"


def system_actor(name: str):
    """The user account of the named system actor (created on first use)."""
    from .models import SystemActor

    if name not in SYSTEM_ACTORS:
        raise KeyError(f"Unknown system actor {name!r}")
    found = SystemActor.objects.select_related("user").filter(name=name).first()
    if found is not None:
        return found.user
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user = user_model(username=f"{PREFIX}{name}", is_active=False)
            user.set_unusable_password()
            user.save()
            SystemActor.objects.create(user=user, name=name, description=SYSTEM_ACTORS[name])
    except IntegrityError:
        # Created at the same moment by another process.
        return SystemActor.objects.select_related("user").get(name=name).user
    return user


def is_system(user) -> bool:
    """Whether ``user`` is a system actor (cached on the user object)."""
    if user is None or not getattr(user, "pk", None):
        return False
    if not str(getattr(user, "username", "")).startswith(PREFIX):
        return False  # real usernames cannot contain ':' (Django's username validator)
    cached = user.__dict__.get("_lindung_system")
    if cached is None:
        from .models import SystemActor

        cached = SystemActor.objects.filter(user_id=user.pk).exists()
        user.__dict__["_lindung_system"] = cached
    return cached


def job_actor(user_id: int | None, system: str | None = None):
    """The actor of a background job: the user who started it, or the named system actor.

    Fails closed: a job started by a user whose account was deleted or switched off meanwhile
    raises :class:`AccessDenied` with an Indonesian message (the job is recorded as failed)."""
    if user_id is None:
        if system is None:
            raise AccessDenied(
                "Pekerjaan ini tidak menyebut siapa yang menjalankannya; pekerjaan tidak "
                "dijalankan.",
                "The job names no actor; it was not run.",
            )
        return system_actor(system)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not (user.is_active or is_system(user)):
        raise AccessDenied(
            "Pengguna yang memulai pekerjaan ini sudah dihapus atau dinonaktifkan; pekerjaan "
            "tidak dijalankan. Mulai ulang oleh pengguna yang berwenang.",
            "The user who started this job was deleted or deactivated; the job was not run.",
        )
    return user
