"""A site with 400 days of synthetic cumulative totals, known exactly (one row per 5-minute
boundary up to NOW_S). Shared by the wide-window history tests and bench_history_kinds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from gridtwin.core import jsonio
from gridtwin.domain.site import SiteSpec
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site, demo_spec
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import initial_state
from tests.conftest import NOW_S, make_world

DAYS = 400


@dataclass
class Synthetic:
    world: World
    spec: SiteSpec
    ends: npt.NDArray[np.int64]
    cum: npt.NDArray[np.int64]
    token: str

    def cumulative_at(self, t_s: int) -> npt.NDArray[np.int64]:
        """Cumulative Wh at boundary ``t_s``: zero before the first stored row."""
        i = int(np.searchsorted(self.ends, t_s))
        if i < len(self.ends) and self.ends[i] == t_s:
            return self.cum[i]
        assert t_s < self.ends[0], t_s
        return np.zeros(10, np.int64)


def build(url: str, tariff: dict[str, Any] | None = None) -> Synthetic:
    """A site installed DAYS before NOW_S whose history is random but known exactly;
    ``tariff`` (a Fleet API tariff document), when given, is in force since installation."""
    world = make_world(url)
    spec = replace(demo_spec(0, NOW_S), installation_s=NOW_S - DAYS * 86_400, step_s=300)
    create_site(world, "alice", spec)
    ends = np.arange(spec.installation_s + 300, NOW_S + 1, 300, dtype=np.int64)
    cum = np.cumsum(np.random.default_rng(7).integers(0, 500, (len(ends), 10)), axis=0)
    last_j = tuple(int(v) * 3600 for v in cum[-1])
    state = replace(initial_state(spec, NOW_S), counters_j=last_j, bucket_base_j=last_j)
    with world.store.tx() as tx:
        tx.insert_totals(spec.energy_site_id, ends.tolist(), cum)
        tx.save_state(spec.energy_site_id, jsonio.dumps(state_to_dict(state)), NOW_S)
        if tariff is not None:
            tx.insert_tariff(spec.energy_site_id, spec.installation_s, jsonio.dumps(tariff))
    return Synthetic(world, spec, ends, cum, mint_access_token(world, "alice").access_token)
