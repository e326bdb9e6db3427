"""Fault-injection rules (emulator §7.1): an ordered list, the first matching rule wins.

Probabilities draw from gridtwin.core.rng keyed by the request sequence number, so a seeded
world injects the same faults for the same request sequence.
"""

from __future__ import annotations

import fnmatch
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gridtwin.core.clock import wall_time_s
from gridtwin.core.errors import InvalidField
from gridtwin.core.rng import uniform_one

__all__ = ["TEMPLATES", "FaultBook", "FaultRule", "RequestFacts", "rule_from_json"]

TEMPLATES: dict[str, dict[str, Any]] = {
    "rate_limited": {"status": 429, "error": "rate_limited",
                     "error_description": "Too many requests; retry after 30 seconds",
                     "headers": {"Retry-After": "30", "RateLimit-Reset": "30"}},
    "token_expired": {"status": 401, "error": "token expired (401)",
                      "error_description": "Access token has expired"},
    "stale_site": {"status": 500, "error": "upstream internal error",
                   "error_description": "Internal error"},
    "site_gone": {"status": 404, "error": "not_found",
                  "error_description": "The requested resource was not found"},
    "wrong_region": {"status": 421, "error": "invalid_region",
                     "error_description": "This account is in another region"},
    "unregistered": {"status": 412, "error": "precondition_failed",
                     "error_description": "Account is not registered in this region"},
    "device_offline": {"status": 408, "error": "device_offline",
                       "error_description": "Device is offline"},
    "upstream_timeout": {"status": 504, "error": "upstream_timeout",
                         "error_description": "Upstream timed out"},
    "unavailable": {"status": 503, "error": "service_unavailable",
                    "error_description": "Service temporarily unavailable"},
    "slow": {"latency_ms": 5000},
    "silent_ack": {"drop_command": True},
}

_MATCH_KEYS = ("method", "path", "endpoint", "site_id", "user", "query")
_ACTION_KEYS = ("status", "error", "error_description", "headers", "body", "latency_ms",
                "reset_connection", "drop_command")


@dataclass(frozen=True)
class RequestFacts:
    """What a rule can match on."""

    method: str
    path: str
    endpoint: str | None
    site_id: int | None
    user: str | None
    query: Mapping[str, str]
    seq: int


@dataclass(frozen=True)
class FaultRule:
    id: str
    match: dict[str, Any] = field(default_factory=dict)
    action: dict[str, Any] = field(default_factory=dict)
    probability: float = 1.0
    count: int | None = None
    expires_at: float | None = None

    def matches(self, facts: RequestFacts) -> bool:
        m = self.match
        if "method" in m and str(m["method"]).upper() != facts.method:
            return False
        if "path" in m and not fnmatch.fnmatchcase(facts.path, str(m["path"])):
            return False
        if "endpoint" in m and m["endpoint"] != facts.endpoint:
            return False
        if "site_id" in m and int(m["site_id"]) != facts.site_id:
            return False
        if "user" in m and m["user"] != facts.user:
            return False
        return all(facts.query.get(k) == str(v) for k, v in (m.get("query") or {}).items())

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "match": self.match, "action": self.action,
                "probability": self.probability, "count": self.count,
                "expires_at": self.expires_at}


def _bad(path: str, problem: str) -> InvalidField:
    return InvalidField.for_field(path, problem)


def rule_from_json(data: Any) -> FaultRule:
    """Validate a rule body (or ``{"template": name, ...}``); raises InvalidField."""
    if not isinstance(data, dict):
        raise _bad("rule", "must be an object")
    action = dict(data.get("action") or {})
    if "template" in data:
        name = data["template"]
        if name not in TEMPLATES:
            raise _bad("template", f"unknown template; one of {', '.join(TEMPLATES)}")
        action = {**TEMPLATES[name], **action}
    match = data.get("match") or {}
    if not isinstance(match, dict) or any(k not in _MATCH_KEYS for k in match):
        raise _bad("match", f"keys must be among {', '.join(_MATCH_KEYS)}")
    if any(k not in _ACTION_KEYS for k in action) or not action:
        raise _bad("action", f"give a template or keys among {', '.join(_ACTION_KEYS)}")
    status = action.get("status")
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)
                               or not 400 <= status <= 599):
        raise _bad("action.status", "must be an integer 400-599")
    latency = action.get("latency_ms")
    if latency is not None and not (
        (isinstance(latency, int) and 0 <= latency <= 60_000)
        or (isinstance(latency, list) and len(latency) == 2 and all(isinstance(x, int) for x in latency))
    ):
        raise _bad("action.latency_ms", "must be an integer 0-60000 or [min, max]")
    probability = data.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 <= float(probability) <= 1:
        raise _bad("probability", "must be a number 0-1")
    count = data.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
        raise _bad("count", "must be a positive integer or null")
    expires = data.get("expires_at")
    if expires is not None and not isinstance(expires, int | float):
        raise _bad("expires_at", "must be wall-clock Unix seconds")
    return FaultRule(str(data.get("id") or uuid.uuid4().hex[:12]), dict(match), action,
                     float(probability), count, None if expires is None else float(expires))


class FaultBook:
    """The live, ordered rule list; thread-safe."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            self._expire()
            return list(self._rules)

    def append(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def replace_all(self, rules: Sequence[FaultRule]) -> None:
        with self._lock:
            self._rules = list(rules)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def _expire(self) -> None:
        now = wall_time_s()
        self._rules = [r for r in self._rules if r.expires_at is None or r.expires_at > now]

    def pick(self, facts: RequestFacts) -> FaultRule | None:
        """The first matching rule that fires for this request, consuming one use."""
        with self._lock:
            self._expire()
            for i, rule in enumerate(self._rules):
                if not rule.matches(facts):
                    continue
                if rule.probability < 1 and uniform_one(self.seed, 0, f"fault:{rule.id}", facts.seq) >= rule.probability:
                    continue
                if rule.count is not None:
                    left = rule.count - 1
                    if left <= 0:
                        del self._rules[i]
                    else:
                        self._rules[i] = replace(rule, count=left)
                return rule
            return None
