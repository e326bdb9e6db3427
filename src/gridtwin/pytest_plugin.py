"""pytest plugin: the ``gridtwin`` fixture (a running server, frozen clock, demo preset).

Registered for every pytest run where gridtwin is installed, so it imports nothing heavy:
the server, numba and pvlib are imported only when a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gridtwin.testing import RunningGridtwin

__all__ = ["gridtwin"]


@pytest.fixture
def gridtwin() -> Iterator[RunningGridtwin]:
    from gridtwin.testing import running_gridtwin

    with running_gridtwin() as gt:
        yield gt
