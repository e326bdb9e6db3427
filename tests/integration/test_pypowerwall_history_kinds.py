"""pypowerwall's Fleet API ``get_calendar_history`` for kinds power, soe, self_consumption,
time_of_use_energy and savings, unchanged, against a real ``gridtwin serve``
(docs/history-kinds.md). pypowerwall builds the query by hand: ``time_zone`` glued to
``start_date=``, the ``+`` of offsets left unencoded."""

from __future__ import annotations

import json
import time
import warnings
from datetime import datetime

import pytest

from tests.integration.server_process import running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fleetapi = pytest.importorskip("pypowerwall.fleetapi.fleetapi")

DAY = {"duration": "day", "time_zone": "America/Los_Angeles",
       "start": "2025-07-15T00:00:00-07:00", "end": "2025-07-15T23:59:59-07:00"}
"""The preset's day so far (frozen at 15:00, PG&E EV2-A tariff, autonomous mode)."""


def _client(base: str, token: str, tmp_path):
    config = tmp_path / ".pypowerwall.fleetapi"
    config.write_text(json.dumps({
        "CLIENT_ID": "x", "CLIENT_SECRET": "x", "DOMAIN": "example.invalid",
        "REDIRECT_URI": "http://localhost", "AUDIENCE": base, "partner_token": "",
        "partner_account": {}, "access_token": token, "refresh_token": "", "site_id": None,
    }))
    return fleetapi.FleetAPI(configfile=str(config), timeout=60)


def test_pypowerwall_reads_every_history_kind(tmp_path):
    with running_server(tmp_path / "g.db", extra_args=["--preset", "tou_peak_export"]) as server:
        api = _client(server.base_url, server.token, tmp_path)
        energy = api.get_calendar_history(kind="energy", **DAY)["time_series"]
        power = api.get_calendar_history(kind="power", **DAY)
        assert power["installation_time_zone"] == "America/Los_Angeles"
        series = power["time_series"]
        assert len(series) == len(energy) == 180  # 00:00 .. 14:55
        for p, e in zip(series, energy, strict=True):
            assert p["timestamp"] == e["timestamp"]
            assert p["solar_power"] == 12 * e["solar_energy_exported"]
            assert p["load_power"] == (p["solar_power"] + p["battery_power"] + p["grid_power"]
                                       + p["generator_power"])
        # Powerwall-Dashboard's import reads home = solar + battery + grid from these fields.
        assert max(p["solar_power"] for p in series) > 2000

        soe = api.get_calendar_history(kind="soe", **DAY)["time_series"]
        assert [s["timestamp"] for s in soe] == [e["timestamp"] for e in energy[::3]]
        live = api.get_live_status(force=True)
        assert all(0 <= s["soe"] <= 100 for s in soe)
        # Between samples the charge moves with the battery's net energy.
        for i in range(len(soe) - 1):
            net = sum(e["battery_energy_exported"] - e.get("total_battery_charge", 0)
                      for e in energy[3 * i: 3 * i + 3])
            if abs(net) > 400:  # well over 1 % of the 27 kWh pack
                assert (soe[i + 1]["soe"] - soe[i]["soe"]) * net <= 0, (i, net)
        assert abs(soe[-1]["soe"] - live["percentage_charged"]) < 10

        shares = api.get_calendar_history(kind="self_consumption", **DAY)["time_series"]
        (today,) = shares
        home = sum(e.get("total_home_usage", 0) for e in energy)
        solar = sum(e["consumer_energy_imported_from_solar"] for e in energy)
        assert today["timestamp"] == "2025-07-15T00:00:00-07:00"
        assert today["solar"] == pytest.approx(100 * solar / home, rel=1e-12)

        tou = api.get_calendar_history(kind="time_of_use_energy", **DAY)
        assert list(tou) == ["off_peak", "partial_peak", "peak"]
        # Before 15:00 everything is off-peak in PG&E EV2-A.
        (off,) = tou["off_peak"]["time_series"]
        assert off["solar_energy_exported"] == sum(e["solar_energy_exported"] for e in energy)
        assert tou["peak"]["time_series"][0]["solar_energy_exported"] == 0

        (saving,) = api.get_calendar_history(kind="savings", **DAY)
        assert saving["currency"] == "USD"
        assert datetime.fromisoformat(saving["timestamp"]) == datetime.fromisoformat(
            "2025-07-15T00:00:00-07:00")
        assert saving["value"] > 0


def test_powerwall_dashboard_import_path(tmp_path, monkeypatch):
    """Powerwall-Dashboard's ``tesla-history`` import: teslapy (as bundled in pypowerwall)
    ``Battery.get_calendar_history_data(kind="power"/"soe", end_date=...)``. Only the
    client's base URL is patched; its token comes from its cache loader."""
    teslapy = pytest.importorskip("pypowerwall.cloud.teslapy")
    with running_server(tmp_path / "g.db", extra_args=["--preset", "tou_peak_export"]) as server:
        monkeypatch.setattr(teslapy, "BASE_URL", server.base_url + "/")
        email = "demo@example.invalid"
        token = {"access_token": server.token, "token_type": "Bearer",
                 "expires_at": time.time() + 3600, "expires_in": 3600}
        tesla = teslapy.Tesla(email, cache_loader=lambda: {email: {"sso": token}},
                              cache_dumper=lambda cache: None)
        (battery,) = tesla.battery_list()
        end = "2025-07-15T23:59:59-07:00"  # the import asks day by day, ending 23:59:59
        power = battery.get_calendar_history_data(kind="power", end_date=end)["time_series"]
        soe = battery.get_calendar_history_data(kind="soe", end_date=end)["time_series"]
        energy = battery.get_calendar_history_data(kind="energy", end_date=end)["time_series"]
        assert len(power) == len(energy) == 180 and len(soe) == 60
        for p, e in zip(power, energy, strict=True):
            # The import's own arithmetic: home = solar + battery + grid.
            home = p["solar_power"] + p["battery_power"] + p["grid_power"]
            assert home == 12 * e.get("total_home_usage", 0)
        # It maps soe back to the raw scale: (soe + 5/0.95) x 0.95 lies in 5..100.
        assert all(5 - 1e-9 <= (s["soe"] + 5 / 0.95) * 0.95 <= 100 + 1e-9 for s in soe)
        assert soe[0]["timestamp"] == "2025-07-15T00:00:00-07:00"
