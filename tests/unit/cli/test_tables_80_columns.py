"""Tables people read in a terminal fit 80 columns with every value whole (issue 14)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console
from typer.testing import CliRunner

from gridtwin.cli.main import app
from gridtwin.cli.views import sites_table
from gridtwin.client.types import BatteryProduct, WallConnectorProduct

pytestmark = pytest.mark.timeout(120)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _render(renderable: object) -> str:
    text = io.StringIO()
    Console(file=text, width=80, color_system=None).print(renderable)
    return text.getvalue()


def test_sites_table_keeps_each_site_on_one_line_at_80_columns() -> None:
    battery = BatteryProduct.model_construct(
        energy_site_id=5801768738520678, site_name="My Home", percentage_charged=63.25,
        battery_power=-4520, components=SimpleNamespace(solar=True, wall_connectors=[{}]))
    charger = WallConnectorProduct.model_construct(
        energy_site_id=1234567890123456, components=SimpleNamespace(wall_connectors=[{}, {}]))
    out = _render(sites_table([battery, charger]))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if "5801768738520678" in line)
    for value in ("My Home", "battery", "63.2 %", "-4.52 kW", "yes", "1"):
        assert value in row, row
    assert any("1234567890123456" in line and "charger" in line for line in lines)
    assert "…" not in out


def test_tariff_show_fits_80_columns_and_shows_buy_and_sell_prices() -> None:
    result = CliRunner().invoke(app, ["tariff", "show", str(EXAMPLES / "two_period_tou.json")],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    legend = {line.split("│")[2].strip(): line for line in lines if line.count("│") == 5}
    assert "0.55" in legend["ON_PEAK"] and "0.12" in legend["ON_PEAK"]
    assert "0.3" in legend["OFF_PEAK"] and "0.05" in legend["OFF_PEAK"]
    grid = [line for line in lines if line.count("│") == 9]
    assert [line.split("│")[1].strip() for line in grid] == ["00-16", "16-21", "21-24"]
    assert all(set(line.split("│")[2:9]) == {" B   "} for line in grid if "16-21" in line)


def test_the_shipped_example_tariff_validates_without_warnings() -> None:
    result = CliRunner().invoke(app, ["tariff", "validate", str(EXAMPLES / "two_period_tou.json")])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_the_v1_example_converts_to_a_clean_v2_tariff(tmp_path: Path) -> None:
    out = tmp_path / "v2.json"
    result = CliRunner().invoke(app, ["tariff", "convert-v1", str(EXAMPLES / "tou_v1.json"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    v2 = json.loads(out.read_text(encoding="utf-8"))
    assert set(v2["seasons"]) == {"Summer", "Winter"}
    check = CliRunner().invoke(app, ["tariff", "validate", str(out)])
    assert check.exit_code == 0 and check.stdout == ""
