"""A server process hands the GIL over every millisecond, so the event loop is not held up
for long by a worker thread rendering a large reply (issue 12, bench_history)."""

from __future__ import annotations

import sys

from gridtwin.asgi import SWITCH_INTERVAL_S, build
from gridtwin.core.settings import Settings


def test_build_sets_the_switch_interval(tmp_path):
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        _, world = build(Settings(db_url=f"sqlite:///{tmp_path / 'g.db'}", demo_on_empty=False))
        world.store.dispose()
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S == 0.001
    finally:
        sys.setswitchinterval(before)
