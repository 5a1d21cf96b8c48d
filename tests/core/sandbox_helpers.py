"""Functions the sandbox tests run in the child process (importable by module path)."""

from __future__ import annotations

import os
import time


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "awake"


def allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def abort() -> None:
    os.abort()


class FakePanic(BaseException):
    """Stands for pyo3's PanicException (a BaseException, not an Exception)."""


def panics_unless_single_threaded() -> str:
    if os.environ.get("POLARS_MAX_THREADS") != "1":
        raise FakePanic("assertion failed: i < self.len()")
    return "single-threaded"


def reports(progress) -> str:
    for pct in (10, 50, 90):
        progress(pct, f"langkah {pct}")
    return "done"
