"""The limited child process that reads untrusted files: limits hold, the caller survives."""

from __future__ import annotations

import os

import pytest

from lindung.core import sandbox

H = "tests.core.sandbox_helpers"


def test_results_and_python_errors_come_back():
    assert sandbox.run("lindung.core.formatting:rupiah", {"amount": 10_000}) == "Rp\u00a010.000"
    with pytest.raises(sandbox.SandboxFailure) as exc:
        sandbox.run("lindung.core.formatting:rupiah", {"amount": "x"})
    assert exc.value.kind == "error" and exc.value.error_type == "InvalidOperation"


def test_a_refusal_in_the_child_keeps_its_english_sentence():
    """A refusal raised while reading (e.g. a date that cannot be read) reaches the page in
    both languages; the limits' own messages have their English too."""
    with pytest.raises(sandbox.SandboxFailure) as exc:
        sandbox.run("lindung.core.dates:parse_date", {"text": "31/13/2025"})
    assert exc.value.error_type == "InvalidValue"
    assert exc.value.message.startswith("Tanggal '31/13/2025' tidak dikenali")
    assert exc.value.message_en.startswith("Date '31/13/2025' is not recognised")
    english = sandbox._memory_message(4096)[1]
    assert english.startswith("The file cannot be processed") and "4.096 MB" in english


def test_the_time_limit_kills_the_child_and_the_next_call_works():
    with pytest.raises(sandbox.SandboxFailure) as exc:
        sandbox.run(f"{H}:sleep", {"seconds": 30}, seconds=1)
    assert exc.value.kind == "timeout" and "batas waktu 1 detik" in exc.value.message
    assert "took longer than the limit of 1 seconds" in exc.value.message_en
    assert sandbox.run(f"{H}:sleep", {"seconds": 0}) == "awake"


def test_the_memory_limit_holds():
    with pytest.raises(sandbox.SandboxFailure) as exc:
        sandbox.run(f"{H}:allocate", {"mb": 3000}, memory_mb=600)
    assert exc.value.kind == "memory" and "600 MB" in exc.value.message
    assert sandbox.run(f"{H}:allocate", {"mb": 10}, memory_mb=600) == 10 * 1024 * 1024


def test_a_child_that_dies_is_reported_and_replaced():
    parent = os.getpid()
    with pytest.raises(sandbox.SandboxFailure) as exc:
        sandbox.run(f"{H}:abort", {})
    assert exc.value.kind == "memory" and "tidak dapat diproses" in exc.value.message
    assert os.getpid() == parent  # this process is alive
    assert sandbox.run(f"{H}:sleep", {"seconds": 0}) == "awake"


def test_a_library_panic_is_retried_single_threaded():
    assert sandbox.run(f"{H}:panics_unless_single_threaded", {}) == "single-threaded"


def test_progress_is_passed_on():
    seen = []
    result = sandbox.run(f"{H}:reports", {}, progress=lambda pct, msg: seen.append((pct, msg)))
    assert result == "done" and seen == [(10, "langkah 10"), (50, "langkah 50"), (90, "langkah 90")]
