"""Fleet study files and homes: distributions drawn per home id, CSV homes, and bad
files reported as a list of problems."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gridtwin.services.fleet.config import StudyError, load_study
from gridtwin.services.fleet.population import draw_home, population
from tests.unit.fleet.fleet_studies import TINY, TOU, write_study

pytestmark = pytest.mark.timeout(60)


def test_homes_follow_the_seed_and_id_not_the_fleet_size(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path))
    six = population(study)
    many = population(replace(study, homes=40))
    assert [h.home_id for h in six] == [1, 2, 3, 4, 5, 6]
    assert many[:6] == six  # a home is the same whatever else is in the study
    reseeded = population(replace(study, seed=12))
    assert reseeded != six
    for h in many:
        assert 4 <= h.solar_kw <= 10 and 3000 <= h.annual_kwh <= 14000
        assert h.battery_model in ("powerwall_3", "powerwall_2") and h.battery_count in (1, 2)
        assert h.ev_kwh == 0 or 2000 <= h.ev_kwh <= 4000
    regions = {h.region for h in many}
    assert regions == {"Los Angeles", "Denver"}
    assert {h.time_zone for h in many if h.region == "Denver"} == {"America/Denver"}
    assert 0 < sum(h.ev_kwh > 0 for h in many) < 40
    assert draw_home(study, 3) == six[2]


def test_csv_homes_override_the_draws_and_keep_them_for_empty_cells(tmp_path: Path) -> None:
    (tmp_path / "homes.csv").write_text(
        "home_id,region,latitude,longitude,time_zone,solar_kw,battery_count,annual_kwh,"
        "ev_kwh\n"
        "20,Denver,,,,6.5,2,9000,0\n"
        "10,,47.6,-122.3,America/Los_Angeles,,1,,1500\n", encoding="utf-8")
    text = TINY.replace("homes = 6", 'csv = "homes.csv"')
    study = load_study(write_study(tmp_path, text))
    first, second = population(study)
    assert first.home_id == 10 and first.region == "custom"
    assert (first.latitude_deg, first.longitude_deg) == (47.6, -122.3)
    assert first.ev_kwh == 1500 and first.battery_count == 1
    assert first.solar_kw == draw_home(study, 10).solar_kw  # empty cell: drawn
    assert second.home_id == 20 and second.region == "Denver"
    assert (second.solar_kw, second.battery_count, second.annual_kwh, second.ev_kwh) == \
        (6.5, 2, 9000, 0)
    assert second.time_zone == "America/Denver" and second.latitude_deg == 39.74


def test_bad_csv_rows_are_listed(tmp_path: Path) -> None:
    (tmp_path / "homes.csv").write_text(
        "home_id,region,solar_kw,battery_model\n1,Mars,5,powerwall_3\n2,Denver,-1,\n"
        "x,Denver,5,\n3,Denver,5,tesla\n", encoding="utf-8")
    study = load_study(write_study(tmp_path, TINY.replace("homes = 6", 'csv = "homes.csv"')))
    with pytest.raises(StudyError) as caught:
        population(study)
    problems = caught.value.problems
    assert problems == [
        "homes.csv:2: region 'Mars' is not a [[region]] of the study (or give latitude, "
        "longitude and time_zone)",
        "homes.csv:3: solar_kw must be a number 0-1000",
        "homes.csv:4: home_id must be a whole number >= 0",
        "homes.csv:5: battery_model must be powerwall_2, powerwall_plus or powerwall_3"]


def test_every_problem_of_a_bad_study_is_reported(tmp_path: Path) -> None:
    text = (TINY.replace('days = 3', 'days = 0')
            .replace('latitude = 34.05', 'latitude = 134.05')
            .replace('time_zone = "America/Denver"', 'time_zone = "Mars/Olympus"')
            .replace('solar_kw = {uniform = [4, 10]}', 'solar_kw = {gamma = [1, 2]}')
            .replace('mode = "autonomous"', 'mode = "turbo"')
            + '\n[distributions.wind_kw]\nuniform = [1, 2]\n')
    with pytest.raises(StudyError) as caught:
        load_study(write_study(tmp_path, text))
    assert caught.value.problems == [
        "run.days: must be a number 1-400",
        "region[0].latitude: must be a number -90-90",
        "region[1].time_zone: unknown zone 'Mars/Olympus'",
        "distributions.wind_kw: unknown; known: solar_kw, tilt_deg, azimuth_deg, "
        "battery_model, battery_count, annual_kwh, ev_share, ev_kwh, ev_kw, ev_start_hour",
        "distributions.solar_kw: give one of uniform = [lo, hi], normal = [mean, sd], "
        "choice = [...]",
        "variant[1].mode: must be one of self_consumption, autonomous, backup"]


def test_a_missing_tariff_and_unknown_tariff_names_are_reported(tmp_path: Path) -> None:
    text = TINY.replace(f'[tariff]\nfile = "{TOU}"', '[tariff]\nfile = "nope.json"').replace(
        'share = 0.5\n\n[[region]]', 'share = 0.5\ntariff = "flat"\n\n[[region]]')
    with pytest.raises(StudyError) as caught:
        load_study(write_study(tmp_path, text))
    assert caught.value.problems[0].startswith("tariff.file: cannot read: ")
    assert len(caught.value.problems) == 1  # names are checked once tariffs load
