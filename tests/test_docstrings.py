"""Every example in the package's docstrings runs and prints what it says (the examples
are documentation users copy: they must not rot)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import qvalley

MODULES = sorted(m.name for m in pkgutil.walk_packages(qvalley.__path__, "qvalley.")
                 if ".nb_" not in m.name and not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"
