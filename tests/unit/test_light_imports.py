"""The pytest plugin is loaded by every pytest run where gridtwin is installed: it must not
import the server or the engine until a test asks for the fixture."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numba", "pvlib", "pandas", "scipy", "fastapi", "sqlalchemy", "gridtwin.api")


@pytest.mark.timeout(120)
def test_pytest_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, gridtwin.pytest_plugin\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=100, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.timeout(120)
def test_pytest_plugin_does_not_even_import_pytest() -> None:
    code = "import sys, gridtwin.pytest_plugin\nprint('pytest' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=100, check=True)
    assert out.stdout.strip() == "False"


def test_the_fixture_is_registered_through_the_plugin(request: pytest.FixtureRequest) -> None:
    from gridtwin import pytest_fixture

    manager = request.config.pluginmanager
    assert manager.get_plugin("gridtwin-fixture") is pytest_fixture
    definitions = request._fixturemanager.getfixturedefs("gridtwin", request.node)
    assert definitions and definitions[-1].func.__module__ == "gridtwin.pytest_fixture"
