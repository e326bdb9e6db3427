"""pytest plugin: the ``gridtwin`` fixture (a running server, frozen clock, demo preset).

Registered for every pytest run where gridtwin is installed, so importing it costs
nothing: not even pytest is imported here. The fixture's module is registered when pytest
configures the run, and the server, numba and pvlib are imported only when a test asks
for the fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

__all__ = ["pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    from gridtwin import pytest_fixture

    if not config.pluginmanager.is_registered(pytest_fixture):
        config.pluginmanager.register(pytest_fixture, "gridtwin-fixture")
