"""Site descriptions (scenarios, POST /_gridtwin/sites) are refused whole, every problem listed."""

from __future__ import annotations

import pytest

from gridtwin.core.errors import InvalidField
from gridtwin.domain.controls import OperationMode
from gridtwin.services.emulator.describe import parse_site

NOW_S = 1_752_606_000


def test_invalid_settings_and_initial_charge_are_refused_with_every_problem():
    with pytest.raises(InvalidField) as info:
        parse_site({"time_zone": "America/Los_Angeles",
                    "settings": {"backup_reserve_percent": 150, "default_real_mode": "turbo",
                                 "storm_mode_enabled": "yes"},
                    "initial": {"app_pct": 101}}, seed=0, now_s=NOW_S, index=0)
    assert set(info.value.messages) == {
        "site.settings.backup_reserve_percent", "site.settings.default_real_mode",
        "site.settings.storm_mode_enabled", "site.initial.app_pct"}


def test_valid_settings_are_applied():
    desc = parse_site({"time_zone": "Europe/London",
                       "settings": {"backup_reserve_percent": 35, "default_real_mode": "autonomous",
                                    "disallow_charge_from_grid_with_solar_installed": True}},
                      seed=0, now_s=NOW_S, index=0)
    assert desc.controls.backup_reserve_pct == 35
    assert desc.controls.mode is OperationMode.AUTONOMOUS
    assert desc.controls.grid_charging_allowed is False


def test_textured_load_is_opt_in():
    plain = parse_site({"time_zone": "UTC", "load": {"daily_kwh": 18}},
                       seed=0, now_s=NOW_S, index=0)
    assert plain.spec.load.appliances is False and plain.spec.load.daily_kwh == 18
    weights = [1.0] * 12 + [3.0] * 12
    on = parse_site({"time_zone": "UTC", "load": {"appliances": True, "weights": weights}},
                    seed=0, now_s=NOW_S, index=0)
    assert on.spec.load.appliances is True and on.spec.load.hourly_weights == tuple(weights)
    with pytest.raises(InvalidField) as info:
        parse_site({"time_zone": "UTC", "load": {"appliances": "yes"}},
                   seed=0, now_s=NOW_S, index=0)
    assert set(info.value.messages) == {"site.load.appliances"}
