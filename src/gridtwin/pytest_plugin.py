"""pytest plugin: the ``gridtwin`` fixture (a running server, frozen clock, demo preset)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gridtwin.testing import RunningGridtwin, running_gridtwin

__all__ = ["gridtwin"]


@pytest.fixture
def gridtwin() -> Iterator[RunningGridtwin]:
    with running_gridtwin() as gt:
        yield gt
