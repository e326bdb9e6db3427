"""``gridtwin simulate``: a 14-day run checked against the engine's own buckets and the
library's perfect-foresight optimum."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gridtwin import tariff
from gridtwin.cli.main import app
from gridtwin.cli.simconfig import load_config
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls
from gridtwin.sim.engine import advance, initial_state
from gridtwin.sim.environment import environment_provider
from gridtwin.sim.optimum import site_optimum
from gridtwin.sim.prices import tariff_price_provider
from gridtwin.sim.state import CELLS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()
pytestmark = pytest.mark.timeout(600)

CONFIG = """
[site]
name = "Test home"
time_zone = "America/Los_Angeles"
latitude = 34.05
longitude = -118.25
solar_kw = 6.0
load_kwh_per_day = 20
battery_model = "powerwall_2"
battery_count = 1
initial_pct = 40

[run]
start = "2024-07-01"
days = 14
step_s = 300

[tariff]
file = "{tariff}"

[[variant]]
name = "self"
mode = "self_consumption"
reserve = 20
export = "pv_only"

[matrix]
mode = ["autonomous"]
reserve = [30]
export = ["battery_ok"]
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("simulate") / "sim.toml"
    path.write_text(CONFIG.replace("{tariff}", str(EXAMPLES / "two_period_tou.json")))
    return path


@pytest.fixture(scope="module")
def reply(config, tmp_path_factory):
    out = tmp_path_factory.mktemp("plots")
    result = runner.invoke(app, ["simulate", str(config), "--json", "--out", str(out), "--quiet",
                                 "--optimum"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out


def engine_totals(config: Path, controls: SiteControls | None) -> tuple[dict[str, int], Decimal]:
    """Re-run the engine in one call over the window and sum its 5-minute buckets."""
    cfg = load_config(config)
    spec = cfg.baseline if controls is None else cfg.spec
    prices = tariff_price_provider(spec.time_zone, [(cfg.start_s, tariff.dumps(cfg.tariff_doc))])
    result = advance(spec, controls or SiteControls(),
                     initial_state(spec, cfg.start_s, cfg.initial_pct), cfg.end_s,
                     env=environment_provider(spec), prices=prices)
    assert len(result.bucket_starts) == 14 * 288
    cells = dict(zip(CELLS, result.bucket_wh.sum(axis=0).tolist(), strict=True))
    imports = result.bucket_wh[:, [CELLS.index("grid_to_home"), CELLS.index("grid_to_battery")]]
    exports = result.bucket_wh[:, [CELLS.index(c) for c in CELLS if c.endswith("_to_grid")]]
    bill = tariff.compute_bill([(cfg.start_s, cfg.compiled)], spec.time_zone, cfg.start_s,
                               cfg.end_s, tariff.Intervals.of(result.bucket_starts,
                                                              imports.sum(axis=1),
                                                              exports.sum(axis=1)))
    totals = {
        "solar_wh": cells["solar_to_home"] + cells["solar_to_battery"] + cells["solar_to_grid"],
        "home_wh": sum(v for k, v in cells.items() if k.endswith("_to_home")),
        "grid_import_wh": cells["grid_to_home"] + cells["grid_to_battery"],
        "grid_export_wh": sum(v for k, v in cells.items() if k.endswith("_to_grid")),
        "battery_charge_wh": sum(v for k, v in cells.items() if k.endswith("_to_battery")),
        "battery_discharge_wh": cells["battery_to_home"] + cells["battery_to_grid"],
    }
    return totals, bill.total


def test_totals_and_bills_match_the_engine(reply, config):
    data, _ = reply
    assert [v["name"] for v in data["variants"]] == ["self", "autonomous 30% battery_ok"]
    cases = [(data["baseline"], None),
             (data["variants"][0], SiteControls(backup_reserve_pct=20)),
             (data["variants"][1], SiteControls(backup_reserve_pct=30,
                                                mode=OperationMode.AUTONOMOUS,
                                                export_rule=ExportRule.BATTERY_OK))]
    baseline_bill = None
    for row, controls in cases:
        totals, bill = engine_totals(config, controls)
        assert {k: row[k] for k in totals} == totals, row["name"]
        assert row["bill"]["total"] == str(tariff.round_money(bill))
        if controls is None:
            baseline_bill = bill
            assert row["battery_charge_wh"] == row["battery_discharge_wh"] == 0
        else:
            assert row["savings"] == str(tariff.round_money(baseline_bill - bill))
        home = row["home_wh"]
        assert 0 <= row["self_sufficiency_pct"] <= 100 and home > 0
    # Same site, same weather: solar and home use do not depend on the battery. Each total
    # sums cells that are whole-Wh differences of their own joule counters (§9.2), so the
    # same energy split otherwise may round apart: solar by 1 Wh, home (four cells) by < 8.
    solar = [v["solar_wh"] for v in [data["baseline"], *data["variants"]]]
    assert max(solar) - min(solar) <= 1
    homes = [v["home_wh"] for v in [data["baseline"], *data["variants"]]]
    assert max(homes) - min(homes) < 8
    assert data["variants"][0]["grid_import_wh"] < data["baseline"]["grid_import_wh"]
    assert sum(Decimal(m) for m in data["baseline"]["monthly_bill"].values()) == pytest.approx(
        Decimal(data["baseline"]["bill"]["total"]), abs=Decimal("0.02"))


def optimum_total(config: Path, controls: SiteControls) -> Decimal:
    """The library's optimum bill for the config's site with these battery settings."""
    cfg = load_config(config)
    return site_optimum(cfg.spec, controls, cfg.compiled, cfg.start_s, cfg.end_s,
                        initial_pct=cfg.initial_pct).bill.total


def test_shares_of_the_optimum_match_the_library(reply, config):
    data, _ = reply
    self_controls = SiteControls(backup_reserve_pct=20)
    auto_controls = SiteControls(backup_reserve_pct=30, mode=OperationMode.AUTONOMOUS,
                                 export_rule=ExportRule.BATTERY_OK)
    baseline = engine_totals(config, None)[1]
    for row, controls in ((data["variants"][0], self_controls),
                          (data["variants"][1], auto_controls)):
        best = optimum_total(config, controls)
        bill = engine_totals(config, controls)[1]
        assert best <= bill  # a bound
        assert row["optimum_bill"] == str(tariff.round_money(best))
        share = float((baseline - bill) / (baseline - best))
        assert row["share_of_optimum_pct"] == pytest.approx(100 * share, abs=1e-3)
    # --optimum: one row per distinct (reserve, export rule, grid charging).
    names = [o["name"] for o in data["optimum"]]
    assert names == ["optimum 20% pv_only", "optimum 30% battery_ok"]
    for row, controls in zip(data["optimum"], (self_controls, auto_controls), strict=True):
        assert row["bill"]["total"] == str(tariff.round_money(optimum_total(config, controls)))
        assert row["share_of_optimum_pct"] == pytest.approx(100.0)
        assert row["home_wh"] == data["baseline"]["home_wh"]
        assert row["solar_wh"] <= data["baseline"]["solar_wh"]
    assert "share_of_optimum_pct" not in data["baseline"]


def test_plots_are_png_files(reply):
    data, out = reply
    names = sorted(Path(p).name for p in data["plots"])
    assert names == ["daily_energy.png", "monthly_bill.png", "week_power.png"]
    for name in names:
        content = (out / name).read_bytes()
        assert content[:8] == PNG and len(content) > 10_000


def test_table_shows_the_same_numbers(reply, config):
    data, _ = reply
    result = runner.invoke(app, ["simulate", str(config), "--quiet"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for row in (data["baseline"], *data["variants"]):
        assert f"{row['grid_import_wh'] / 1000:,.1f}" in result.stdout
        assert row["bill"]["total"] in result.stdout
    assert "Self-sufficiency" in result.stdout and "Share of optimum" in result.stdout
    for row in data["variants"]:
        assert f"{row['share_of_optimum_pct']:.1f}" in result.stdout
    assert "optimum 20%" not in result.stdout  # without --optimum: shares only


def test_bad_configs_are_refused(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nbattery_model = "flux"\n[run]\nyear = 2024\n[tariff]\nfile = "x.json"\n'
                   '[[variant]]\nreserve = 120\n[optimum]\nshow = "yes"\nblock_s = 400\n')
    result = runner.invoke(app, ["simulate", str(bad), "--quiet"])
    assert result.exit_code == 1
    for fragment in ("site.battery_model", "tariff.file", "variant[0].reserve", "optimum.show",
                     "optimum.block_s"):
        assert fragment in result.stderr
    missing = runner.invoke(app, ["simulate", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 2


def test_the_shipped_example_config_loads():
    cfg = load_config(EXAMPLES / "simulate.toml")
    assert len(cfg.variants) == 4 and cfg.compiled.currency == "USD"
    assert (cfg.end_s - cfg.start_s) // 86_400 == 366
    assert np.isclose(cfg.spec.solar.dc_kw, 7.6)
    assert cfg.show_optimum and cfg.optimum_block_s == 3600
