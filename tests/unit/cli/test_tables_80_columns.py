"""Tables people read in a terminal fit 80 columns with every value whole (issue 14)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
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


def _outcome(name: str, scale: int, share: float | None) -> object:
    from gridtwin.services.whatif import Outcome

    totals = {key: scale * (i + 3) * 1_234_567 for i, key in enumerate(
        ("solar_wh", "home_wh", "grid_import_wh", "grid_export_wh", "battery_charge_wh",
         "battery_discharge_wh"))}
    return Outcome(name=name, totals_wh=totals, self_sufficiency_pct=61.25 + scale,
                   bill=SimpleNamespace(total=Decimal("-1234.56") * scale),  # type: ignore[arg-type]
                   monthly=(), savings=Decimal("987.65") * scale, share_of_optimum=share)


def test_simulate_tables_fit_80_columns_with_every_name_and_value() -> None:
    from gridtwin.cli.simulate import summary_tables

    cfg = SimpleNamespace(start_s=1_704_096_000, end_s=1_704_096_000 + 366 * 86_400,
                          spec=SimpleNamespace(name="Example home", time_zone="America/Los_Angeles"),
                          compiled=SimpleNamespace(currency="USD"))
    names = ["Self-powered, 20 % reserve", "Time-based, 20 % reserve",
             "self_consumption 50% pv_only",  # as [matrix] names them
             "self_consumption 80% pv_only", "optimum 20% pv_only",
             "optimum 20% battery_ok", "optimum 50% pv_only", "optimum 80% pv_only"]
    base = _outcome("no battery", 1, None)
    outcomes = [_outcome(name, i + 2, 0.5 + i / 20) for i, name in enumerate(names)]
    tables = summary_tables(cfg, base, outcomes, 80)  # type: ignore[arg-type]
    assert len(tables) > 1  # nine columns of money do not fit one table
    out = "".join(_render(table) for table in tables)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in out
    # Rich crops a table laid out wider than the console: its right border goes missing.
    framed = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert all(line[-1] in "┓┃┩│┘" for line in framed), out
    assert out.count("Share of optimum [%]") == len(tables)  # each table has its labels
    words = " ".join(line.replace("│", " ") for line in lines).split()
    for name in ["no battery", *names]:
        assert all(word in words for word in name.split()), name
    for outcome in [base, *outcomes]:
        bill = f"{outcome.bill.total} USD"  # type: ignore[attr-defined]
        assert any(bill in line for line in lines), bill
        assert any(f"{outcome.self_sufficiency_pct:.1f}" in line  # type: ignore[attr-defined]
                   for line in lines)
    assert "Example home: 366 days from 2024-01-01" in out


def test_a_few_variants_stay_in_one_table() -> None:
    from gridtwin.cli.simulate import summary_tables

    cfg = SimpleNamespace(start_s=1_704_096_000, end_s=1_704_096_000 + 14 * 86_400,
                          spec=SimpleNamespace(name="Home", time_zone="UTC"),
                          compiled=SimpleNamespace(currency="USD"))
    tables = summary_tables(cfg, _outcome("no battery", 1, None),  # type: ignore[arg-type]
                            [_outcome("Self-powered", 1, 0.9)], 80)
    assert len(tables) == 1


@pytest.mark.parametrize("bill", ["1690.46", "-1234.56", "99.10"])
def test_no_variant_name_is_cut_inside_a_word(bill: str) -> None:
    # Rich narrows the widest headers first: "self_consumption" came out folded as
    # "self_consumptio" / "n" although the column had room for the word.
    from gridtwin.cli.simulate import summary_tables
    from gridtwin.services.whatif import Outcome

    cfg = SimpleNamespace(start_s=1_704_096_000, end_s=1_704_096_000 + 366 * 86_400,
                          spec=SimpleNamespace(name="Example home", time_zone="UTC"),
                          compiled=SimpleNamespace(currency="USD"))
    names = ["Self-powered, 20 % reserve", "Time-based, 20 % reserve",
             "self_consumption 50% pv_only", "self_consumption 80% pv_only",
             "optimum 20% pv_only", "optimum 20% battery_ok", "optimum 50% pv_only"]
    totals = dict.fromkeys(("solar_wh", "home_wh", "grid_import_wh", "grid_export_wh",
                            "battery_charge_wh", "battery_discharge_wh"), 10_020_000)
    outcomes = [Outcome(name=name, totals_wh=totals, self_sufficiency_pct=63.8,
                        bill=SimpleNamespace(total=Decimal(bill)),  # type: ignore[arg-type]
                        monthly=(), savings=Decimal("1204.59"), share_of_optimum=0.916)
                for name in ["no battery", *names]]
    out = "".join(_render(t) for t in summary_tables(cfg, outcomes[0], outcomes[1:], 80))
    assert max(len(line) for line in out.splitlines()) <= 80
    headers = [line for line in out.splitlines() if line.startswith("┃")]
    words = " ".join(line.replace("┃", " ") for line in headers).split()
    for word in {w for name in names for w in name.split()}:
        expected = sum(name.split().count(word) for name in names)
        assert words.count(word) == expected, (word, out)
