"""pypowerwall's Fleet API mode, unchanged, against a real gridtwin server.

pypowerwall reads its target from ``AUDIENCE`` in its config file, builds history queries
by hand (``time_zone`` glued to ``start_date=``, ``+`` not encoded) and reads
``site_status`` and ``backup_time_remaining`` (wire-format §0, §1.2, §13).
"""

from __future__ import annotations

import json
import warnings

import pytest

from gridtwin.testing import running_gridtwin

pytestmark = pytest.mark.server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fleetapi = pytest.importorskip("pypowerwall.fleetapi.fleetapi")


def _client(gt, tmp_path):
    config = tmp_path / ".pypowerwall.fleetapi"
    config.write_text(json.dumps({
        "CLIENT_ID": "x", "CLIENT_SECRET": "x", "DOMAIN": "example.invalid",
        "REDIRECT_URI": "http://localhost", "AUDIENCE": gt.base_url, "partner_token": "",
        "partner_account": {}, "access_token": gt.token, "refresh_token": "",
        "site_id": None,
    }))
    return fleetapi.FleetAPI(configfile=str(config))


def test_pypowerwall_reads_and_commands(tmp_path):
    with running_gridtwin() as gt:
        api = _client(gt, tmp_path)
        assert api.site_id == gt.site_id  # discovered from products
        live = api.get_live_status(force=True)
        assert live["load_power"] == (live["solar_power"] + live["battery_power"]
                                      + live["grid_power"] + live["generator_power"])
        status = api.get_site_status(force=True)
        assert status["total_pack_energy"] == 27_000 and status["energy_left"] > 0
        assert api.get_backup_time_remaining(force=True)["time_remaining_hours"] > 0
        assert api.battery_level(force=True) == pytest.approx(live["percentage_charged"])
        assert api.set_battery_reserve(35) is not None
        assert api.get_battery_reserve(force=True) == 35
        api.set_operating_mode("autonomous")
        assert api.get_operating_mode(force=True) == "autonomous"
        api.set_grid_export("never")
        assert api.get_grid_export(force=True) == "never"
        api.set_grid_charging(False)
        assert api.get_grid_charging(force=True) is False


def test_pypowerwall_hand_built_history_queries(tmp_path):
    with running_gridtwin() as gt:
        api = _client(gt, tmp_path)
        # time_zone is glued to start_date (no '&') and the '+' of offsets is not encoded.
        history = api.get_calendar_history(kind="energy", duration="day",
                                           time_zone="Asia/Dubai",
                                           start="2025-07-14T00:00:00+04:00",
                                           end="2025-07-14T23:59:59+04:00")
        series = history["time_series"]
        assert len(series) == 288
        assert series[0]["timestamp"] == "2025-07-14T00:00:00+04:00"
        backups = api.get_calendar_history(kind="backup", duration="lifetime")
        assert backups == {"events": [], "total_events": 0}
