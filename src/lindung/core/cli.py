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
