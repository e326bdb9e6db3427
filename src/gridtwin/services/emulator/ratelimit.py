"""Rate limits (emulator §7.2, wire-format §14): token buckets on wall-clock time.

Each rule has a ``match`` (as fault rules), a ``key`` (user, token, site or user+site),
``limit`` requests per ``window_s``. Buckets refill continuously. Off unless configured.
Limits live in each server process; with several workers each keeps its own buckets.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from gridtwin.core.clock import wall_time_s
from gridtwin.core.errors import InvalidField
from gridtwin.services.emulator.faults import FaultRule, RequestFacts

__all__ = ["PRESETS", "Decision", "RateLimiter", "rules_from_json"]

_READS = ["site_info", "live_status", "site_status", "backup_time_remaining",
          "energy_history", "backup_history", "charge_history", "products"]
_COMMANDS = ["backup", "operation", "storm_mode", "grid_import_export",
             "off_grid_vehicle_charging_reserve", "time_of_use_settings"]

PRESETS: dict[str, list[dict[str, Any]]] = {
    "off": [],
    "fleet": [
        {"name": "reads", "match": {"endpoint": e}, "key": "user+site", "limit": 60, "window_s": 60}
        for e in _READS
    ] + [
        {"name": "commands", "match": {"endpoint": e}, "key": "user+site", "limit": 30, "window_s": 60}
        for e in _COMMANDS
    ],
    "strict": [
        {"name": "live", "match": {"endpoint": "live_status"}, "key": "site", "limit": 1, "window_s": 300},
        *({"name": "commands", "match": {"endpoint": e}, "key": "site", "limit": 5, "window_s": 86_400}
          for e in _COMMANDS if e != "time_of_use_settings"),
        {"name": "tariff", "match": {"endpoint": "time_of_use_settings"}, "key": "site",
         "limit": 1, "window_s": 30 * 86_400},
    ],
}
PRESETS["realistic"] = PRESETS["fleet"]

KEYS = ("user", "token", "site", "user+site")


@dataclass(frozen=True)
class Rule:
    name: str
    match: FaultRule
    key: str
    limit: int
    window_s: float


@dataclass(frozen=True)
class Decision:
    """Outcome for one request under the tightest matching rule."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: int


def rules_from_json(data: Any) -> list[Rule]:
    """Rules from a preset name or a list of rule objects; raises InvalidField."""
    if isinstance(data, str):
        if data not in PRESETS:
            raise InvalidField.for_field("preset", f"one of {', '.join(PRESETS)}")
        data = PRESETS[data]
    if not isinstance(data, list):
        raise InvalidField.for_field("rules", "must be a preset name or a list of rules")
    rules = []
    for i, r in enumerate(data):
        if not isinstance(r, dict) or r.get("key", "user") not in KEYS:
            raise InvalidField.for_field(f"rules[{i}].key", f"one of {', '.join(KEYS)}")
        limit, window = r.get("limit"), r.get("window_s")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidField.for_field(f"rules[{i}].limit", "must be a positive integer")
        if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
            raise InvalidField.for_field(f"rules[{i}].window_s", "must be a positive number")
        rules.append(Rule(str(r.get("name", f"rule{i}")), FaultRule("rl", dict(r.get("match") or {})),
                          str(r.get("key", "user")), limit, float(window)))
    return rules


class RateLimiter:
    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._raw: Any = "off"
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def configure(self, data: Any) -> None:
        rules = rules_from_json(data)
        with self._lock:
            self._rules, self._raw, self._buckets = rules, data, {}

    @property
    def config(self) -> Any:
        return self._raw

    @staticmethod
    def _key(rule: Rule, facts: RequestFacts, jti: str | None) -> str | None:
        parts = {"user": facts.user, "token": jti, "site": facts.site_id}
        names = rule.key.split("+")
        if any(parts[n] is None for n in names):
            return None
        return "|".join(str(parts[n]) for n in names)

    def check(self, facts: RequestFacts, jti: str | None) -> Decision | None:
        """Spend one token from every matching bucket; None when no rule applies."""
        now = wall_time_s()
        tightest: Decision | None = None
        with self._lock:
            for rule in self._rules:
                key = self._key(rule, facts, jti) if rule.match.matches(facts) else None
                if key is None:
                    continue
                rate = rule.limit / rule.window_s
                tokens, seen = self._buckets.get((rule.name, key), (float(rule.limit), now))
                tokens = min(float(rule.limit), tokens + (now - seen) * rate)
                allowed = tokens >= 1
                if allowed:
                    tokens -= 1
                self._buckets[(rule.name, key)] = (tokens, now)
                reset = max(1, math.ceil((1 - tokens) / rate)) if tokens < 1 else \
                    math.ceil((rule.limit - tokens) / rate)
                decision = Decision(allowed, rule.limit, int(tokens), int(reset))
                if tightest is None or (not allowed and tightest.allowed) or (
                        allowed == tightest.allowed and decision.remaining < tightest.remaining):
                    tightest = decision
        return tightest
