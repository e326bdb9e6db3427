"""The energy reply is written without building a document per bucket (issue 12): its bytes
must be exactly those of encoding the reference document, ``render_energy``, with jsonio."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.api.wire.history import ENCODE_CHUNK, energy_reply_json, render_energy
from gridtwin.core import jsonio
from gridtwin.services.auth import verify_access_token
from gridtwin.services.history import EnergyHistory, calendar_history
from gridtwin.sim.state import CELLS
from tests.integration.synthetic_history import Synthetic, build

pytestmark = pytest.mark.timeout(300)

TOTALS = (  # wire-format §9.4 totals, in wire order, as sums of cells (written out here)
    ("total_home_usage", ("solar_to_home", "generator_to_home", "battery_to_home", "grid_to_home")),
    ("total_battery_charge", ("solar_to_battery", "generator_to_battery", "grid_to_battery")),
    ("total_battery_discharge", ("battery_to_home", "battery_to_grid")),
    ("total_solar_generation", ("solar_to_home", "solar_to_battery", "solar_to_grid")),
    ("total_grid_energy_exported", ("solar_to_grid", "generator_to_grid", "battery_to_grid")),
)


@pytest.fixture(scope="module")
def syn(tmp_path_factory) -> Synthetic:
    s = build(f"sqlite:///{tmp_path_factory.mktemp('bytes') / 'h.db'}")
    yield s
    s.world.store.dispose()


def _history(syn: Synthetic, **params: str) -> EnergyHistory:
    principal = verify_access_token(syn.world, "Bearer " + syn.token)
    h = calendar_history(syn.world, principal, syn.spec.energy_site_id, {"kind": "energy", **params})
    assert isinstance(h, EnergyHistory)
    return h


def _reference(h: EnergyHistory) -> bytes:
    return jsonio.dumps({"response": render_energy(h)}).encode()


def _fast(h: EnergyHistory) -> bytes:
    return "".join(energy_reply_json(h)).encode()


@pytest.mark.parametrize("params", [
    {"period": "day", "start_date": "2025-03-01T00:00:00-08:00",
     "end_date": "2025-04-01T00:00:00-07:00"},  # 31 days of 5-minute buckets, DST inside
    {"period": "day", "end_date": "2024-11-03T12:00:00-08:00"},  # 25-hour day
    {"period": "week", "start_date": "2024-07-01", "end_date": "2025-07-14"},
    {"period": "month", "time_zone": "Australia/Lord_Howe"},  # half-hour DST offset
    {"period": "year"},
    {"period": "lifetime"},
])
def test_same_bytes_as_the_reference_document(syn, params):
    h = _history(syn, **params)
    assert h.starts
    assert _fast(h) == _reference(h)


def test_every_combination_of_zero_cells_and_chunk_boundaries(syn):
    """Totals appear only when non-zero, so items differ in members: one bucket per subset
    of zero cells reaches every combination of present totals, across several chunks."""
    h = _history(syn, period="day", start_date="2025-05-01T00:00:00-07:00",
                 end_date="2025-05-05T00:00:00-07:00")
    n = len(h.starts)
    assert n >= 1024 + 2 and n > 4 * ENCODE_CHUNK
    wh = np.random.default_rng(11).integers(0, 2_000_000_000_000, (n, 10))
    subsets = np.arange(1024)[:, None] >> np.arange(10) & 1  # bit c: cell c non-zero
    wh[:1024] *= subsets
    wh[1024] = -7  # a negative cell encodes as the reference does
    patched = replace(h, wh=wh.astype(np.int64))
    body = _fast(patched)
    assert body == _reference(patched)
    items = jsonio.loads(body)["response"]["time_series"]
    for item, cells in zip(items, wh.tolist(), strict=True):
        by_cell = dict(zip(CELLS, cells, strict=True))
        expected = [name for name, parts in TOTALS if sum(by_cell[c] for c in parts)]
        assert [k for k in item if k.startswith("total_")] == expected
    assert items[0]["solar_energy_exported"] == 0 and "total_home_usage" not in items[0]


def test_no_buckets_is_a_null_series(syn):
    h = replace(_history(syn, period="month"), starts=[], wh=np.zeros((0, 10), np.int64))
    assert _fast(h) == _reference(h)
    assert jsonio.loads(_fast(h))["response"]["time_series"] is None


def test_the_route_sends_those_bytes(syn):
    params = {"kind": "energy", "period": "day", "time_zone": "Europe/London",
              "start_date": "2025-06-01T00:00:00+01:00", "end_date": "2025-06-08T00:00:00+01:00"}
    with TestClient(create_app(syn.world)) as c:
        r = c.get(f"/api/1/energy_sites/{syn.spec.energy_site_id}/calendar_history",
                  params=params, headers={"Authorization": f"Bearer {syn.token}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    h = _history(syn, **{k: v for k, v in params.items() if k != "kind"})
    assert h.zone == ZoneInfo("Europe/London") and len(h.starts) == 7 * 288
    assert r.content == _reference(h)
