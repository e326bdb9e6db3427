"""History kinds power, soe, self_consumption, time_of_use_energy and savings on both
backends, mid-bucket, over wide windows and against the simulated charge
(docs/history-kinds.md)."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.core import jsonio
from gridtwin.services.auth import mint_access_token
from gridtwin.services.emulator.admin_sites import patch_site
from gridtwin.services.emulator.clock import advance_clock
from gridtwin.services.emulator.presets import _pge_tariff
from gridtwin.services.history_kinds import SoeHistory, history_kind
from gridtwin.services.provision import create_site
from gridtwin.services.sites import view_site
from gridtwin.sim.engine import app_percent
from tests.conftest import NOW_S, make_world, test_site_spec
from tests.contract.test_history_kinds_api import (
    PGE_LABEL_BY_HOUR,
    expected_soe,
    grid_out,
    home,
)
from tests.integration.test_history_limits import Synthetic, build

pytestmark = pytest.mark.timeout(300)

MID_BUCKET_S = 170
"""now is 12:02:50: the current 5-minute bucket has run 170 s (3600/170 is not whole)."""


def _get(client, spec, token, **params):
    return client.get(f"/api/1/energy_sites/{spec.energy_site_id}/calendar_history",
                      headers={"Authorization": f"Bearer {token}"}, params=params)


def _ok(client, spec, token, **params):
    r = _get(client, spec, token, **params)
    assert r.status_code == 200, r.text[:300]
    return r.json()["response"]


def test_kinds_mid_bucket_on_both_backends(backend_url):
    world = make_world(backend_url, NOW_S + MID_BUCKET_S)
    try:
        spec = create_site(world, "alice", test_site_spec())
        with world.store.tx() as tx:
            tx.insert_tariff(spec.energy_site_id, spec.installation_s, jsonio.dumps(_pge_tariff()))
        token = mint_access_token(world, "alice").access_token
        with TestClient(create_app(world), raise_server_exceptions=False) as c:
            e = _ok(c, spec, token, kind="energy", period="day")["time_series"]
            power = _ok(c, spec, token, kind="power", period="day")["time_series"]
            assert len(power) == len(e) == 145
            last, current = power[-1], e[-1]
            assert last["timestamp"] == "2025-07-15T12:00:00-07:00"
            # The current bucket averages over the 170 s it has run.
            assert last["solar_power"] == current["solar_energy_exported"] * 3600 / MID_BUCKET_S
            assert last["load_power"] == home(current) * 3600 / MID_BUCKET_S
            assert power[-2]["solar_power"] == 12 * e[-2]["solar_energy_exported"]

            live = c.get(f"/api/1/energy_sites/{spec.energy_site_id}/live_status",
                         headers={"Authorization": f"Bearer {token}"}).json()["response"]
            soe = _ok(c, spec, token, kind="soe")["time_series"]
            assert len(soe) == 49  # 00:00 .. 12:00
            for i, s in enumerate(soe):
                pct = expected_soe(spec, live, e, 3 * i)
                assert abs(s["soe"] - pct) <= 0.5 + 1e-9, (s, pct)

            week = _ok(c, spec, token, kind="energy", period="week")["time_series"]
            shares = _ok(c, spec, token, kind="self_consumption", period="week")["time_series"]
            for s, b in zip(shares, week, strict=True):
                assert s["solar"] == 100 * b["consumer_energy_imported_from_solar"] / home(b)

            tou = _ok(c, spec, token, kind="time_of_use_energy", period="week")
            for day, bucket in enumerate(week):
                for f in ("solar_energy_exported", "grid_energy_imported",
                          "consumer_energy_imported_from_battery"):
                    assert bucket[f] == sum(v["time_series"][day][f] for v in tou.values()), f

            savings = _ok(c, spec, token, kind="savings", period="day")
            assert len(savings) == 1 and savings[0]["currency"] == "USD"
            assert savings[0]["value"] == pytest.approx(sum(
                float({"off_peak": 0.2451, "partial_peak": 0.4471, "peak": 0.5576}[
                    PGE_LABEL_BY_HOUR[datetime.fromisoformat(b["timestamp"]).hour]])
                * (home(b) - b["grid_energy_imported"] + grid_out(b)) / 1000 for b in e), abs=0.006)
    finally:
        world.store.dispose()


def _assert_soe_history_is(world, spec, live: dict[int, float], end_date: str) -> None:
    """The soe history from 12:00 on the first day to ``end_date`` has a sample at every
    instant of ``live`` (app % the simulation had there), each within 0.05 points."""
    h = history_kind(world, None, spec.energy_site_id,  # type: ignore[arg-type]
                     {"kind": "soe", "start_date": "2025-07-15T12:00:00-07:00",
                      "end_date": end_date})
    assert isinstance(h, SoeHistory)
    derived = dict(zip(h.starts, h.pct, strict=True))
    assert set(live) <= set(derived)
    worst = max(abs(derived[t] - pct) for t, pct in live.items())
    assert worst < 0.05, worst


def test_soe_matches_the_simulated_charge(tmp_path):
    """Sampled live every 15 minutes for a day (full and empty included), the state of energy
    the history derives from the stored rows is the simulated one."""
    world = make_world(f"sqlite:///{tmp_path / 'soe.db'}")
    try:
        spec = create_site(world, "alice", test_site_spec(days=2))
        live = {}
        for _ in range(96):
            advance_clock(world, {"seconds": 900})
            view = view_site(world, None, spec.energy_site_id)
            live[view.now_s] = app_percent(view.spec, view.state.energy_wh)
        advance_clock(world, {"seconds": 3 * 3600})
        _assert_soe_history_is(world, spec, live, "2025-07-16T15:00:00-07:00")
        assert max(live.values()) == 100.0 and min(live.values()) < 45  # full, then drained
    finally:
        world.store.dispose()


def test_soe_before_an_app_pct_edit_stays_put(backend_url):
    """A control-plane app_pct edit sets the charge without a flow: the soe history before
    it still shows the charge the site had then, from it the new one (both backends, two
    edits, one up and one down)."""
    world = make_world(backend_url)
    try:
        spec = create_site(world, "alice", test_site_spec(days=2))
        live = {}
        for edit_pct in (95.0, 12.0, None):
            for _ in range(16):
                advance_clock(world, {"seconds": 900})
                view = view_site(world, None, spec.energy_site_id)
                live[view.now_s] = app_percent(view.spec, view.state.energy_wh)
            if edit_pct is not None:
                patch_site(world, spec.energy_site_id, {"app_pct": edit_pct})
                view = view_site(world, None, spec.energy_site_id)
                assert app_percent(view.spec, view.state.energy_wh) == pytest.approx(edit_pct)
                live[view.now_s] = edit_pct  # the sample at the edit's instant is after it
        advance_clock(world, {"seconds": 3600})
        _assert_soe_history_is(world, spec, live, "2025-07-16T01:00:00-07:00")
    finally:
        world.store.dispose()


@pytest.fixture
def synthetic(tmp_path):
    syn = build(f"sqlite:///{tmp_path / 'wide.db'}")
    with syn.world.store.tx() as tx:
        tx.insert_tariff(syn.spec.energy_site_id, syn.spec.installation_s,
                         jsonio.dumps(_pge_tariff()))
    yield syn
    syn.world.store.dispose()


def test_wide_windows_exact_and_capped(synthetic: Synthetic):
    syn = synthetic
    with TestClient(create_app(syn.world), raise_server_exceptions=False) as c:
        # 25 days of 5-minute power: each bucket is 12 x the difference of its edge rows.
        power = _ok(c, syn.spec, syn.token, kind="power", period="day",
                    start_date="2025-06-20T00:00:00-07:00", end_date="2025-07-15")["time_series"]
        assert len(power) == 25 * 288
        for p in power[::97]:
            t = int(datetime.fromisoformat(p["timestamp"]).timestamp())
            wh = syn.cumulative_at(t + 300) - syn.cumulative_at(t)
            assert p["solar_power"] == 12 * int(wh[0:3].sum())
            assert p["battery_power"] == 12 * int(wh[6] + wh[7] - wh[1] - wh[4] - wh[9])
        # A year of day buckets of the summary kinds; TOU labels add up to kind=energy.
        year = {"start_date": "2024-08-01", "end_date": "2025-07-15", "period": "month"}
        days = _ok(c, syn.spec, syn.token, kind="energy", **year)["time_series"]
        tou = _ok(c, syn.spec, syn.token, kind="time_of_use_energy", **year)
        assert list(tou) == ["off_peak", "partial_peak", "peak"]
        for i in range(0, len(days), 37):
            assert days[i]["solar_energy_exported"] == sum(
                v["time_series"][i]["solar_energy_exported"] for v in tou.values())
        savings = _ok(c, syn.spec, syn.token, kind="savings", **year)
        assert len(savings) == len(days) == 348  # 2024-08-01 .. 2025-07-14
        shares = _ok(c, syn.spec, syn.token, kind="self_consumption", period="lifetime")
        assert [s["timestamp"][:4] for s in shares["time_series"]] == ["2024", "2025"]
        soe = _ok(c, syn.spec, syn.token, kind="soe", period="month")["time_series"]
        assert len(soe) == 14 * 96 + 48
        assert all(0 <= s["soe"] <= 100 for s in soe)
        # Caps: 5-minute power over ~200 days, 15-minute soe over a year, TOU over 400 days.
        for kind, period, field in (("power", "year", "end_date"), ("soe", "year", "end_date"),
                                    ("time_of_use_energy", "lifetime", "end_date"),
                                    ("savings", "lifetime", "end_date")):
            r = _get(c, syn.spec, syn.token, kind=kind, period=period)
            assert r.status_code == 400, (kind, r.text[:200])
            assert field in r.json()["messages"], r.json()
            assert f"kind={kind}" in r.json()["error_description"]


def test_soe_history_is_the_energy_rule_on_rows(synthetic: Synthetic):
    """On random rows the derived soe follows E(t) = E(now) - eta x in + out / eta exactly."""
    syn = synthetic
    h = history_kind(syn.world, None, syn.spec.energy_site_id,  # type: ignore[arg-type]
                     {"kind": "soe", "period": "day"})
    assert isinstance(h, SoeHistory)
    view = view_site(syn.world, None, syn.spec.energy_site_id)
    eta = math.sqrt(syn.spec.round_trip)
    pack = syn.spec.total_pack_wh
    now = syn.cum[-1]
    for t, pct in zip(h.starts, h.pct, strict=True):
        at = syn.cumulative_at(t)
        charged = int(now[[1, 4, 9]].sum() - at[[1, 4, 9]].sum())
        discharged = int(now[[6, 7]].sum() - at[[6, 7]].sum())
        e = min(max(view.state.energy_wh - eta * charged + discharged / eta, 0.0), pack)
        assert pct == pytest.approx(min(max((100 * e / pack - 5) / 0.95, 0.0), 100.0), abs=1e-9)
    assert np.ptp(h.pct) > 0 or h.pct[0] in (0.0, 100.0)



def test_daylight_saving_days(tmp_path):
    """On the fall-back day (25 h) and the spring-forward day (23 h) in Los Angeles:
    power has 300 / 276 buckets, soe 100 / 92 samples with distinct timestamps, and the
    one-day kinds one bucket that adds up to the day's energy."""
    now = int(datetime.fromisoformat("2025-11-03T12:00:00-08:00").timestamp())
    world = make_world(f"sqlite:///{tmp_path / 'dst.db'}", now)
    try:
        spec = create_site(world, "alice", replace(test_site_spec(), installation_s=now - 3 * 86_400))
        with world.store.tx() as tx:
            tx.insert_tariff(spec.energy_site_id, spec.installation_s, jsonio.dumps(_pge_tariff()))
        token = mint_access_token(world, "alice").access_token
        with TestClient(create_app(world), raise_server_exceptions=False) as c:
            day = {"period": "day", "end_date": "2025-11-02T23:59:59-08:00"}
            energy = _ok(c, spec, token, kind="energy", **day)["time_series"]
            power = _ok(c, spec, token, kind="power", **day)["time_series"]
            soe = _ok(c, spec, token, kind="soe", **day)["time_series"]
            assert len(power) == len(energy) == 300
            assert len(soe) == 100 and len({s["timestamp"] for s in soe}) == 100
            assert [s["timestamp"] for s in soe[4:9]] == [
                "2025-11-02T01:00:00-07:00", "2025-11-02T01:15:00-07:00",
                "2025-11-02T01:30:00-07:00", "2025-11-02T01:45:00-07:00",
                "2025-11-02T01:00:00-08:00"]
            whole = _ok(c, spec, token, kind="energy", period="week",
                        end_date="2025-11-02T12:00:00-08:00")["time_series"][-1]
            assert whole["timestamp"] == "2025-11-02T00:00:00-07:00"
            tou = _ok(c, spec, token, kind="time_of_use_energy", **day)
            for f in ("solar_energy_exported", "grid_energy_imported",
                      "consumer_energy_imported_from_battery"):
                assert whole[f] == sum(v["time_series"][0][f] for v in tou.values()), f
            (share,) = _ok(c, spec, token, kind="self_consumption", **day)["time_series"]
            assert share["solar"] == 100 * whole["consumer_energy_imported_from_solar"] / home(whole)
        spring = int(datetime.fromisoformat("2025-03-10T12:00:00-07:00").timestamp())
        world2 = make_world(f"sqlite:///{tmp_path / 'dst2.db'}", spring)
        try:
            spec2 = create_site(world2, "alice",
                                replace(test_site_spec(), installation_s=spring - 3 * 86_400))
            token2 = mint_access_token(world2, "alice").access_token
            with TestClient(create_app(world2), raise_server_exceptions=False) as c:
                day = {"period": "day", "end_date": "2025-03-09T23:59:59-07:00"}
                assert len(_ok(c, spec2, token2, kind="power", **day)["time_series"]) == 276
                assert len(_ok(c, spec2, token2, kind="soe", **day)["time_series"]) == 92
        finally:
            world2.store.dispose()
    finally:
        world.store.dispose()
