"""Shapes that explain themselves: functions that fit on a screen (only message tables may be
longer), raw SQL and the driver in one module, one error base, and SQL text that refuses values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lindung.core import sql

SRC = Path(__file__).resolve().parents[2] / "src" / "lindung"
LONG = 120
#: The functions allowed above LONG lines: tables of checks and their Indonesian messages.
MESSAGE_TABLES = {
    "registry/validation.py:participant_checks",
    "registry/validation.py:validate_family",
}


def python_files():
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path


def test_at_most_two_functions_exceed_a_screen_and_only_message_tables():
    long = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONG:
                    long[f"{path.relative_to(SRC)}:{node.name}"] = lines
    assert len(long) <= 2, long
    assert set(long) <= MESSAGE_TABLES, long


def test_raw_sql_lint_exception_and_the_driver_live_in_core_sql_only():
    exceptions, driver = [], []
    for path in python_files():
        text = path.read_text()
        name = str(path.relative_to(SRC))
        if "S608" in text and name != "core/sql.py":
            exceptions.append(name)
        if re.search(r"connection\.connection\b|\.copy\(f?\"COPY", text) and name != "core/sql.py":
            driver.append(name)
    assert exceptions == [] and driver == []
    assert not (SRC / "coverage" / "db.py").exists()


def test_one_error_base_for_every_refusal():
    from lindung.claims.errors import ClaimError
    from lindung.core.errors import AccessDenied, DomainError
    from lindung.coverage.errors import CoverageError
    from lindung.programmes.services import ProgrammeError
    from lindung.registry.services import RegistryError

    for error in (ClaimError, CoverageError, RegistryError, ProgrammeError, AccessDenied):
        assert issubclass(error, DomainError)


def test_sql_text_takes_names_and_fragments_never_values():
    from lindung.coverage.models import Enrolment

    text = sql.render("SELECT id FROM {e} WHERE {c} = %s", e=Enrolment, c=sql.ident("state"))
    assert text.endswith("= %s") and "coverage_enrolment" in text
    for value in ("x'; DROP TABLE y; --", 42, None):
        with pytest.raises(TypeError, match="bind values"):
            sql.render("SELECT {v}", v=value)
    assert sql.marks(3) == "%s, %s, %s"
