"""``serve`` simulates every site up to now before its banner (issue 14: the first
request used to simulate the demo year in silence)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from gridtwin.cli.warmup import STEP_S, warm_up
from gridtwin.services.provision import create_site
from gridtwin.services.world import World
from tests.conftest import NOW_S, test_site_spec

pytestmark = pytest.mark.timeout(300)


def _state_times(world: World) -> list[int]:
    with world.store.tx() as tx:
        return [row.state_t_s for row in tx.list_sites()]


def test_warm_up_brings_every_site_to_now_and_says_so(world: World) -> None:
    days = STEP_S // 86_400 + 3  # more than one step
    create_site(world, "alice", test_site_spec(days=days))
    create_site(world, "bob", test_site_spec(index=1, days=1))
    assert min(_state_times(world)) == NOW_S - days * 86_400
    text = io.StringIO()
    covered = warm_up(world, Console(file=text, width=100), "simulating the demo site's first year")
    assert covered == days * 86_400
    assert _state_times(world) == [NOW_S, NOW_S]
    out = text.getvalue()
    assert "simulating the demo site's first year..." in out
    assert f"({days} simulated days)" in out
    # Nothing left to do: no bar, no line.
    again = io.StringIO()
    assert warm_up(world, Console(file=again), "x") == 0.0 and again.getvalue() == ""


def test_without_a_terminal_a_line_tells_how_far_it_got(world: World) -> None:
    days = 3 * STEP_S // 86_400  # three steps: two progress lines, then "done"
    create_site(world, "alice", test_site_spec(days=days))
    text = io.StringIO()
    warm_up(world, Console(file=text, width=100), "catching up", log_every_s=0.0)
    lines = text.getvalue().splitlines()
    assert lines[0] == "catching up..."
    assert [line.split(" after ")[0] for line in lines[1:3]] == ["catching up: 33%",
                                                                 "catching up: 67%"]
    assert lines[3].startswith("catching up done in ") and len(lines) == 4
