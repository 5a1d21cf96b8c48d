"""The ``lindung`` console command: a thin wrapper around Django's ``manage.py``.

``lindung quote [--batch]`` and ``lindung nik check`` are pure rule commands (no database).
``lindung serve``, ``lindung demo``, ``lindung check`` (JSON health), ``lindung import``,
``lindung bill`` … are Django management commands of the Lindung apps; anything else is passed to
Django (``lindung migrate``, ``lindung createsuperuser``, ``lindung shell``).
Django's own system check is ``lindung django-check``.
"""

from __future__ import annotations

import os
import sys

# `lindung check` is the health report; Django's `check` stays reachable as `django-check`.
ALIASES = {"check": "health", "django-check": "check"}


NIK_USAGE = "Pemakaian: lindung nik check NIK [NIK ...] [--birth-date YYYY-MM-DD]"


def nik_command(args: list[str], stdout=None) -> int:
    """``lindung nik check NIK… [--birth-date YYYY-MM-DD]``: one JSON object per NIK per line.

    Exit status 0 when every NIK is valid, 1 when one is not, 2 on a usage error.
    """
    import argparse
    import json
    from datetime import date

    from lindung.rules import nik as nik_rules

    stdout = stdout or sys.stdout
    parser = argparse.ArgumentParser(prog="lindung nik", description=NIK_USAGE)
    parser.add_argument("action", choices=["check"])
    parser.add_argument("niks", nargs="+", metavar="NIK")
    parser.add_argument("--birth-date", type=date.fromisoformat, default=None)
    parser.add_argument("--reference-date", type=date.fromisoformat, default=None)
    try:
        opts = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0) and 2
    reference = opts.reference_date or (None if opts.birth_date else date.today())
    all_valid = True
    for value in opts.niks:
        result = nik_rules.check(value, birth_date=opts.birth_date, reference_date=reference)
        all_valid &= result.valid
        stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    return 0 if all_valid else 1


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    # Pure rule commands need no database or Django: answer them directly (fast, scriptable).
    if len(argv) > 1 and argv[1] == "quote":
        from lindung.rules.quote import main as quote_main

        sys.exit(quote_main(argv[2:]))
    if len(argv) > 1 and argv[1] == "nik":
        sys.exit(nik_command(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    argv[0] = "lindung"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
