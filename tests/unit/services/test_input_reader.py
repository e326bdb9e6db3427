"""Control-plane body reading (services/emulator/inputs.py): every problem is listed under its
JSON path, and a long unknown member is shown cut to 64 characters plus an ellipsis
(mutation-testing survivor: the cut path went untested by the fast suite)."""

from __future__ import annotations

import pytest

from gridtwin.core.errors import InvalidField
from gridtwin.services.emulator.inputs import Problems, Reader


def test_unknown_members_are_listed_and_long_ones_cut():
    problems = Problems()
    long_key = "k" * 65
    Reader(problems, {"ok": 1, "bad": 2, long_key: 3, "x" * 64: 4}, "site", known=("ok",))
    assert list(problems.messages) == ["site.bad", f"site.{'k' * 64}…", f"site.{'x' * 64}"]
    assert problems.messages["site.bad"] == ["unknown member; one of ok"]
    with pytest.raises(InvalidField) as err:
        problems.raise_if_any()
    assert str(err.value).startswith("site.bad: unknown member")


def test_wrong_values_fall_back_to_the_default_and_are_recorded():
    problems = Problems()
    reader = Reader(problems, {"kw": 99.5, "n": True}, "")
    assert reader.number("kw", 5.0, 0, 50) == 5.0
    assert reader.number("n", 1.0, 0, 50) == 1.0
    assert reader.number("absent", 2.5, 0, 50) == 2.5
    assert problems.messages == {"kw": ["must be a number 0-50"], "n": ["must be a number 0-50"]}
    Reader(problems, [1], "list")
    assert problems.messages["list"] == ["must be an object"]
