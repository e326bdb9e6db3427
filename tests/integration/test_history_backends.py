"""History on both backends: DST days in three zones, exact aggregation at every period,
backfill for each of the last 7 days, empty sites (wire-format §9, issue: history at scale)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.domain.site import Location
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site, demo_spec
from tests.conftest import make_world

CELL_FIELDS = (
    "solar_energy_exported", "grid_energy_imported", "grid_energy_exported_from_solar",
    "grid_energy_exported_from_battery", "battery_energy_exported",
    "battery_energy_imported_from_grid", "battery_energy_imported_from_solar",
    "consumer_energy_imported_from_grid", "consumer_energy_imported_from_solar",
    "consumer_energy_imported_from_battery",
)

ZONES = {
    # zone: (location, spring-forward day, fall-back day, buckets on each)
    "America/Los_Angeles": ((34.05, -118.25), date(2025, 3, 9), date(2025, 11, 2), 276, 300),
    "Europe/London": ((51.5, -0.12), date(2025, 3, 30), date(2025, 10, 26), 276, 300),
    "Australia/Lord_Howe": ((-31.55, 159.08), date(2025, 10, 5), date(2025, 4, 6), 282, 294),
}


def _client(url: str, zone: str, now: datetime, install_days: int):
    world = make_world(url, int(now.timestamp()))
    lat, lon = ZONES.get(zone, ((34.05, -118.25),))[0]
    spec = replace(demo_spec(0, int(now.timestamp())), time_zone=zone,
                   location=Location(lat, lon), step_s=300,
                   installation_s=int(now.timestamp()) - install_days * 86_400)
    create_site(world, "alice", spec)
    token = mint_access_token(world, "alice").access_token
    return world, spec, TestClient(create_app(world)), {"Authorization": f"Bearer {token}"}


def _history(c, h, spec, **params):
    r = c.get(f"/api/1/energy_sites/{spec.energy_site_id}/calendar_history", headers=h,
              params={"kind": "energy", **params})
    assert r.status_code == 200, r.text
    return r.json()["response"]


def _check(bucket):
    assert bucket["solar_energy_exported"] == (bucket["grid_energy_exported_from_solar"]
        + bucket["battery_energy_imported_from_solar"] + bucket["consumer_energy_imported_from_solar"])
    assert bucket["grid_energy_imported"] == (bucket["battery_energy_imported_from_grid"]
        + bucket["consumer_energy_imported_from_grid"])
    assert bucket["battery_energy_exported"] == (bucket["grid_energy_exported_from_battery"]
        + bucket["consumer_energy_imported_from_battery"])


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_dst_days_have_their_true_length(backend_url, zone):
    _, spring, fall, n_spring, n_fall = ZONES[zone]
    tz = ZoneInfo(zone)
    last = max(spring, fall)
    now = datetime(last.year, last.month, last.day, 12, tzinfo=tz) + timedelta(days=1)
    world, spec, c, h = _client(backend_url, zone, now, (now.date() - min(spring, fall)).days + 2)
    try:
        for day, expected in ((spring, n_spring), (fall, n_fall)):
            end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=tz).isoformat()
            series = _history(c, h, spec, period="day", end_date=end)["time_series"]
            assert len(series) == expected, (zone, day)
            stamps = [b["timestamp"] for b in series]
            assert len(set(stamps)) == expected  # repeated hour gets distinct offsets
            assert stamps[0].startswith(day.isoformat() + "T00:00:00")
            for b in series:
                _check(b)
            month = _history(c, h, spec, period="month", end_date=end)["time_series"]
            day_bucket = next(b for b in month if b["timestamp"].startswith(day.isoformat()))
            for field in CELL_FIELDS:
                assert day_bucket[field] == sum(b[field] for b in series), (zone, day, field)
    finally:
        c.close()
        world.store.dispose()


def test_every_period_is_the_exact_sum_of_5_minute_buckets(backend_url):
    tz = ZoneInfo("America/Los_Angeles")
    now = datetime(2025, 7, 15, 9, 17, 23, tzinfo=tz)
    world, spec, c, h = _client(backend_url, "America/Los_Angeles", now, 45)
    try:
        days = {}
        for offset in range(46):
            d = now.date() - timedelta(days=offset)
            end = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=tz).isoformat()
            series = _history(c, h, spec, period="day", end_date=end)["time_series"]
            if series:
                days[d] = {f: sum(b[f] for b in series) for f in CELL_FIELDS}
        month = _history(c, h, spec, period="month")["time_series"]
        assert len(month) == 15  # July 1..15, today partial
        for b in month:
            d = date.fromisoformat(b["timestamp"][:10])
            assert {f: b[f] for f in CELL_FIELDS} == days[d]
            _check(b)
        year = _history(c, h, spec, period="year")["time_series"]
        assert [b["timestamp"][:7] for b in year] == ["2025-05", "2025-06", "2025-07"]
        life = _history(c, h, spec, period="lifetime")["time_series"]
        assert len(life) == 1
        for f in CELL_FIELDS:
            total = sum(v[f] for v in days.values())
            assert sum(b[f] for b in year) == total == life[0][f], f
        week = _history(c, h, spec, period="week")["time_series"]
        assert [b["timestamp"][:10] for b in week] == ["2025-07-14", "2025-07-15"]
        # Backfill of each of the last 7 days: the first bucket falls on that local day.
        for offset in range(1, 8):
            d = now.date() - timedelta(days=offset)
            end = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=tz).isoformat()
            series = _history(c, h, spec, period="day", end_date=end)["time_series"]
            first = datetime.fromisoformat(series[0]["timestamp"]).astimezone(tz)
            assert first.date() == d and len(series) == 288
        # Today so far: buckets up to now, the last one partial.
        today = _history(c, h, spec, period="day")["time_series"]
        assert len(today) == 9 * 12 + 4 and today[-1]["timestamp"] == "2025-07-15T09:15:00-07:00"
    finally:
        c.close()
        world.store.dispose()


def test_other_time_zone_and_odd_offsets(backend_url):
    tz = ZoneInfo("America/Los_Angeles")
    now = datetime(2025, 7, 15, 12, tzinfo=tz)
    world, spec, c, h = _client(backend_url, "America/Los_Angeles", now, 5)
    try:
        for zone, first in (("Asia/Kathmandu", "2025-07-13T00:00:00+05:45"),
                            ("Australia/Adelaide", "2025-07-13T00:00:00+09:30")):
            r = _history(c, h, spec, period="day", time_zone=zone,
                         end_date=f"2025-07-13T12:00:00{first[-6:]}")
            assert r["installation_time_zone"] == "America/Los_Angeles"
            assert r["time_series"][0]["timestamp"] == first and len(r["time_series"]) == 288
            week = _history(c, h, spec, period="week", time_zone=zone,
                            end_date=f"2025-07-13T12:00:00{first[-6:]}")["time_series"]
            day = next(b for b in week if b["timestamp"] == first)
            for f in CELL_FIELDS:
                assert day[f] == sum(b[f] for b in r["time_series"])
    finally:
        c.close()
        world.store.dispose()


def test_site_with_no_history_yet(backend_url):
    now = datetime(2025, 7, 15, 12, tzinfo=UTC)
    world, spec, c, h = _client(backend_url, "America/Los_Angeles", now, 0)
    try:
        r = _history(c, h, spec, period="day", end_date="2025-07-14T12:00:00-07:00")
        assert r["time_series"] is None
        # Installed this instant: the lifetime bucket starts before now and ends after the
        # installation, so it is returned, all zero (wire-format §9.2).
        life = _history(c, h, spec, period="lifetime")["time_series"]
        assert len(life) == 1 and all(life[0][f] == 0 for f in CELL_FIELDS)
        assert "total_home_usage" not in life[0]
    finally:
        c.close()
        world.store.dispose()
