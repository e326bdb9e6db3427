"""calendar_history and telemetry_history through the API (wire-format §9–§11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gridtwin.core.errors import InvalidField
from gridtwin.domain.profile import Quirk
from gridtwin.services.history import MAX_WINDOW_S, calendar_history, charge_history
from gridtwin.services.provision import create_site
from tests.conftest import NOW_S, test_site_spec

FIELDS = (
    "solar_energy_exported", "generator_energy_exported", "grid_energy_imported",
    "grid_services_energy_imported", "grid_services_energy_exported",
    "grid_energy_exported_from_solar", "grid_energy_exported_from_generator",
    "grid_energy_exported_from_battery", "battery_energy_exported",
    "battery_energy_imported_from_grid", "battery_energy_imported_from_solar",
    "battery_energy_imported_from_generator", "consumer_energy_imported_from_grid",
    "consumer_energy_imported_from_solar", "consumer_energy_imported_from_battery",
    "consumer_energy_imported_from_generator",
)


def history(client, auth, site, **params):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history",
                   headers=auth, params=params)
    assert r.status_code == 200, r.text
    return r.json()["response"]


def check_identities(b):
    assert b["solar_energy_exported"] == (b["grid_energy_exported_from_solar"]
        + b["battery_energy_imported_from_solar"] + b["consumer_energy_imported_from_solar"])
    assert b["grid_energy_imported"] == (b["battery_energy_imported_from_grid"]
        + b["consumer_energy_imported_from_grid"])
    assert b["battery_energy_exported"] == (b["grid_energy_exported_from_battery"]
        + b["consumer_energy_imported_from_battery"])
    assert b["generator_energy_exported"] == (b["grid_energy_exported_from_generator"]
        + b["battery_energy_imported_from_generator"] + b["consumer_energy_imported_from_generator"])
    home = sum(b[f"consumer_energy_imported_from_{s}"] for s in ("grid", "solar", "battery", "generator"))
    assert b.get("total_home_usage", 0) == home
    assert b["raw_timestamp"] == b["timestamp"]
    assert b["grid_services_energy_imported"] == b["grid_services_energy_exported"] == 0


def test_day_so_far(client, auth, site):
    h = history(client, auth, site, kind="energy", period="day")
    assert h["period"] == "day"
    assert h["installation_time_zone"] == "America/Los_Angeles"
    assert h["serial_number"] == site.gateway_din
    series = h["time_series"]
    # Frozen now is 12:00 local: 144 five-minute buckets from local midnight.
    assert len(series) == 144
    assert series[0]["timestamp"] == "2025-07-15T00:00:00-07:00"
    assert series[-1]["timestamp"] == "2025-07-15T11:55:00-07:00"
    for b in series:
        assert list(b)[:18] == ["timestamp", *FIELDS, "raw_timestamp"]
        check_identities(b)
    assert sum(b["solar_energy_exported"] for b in series) > 5000
    assert sum(b.get("total_home_usage", 0) for b in series) > 3000


def test_backfill_of_yesterday_and_week_sums(client, auth, site):
    y = history(client, auth, site, kind="energy", period="day",
                end_date="2025-07-14T23:59:59-07:00")["time_series"]
    assert len(y) == 288
    assert y[0]["timestamp"].startswith("2025-07-14T00:00:00")
    week = history(client, auth, site, kind="energy", period="week")["time_series"]
    # Monday 2025-07-14 is the week start; the site was installed 2025-07-13 12:00 local.
    assert [b["timestamp"][:10] for b in week] == ["2025-07-14", "2025-07-15"]
    for field in FIELDS:
        assert week[0][field] == sum(b[field] for b in y), field
    today = history(client, auth, site, kind="energy", period="day")["time_series"]
    for field in FIELDS:
        assert week[1][field] == sum(b[field] for b in today), field
    month = history(client, auth, site, kind="energy", period="month")["time_series"]
    year = history(client, auth, site, kind="energy", period="year")["time_series"]
    life = history(client, auth, site, kind="energy", period="lifetime")["time_series"]
    assert len(year) == 1 and len(life) == 1
    for field in FIELDS:
        total = sum(b[field] for b in month)
        assert year[0][field] == total == life[0][field], field
        check_identities(year[0])


def test_start_and_end_window(client, auth, site):
    h = history(client, auth, site, kind="energy", period="day",
                start_date="2025-07-14T10:02:00-07:00", end_date="2025-07-14T10:31:00-07:00")
    ts = [b["timestamp"] for b in h["time_series"]]
    assert ts[0] == "2025-07-14T10:00:00-07:00" and ts[-1] == "2025-07-14T10:30:00-07:00"
    assert len(ts) == 7


def test_lenient_dates(client, auth, site):
    variants = ["2025-07-14T23:59:59-07:00", "2025-07-15T06:59:59Z", "2025-07-15T06:59:59.250Z",
                "2025-07-14T23:59:59",
                "2025-07-14"]
    first = None
    for text in variants:
        h = history(client, auth, site, kind="energy", period="day", end_date=text)
        assert h["time_series"][0]["timestamp"] == "2025-07-14T00:00:00-07:00", text
        first = first or h
    # pypowerwall writes the + of an offset as a space.
    h = history(client, auth, site, kind="energy", period="day",
                end_date="2025-07-15T10:00:00 04:00", time_zone="Asia/Dubai")
    assert h["time_series"][0]["timestamp"] == "2025-07-15T00:00:00+04:00"
    assert h["installation_time_zone"] == "America/Los_Angeles"


def test_pypowerwall_glued_time_zone(client, auth, site):
    r = client.get(
        f"/api/1/energy_sites/{site.energy_site_id}/calendar_history?kind=energy&period=day"
        "&time_zone=America/Los_Angelesstart_date=2025-07-14T00:00:00-07:00"
        "&end_date=2025-07-14T23:59:59-07:00", headers=auth)
    assert r.status_code == 200
    assert len(r.json()["response"]["time_series"]) == 288


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "kind"),
        ({"kind": "charge"}, "kind"),
        ({"kind": "energy", "period": "decade"}, "period"),
        ({"kind": "energy", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"kind": "energy", "end_date": "yesterday"}, "end_date"),
        ({"kind": "energy", "start_date": "2025-13-01T00:00:00Z"}, "start_date"),
        ({"kind": "energy", "start_date": "2025-07-15T00:00:00Z", "end_date": "2025-07-14T00:00:00Z"},
         "start_date"),
        ({"kind": "energy", "start_date": "1990-01-01T00:00:00Z", "end_date": "2025-07-14T00:00:00Z"},
         "end_date"),
        ({"kind": "energy", "end_date": "99999-01-01T00:00:00Z"}, "end_date"),
        ({"kind": "backup", "period": "week", "time_zone": "../../etc/passwd"}, "time_zone"),
    ],
)
def test_bad_history_parameters_are_400(client, auth, site, params, field):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/calendar_history",
                   headers=auth, params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_field"
    assert field in r.json()["messages"]


def test_window_before_installation_is_null(client, auth, site):
    h = history(client, auth, site, kind="energy", period="day", end_date="2024-01-01T12:00:00Z")
    assert h["time_series"] is None


def test_no_history_quirk(client, world, auth, site):
    ghost = create_site(world, "alice", test_site_spec(index=1, quirks=((Quirk.NO_HISTORY.value, True),)))
    h = history(client, auth, ghost, kind="energy", period="day")
    assert h["time_series"] is None and h["installation_time_zone"] == "America/Los_Angeles"


def test_backup_history_empty(client, auth, site):
    h = history(client, auth, site, kind="backup")
    assert h == {"events": [], "total_events": 0}


def test_a_window_of_exactly_ten_years_of_366_days_is_allowed(world, site):
    """The 10-year window cap (MAX_WINDOW_S) is inclusive: one second more is a 400 naming
    the dates (mutation survivor: ``>`` -> ``>=`` went unseen)."""
    end = datetime.fromtimestamp(NOW_S, UTC)
    for extra_s, ok in ((0, True), (1, False)):
        start = datetime.fromtimestamp(NOW_S - MAX_WINDOW_S - extra_s, UTC)
        params = {"kind": "energy", "period": "year", "start_date": start.isoformat(),
                  "end_date": end.isoformat()}
        if ok:
            assert len(calendar_history(world, None, site.energy_site_id, params).starts) >= 1
        else:
            with pytest.raises(InvalidField) as err:
                calendar_history(world, None, site.energy_site_id, params)
            assert {"start_date", "end_date"} <= set(err.value.messages)


def test_charge_history_window_keeps_sessions_touching_its_edges(world, site):
    """A session is listed when it overlaps [start_date, end_date): one whose last power is
    at start_date exactly is in, one whose first power is at end_date is out (mutation
    survivor: ``>= lo`` -> ``> lo`` went unseen)."""
    lo, hi = NOW_S - 7200, NOW_S - 3600
    sessions = {"ends-at-lo": (lo - 600, lo), "ends-before": (lo - 600, lo - 1),
                "inside": (lo + 60, lo + 120), "starts-at-hi": (hi, hi + 60),
                "never-drew": (None, None), "one-sample-before": (lo - 60, None)}
    with world.store.tx() as tx:
        for event_id, (first, last) in sessions.items():
            tx.upsert_session(site.energy_site_id, event_id=event_id, din="d", vehicle_id="v",
                              first_power_s=first, last_power_s=last, delivered_j=3_600_000)
    h = charge_history(world, None, site.energy_site_id, {
        "kind": "charge", "start_date": datetime.fromtimestamp(lo, UTC).isoformat(),
        "end_date": datetime.fromtimestamp(hi, UTC).isoformat()})
    assert sorted(s["event_id"] for s in h.sessions) == ["ends-at-lo", "inside"]


def test_charge_history_empty(client, auth, site):
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/telemetry_history",
                   headers=auth, params={"kind": "charge"})
    assert r.status_code == 200
    assert r.json() == {"response": {"charge_history": []}}
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/telemetry_history",
                   headers=auth, params={"kind": "energy"})
    assert r.status_code == 400
