"""The ``lindung`` console command: a thin wrapper around Django's ``manage.py``.

``lindung serve``, ``lindung demo``, ``lindung check`` (JSON health), ``lindung quote``,
``lindung nik`` … are Django management commands of the Lindung apps; anything else is passed to
Django (``lindung migrate``, ``lindung createsuperuser``, ``lindung shell``).
Django's own system check is ``lindung django-check``.
"""

from __future__ import annotations

import os
import sys

# `lindung check` is the health report; Django's `check` stays reachable as `django-check`.
ALIASES = {"check": "health", "django-check": "check"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    argv[0] = "lindung"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
