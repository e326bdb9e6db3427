"""Every rule of a rate-limit preset can apply to the endpoint it names."""

from __future__ import annotations

import pytest

from gridtwin.services.emulator.faults import RequestFacts
from gridtwin.services.emulator.ratelimit import PRESETS, RateLimiter, rules_from_json

SITE_PATH = "/api/1/energy_sites/42/"


def _facts(endpoint: str) -> RequestFacts:
    site = None if endpoint == "products" else 42
    path = "/api/1/products" if site is None else SITE_PATH + endpoint
    return RequestFacts("GET", path, endpoint, site, "alice", {}, 1)


def _limiter(preset: str) -> RateLimiter:
    limiter = RateLimiter(store=None, shared=False)  # type: ignore[arg-type]
    limiter._rules = rules_from_json(preset)  # in memory: no store needed
    return limiter


@pytest.mark.parametrize("preset", sorted(p for p in PRESETS if PRESETS[p]))
def test_every_rule_counts_the_requests_it_matches(preset):
    limiter = _limiter(preset)
    for rule in PRESETS[preset]:
        endpoint = rule["match"]["endpoint"]
        decision = limiter.check(_facts(endpoint), jti="t1")
        assert decision is not None, f"{preset}: {endpoint} is never limited"
        assert decision.remaining < decision.limit


def test_fleet_limits_products_per_user_at_sixty_a_minute():
    limiter = _limiter("fleet")
    answers = [limiter.check(_facts("products"), jti="t1") for _ in range(61)]
    assert all(a is not None and a.allowed for a in answers[:60])
    assert answers[60] is not None and not answers[60].allowed
    other = limiter.check(RequestFacts("GET", "/api/1/products", "products", None, "bob", {}, 1),
                          jti="t2")
    assert other is not None and other.allowed
