"""tariff.bill_totals (many sites at once, fleet studies) equals compute_bill per site."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from gridtwin import tariff

pytestmark = pytest.mark.timeout(60)

DOC = json.loads((Path(__file__).resolve().parents[3] / "examples" / "two_period_tou.json")
                 .read_text())


def _with_demand() -> dict:
    doc = copy.deepcopy(DOC)
    doc["demand_charges"]["Summer"]["rates"] = {"ON_PEAK": 12.5, "OFF_PEAK": 3}
    return doc


@pytest.mark.parametrize("doc", [DOC, _with_demand()], ids=["energy", "demand"])
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Australia/Adelaide"])
def test_bill_totals_equal_compute_bill_per_site(doc: dict, zone: str) -> None:
    compiled = tariff.validate(doc).tariff
    assert compiled is not None
    # 40 days over a DST change and a month boundary, in a zone with a 30-minute offset
    start = int(datetime(2024, 3, 1, tzinfo=ZoneInfo(zone)).timestamp())
    end = start + 40 * 86_400
    n = (end - start) // 300
    rng = np.random.default_rng(3)
    imports = rng.integers(0, 900, (n, 4)) * (rng.random((n, 4)) < 0.6)
    exports = rng.integers(0, 700, (n, 4)) * (imports == 0)
    totals = tariff.bill_totals(compiled, zone, start, end, imports, exports)
    starts = start + 300 * np.arange(n)
    for i in range(4):
        bill = tariff.compute_bill([(start, compiled)], zone, start, end,
                                   tariff.Intervals.of(starts, imports[:, i], exports[:, i]))
        assert totals[i] == bill.total
        assert bill.demand_charge > 0 if doc is not DOC else bill.demand_charge == 0
    with pytest.raises(ValueError, match="n_sites"):
        tariff.bill_totals(compiled, zone, start, end, imports[1:], exports[1:])
