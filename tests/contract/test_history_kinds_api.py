"""calendar_history kinds power, soe, self_consumption, time_of_use_energy and savings
(docs/history-kinds.md): every value checked against the kind=energy buckets of the same
site, which are the stored 5-minute history."""

from __future__ import annotations

import copy
import math
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from gridtwin.core import jsonio
from gridtwin.domain.profile import Quirk
from gridtwin.services.emulator.presets import _pge_tariff
from gridtwin.services.provision import create_site
from gridtwin.tariff import round_money, validate
from tests.conftest import test_site_spec

LA = ZoneInfo("America/Los_Angeles")
YESTERDAY_END = "2025-07-14T23:59:59-07:00"


def history(client, auth, site, **params):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history",
                   headers=auth, params=params)
    assert r.status_code == 200, r.text
    return r.json()["response"]


def energy(client, auth, site, **params):
    return history(client, auth, site, kind="energy", **params)["time_series"]


def battery_in(b):
    return (b["battery_energy_imported_from_grid"] + b["battery_energy_imported_from_solar"]
            + b["battery_energy_imported_from_generator"])


def grid_out(b):
    return (b["grid_energy_exported_from_solar"] + b["grid_energy_exported_from_generator"]
            + b["grid_energy_exported_from_battery"])


def home(b):
    return sum(b[f"consumer_energy_imported_from_{s}"]
               for s in ("grid", "solar", "battery", "generator"))


def flat_tariff(buy: float, sell: float):
    """One season all year, one label all day: buy and sell prices [USD/kWh]."""
    def side(price: float):
        return {
            "daily_charges": [{"name": "Charge", "amount": 0}],
            "demand_charges": {"ALL": {"rates": {"ALL": 0}}, "Year": {"rates": {}}},
            "energy_charges": {"ALL": {"rates": {"ALL": 0}}, "Year": {"rates": {"OFF_PEAK": price}}},
            "seasons": {"Year": {"fromMonth": 1, "fromDay": 1, "toMonth": 12, "toDay": 31,
                                 "tou_periods": {"OFF_PEAK": {"periods": [
                                     {"fromDayOfWeek": 0, "toDayOfWeek": 6, "fromHour": 0,
                                      "fromMinute": 0, "toHour": 0, "toMinute": 0}]}}}},
        }
    doc = {"version": 1, "code": "FLAT", "name": "Flat", "utility": "Test", "currency": "USD",
           **side(buy), "sell_tariff": {"name": "Flat export", "utility": "Test", **side(sell)}}
    assert validate(copy.deepcopy(doc)).ok
    return doc


def store_tariff(world, site, doc, stored_s=None):
    with world.store.tx() as tx:
        tx.insert_tariff(site.energy_site_id,
                         site.installation_s if stored_s is None else stored_s, jsonio.dumps(doc))


# --------------------------------------------------------------------------- power


def test_power_is_bucket_energy_over_300_s(client, auth, site):
    h = history(client, auth, site, kind="power", period="day")
    e = energy(client, auth, site, period="day")
    assert h["period"] == "day" and h["serial_number"] == site.gateway_din
    assert h["installation_time_zone"] == "America/Los_Angeles"
    series = h["time_series"]
    assert len(series) == len(e) == 144
    for p, b in zip(series, e, strict=True):
        assert list(p) == ["timestamp", "solar_power", "battery_power", "grid_power",
                           "grid_services_power", "generator_power", "load_power"]
        assert p["timestamp"] == b["timestamp"]
        assert p["solar_power"] == 12 * b["solar_energy_exported"]
        assert p["battery_power"] == 12 * (b["battery_energy_exported"] - battery_in(b))
        assert p["grid_power"] == 12 * (b["grid_energy_imported"] - grid_out(b))
        assert p["generator_power"] == 12 * b["generator_energy_exported"]
        assert p["grid_services_power"] == 0
        assert p["load_power"] == 12 * home(b)
        assert p["load_power"] == (p["solar_power"] + p["battery_power"] + p["grid_power"]
                                   + p["generator_power"])
    assert max(p["solar_power"] for p in series) > 1000
    assert min(p["battery_power"] for p in series) < 0  # solar charges it this morning
    # the pack sat at its reserve overnight; it discharged through yesterday's evening
    before = history(client, auth, site, kind="power", period="day", end_date=YESTERDAY_END)
    assert max(p["battery_power"] for p in before["time_series"]) > 1000


def test_power_window_and_time_zone_follow_energy(client, auth, site):
    params = {"start_date": "2025-07-14T10:02:00-07:00", "end_date": "2025-07-14T10:31:00-07:00",
              "time_zone": "Asia/Dubai"}
    p = history(client, auth, site, kind="power", period="day", **params)["time_series"]
    e = energy(client, auth, site, period="day", **params)
    assert [x["timestamp"] for x in p] == [x["timestamp"] for x in e]
    assert p[0]["timestamp"] == "2025-07-14T21:00:00+04:00" and len(p) == 7


# --------------------------------------------------------------------------- soe


def expected_soe(site, live, buckets, k):
    """App % at the start of 5-minute bucket k, back from the live state through the
    battery energy of the buckets since (E(t) = E(now) - eta x in + out / eta)."""
    pack = site.total_pack_wh  # stored energy T; the wire's energies are AC deliverable
    e_now = pack * (0.05 + 0.0095 * live["percentage_charged"])
    eta = math.sqrt(site.round_trip)
    charged = sum(battery_in(b) for b in buckets[k:])
    discharged = sum(b["battery_energy_exported"] for b in buckets[k:])
    e = min(max(e_now - eta * charged + discharged / eta, 0.0), pack)
    return min(max((100 * e / pack - 5) / 0.95, 0.0), 100.0)


def test_soe_every_15_minutes_from_battery_energy(client, auth, site):
    h = history(client, auth, site, kind="soe")
    series = h["time_series"]
    assert h["period"] == "day" and len(series) == 48  # 00:00 .. 11:45, now is 12:00
    assert [s["timestamp"][11:16] for s in series[:3]] == ["00:00", "00:15", "00:30"]
    e = energy(client, auth, site, period="day")
    live = client.get(f"/api/1/energy_sites/{site.energy_site_id}/live_status",
                      headers=auth).json()["response"]
    checked = 0
    for i, s in enumerate(series):
        assert list(s) == ["timestamp", "soe"] and s["timestamp"] == e[3 * i]["timestamp"]
        pct = expected_soe(site, live, e, 3 * i)
        if abs(pct - math.floor(pct) - 0.5) > 1e-6:  # not on a rounding tie
            assert s["soe"] == round(pct), (s, pct)
            checked += 1
    assert checked >= 40
    assert len({s["soe"] for s in series}) > 5  # the charge moves during the morning


def test_soe_on_site_without_battery_is_null(client, world, auth, site):
    solar = create_site(world, "alice", test_site_spec(index=1, batteries=()))
    h = history(client, auth, solar, kind="soe")
    assert h["time_series"] is None


# --------------------------------------------------------------------------- self_consumption


def test_self_consumption_shares_of_home_use(client, auth, site):
    week = energy(client, auth, site, period="week")
    h = history(client, auth, site, kind="self_consumption", period="week")
    assert [b["timestamp"] for b in h["time_series"]] == [b["timestamp"] for b in week]
    for s, b in zip(h["time_series"], week, strict=True):
        assert list(s) == ["timestamp", "solar", "battery"]
        assert s["solar"] == 100 * b["consumer_energy_imported_from_solar"] / home(b)
        assert s["battery"] == 100 * b["consumer_energy_imported_from_battery"] / home(b)
    day = history(client, auth, site, kind="self_consumption", period="day",
                  end_date=YESTERDAY_END)["time_series"]
    assert day == h["time_series"][:1]
    assert day[0]["timestamp"] == "2025-07-14T00:00:00-07:00"
    assert 0 < day[0]["solar"] < 100 and 0 < day[0]["battery"] < 100


# --------------------------------------------------------------------------- time_of_use_energy

PGE_LABEL_BY_HOUR = {h: ("off_peak" if h < 15 else "partial_peak" if h in (15, 21, 22, 23)
                         else "peak") for h in range(24)}
"""The preset PG&E EV2-A periods: OFF_PEAK 0-15, PARTIAL_PEAK 15-16 and 21-24, ON_PEAK 16-21."""


def test_time_of_use_energy_splits_buckets_by_tariff_period(client, world, auth, site):
    store_tariff(world, site, _pge_tariff())
    h = history(client, auth, site, kind="time_of_use_energy", period="day",
                end_date=YESTERDAY_END)
    assert list(h) == ["off_peak", "partial_peak", "peak"]
    fine = energy(client, auth, site, period="day", end_date=YESTERDAY_END)
    whole = energy(client, auth, site, period="week")[0]
    fields = [k for k in whole if k not in ("timestamp", "raw_timestamp")]
    for key, entry in h.items():
        (bucket,) = entry["time_series"]
        assert bucket["timestamp"] == bucket["raw_timestamp"] == "2025-07-14T00:00:00-07:00"
        mine = [b for b in fine
                if PGE_LABEL_BY_HOUR[datetime.fromisoformat(b["timestamp"]).hour] == key]
        for f in fields:
            assert bucket.get(f, 0) == sum(b.get(f, 0) for b in mine), (key, f)
    for f in fields:
        assert whole.get(f, 0) == sum(e["time_series"][0].get(f, 0) for e in h.values()), f
    assert h["peak"]["time_series"][0]["consumer_energy_imported_from_battery"] > 0


def test_time_of_use_energy_and_savings_without_tariff_are_empty(client, auth, site):
    assert history(client, auth, site, kind="time_of_use_energy") == {}
    assert history(client, auth, site, kind="savings") == []


# --------------------------------------------------------------------------- savings


def test_savings_with_flat_tariff(client, world, auth, site):
    store_tariff(world, site, flat_tariff(0.30, 0.10))
    week = energy(client, auth, site, period="week")
    h = history(client, auth, site, kind="savings", period="week")
    assert [s["timestamp"] for s in h] == ["2025-07-14T07:00:00+00:00", "2025-07-15T07:00:00+00:00"]
    for s, b in zip(h, week, strict=True):
        assert list(s) == ["timestamp", "value", "currency"] and s["currency"] == "USD"
        # Home use no longer bought at 0.30 (imports include grid charging), plus exports at 0.10.
        avoided = Decimal(home(b) - b["grid_energy_imported"])
        value = (Decimal("0.30") * avoided + Decimal("0.10") * grid_out(b)) / 1000
        assert s["value"] == float(round_money(value)), (s, value)
    assert h[0]["value"] > 1
    # Lifetime: one yearly bucket starting months before the installation.
    (life,) = history(client, auth, site, kind="savings", period="lifetime")
    (b,) = energy(client, auth, site, period="lifetime")
    assert life["timestamp"] == "2025-01-01T08:00:00+00:00"
    value = (Decimal("0.30") * (home(b) - b["grid_energy_imported"])
             + Decimal("0.10") * grid_out(b)) / 1000
    assert life["value"] == float(round_money(value))


def test_savings_by_time_of_use_prices(client, world, auth, site):
    store_tariff(world, site, _pge_tariff())
    (item,) = history(client, auth, site, kind="savings", period="day", end_date=YESTERDAY_END)
    # July is the preset's "Winter" season; buy and sell sides carry the same prices.
    price = {"off_peak": Decimal("0.2451"), "partial_peak": Decimal("0.4471"),
             "peak": Decimal("0.5576")}
    value = Decimal(0)
    for b in energy(client, auth, site, period="day", end_date=YESTERDAY_END):
        p = price[PGE_LABEL_BY_HOUR[datetime.fromisoformat(b["timestamp"]).hour]]
        value += p * (home(b) - b["grid_energy_imported"] + grid_out(b)) / 1000
    assert item["value"] == float(round_money(value))
    assert item["timestamp"] == "2025-07-14T07:00:00+00:00"


# --------------------------------------------------------------------------- errors, quirks


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "power", "period": "decade"}, "period"),
        ({"kind": "soe", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"kind": "self_consumption", "end_date": "yesterday"}, "end_date"),
        ({"kind": "savings", "start_date": "2025-07-15T00:00:00Z",
          "end_date": "2025-07-14T00:00:00Z"}, "start_date"),
        ({"kind": "time_of_use_energy", "start_date": "1990-01-01T00:00:00Z"}, "start_date"),
        ({"kind": "Power"}, "kind"),
    ],
)
def test_bad_parameters_are_400(client, auth, site, params, field):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history",
                   headers=auth, params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_field"
    assert field in r.json()["messages"]


def test_no_history_quirk(client, world, auth, site):
    ghost = create_site(world, "alice", test_site_spec(index=1, quirks=((Quirk.NO_HISTORY.value, True),)))
    store_tariff(world, ghost, _pge_tariff())
    for kind in ("power", "soe", "self_consumption"):
        assert history(client, auth, ghost, kind=kind)["time_series"] is None, kind
    assert history(client, auth, ghost, kind="time_of_use_energy") == {}
    assert history(client, auth, ghost, kind="savings") == []


def test_window_before_installation(client, world, auth, site):
    store_tariff(world, site, _pge_tariff())
    for kind in ("power", "soe", "self_consumption"):
        h = history(client, auth, site, kind=kind, end_date="2024-01-01T12:00:00Z")
        assert h["time_series"] is None, kind
    assert history(client, auth, site, kind="savings", end_date="2024-01-01T12:00:00Z") == []
