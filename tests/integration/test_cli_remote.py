"""The remote CLI (``gridtwin sites``, ``live``, ``history``, the commands and
``tariff upload``) through typer's CliRunner against a real in-process server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gridtwin.cli.main import app
from gridtwin.testing import running_gridtwin
from tests.waits import HTTP_TIMEOUT_S

pytestmark = pytest.mark.server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def gt():
    with running_gridtwin() as server:
        yield server


def cli(gt, *args: str, token: str | None = None):
    env = {"GRIDTWIN_TOKEN": gt.token if token is None else token}
    return runner.invoke(app, [*args, "--url", gt.base_url], env=env)


def site_info(gt) -> dict:
    return httpx.get(gt.url("site_info"), headers=gt.headers, timeout=HTTP_TIMEOUT_S).json()["response"]


def test_sites_json_matches_site_info(gt):
    result = cli(gt, "sites", "--json")
    assert result.exit_code == 0, result.output
    sites = json.loads(result.stdout)
    info = site_info(gt)
    assert [s["energy_site_id"] for s in sites] == [gt.site_id]
    assert sites[0]["site_name"] == info["site_name"]
    assert sites[0]["id"] == info["id"]
    table = cli(gt, "sites")
    assert table.exit_code == 0 and str(gt.site_id) in table.stdout


def test_live_once_json_and_view(gt):
    result = cli(gt, "live", str(gt.site_id), "--once", "--json")
    assert result.exit_code == 0, result.output
    live = json.loads(result.stdout)
    assert live["load_power"] == (live["solar_power"] + live["battery_power"] + live["grid_power"]
                                  + live["generator_power"])
    view = cli(gt, "live", "My Home", "--once")
    assert view.exit_code == 0 and "Solar" in view.stdout and "Battery" in view.stdout


def test_history_table_json_and_plot(gt, tmp_path):
    plot = tmp_path / "week.png"
    result = cli(gt, "history", str(gt.site_id), "--period", "week", "--plot", str(plot))
    assert result.exit_code == 0, result.output
    assert "Total" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    as_json = cli(gt, "history", str(gt.site_id), "--period", "week", "--json")
    direct = httpx.get(gt.url("calendar_history"), headers=gt.headers,
                       params={"kind": "energy", "period": "week"}, timeout=HTTP_TIMEOUT_S).json()["response"]
    assert json.loads(as_json.stdout) == direct
    for kind in ("backup", "charge"):
        assert cli(gt, "history", str(gt.site_id), "--kind", kind).exit_code == 0
    assert cli(gt, "history", str(gt.site_id), "--kind", "backup",
               "--plot", str(plot)).exit_code == 2


def test_commands_change_site_info(gt):
    site = str(gt.site_id)
    result = cli(gt, "reserve", site, "55", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"code": 201, "message": "Updated"}
    assert cli(gt, "mode", site, "autonomous").exit_code == 0
    assert cli(gt, "storm", site, "off").exit_code == 0
    assert cli(gt, "grid-rules", site, "--export", "never", "--no-grid-charging").exit_code == 0
    info = site_info(gt)
    assert info["backup_reserve_percent"] == 55
    assert info["default_real_mode"] == "autonomous"
    assert info["user_settings"]["storm_mode_enabled"] is False
    assert info["components"]["customer_preferred_export_rule"] == "never"
    assert info["components"]["disallow_charge_from_grid_with_solar_installed"] is True
    assert cli(gt, "grid-rules", site, "--grid-charging").exit_code == 0
    assert "disallow_charge_from_grid_with_solar_installed" not in site_info(gt)["components"]


def test_tariff_upload(gt, tmp_path):
    result = cli(gt, "tariff", "upload", str(gt.site_id), str(EXAMPLES / "two_period_tou.json"))
    assert result.exit_code == 0, result.output
    doc = json.loads((EXAMPLES / "two_period_tou.json").read_text())
    assert site_info(gt)["tariff_content_v2"] == doc
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**doc, "currency": "XYZ"}))
    refused = cli(gt, "tariff", "upload", str(gt.site_id), str(bad))
    assert refused.exit_code == 1
    assert "currency" in refused.stderr
    unreadable = cli(gt, "tariff", "upload", str(gt.site_id), str(tmp_path / "missing.json"))
    assert unreadable.exit_code == 2


def test_refusals_exit_1_with_the_servers_message(gt):
    bad_value = cli(gt, "reserve", str(gt.site_id), "150")
    assert bad_value.exit_code == 1
    assert "must be an integer 0-100" in bad_value.stderr
    assert site_info(gt)["backup_reserve_percent"] != 150
    unsupported = cli(gt, "ev-reserve", str(gt.site_id), "40")
    assert unsupported.exit_code == 1 and "off_grid_vehicle_charging_reserve" in unsupported.stderr
    bad_mode = cli(gt, "mode", str(gt.site_id), "turbo")
    assert bad_mode.exit_code == 1 and "default_real_mode" in bad_mode.stderr
    unknown = cli(gt, "live", "123456", "--once")
    assert unknown.exit_code == 1 and "not_found" in unknown.stderr
    bad_token = cli(gt, "sites", token="not-a-token")
    assert bad_token.exit_code == 1 and "401" in bad_token.stderr


def test_usage_errors_exit_2(gt):
    assert cli(gt, "storm", str(gt.site_id), "maybe").exit_code == 2
    assert cli(gt, "grid-rules", str(gt.site_id)).exit_code == 2
    assert cli(gt, "reserve", str(gt.site_id), "lots").exit_code == 2
    no_token = runner.invoke(app, ["sites", "--url", gt.base_url], env={"GRIDTWIN_TOKEN": ""})
    assert no_token.exit_code == 2


def test_token_option_and_unreachable_server(gt):
    result = runner.invoke(app, ["sites", "--json", "--url", gt.base_url, "--token", gt.token],
                           env={"GRIDTWIN_TOKEN": ""})
    assert result.exit_code == 0, result.output
    down = runner.invoke(app, ["sites", "--url", "http://127.0.0.1:9", "--token", "x"])
    assert down.exit_code == 1 and "cannot reach" in down.stderr
