"""Run untrusted-file work (reading spreadsheets, checking their rows) in a limited child process.

A crafted 1.4 KB ``.xlsx`` with cells only at A1 and XFD1048576 makes the spreadsheet reader
(calamine) ask for 512 GB at once; Rust aborts the whole process when an allocation fails, and a
polars panic can do the same. Done in the background worker, that would kill it for every later
job. So such work runs here instead: in a child Python process with an address-space limit
(``RLIMIT_AS``) and a wall-clock limit. If the child dies or runs out of time, the caller gets a
:class:`SandboxFailure` with an Indonesian message, and the next call starts a fresh child.

The child is kept between calls (importing polars costs about a second) and recycled after a
call marked ``fresh_after=True`` (a large file: its memory goes back to the system at once). It
runs any ``module:function`` that takes and returns picklable values and touches no database.

Limits come from the settings ``LINDUNG_SANDBOX_MEMORY_MB`` (default 4096) and
``LINDUNG_SANDBOX_SECONDS`` (default 900); ``run(..., memory_mb=…, seconds=…)`` overrides them.
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

DEFAULT_MEMORY_MB = 4096
DEFAULT_SECONDS = 900
_HEADER = struct.Struct("!Q")
_PROGRESS = b"PROGRESS:"


class SandboxFailure(Exception):
    """The child could not finish: ``message`` says why in Indonesian, ``message_en`` in
    English (a refusal raised in the child keeps its own ``message_en``); ``kind`` is one of
    ``memory`` (killed or out of memory), ``timeout``, ``crash`` (a panic in a library) or
    ``error`` (a Python exception: ``error_type`` names it)."""

    def __init__(self, message: str, kind: str, error_type: str = "", message_en: str = ""):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.kind = kind
        self.error_type = error_type


def _limits(memory_mb: int | None, seconds: int | None) -> tuple[int, int]:
    try:
        from django.conf import settings

        mem = getattr(settings, "LINDUNG_SANDBOX_MEMORY_MB", DEFAULT_MEMORY_MB)
        sec = getattr(settings, "LINDUNG_SANDBOX_SECONDS", DEFAULT_SECONDS)
    except Exception:  # noqa: BLE001 — usable without Django (bench, scripts)
        mem, sec = DEFAULT_MEMORY_MB, DEFAULT_SECONDS
    return int(memory_mb or mem), int(seconds or sec)


@dataclass
class _Child:
    proc: subprocess.Popen
    memory_mb: int
    single_thread: bool

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover — a kill -9 is not refused
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


_lock = threading.Lock()
_child: _Child | None = None


def _start(memory_mb: int, single_thread: bool) -> _Child:
    env = dict(os.environ)
    if single_thread:
        env["POLARS_MAX_THREADS"] = "1"
    proc = subprocess.Popen(  # noqa: S603 — our own interpreter and module, no shell
        [sys.executable, "-m", "lindung.core.sandbox", str(memory_mb)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        close_fds=True,
    )
    return _Child(proc, memory_mb, single_thread)


def _stop() -> None:
    global _child
    if _child is not None:
        _child.kill()
        _child = None


atexit.register(_stop)


def _read_exact(child: _Child, n: int, deadline: float) -> bytes | None:
    """``n`` bytes from the child, or ``None`` when it died; raises TimeoutError at the deadline."""
    fd = child.proc.stdout.fileno()
    chunks, got = [], 0
    while got < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(remaining, 5.0))
        if not ready:
            continue
        data = os.read(fd, min(n - got, 1 << 20))
        if not data:
            return None
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def _died(child: _Child, memory_mb: int) -> SandboxFailure:
    code = child.proc.wait(timeout=30)
    if code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS, 134, 137):
        return SandboxFailure(
            "Berkas tidak dapat diproses: pembacaan berhenti karena memerlukan memori melebihi "
            f"batas {_mb(memory_mb)} MB (berkas terlalu besar, berisi sel di baris/kolom yang "
            "sangat jauh, atau rusak). Hapus baris dan kolom kosong di luar tabel, atau simpan "
            "sebagai .csv, lalu unggah lagi.",
            "memory",
            message_en=(
                "The file cannot be processed: reading stopped because it needs more memory than "
                f"the limit of {_mb(memory_mb)} MB (the file is too large, has cells in very "
                "distant rows/columns, or is damaged). Delete the empty rows and columns outside "
                "the table, or save it as .csv, then upload it again."
            ),
        )
    return SandboxFailure(
        f"Berkas tidak dapat diproses: proses pembaca berhenti (kode {code}).",
        "crash",
        message_en=f"The file cannot be processed: the reading process stopped (code {code}).",
    )


def run(
    func_path: str,
    kwargs: dict[str, Any],
    *,
    memory_mb: int | None = None,
    seconds: int | None = None,
    fresh_after: bool = False,
    progress=None,
) -> Any:
    """Call ``module:function(**kwargs)`` in the limited child and return its result.

    ``progress(percent, message)``: when given, the function receives a ``progress`` keyword
    too, and its calls are passed on as they happen.

    A panic inside a native library is retried once in a fresh single-threaded child (the
    polars bugs seen so far depend on the multi-threaded engine); a second failure, death by
    memory or a timeout raises :class:`SandboxFailure`. A Python exception raised by the
    function is re-raised as :class:`SandboxFailure` with ``kind="error"`` and its message.
    """
    memory_mb, seconds = _limits(memory_mb, seconds)
    try:
        return _call(
            func_path,
            kwargs,
            memory_mb,
            seconds,
            single_thread=False,
            fresh=fresh_after,
            progress=progress,
        )
    except SandboxFailure as exc:
        if exc.kind != "crash":
            raise
    return _call(
        func_path, kwargs, memory_mb, seconds, single_thread=True, fresh=True, progress=progress
    )


def _call(
    func_path: str,
    kwargs: dict,
    memory_mb: int,
    seconds: int,
    *,
    single_thread: bool,
    fresh: bool,
    progress=None,
) -> Any:
    global _child
    payload = pickle.dumps((func_path, kwargs, progress is not None), protocol=4)
    with _lock:
        child = _child
        if (
            child is None
            or not child.alive()
            or child.memory_mb != memory_mb
            or child.single_thread != single_thread
        ):
            if child is not None:
                child.kill()
            child = _child = _start(memory_mb, single_thread)
        deadline = time.monotonic() + seconds
        try:
            child.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            child.proc.stdin.flush()
            while True:
                head = _read_exact(child, _HEADER.size, deadline)
                body = (
                    None if head is None else _read_exact(child, _HEADER.unpack(head)[0], deadline)
                )
                if body is None or not body.startswith(_PROGRESS):
                    break
                if progress is not None:
                    percent, message = pickle.loads(body[len(_PROGRESS) :])  # noqa: S301
                    progress(percent, message)
        except TimeoutError:
            child.kill()
            _child = None
            raise SandboxFailure(
                f"Pemrosesan berkas melebihi batas waktu {seconds} detik dan dihentikan. Bagi "
                "berkas menjadi beberapa bagian lalu unggah lagi.",
                "timeout",
                message_en=(
                    f"Processing the file took longer than the limit of {seconds} seconds and was "
                    "stopped. Split the file into several parts, then upload them again."
                ),
            ) from None
        except (BrokenPipeError, OSError):
            body = None
        if body is None:
            failure = _died(child, memory_mb)
            child.kill()
            _child = None
            raise failure
        if fresh or single_thread:
            child.kill()
            _child = None
    status, value = pickle.loads(body)  # noqa: S301 — written by our own child process
    if status == "ok":
        return value
    kind, error_type, message, *english = value
    raise SandboxFailure(message, kind, error_type, message_en=english[0] if english else "")


# --- the child -----------------------------------------------------------------------------------


def _serve(memory_mb: int) -> None:  # pragma: no cover — runs in the child process
    import importlib
    import resource

    limit = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The protocol owns the original stdout; anything a library prints goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    stdin = sys.stdin.buffer
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        func_path, kwargs, wants_progress = pickle.loads(stdin.read(_HEADER.unpack(head)[0]))  # noqa: S301
        if wants_progress:
            kwargs["progress"] = _reporter(out)
        try:
            module, _, name = func_path.partition(":")
            result = ("ok", getattr(importlib.import_module(module), name)(**kwargs))
        except MemoryError:
            result = ("err", ("memory", "MemoryError", *_memory_message(memory_mb)))
        except Exception as exc:  # noqa: BLE001 — reported to the parent, which decides
            english = getattr(exc, "message_en", "") or str(exc)
            result = ("err", ("error", type(exc).__name__, str(exc), english))
        except BaseException as exc:  # noqa: BLE001 — a panic in a native library
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            result = (
                "err",
                (
                    "crash",
                    type(exc).__name__,
                    f"Berkas tidak dapat diproses: kesalahan di pustaka pembaca ({exc}).",
                    f"The file cannot be processed: an error in the reading library ({exc}).",
                ),
            )
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 — an unpicklable result is the caller's bug
            data = pickle.dumps(("err", ("error", type(exc).__name__, str(exc))))
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()


def _reporter(out):  # pragma: no cover — child side
    def progress(percent: int, message: str = "") -> None:
        data = _PROGRESS + pickle.dumps((int(percent), str(message)))
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()

    return progress


def _mb(memory_mb: int) -> str:
    """``4096`` -> ``'4.096'`` (thousands dots, as in Indonesian figures)."""
    return f"{memory_mb:,}".replace(",", ".")


def _memory_message(memory_mb: int) -> tuple[str, str]:  # pragma: no cover — child side
    """The out-of-memory message in Indonesian and English."""
    return (
        f"Berkas tidak dapat diproses: memerlukan memori melebihi batas {_mb(memory_mb)} MB. "
        "Bagi berkas menjadi beberapa bagian lalu unggah lagi.",
        f"The file cannot be processed: it needs more memory than the limit of "
        f"{_mb(memory_mb)} MB. Split the file into several parts, then upload them again.",
    )


if __name__ == "__main__":  # pragma: no cover — the child's entry point
    _serve(int(sys.argv[1]))
