"""Names of the what-if optimum variants (services/whatif.py): the suffix says when grid
charging is off, never when it is on (mutation-testing survivor: the suffix inverted)."""

from __future__ import annotations

from gridtwin.domain.controls import ExportRule
from gridtwin.services.whatif import optimum_name


def test_optimum_names_tell_the_controls_apart():
    assert optimum_name((20, ExportRule.PV_ONLY, True), alone=True) == "optimum"
    assert optimum_name((20, ExportRule.PV_ONLY, True), alone=False) == "optimum 20% pv_only"
    assert optimum_name((35, ExportRule.NEVER, False), alone=False) == \
        "optimum 35% never no-grid-charging"
