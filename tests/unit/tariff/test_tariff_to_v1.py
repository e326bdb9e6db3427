"""The v2 -> v1 view (tariff_content) and its round trip with convert_v1."""

from __future__ import annotations

import copy

from gridtwin.tariff import convert_v1
from gridtwin.tariff.to_v1 import to_v1

V1 = {
    "version": 1, "name": "Simple TOU", "utility": "Test Power", "currency": "USD",
    "daily_charges": [{"name": "Charge", "amount": 0}],
    "demand_charges": {"ALL": {"ALL": 0}, "Summer": {}},
    "energy_charges": {"ALL": {"ALL": 0}, "Summer": {"ON_PEAK": 0.42, "OFF_PEAK": 0.21}},
    "seasons": {"Summer": {
        "fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
        "tou_periods": {
            "ON_PEAK": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 16, "fromMinute": 0,
                         "toHour": 21, "toMinute": 0}],
            "OFF_PEAK": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 21, "fromMinute": 0,
                          "toHour": 16, "toMinute": 0}],
        }}},
    "sell_tariff": {
        "version": 1, "name": "Export", "utility": "Test Power", "currency": "USD",
        "daily_charges": [{"name": "Charge", "amount": 0}],
        "demand_charges": {"ALL": {"ALL": 0}},
        "energy_charges": {"ALL": {"ALL": 0}, "Summer": {"ON_PEAK": 0.1, "OFF_PEAK": 0.05}},
        "seasons": {"Summer": {
            "fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
            "tou_periods": {
                "ON_PEAK": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 16, "fromMinute": 0,
                             "toHour": 21, "toMinute": 0}],
                "OFF_PEAK": [{"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 21, "fromMinute": 0,
                              "toHour": 16, "toMinute": 0}],
            }}},
    },
}


def test_round_trip_v1_v2_v1_is_identity():
    original = copy.deepcopy(V1)
    v2 = convert_v1(V1, None)
    assert v2["energy_charges"]["Summer"] == {"rates": {"ON_PEAK": 0.42, "OFF_PEAK": 0.21}}
    assert v2["seasons"]["Summer"]["tou_periods"]["ON_PEAK"]["periods"][0]["fromHour"] == 16
    back = to_v1(v2)
    assert back == V1
    assert list(back) == list(V1)  # member order kept
    assert original == V1  # inputs untouched


def test_v2_only_members_are_dropped_and_shape_is_flat():
    v2 = convert_v1(V1, None)
    v2["energy_charges"]["Summer"]["note"] = "v2 only"
    v2["seasons"]["Summer"]["tou_periods"]["ON_PEAK"]["extra"] = True
    v1 = to_v1(v2)
    assert v1["energy_charges"]["Summer"] == {"ON_PEAK": 0.42, "OFF_PEAK": 0.21}
    assert isinstance(v1["seasons"]["Summer"]["tou_periods"]["ON_PEAK"], list)
    assert v1["sell_tariff"]["energy_charges"]["Summer"] == {"ON_PEAK": 0.1, "OFF_PEAK": 0.05}
