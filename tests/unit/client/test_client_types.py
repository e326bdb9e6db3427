"""Response models: absent kept apart from null, exact round trip, dict-style access."""

from __future__ import annotations

from pydantic import TypeAdapter

from gridtwin.client.types import (
    BatteryProduct,
    ClockInfo,
    EnergyBucket,
    LiveStatus,
    Product,
    SolarProduct,
    WallConnectorProduct,
)
from gridtwin.client.types._model import WireModel

LIVE = {"solar_power": 0, "percentage_charged": 0, "backup_capable": False, "battery_power": 0,
        "load_power": 500, "grid_status": "Unknown", "grid_services_active": False,
        "grid_power": 500, "grid_services_power": 0, "generator_power": 0,
        "island_status": "island_status_unknown", "storm_mode_active": False,
        "timestamp": "2025-01-01T00:00:00+00:00", "wall_connectors": None}


def test_absent_and_null_are_told_apart_and_round_trip_exactly():
    live = LiveStatus.model_validate(LIVE)
    assert not live.present("energy_left") and live.energy_left is None
    assert live.present("wall_connectors") and live.wall_connectors is None
    assert live.to_wire() == LIVE  # "+00:00" stays "+00:00", absent stays absent
    with_energy = LiveStatus.model_validate({**LIVE, "energy_left": 12.5, "total_pack_energy": 1})
    assert with_energy.present("energy_left") and with_energy.energy_left == 12.5


def test_totals_absent_when_zero_read_as_zero():
    fields = dict.fromkeys(EnergyBucket.model_fields, 0)
    for total in ("total_home_usage", "total_battery_charge", "total_battery_discharge",
                  "total_solar_generation", "total_grid_energy_exported"):
        del fields[total]
    fields["timestamp"] = fields["raw_timestamp"] = "2025-07-15T00:00:00-07:00"
    bucket = EnergyBucket.model_validate(fields)
    assert bucket.total_home_usage == 0 and not bucket.present("total_home_usage")
    assert bucket.to_wire() == fields


def test_products_are_told_apart_by_shape():
    adapter = TypeAdapter(list[Product])
    items = adapter.validate_python([
        {"energy_site_id": 3, "components": {"battery": False, "solar": False}},
        {"id": 1, "vehicle_id": 2, "vin": "5YJ"},
    ])
    assert isinstance(items[0], WallConnectorProduct)
    assert not isinstance(items[0], BatteryProduct | SolarProduct)
    assert items[1].vin == "5YJ"


def test_unknown_keys_are_kept_and_items_read_like_a_dict():
    clock = ClockInfo.model_validate({"mode": "frozen", "rate": 1, "now": 5, "new_field": "x"})
    assert clock["now"] == 5 and clock["new_field"] == "x" and clock.get("missing") is None
    assert clock.model_extra == {"new_field": "x"}
    assert isinstance(clock, WireModel)
