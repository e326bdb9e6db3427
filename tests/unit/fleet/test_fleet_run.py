"""Fleet runs: the same Parquet bytes whatever the workers and chunking, the same values
as the single-home what-if path, and the CLI on an existing Dask cluster."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import gridtwin.fleet
from gridtwin.cli.main import app
from gridtwin.domain.controls import SiteControls
from gridtwin.services import study as st
from gridtwin.services import whatif
from gridtwin.services.fleet.chunk import FLOW_COLUMNS, run_homes
from gridtwin.services.fleet.config import load_study, local_midnight
from gridtwin.services.fleet.homes import home_provider, home_spec
from gridtwin.services.fleet.population import population
from gridtwin.tariff import round_money
from tests.unit.fleet.fleet_studies import TINY, write_study

# The first run compiles the batch kernel when numba's cache is cold.
pytestmark = pytest.mark.timeout(300)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_parquet_is_identical_for_one_and_two_workers_and_two_chunk_sizes(tmp_path: Path
                                                                          ) -> None:
    study = load_study(write_study(tmp_path))
    one = tmp_path / "one.parquet"
    two = tmp_path / "two.parquet"
    table = gridtwin.fleet.run(study, workers=1, chunk_homes=6, out=one, processes=False)
    gridtwin.fleet.run(study, workers=2, chunk_homes=2, out=two, processes=False)
    assert _sha(one) == _sha(two)
    assert pq.read_table(two).equals(table)
    assert table.num_rows == 6 * 3
    assert table.column("home_id").to_pylist() == [h for h in range(1, 7) for _ in range(3)]
    assert table.column("variant").to_pylist()[:3] == ["no battery", "Self-powered",
                                                       "Time-based"]
    rows = table.to_pylist()
    for base, *variants in (rows[i:i + 3] for i in range(0, len(rows), 3)):
        assert base["savings"] == 0 and base["battery_count"] == 0
        assert base["battery_charge_kwh"] == base["battery_discharge_kwh"] == 0
        for r in variants:
            # the same PV with and without battery (its three cells each rounded to Wh)
            assert r["solar_kwh"] == pytest.approx(base["solar_kwh"], abs=0.0025)
            assert r["savings"] == pytest.approx(base["bill"] - r["bill"], abs=0.011)
            assert r["savings"] > 0 and r["battery_discharge_kwh"] > 0
            assert r["self_sufficiency_pct"] > base["self_sufficiency_pct"]
            assert r["grid_import_kwh"] < base["grid_import_kwh"]
            assert r["peak_import_kw"] > 0


def test_each_home_matches_the_single_home_what_if_path(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path))
    homes = population(study)
    with_ev = [h for h in homes if h.ev_kwh > 0][:1]
    chosen = [*with_ev, *[h for h in homes if h not in with_ev][:1]]
    rows = run_homes(study, chosen)
    assert len(rows) == 2 * 3
    for home in chosen:
        zone = home.time_zone
        start, end = local_midnight(study.start, zone), local_midnight(study.end, zone)
        spec = home_spec(home, study.seed, study.step_s, start)
        choice = study.tariffs[home.tariff]
        one = st.Study(spec, st.no_battery(spec), choice.doc, choice.compiled, start, end,
                       study.initial_pct)
        env = home_provider(home, spec)
        runs = [st.simulate(one, one.baseline, SiteControls(), "no battery", env=env),
                *(st.simulate(one, spec, v.controls, v.name, env=env) for v in study.variants)]
        base = whatif.outcome(one, runs[0], None)
        expected = [base, *(whatif.outcome(one, run, base.bill.total) for run in runs[1:])]
        got = [r for r in rows if r.home_id == home.home_id]
        for outcome, run, row in zip(expected, runs, got, strict=True):
            assert row.flows_wh == tuple(outcome.totals_wh[k.replace("_kwh", "_wh")]
                                         for k in FLOW_COLUMNS), outcome.name
            assert row.bill == outcome.bill.total, outcome.name
            assert row.savings == outcome.savings
            assert row.self_sufficiency_pct == pytest.approx(outcome.self_sufficiency_pct,
                                                             abs=1e-9)
            peak_wh = int(st.flows_wh(run.wh, "grid_import_wh").max())
            assert row.peak_import_w == peak_wh * 12  # the highest 5-minute mean [W]
        assert got[2].bill != got[1].bill  # Time-based is not Self-powered
        assert got[0].bill > got[1].bill > Decimal(0)


def test_csv_study_through_the_cli_on_an_existing_cluster(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    (tmp_path / "homes.csv").write_text(
        "home_id,region,solar_kw,battery_count,annual_kwh,ev_kwh\n"
        "7,Denver,6,1,7000,0\n3,Los Angeles,8,2,9000,3000\n", encoding="utf-8")
    from tests.unit.fleet.fleet_studies import TINY

    path = write_study(tmp_path, TINY.replace("homes = 6", 'csv = "homes.csv"'))
    out = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        result = CliRunner().invoke(app, ["fleet", str(path), "--out", str(out), "--quiet",
                                          "--scheduler", cluster.scheduler_address],
                                    env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "results.parquet")
    assert table.column("home_id").to_pylist() == [3, 3, 3, 7, 7, 7]
    assert table.column("region").to_pylist()[::3] == ["Los Angeles", "Denver"]
    assert table.column("ev_kwh").to_pylist()[::3] == [3000, 0]
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0].startswith("region,variant,currency,homes,bill_mean,savings_mean")
    assert len(summary) == 1 + 2 * 3
    assert (out / "savings.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| Denver | Time-based | 1 |" in (out / "summary.md").read_text()
    assert "Time-based" in result.output


def test_a_bad_study_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    path = write_study(tmp_path, "[run]\nyear = 1900\n[population]\nhomes = 0\n")
    result = CliRunner().invoke(app, ["fleet", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "run.year: must be a number 1971-2100" in result.output
    assert "population.homes: must be a number 1-1e+07" in result.output
    assert isinstance(result.exception, SystemExit)  # typer.Exit, not a crash
    assert "Traceback" not in result.output
    broken = write_study(tmp_path, "[run\n", "broken.toml")
    result = CliRunner().invoke(app, ["fleet", str(broken), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "cannot read" in result.output
    assert not (tmp_path / "o").exists()


def test_short_date_range_and_a_home_without_battery(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path))
    home = replace(population(study)[0], battery_count=0)
    rows = run_homes(replace(study, start=study.start, end=study.start.replace(day=2)), [home])
    assert [r.bill for r in rows[1:]] == [rows[0].bill] * 2  # no battery: nothing changes
    assert all(r.savings == 0 for r in rows)
    assert round_money(rows[0].bill) > 0


def test_a_homes_time_based_variants_share_its_forecasts(tmp_path: Path, monkeypatch) -> None:
    """Two Time-based variants of a home plan on one forecast (made once per home), and
    each gets the same rows as when it is the study's only Time-based variant."""
    from gridtwin.sim import plans

    text = TINY + '\n[[variant]]\nname = "Time-based pv_only"\nmode = "autonomous"\n' \
        'reserve = 20\nexport = "pv_only"\n'
    study = load_study(write_study(tmp_path, text, "two.toml"))
    homes = population(study)
    made: list[int] = []
    real = plans.forecasts

    def counted(spec, env, midnights, perfect=False):  # type: ignore[no-untyped-def]
        made.append(spec.energy_site_id)
        return real(spec, env, midnights, perfect)

    monkeypatch.setattr(plans, "forecasts", counted)
    rows = run_homes(study, homes)
    assert sorted(made) == sorted(h.home_id for h in homes if h.battery_count > 0)
    alone = run_homes(replace(study, variants=study.variants[:1] + study.variants[2:]), homes)
    by_key = {(r.home_id, r.variant_index): r for r in rows}
    checked = 0
    for r in alone:  # its variant 2 is variant 3 here
        if r.variant_index == 2:
            assert by_key[(r.home_id, 3)] == replace(r, variant_index=3)
            checked += 1
    assert checked == len(homes)
