"""Fleet studies from Python: ``gridtwin.fleet.run(study) -> pyarrow.Table``.

    import gridtwin.fleet
    study = gridtwin.fleet.load("examples/fleet.toml")
    table = gridtwin.fleet.run(study, workers=2, out="out/results.parquet")
    table.to_pandas().groupby(["region", "variant"])["savings"].describe()

One row per home and variant (the no-battery baseline is variant 0): the home's
description, annual energy flows [kWh], self-sufficiency [%], peak 5-minute import [kW],
the bill and the savings against no battery [tariff currency]. The study file format is
in docs/fleet.md; the logic lives in :mod:`gridtwin.services.fleet`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gridtwin.services.fleet.config import FleetStudy, StudyError, load_study
from gridtwin.services.fleet.execute import Progress, Run, run_study
from gridtwin.services.fleet.population import Home, population
from gridtwin.services.fleet.summary import summary_frame, write_summary

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FleetStudy", "Home", "StudyError", "homes", "load", "run", "summary_frame",
           "write_summary"]


def load(path: str | Path) -> FleetStudy:
    """Read and validate a study file (raises StudyError listing every problem)."""
    return load_study(Path(path))


def homes(study: FleetStudy) -> list[Home]:
    """The study's homes, as drawn or read from its CSV."""
    return population(study)


def run(study: FleetStudy | str | Path, *, workers: int = 1, scheduler: str | None = None,
        chunk_homes: int | None = None, out: str | Path | None = None,
        progress: Progress | None = None, processes: bool = True) -> pa.Table:
    """Simulate every home × variant of ``study``; the rows sorted by (home_id,
    variant_index). workers: local Dask worker processes (threads if not
    ``processes``); scheduler: an existing cluster (tcp://HOST:8786) instead;
    chunk_homes: homes per task (default the study's); out: also write Parquet there."""
    if not isinstance(study, FleetStudy):
        study = load(study)
    return run_study(study, Run(workers, scheduler, chunk_homes, processes),
                     out=None if out is None else Path(out), progress=progress)
