"""The one numba decorator every kernel uses, and a cache that notices callee edits.

``cache=True`` keeps compiled code across processes; ``error_model="numpy"`` drops the
per-division zero checks of the Python error model (the kernels never divide by zero on
valid sites, and speed matters: every decision runs once per site and step).

Numba stamps a cached function with its own file only, so editing a callee in another
module (say dispatch.py) would leave kernel.py's cached ``decide_interval`` stale. The
locator below stamps every kernel in this package with all of the package's sources.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from numba import njit
from numba.core import caching, config

__all__ = ["borrowing_kernel", "inlined_kernel", "kernel"]

F = TypeVar("F", bound=Callable[..., Any])
_SIM_DIR = Path(__file__).resolve().parent


class SimSourcesLocator(caching.InTreeCacheLocator):
    """In-tree cache for gridtwin.sim kernels, stale when any sim source changes."""

    def get_source_stamp(self) -> tuple[tuple[str, float, int], ...]:
        return tuple((p.name, p.stat().st_mtime, p.stat().st_size)
                     for p in sorted(_SIM_DIR.glob("*.py")))

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if getattr(config, "CACHE_DIR", "") or Path(py_file).resolve().parent != _SIM_DIR:
            return None  # not ours, or a user cache dir: numba's own locators decide
        return super().from_function(py_func, py_file)  # type: ignore[no-untyped-call]


if SimSourcesLocator not in caching.CacheImpl._locator_classes:
    caching.CacheImpl._locator_classes.insert(0, SimSourcesLocator)


def kernel(fn: F) -> F:
    """Compile fn in nopython mode with the project's settings."""
    return cast(F, njit(cache=True, error_model="numpy")(fn))


def borrowing_kernel(fn: F) -> F:
    """Like :func:`kernel`, without reference counting, for hot functions that only read
    and write the arrays they are given (no allocation, no array returned). Numba
    otherwise increments and decrements every array argument atomically on each call;
    in the optimiser's per-step choice that cost more than its arithmetic (measured)."""
    options: dict[str, Any] = {"cache": True, "error_model": "numpy", "_nrt": False}
    return cast(F, njit(**options)(fn))


def inlined_kernel(fn: F) -> F:
    """Like :func:`borrowing_kernel`, inlined into its callers by numba itself. For the
    per-step call chain (decide_interval -> on_grid -> the optimiser's choice): numba
    passes every array as its seven fields, so a call taking the plan's ten tables
    copied some 75 words and LLVM would not inline functions this large. Inlining the
    chain made an optimised site-year 35 % faster (measured, bit-identical results); the
    optimiser's own helpers stay calls, as inlining them doubled compile time for little.

    Inlined code counts references as its caller does: call it from a
    :func:`borrowing_kernel` loop, or every array it is given is counted at every call
    (the batch's step loops and ``kernel._decide_at`` borrow for that reason)."""
    options: dict[str, Any] = {"cache": True, "error_model": "numpy", "_nrt": False,
                               "inline": "always"}
    return cast(F, njit(**options)(fn))
