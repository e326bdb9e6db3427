"""``[site] load_appliances`` of the simulate config: the textured home load, opt-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridtwin.cli.simconfig import ConfigError, load_config

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TARIFF = (EXAMPLES / "two_period_tou.json").resolve()


def _config(tmp_path: Path, site_line: str) -> Path:
    text = (EXAMPLES / "simulate.toml").read_text()
    text = text.replace("[site]\n", f"[site]\n{site_line}\n", 1)
    text = text.replace('file = "two_period_tou.json"', f'file = "{TARIFF.as_posix()}"')
    path = tmp_path / "sim.toml"
    path.write_text(text)
    return path


def test_smooth_load_by_default_textured_on_request(tmp_path: Path) -> None:
    assert load_config(_config(tmp_path, "")).spec.load.appliances is False
    assert load_config(_config(tmp_path, "load_appliances = true")).spec.load.appliances is True


def test_a_non_boolean_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"site\.load_appliances: must be true or false"):
        load_config(_config(tmp_path, 'load_appliances = "yes"'))
