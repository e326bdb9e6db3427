"""The README's pytest example is itself a test: its code block is extracted and run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridtwin.testing import running_gridtwin

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.server


def test_readme_example_runs():
    text = README.read_text()
    block = re.search(r"<!-- readme-example -->\s*```python\n(.*?)```", text, re.S)
    assert block is not None, "README lost its pytest example"
    code = block.group(1)
    assert code.count("\n") <= 8  # import + a three-line test
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    assert len(tests) == 1
    with running_gridtwin() as gt:
        tests[0](gt)
