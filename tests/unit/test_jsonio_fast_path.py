"""jsonio.dumps writes the same bytes through the C encoder as the pure-Python writer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gridtwin.core import jsonio

pytestmark = pytest.mark.timeout(60)


def _python_writer(value: Any) -> str:
    out: list[str] = []
    jsonio._dump(value, out)
    return "".join(out)


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [1.5, 2, None, True, False, "é\n\u2028\"x\\"], "c": {"d": -0.0, "e": 1e300}},
    {"big": 123456789012345678901234567890, "small": -5, "float": 0.1 + 0.2, 1: "int key"},
    [{"timestamp": "2025-07-14T00:00:00-07:00", "n": i} for i in range(50)],
    {"decimal": Decimal("1.10"), "nested": [Decimal("2E+3"), 1.25]},
    {"tuple": (1, 2, "x")},
])
def test_same_bytes_as_the_python_writer(value):
    assert jsonio.dumps(value) == _python_writer(value)


@pytest.mark.parametrize("value", [{"n": float("nan")}, [float("inf")], {"x": object()}])
def test_non_json_values_are_refused(value):
    with pytest.raises((ValueError, TypeError)):
        jsonio.dumps(value)
