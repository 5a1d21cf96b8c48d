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


NIK_USAGE = (
    "Pemakaian: lindung nik check NIK [NIK ...] [--birth-date YYYY-MM-DD] "
    "[--reference-date YYYY-MM-DD] [--strict]"
)
NIK_USAGE_EN = (
    "Usage: lindung nik check NIK [NIK ...] [--birth-date YYYY-MM-DD] "
    "[--reference-date YYYY-MM-DD] [--strict]"
)


def _nik_usage_error(stdout, message_id: str, message_en: str, field: str | None = None) -> int:
    import json

    error = {
        "field": field,
        "message_id": f"{message_id} {NIK_USAGE}",
        "message_en": f"{message_en} {NIK_USAGE_EN}",
    }
    stdout.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
    return 2


def nik_command(args: list[str], stdout=None) -> int:
    """``lindung nik check NIK… [--birth-date D] [--reference-date D] [--strict]``.

    Prints one JSON object per NIK per line (``valid``, ``errors``, ``warnings``, the parts).
    Exit status 0 when every NIK is valid (warnings allowed), 1 when one is not, 2 on a usage
    error, which is printed as one JSON line ``{"error": {field, message_id, message_en}}``
    (never argparse's usage text). ``--strict`` turns warnings into errors.
    """
    import json

    from lindung.rules import nik as nik_rules
    from lindung.rules.errors import RulesError

    stdout = stdout or sys.stdout
    if not args or args[0] != "check":
        return _nik_usage_error(
            stdout, "Perintah yang tersedia: check.", "The only command is: check.", "action"
        )
    options: dict[str, str] = {}
    niks: list[str] = []
    strict = False
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--strict":
            strict = True
        elif arg.split("=", 1)[0] in ("--birth-date", "--reference-date"):
            name, _, value = arg.partition("=")
            if not _:
                if not rest:
                    return _nik_usage_error(
                        stdout,
                        f"{name} perlu tanggal YYYY-MM-DD.",
                        f"{name} needs a YYYY-MM-DD date.",
                        name[2:].replace("-", "_"),
                    )
                value = rest.pop(0)
            options[name[2:].replace("-", "_")] = value
        elif arg.startswith("-") and not arg.lstrip("-").isdigit():
            return _nik_usage_error(
                stdout, f"Opsi tidak dikenal: {arg}.", f"Unknown option: {arg}.", "options"
            )
        else:
            niks.append(arg)
    if not niks:
        return _nik_usage_error(
            stdout, "Tulis paling sedikit satu NIK.", "Give at least one NIK.", "nik"
        )
    all_valid = True
    for value in niks:
        try:
            result = nik_rules.check_request(value, strict=strict, **options)
        except RulesError as exc:
            return _nik_usage_error(stdout, exc.message_id, exc.message_en, exc.field)
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
