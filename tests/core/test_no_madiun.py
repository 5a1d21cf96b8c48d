"""Issue 13: no Madiun in the product. Templates, Python string literals (messages, form and
model help texts, examples) and the generated import templates name no region but the
programme's own; only the Madiun demo and what is truly data are allowed."""

from __future__ import annotations

import ast
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from lindung.registry import spreadsheets

SRC = Path(__file__).resolve().parents[2] / "src" / "lindung"
FORBIDDEN = re.compile(r"madiun|35\.77|3577", re.IGNORECASE)

#: Where Madiun is data, not product text: the demo package, migrations (history), the shipped
#: region and UMK tables (YAML, not scanned) and the synthetic lists the demo and the benchmarks
#: are built from.
ALLOWED = ("demo/", "migrations/", "registry/synthetic.py")


def _allowed(path: Path) -> bool:
    rel = path.relative_to(SRC).as_posix()
    return any(rel.startswith(a) or f"/{a}" in f"/{rel}" for a in ALLOWED)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (documentation with doctests, not product text)."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            out.add(id(body[0].value))
    return out


def test_no_python_string_literal_names_madiun():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if _allowed(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and FORBIDDEN.search(node.value)
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value[:80]!r}")
    assert found == []


def test_no_template_names_madiun():
    found = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in {".html", ".txt", ".js", ".css"} or _allowed(path):
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{path.relative_to(SRC)}:{i}: {line.strip()[:80]}")
    assert found == []


def _xml_text(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("kind", ["participants", "family", "candidates"])
def test_the_import_template_of_ponorogo_gives_ponorogo_examples(kind):
    content = spreadsheets.template_bytes(
        kind, programme_name="Program Kabupaten Ponorogo", region_code="35.02", umk=2_500_000
    )
    text = _xml_text(content)
    assert not FORBIDDEN.search(text), FORBIDDEN.search(text).group(0)
    assert "3502" in text
    if kind == "participants":
        assert "35.02.01.2001" in text and "PONOROGO" in text and "2500000" in text
