"""``serve`` simulates the first sites up to now before its banner (issue 14: the first
request used to simulate the demo year in silence), and only those (issue 17: a world of
10,000 sites starts without 10,000 warm-ups)."""

from __future__ import annotations

import io
import re
import threading

import pytest
from rich.console import Console

from gridtwin.cli.warmup import STEP_S, warm_up
from gridtwin.services.emulator import clock
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


def test_warm_up_covers_only_the_first_sites(world: World) -> None:
    for i in range(3):
        create_site(world, "alice", test_site_spec(index=i, days=1))
    assert warm_up(world, Console(file=io.StringIO()), "x", max_sites=2) == 86_400
    # In list order: the first two are at now, the third still at its installation.
    assert _state_times(world) == [NOW_S, NOW_S, NOW_S - 86_400]


class _Log(io.StringIO):
    """A log file that notes when a progress line was written."""

    def __init__(self) -> None:
        super().__init__()
        self.progress_written = threading.Event()

    def write(self, text: str) -> int:
        if re.search(r": \d+% after ", text):
            self.progress_written.set()
        return super().write(text)


def test_without_a_terminal_a_line_tells_how_far_it_got_even_within_a_step(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    days = 3 * STEP_S // 86_400
    create_site(world, "alice", test_site_spec(days=days))
    log = _Log()
    real = clock.catch_up_all

    def slow_first_step(w: World, until_s: int, site_ids: list[int]) -> None:
        # Like a first start compiling the kernels: the step ends only after a line said
        # how far it got (bounded, so a broken logger fails the test instead of hanging).
        assert log.progress_written.wait(60), "no progress line within a long step"
        real(w, until_s, site_ids)

    monkeypatch.setattr(clock, "catch_up_all", slow_first_step)
    warm_up(world, Console(file=log, width=100), "catching up", log_every_s=0.05)
    lines = log.getvalue().splitlines()
    assert lines[0] == "catching up..."
    assert lines[-1].startswith("catching up done in ") and "(42 simulated days)" in lines[-1]
    shares = [re.fullmatch(r"catching up: (\d+)% after \d+ s", line) for line in lines[1:-1]]
    assert shares and all(shares), lines
    percents = [int(m.group(1)) for m in shares if m]
    assert percents[0] == 0 and percents == sorted(percents) and percents[-1] <= 100
    assert _state_times(world) == [NOW_S]
