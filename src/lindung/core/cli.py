"""Helpers shared by Lindung's management commands."""

from __future__ import annotations

import sys


def emit(command, body: bytes, fmt: str, out: str | None, what: str = "Hasil") -> None:
    """Write a command's output: to ``out`` when given (and say so on stderr), JSON as text on
    stdout, binary formats (PDF, xlsx) as bytes on stdout."""
    if out:
        with open(out, "wb") as fh:
            fh.write(body)
        command.stderr.write(f"{what} ditulis ke {out}")
    elif fmt == "json":
        command.stdout.write(body.decode())
    else:
        sys.stdout.buffer.write(body)


def actor_for(username: str | None):
    """The actor of a command: the user named by ``--user`` (who must exist and be active), or
    the system actor ``cli`` when the command is run without one (whoever may run commands on
    the server may do everything; the history records "sistem:cli")."""
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    from .actors import system_actor

    if not username:
        return system_actor("cli")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"Pengguna '{username}' tidak ditemukan atau tidak aktif.")
    return user
