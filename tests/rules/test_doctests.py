"""Run the doctests of every lindung.rules module (they are part of the documentation)."""

import doctest
import importlib
import pkgutil

import pytest

import lindung.rules

MODULES = sorted(m.name for m in pkgutil.iter_modules(lindung.rules.__path__, "lindung.rules."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
