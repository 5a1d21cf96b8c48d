"""Every refusal a page can show has its English sentence (issue #16: English complete).

A service refuses with a :class:`~lindung.core.errors.DomainError` (Indonesian ``message``,
English ``message_en``); :func:`lindung.core.errors.refusals` shows the English one on an
English page and the API returns both. A raise that gives no ``message_en`` would put Indonesian
on an English page, so every ``raise SomeError(...)`` of a refusal class in ``src/lindung`` names
``message_en=`` (classes that build both sentences themselves are listed in ``SELF_WORDED``).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation

from lindung.core.errors import DomainError, refusals

SRC = Path(__file__).resolve().parents[2] / "src" / "lindung"

#: Refusal classes whose constructor words both languages itself (no ``message_en`` argument).
SELF_WORDED = {"SubmissionError", "InvalidRecord", "AccessDenied"}
#: Other classes shown on pages like refusals (not DomainError subclasses).
ALSO = {"ScenarioError"}


def _refusal_names() -> set[str]:
    import importlib
    import pkgutil

    import lindung

    for info in pkgutil.walk_packages(lindung.__path__, "lindung."):
        if ".management." in info.name or info.name.endswith(("migrations", "__main__")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - optional modules (e.g. a tool's entry point)
            continue
    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if inspect.getmodule(sub).__name__.startswith("lindung."):
                names.add(sub.__name__)
            todo.append(sub)
    return (names | {"DomainError"} | ALSO) - SELF_WORDED


def _raises_without_english(names: set[str]) -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.parts[-2] == "rules":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in names:
                continue
            if any(k.arg == "message_en" for k in node.exc.keywords):
                continue
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    return found


@pytest.mark.django_db
def test_every_refusal_has_its_english_sentence():
    missing = _raises_without_english(_refusal_names())
    assert missing == [], f"{len(missing)} refusals without message_en=:\n" + "\n".join(missing)


def test_the_scan_sees_a_refusal_without_english(tmp_path):
    """The scan itself works: a raise without ``message_en`` is found, one with it is not."""
    names = {"ClaimError"}
    tree = ast.parse(
        "def f():\n"
        "    raise ClaimError('Klaim ditolak.')\n"
        "def g():\n"
        "    raise errors.ClaimError('Klaim ditolak.', message_en='Claim refused.')\n"
    )
    raises = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)]
    plain = [r for r in raises if not any(k.arg == "message_en" for k in r.exc.keywords)]
    assert [r.lineno for r in plain] == [2]
    assert "ClaimError" in _refusal_names() and "DomainError" in _refusal_names()
    assert "SubmissionError" not in _refusal_names() and names <= _refusal_names()


@pytest.mark.parametrize(("language", "expected"), [("id", "Klaim ditolak."), ("en", "Refused.")])
def test_a_page_shows_the_refusal_in_its_language(language, expected):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with translation.override(language), refusals(request) as outcome:
        raise DomainError("Klaim ditolak.", message_en="Refused.")
    assert outcome.refused
    assert [str(m) for m in request._messages] == [expected]
