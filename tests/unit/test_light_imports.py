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
