"""Simulate the first sites up to now before ``serve`` prints its banner, with a progress
bar, so the first request answers at once instead of silently simulating a year."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from gridtwin.services.world import World

__all__ = ["LOG_EVERY_S", "MAX_SITES", "STEP_S", "warm_up"]

STEP_S = 14 * 86_400
"""Sim time per progress step [s]; each step is one catch-up of the sites warmed up."""
MAX_SITES = 100
"""Sites (the first in list order) simulated before the banner."""
LOG_EVERY_S = 10.0
"""Without a terminal (a log file, docker logs): a progress line at most this often [s]."""


def warm_up(world: World, console: Console, what: str, log_every_s: float = LOG_EVERY_S,
            max_sites: int = MAX_SITES) -> float:
    """Catch the first ``max_sites`` sites up to the world's now; returns the sim time
    covered [s]. The others are brought to now when first read (or the clock advances):
    a world of 10,000 sites starts without 10,000 warm-ups.

    Catch-up is the same code path the first request would take, in steps of ``STEP_S``
    so the bar moves; in realtime mode the few seconds that pass meanwhile are simulated
    by the first request. Without a terminal a line says how far it got every
    ``log_every_s`` of wall time, also while one step takes long (the first step of a
    first start compiles the kernels: a minute on a busy machine)."""
    from gridtwin.services.emulator.clock import catch_up_all

    with world.store.peek() as tx:
        first = tx.site_page(None, max_sites)
    target = world.now_s()
    ids = [row.energy_site_id for row in first]
    start = min((row.state_t_s for row in first), default=target)
    if start >= target:
        return 0.0
    started = time.monotonic()
    completed = [0]  # sim seconds done, read by the log thread
    finished = threading.Event()
    if not console.is_terminal:  # no live bar in a log file: say what is going on
        console.print(f"{what}...", highlight=False)

        def log_progress() -> None:
            while not finished.wait(log_every_s):
                console.print(f"{what}: {completed[0] / (target - start):.0%} after "
                              f"{time.monotonic() - started:.0f} s", highlight=False)

        logger = threading.Thread(target=log_progress, name="gridtwin-warm-up-log", daemon=True)
        logger.start()
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True,
                      disable=not console.is_terminal) as bar:
            task = bar.add_task(what, total=target - start)
            step_end = start
            while step_end < target:
                step_end = min(step_end + STEP_S, target)
                catch_up_all(world, step_end, ids)
                completed[0] = step_end - start
                bar.update(task, completed=completed[0])
    finally:
        finished.set()
        if not console.is_terminal:
            logger.join()
    span_s = target - start
    span = (f"{span_s / 86_400:.0f} simulated days" if span_s >= 2 * 86_400
            else f"{span_s / 3600:.1f} simulated hours")
    console.print(f"{what} done in {time.monotonic() - started:.0f} s ({span})", highlight=False)
    return float(target - start)
