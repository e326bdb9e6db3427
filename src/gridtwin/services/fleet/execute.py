"""Running a fleet study on Dask (``dask.distributed``): a local cluster by default, or
an existing scheduler.

Homes go in blocks of ``chunk_homes`` (consecutive ids), one task each; a task builds its
homes' inputs itself (:mod:`gridtwin.services.fleet.chunk`) and returns only its rows. At
most two blocks per worker are in flight, so the client holds a bounded number of
results; blocks are written to Parquet in home order as they complete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from gridtwin.services.fleet.chunk import run_homes
from gridtwin.services.fleet.config import FleetStudy
from gridtwin.services.fleet.population import Home, population
from gridtwin.services.fleet.results import SCHEMA, ParquetSink, rows_table

__all__ = ["Progress", "Run", "local_cluster", "run_block", "run_study"]

Progress = Callable[[int, int], None]
"""Called with (homes done, homes in the study)."""


@dataclass(frozen=True)
class Run:
    """Where and how to run: ``scheduler`` (tcp://HOST:8786) or a local cluster of
    ``workers`` processes (threads when ``processes`` is false: tests); ``chunk_homes``
    overrides the study's block size."""

    workers: int = 1
    scheduler: str | None = None
    chunk_homes: int | None = None
    processes: bool = True


def run_block(study: FleetStudy, homes: Sequence[Home]) -> pa.Table:
    """The task: the rows of a block of homes as a table."""
    return rows_table(study, {h.home_id: h for h in homes}, run_homes(study, homes))


def local_cluster(workers: int, processes: bool = True) -> Any:
    """A local Dask cluster of ``workers`` single-threaded workers for fleet tasks.

    The scheduler's HTTP server on any free port: 8787 may be taken (another cluster),
    and dask then warns. memory_limit=0: no nanny kills on a shared machine. The nanny's
    default MALLOC_TRIM_THRESHOLD_=65536 is not passed to the workers: setting any glibc
    malloc variable freezes its mmap threshold, so every array over 128 kB of a task is
    mapped and unmapped afresh; that page-faulting cost 40 ms of system CPU per home-year
    (plus a few of user), as much as the simulation itself (measured in one process
    with and without the variable). Memory per worker stays bounded by the chunk size.
    """
    import dask
    from dask.distributed import LocalCluster  # heavy: only when a study runs

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=processes,
            dashboard_address=":0", memory_limit=0, silence_logs=logging.ERROR)


@contextmanager
def _client(run: Run) -> Iterator[Any]:
    from dask.distributed import Client

    if run.scheduler is not None:
        with Client(run.scheduler, timeout="30s") as client:  # type: ignore[no-untyped-call]
            yield client
        return
    with local_cluster(run.workers, run.processes) as cluster, \
            Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def run_study(study: FleetStudy, run: Run = Run(), *, out: Path | None = None,
              progress: Progress | None = None) -> pa.Table:
    """Every home × (no battery, *variants); written to ``out`` (Parquet) when given.
    Returns the whole table, sorted by (home_id, variant_index)."""
    from dask.distributed import as_completed

    homes = population(study)
    size = run.chunk_homes or study.chunk_homes
    blocks = [homes[i:i + size] for i in range(0, len(homes), size)]
    sink = ParquetSink(out) if out is not None else None
    parts: list[pa.Table] = []
    done = 0
    try:
        with _client(run) as client:
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            shared = client.scatter(study, broadcast=True)
            index: dict[Any, int] = {}
            queue = as_completed()  # type: ignore[no-untyped-call]

            def submit(i: int) -> None:
                future = client.submit(run_block, shared, blocks[i], pure=False)
                index[future] = i
                queue.add(future)  # type: ignore[no-untyped-call]

            submitted = min(len(blocks), 2 * workers)
            for i in range(submitted):
                submit(i)
            ready: dict[int, pa.Table] = {}
            next_out = 0
            for future in queue:
                i = index.pop(future)
                ready[i] = future.result()
                future.release()
                if submitted < len(blocks):
                    submit(submitted)
                    submitted += 1
                done += len(blocks[i])
                if progress is not None:
                    progress(done, len(homes))
                while next_out in ready:
                    table = ready.pop(next_out)
                    if sink is not None:
                        sink.append(table)
                    parts.append(table)
                    next_out += 1
    finally:
        if sink is not None:
            sink.close()
    return pa.concat_tables(parts) if parts else SCHEMA.empty_table()
