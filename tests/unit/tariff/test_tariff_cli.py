"""``gridtwin tariff`` sub-app (validate, show, convert-v1/convert), via Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
import tariff_docs as td
from tariff_checks import check_point, look
from typer.testing import CliRunner

from gridtwin.cli.tariff import app
from gridtwin.tariff import dumps, loads, validate

runner = CliRunner()


def write(tmp_path: Path, doc: object, name: str = "tariff.json") -> Path:
    path = tmp_path / name
    path.write_text(dumps(doc, indent=2), encoding="utf-8")
    return path


def test_validate_clean_bare_v2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, td.pge()))])
    assert result.exit_code == 0
    assert result.stdout == ""


@pytest.mark.parametrize(
    "wrap",
    [
        lambda d: {"tou_settings": {"tariff_content_v2": d}},
        lambda d: {"response": {"tariff_content_v2": d}},
    ],
)
def test_validate_accepts_body_and_site_info(tmp_path: Path, wrap) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, wrap(td.tfa())))])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == ("error E16 currency: currency 'AUD' is not supported; use USD, EUR or GBP.")
    assert lines[1].startswith("warning W06 seasons.Summer.tou_periods: Labels PERIOD_00_00, ")
    assert len(lines) == 3


def test_validate_observed_profile(tmp_path: Path) -> None:
    path = write(tmp_path, td.tfa())
    result = runner.invoke(app, ["validate", str(path), "--profile", "observed"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "warning W01 currency: currency 'AUD' is outside USD, EUR and GBP; "
        "accepted by this site's profile."
    )
    assert result.stdout.splitlines()[-1].startswith(
        "normalised N02 sell_tariff.seasons.Summer.tou_periods.PERIOD_18_00: "
    )


def test_validate_v1_input_gives_e02(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, td.amber_v1()))])
    assert result.exit_code == 1
    assert result.stdout.startswith("error E02 demand_charges.ALL: This is the v1")


def test_validate_unreadable(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["validate", str(tmp_path / "none.json")])
    assert missing.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"currency": NaN}')
    assert runner.invoke(app, ["validate", str(bad)]).exit_code == 2
    bad.write_text("{")
    assert runner.invoke(app, ["validate", str(bad)]).exit_code == 2


def test_show_prints_each_season_grid(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(write(tmp_path, td.pge()))], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Season 'Summer' (Jan 1-May 31, Oct 1-Dec 31)" in result.stdout
    assert "Season 'Winter' (Jun 1-Sep 30)" in result.stdout
    assert "Buy [USD/kWh]" in result.stdout
    assert " ON_PEAK " in result.stdout and " 0.5576 " in result.stdout
    assert " PARTIAL_PEAK " in result.stdout and " 0.4138 " in result.stdout


def test_show_invalid_tariff_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(write(tmp_path, td.ha_week()))])
    assert result.exit_code == 1
    assert "error E16 currency" in result.stderr


def test_tc26c_convert_v1_cli(tmp_path: Path) -> None:
    out = tmp_path / "v2.json"
    args = ["convert-v1", str(write(tmp_path, td.amber_v1())), "--currency", "USD", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    report = validate(loads(out.read_text()))
    assert report.ok and not report.warnings
    check_point(look(report.tariff, "2025-03-05 05:30"), "Summer", "ON_PEAK", "0.43", "0.3")
    check_point(look(report.tariff, "2025-03-05 20:00"), "Summer", "OFF_PEAK", "0.01", "0.01")
    pge = runner.invoke(
        app, ["convert-v1", str(write(tmp_path, td.pge(), "pge.json")), "--currency", "USD"]
    )
    assert pge.exit_code == 2


def test_convert_alias_writes_stdout_and_reports_stderr(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(write(tmp_path, td.agl_v1())), "--currency", "USD"])
    assert result.exit_code == 0
    converted = loads(result.stdout)
    assert list(converted)[:2] == ["version", "code"]
    assert converted["currency"] == "USD"
    assert converted["sell_tariff"]["currency"] == "USD"
    assert converted["energy_charges"]["Summer"] == {
        "rates": loads('{"OFF_PEAK": 0.3, "ON_PEAK": 0.47, "SUPER_OFF_PEAK": 0.15}')
    }
    assert result.stderr.splitlines()[0].startswith(
        "warning W03 seasons.Season3.tou_periods.OFF_PEAK.periods[0]: "
    )


def test_convert_needs_a_currency(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert-v1", str(write(tmp_path, td.amber_v1()))])
    assert result.exit_code == 2
    assert "currency" in result.stderr


def test_convert_with_errors_still_writes_output(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["convert-v1", str(write(tmp_path, td.amber_v1())), "--currency", "AUD"]
    )
    assert result.exit_code == 1
    assert loads(result.stdout)["currency"] == "AUD"
    assert result.stderr.startswith("error E16 currency")
    observed = runner.invoke(
        app,
        [
            "convert-v1",
            str(write(tmp_path, td.amber_v1())),
            "--currency",
            "AUD",
            "--profile",
            "observed",
        ],
    )
    assert observed.exit_code == 0
