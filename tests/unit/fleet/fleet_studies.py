"""Tiny fleet studies for the tests: a few homes, a few days."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TOU = ROOT / "examples" / "two_period_tou.json"

TINY = f"""
[run]
start = "2024-07-01"
days = 3
seed = 11
chunk_homes = 3

[tariff]
file = "{TOU}"

[population]
homes = 6

[[region]]
name = "Los Angeles"
time_zone = "America/Los_Angeles"
latitude = 34.05
longitude = -118.25
share = 0.5

[[region]]
name = "Denver"
time_zone = "America/Denver"
latitude = 39.74
longitude = -104.99
share = 0.5

[distributions]
solar_kw = {{uniform = [4, 10]}}
battery_model = {{choice = ["powerwall_3", "powerwall_2"]}}
battery_count = {{choice = [1, 2]}}
annual_kwh = {{normal = [8000, 2000], min = 3000, max = 14000}}
ev_share = 0.5
ev_kwh = {{uniform = [2000, 4000]}}

[[variant]]
name = "Self-powered"
mode = "self_consumption"
reserve = 20

[[variant]]
name = "Time-based"
mode = "autonomous"
reserve = 20
export = "battery_ok"
"""


def write_study(tmp_path: Path, text: str = TINY, name: str = "study.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
