"""Token buckets of the emulated rate limits (services/emulator/ratelimit.py) on a frozen wall
clock: remaining count and reset seconds, for allowed and refused requests (mutation-testing
survivor: the reset of a refused request, computed only once the bucket is empty)."""

from __future__ import annotations

import pytest

from gridtwin.services.emulator import ratelimit
from gridtwin.services.emulator.faults import RequestFacts
from gridtwin.services.emulator.ratelimit import Decision, RateLimiter


def test_a_bucket_of_two_per_minute(world, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ratelimit, "wall_time_s", lambda: now[0])
    limiter = RateLimiter(world.store, shared=False)
    limiter.configure([{"match": {"endpoint": "live_status"}, "key": "site", "limit": 2, "window_s": 60}])
    live = RequestFacts("GET", "/api/1/energy_sites/7/live_status", "live_status", 7, "alice", {}, 1)
    other = RequestFacts("GET", "/api/1/products", "products", None, "alice", {}, 2)

    def at(t_s: float) -> Decision | None:
        now[0] = t_s
        return limiter.check(live, None)

    assert limiter.check(other, None) is None
    # A token comes back every 30 s; reset is when the bucket is full again, or, once it
    # is empty, when the next token is there.
    assert at(1000) == Decision(True, 2, 1, 30)
    assert at(1000) == Decision(True, 2, 0, 30)
    assert at(1000) == Decision(False, 2, 0, 30)
    assert at(1015) == Decision(False, 2, 0, 15)  # half a token: 15 s to the next
    assert at(1030) == Decision(True, 2, 0, 30)
    assert at(1090) == Decision(True, 2, 1, 30)  # full again, one spent


@pytest.mark.parametrize("rules", ["bogus", [{"limit": 0, "window_s": 60}], [{"limit": 1, "window_s": 0}],
                                   [{"limit": 1, "window_s": 60, "key": "ip"}]])
def test_bad_rules_are_refused(world, rules):
    with pytest.raises(ratelimit.InvalidField):
        RateLimiter(world.store, shared=False).configure(rules)
