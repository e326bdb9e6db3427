"""A site's own weather file through the control plane and ``gridtwin simulate`` (issue 16):
accepted when readable, refused with the path named when not, and reported with the
station's distance wherever results are shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from gridtwin.cli.main import app
from tests.integration.admin_input import BASE_SITE, admin_world, assert_refused
from tests.integration.test_simulate import CONFIG, EXAMPLES
from tests.weatherfiles import relocated_tmy3

pytestmark = pytest.mark.timeout(600)
NEW_ID = 1_000_000_000_000_078
runner = CliRunner()


def _site(**location: Any) -> dict[str, Any]:
    return {**BASE_SITE, "energy_site_id": NEW_ID,
            "location": {"latitude": 40.0, "longitude": -80.0, **location}}


def test_a_site_described_with_its_weather_file(db_url, tmp_path):
    path = relocated_tmy3(tmp_path / "pittsburgh.csv", 40.5, -80.2, -5.0)
    with admin_world(db_url) as admin:
        assert admin.post("/sites", _site(weather_file=str(path))).status_code in (200, 201)
        weather = admin.get(f"/sites/{NEW_ID}").json()["response"]["weather"]
        assert weather["file"] == str(path.resolve())
        assert weather["station"] == "RELOCATED (TMY3)"
        assert weather["distance_km"] == pytest.approx(58.1, abs=0.2)
        bundled = admin.get(f"/sites/{BASE_SITE['energy_site_id']}").json()["response"]["weather"]
        assert bundled["file"] is None and bundled["station"] == "Greensboro NC (TMY3)"


@pytest.mark.parametrize("name", ["missing.epw", "junk.csv"])
def test_an_unreadable_weather_file_is_refused_and_stores_nothing(db_url, tmp_path, name):
    (tmp_path / "junk.csv").write_text("not weather\n")
    with admin_world(db_url) as admin:
        before = admin.fingerprint()
        assert_refused(admin.post("/sites", _site(weather_file=str(tmp_path / name))),
                       "site.location.weather_file")
        assert admin.fingerprint() == before


def _config(tmp_path: Path, weather_line: str) -> Path:
    text = CONFIG.replace("{tariff}", str(EXAMPLES / "two_period_tou.json"))
    text = text.replace("days = 14", "days = 2").replace('initial_pct = 40', f"initial_pct = 40\n{weather_line}")
    path = tmp_path / "sim.toml"
    path.write_text(text)
    return path


def test_simulate_reads_and_reports_the_weather_file(tmp_path):
    relocated_tmy3(tmp_path / "la.csv", 34.0, -118.0, -8.0)
    config = _config(tmp_path, 'weather_file = "la.csv"')
    result = runner.invoke(app, ["simulate", str(config), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    weather = json.loads(result.stdout)["weather"]
    assert weather["file"] == str((tmp_path / "la.csv").resolve())
    assert weather["distance_km"] == pytest.approx(23.7, abs=0.2)
    table = runner.invoke(app, ["simulate", str(config), "--quiet"])
    assert "Weather: RELOCATED (TMY3) (file" in table.stdout


def test_simulate_refuses_a_bad_weather_file(tmp_path):
    config = _config(tmp_path, 'weather_file = "nope.epw"')
    result = runner.invoke(app, ["simulate", str(config), "--quiet"], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "site.weather_file:" in result.output and "no such weather file" in result.output


def test_fetch_weather_downloads_once_and_uses_it(tmp_path, monkeypatch):
    import pvlib

    from tests.weatherfiles import greensboro_columns

    cols = greensboro_columns()
    calls = []

    def fake_get(lat, lon, **kwargs):
        calls.append((lat, lon, kwargs["outputformat"], kwargs["map_variables"]))
        index = pd.date_range("1990-01-01 00:00", periods=8760, freq="h", tz="UTC")
        data = pd.DataFrame({"T2m": cols["temp_air"], "G(h)": cols["ghi"], "Gb(n)": cols["dni"],
                             "Gd(h)": cols["dhi"], "WS10m": cols["wind_speed"]}, index=index)
        meta = {"inputs": {"location": {"latitude": lat, "longitude": lon, "elevation": 80.0}},
                "months_selected": []}
        return data, meta

    monkeypatch.setattr(pvlib.iotools, "get_pvgis_tmy", fake_get)
    config = _config(tmp_path, "")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):
        result = runner.invoke(app, ["simulate", str(config), "--json", "--quiet", "--fetch-weather"], env=env)
        assert result.exit_code == 0, result.output
    assert calls == [(34.05, -118.25, "json", False)]  # the second run used the cache
    weather = json.loads(result.stdout)["weather"]
    assert weather["station"] == "PVGIS 34.050, -118.250" and weather["distance_km"] == 0.0


def test_fetch_weather_offline_is_one_clear_error(tmp_path, monkeypatch):
    import pvlib

    def offline(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection")

    monkeypatch.setattr(pvlib.iotools, "get_pvgis_tmy", offline)
    result = runner.invoke(app, ["simulate", str(_config(tmp_path, "")), "--quiet", "--fetch-weather"],
                           env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2 and "cannot fetch PVGIS weather" in lines[0]
