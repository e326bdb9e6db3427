"""Environment windows served from cached whole UTC days.

The environment is window-independent (a value depends only on the spec, the events and
the step's instant), so a short window can be cut from cached day blocks with identical
results. Requests on a live server are a step or a day or two; computing each from
scratch costs far more than slicing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from gridtwin.core import jsonio
from gridtwin.domain.events import SiteEvent
from gridtwin.domain.site import SiteSpec
from gridtwin.sim.environment import environment_provider, site_environment
from gridtwin.sim.state import Environment, EnvironmentProvider

__all__ = ["BLOCK_S", "cached_environment_provider"]

BLOCK_S = 86_400
"""Cached block length [s]: one UTC day, a multiple of every allowed step."""
MAX_CACHED_WINDOW_S = 4 * BLOCK_S
MAX_BLOCKS = 256

_blocks: OrderedDict[tuple[object, ...], Environment] = OrderedDict()
_lock = threading.Lock()


def _events_key(events: Sequence[SiteEvent]) -> tuple[object, ...]:
    return tuple((e.id, e.type.value, e.start_s, e.end_s, jsonio.dumps(e.params)) for e in events)


def _block(spec: SiteSpec, events: Sequence[SiteEvent], key: tuple[object, ...],
           start_s: int, step_s: int) -> Environment:
    full = (spec, key, start_s, step_s)
    with _lock:
        hit = _blocks.get(full)
        if hit is not None:
            _blocks.move_to_end(full)
            return hit
    env = site_environment(spec, start_s, BLOCK_S // step_s, step_s, events=events)
    with _lock:
        _blocks[full] = env
        while len(_blocks) > MAX_BLOCKS:
            _blocks.popitem(last=False)
    return env


def cached_environment_provider(
    spec: SiteSpec, events: Sequence[SiteEvent] = ()
) -> EnvironmentProvider:
    """Like environment_provider, but short windows come from cached day blocks."""
    direct = environment_provider(spec, events)
    key = _events_key(events)

    def provide(start_s: int, n_steps: int, step_s: int) -> Environment:
        end_s = start_s + n_steps * step_s
        if n_steps * step_s > MAX_CACHED_WINDOW_S or BLOCK_S % step_s or start_s % step_s:
            return direct(start_s, n_steps, step_s)
        first = start_s // BLOCK_S * BLOCK_S
        blocks = [_block(spec, events, key, b, step_s) for b in range(first, end_s, BLOCK_S)]
        lo = (start_s - first) // step_s

        def cut(name: str) -> np.ndarray:
            joined = np.concatenate([getattr(b, name) for b in blocks]) if len(blocks) > 1 \
                else getattr(blocks[0], name)
            return joined[lo : lo + n_steps].copy()

        return Environment(start_s, step_s, cut("solar_w"), cut("home_load_w"),
                           cut("solar_forecast_w"), cut("home_load_forecast_w"))

    return provide
