"""The ``gridtwin`` pytest fixture (registered by :mod:`gridtwin.pytest_plugin`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gridtwin.testing import RunningGridtwin

__all__ = ["gridtwin"]


@pytest.fixture
def gridtwin() -> Iterator[RunningGridtwin]:
    """A gridtwin server on a free port with a frozen clock and the demo preset."""
    from gridtwin.testing import running_gridtwin

    with running_gridtwin() as gt:
        yield gt
