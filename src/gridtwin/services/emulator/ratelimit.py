"""Rate limits (emulator §7.2, wire-format §14): token buckets on wall-clock time.

Each rule has a ``match`` (as fault rules), a ``key`` (user, token, site or user+site),
``limit`` requests per ``window_s``. Buckets refill continuously. Off unless configured.
The configuration is stored in the database (meta ``rate_limits``) and reloaded by every
worker when the control version changes. One process keeps its buckets in memory (exact:
it serves every request); several workers spend from buckets in the database, one atomic
statement per matching rule, so a limit holds across all workers.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.clock import wall_time_s
from gridtwin.core.errors import InvalidField
from gridtwin.services.emulator.faults import FaultRule, RequestFacts, match_from_json
from gridtwin.store import control
from gridtwin.store.repository import Store, Tx

__all__ = ["PRESETS", "Decision", "RateLimiter", "check_config", "rules_from_json"]

_READS = ["site_info", "live_status", "site_status", "backup_time_remaining",
          "energy_history", "backup_history", "charge_history"]
_COMMANDS = ["backup", "operation", "storm_mode", "grid_import_export",
             "off_grid_vehicle_charging_reserve", "time_of_use_settings"]

PRESETS: dict[str, list[dict[str, Any]]] = {
    "off": [],
    "fleet": [
        {"name": "reads", "match": {"endpoint": e}, "key": "user+site", "limit": 60, "window_s": 60}
        for e in _READS
    ] + [
        # products names no site: a user+site key would never match it.
        {"name": "reads", "match": {"endpoint": "products"}, "key": "user", "limit": 60,
         "window_s": 60},
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
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1_000_000_000:
            raise InvalidField.for_field(f"rules[{i}].limit", "must be a positive integer")
        if isinstance(window, bool) or not isinstance(window, int | float) \
                or not 0 < window <= 10 * 366 * 86_400:
            raise InvalidField.for_field(f"rules[{i}].window_s", "must be a positive number of seconds")
        name = r.get("name", f"rule{i}")
        if not isinstance(name, str) or not 0 < len(name) <= 128:
            raise InvalidField.for_field(f"rules[{i}].name", "must be a string of 1-128 characters")
        match = match_from_json(r.get("match"), f"rules[{i}].match")
        rules.append(Rule(name, FaultRule("rl", match), str(r.get("key", "user")), limit, float(window)))
    return rules


def check_config(add: Callable[[str, str], None], data: Any, path: str) -> bool:
    """Check a configuration as a scenario's ``rate_limits`` holds it (a preset name or a
    list of rules), recording every bad rule under ``path``; True when it is valid."""
    if isinstance(data, str):
        if data not in PRESETS:
            add(path, f"must be a preset name ({', '.join(PRESETS)}) or a list of rules")
            return False
        return True
    if not isinstance(data, list):
        add(path, f"must be a preset name ({', '.join(PRESETS)}) or a list of rules")
        return False
    valid = True
    for i, rule in enumerate(data):
        try:
            rules_from_json([rule])
        except InvalidField as exc:
            valid = False
            for key, texts in exc.messages.items():
                for text in texts:  # "rules[0].limit" -> "<path>[i].limit"
                    add(f"{path}[{i}]{key.removeprefix('rules[0]')}", text)
    return valid


class RateLimiter:
    """The configured rules and their buckets: in memory for one process, in the database
    (``shared``) when several workers serve one database."""

    def __init__(self, store: Store, *, shared: bool) -> None:
        self._store = store
        self._shared = shared
        self._rules: list[Rule] = []
        self._raw: Any = "off"
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def configure(self, data: Any, tx: Tx | None = None) -> None:
        """Validate and store a configuration (preset name or rules); buckets start full."""
        rules_from_json(data)
        if tx is None:
            with self._store.tx() as own:
                self.configure(data, own)
            return
        tx.set_meta("rate_limits", jsonio.dumps(data))
        control.clear_buckets(tx)
        control.bump_control(tx)
        self.load(tx)
        with self._lock:  # also when the configuration is the one in force
            self._buckets = {}

    def load(self, tx: Tx) -> None:
        """Adopt the stored configuration (the world calls this when the control version changed)."""
        text = tx.get_meta("rate_limits")
        data = "off" if text is None else jsonio.loads(text, decimals=False)
        rules = rules_from_json(data)
        with self._lock:
            if data != self._raw:
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
        return "|".join(str(parts[n]) for n in names)[:300]

    def _spend(self, rule: Rule, key: str, now: float) -> tuple[float, bool]:
        """Refill the rule's bucket for ``key`` and take a token if there is one:
        (tokens left, allowed)."""
        rate = rule.limit / rule.window_s
        if self._shared:
            with self._store.peek() as tx:  # one atomic statement, autocommit on PostgreSQL
                spent = control.spend_token(tx, rule.name, key, rule.limit, rate, now)
                tx.conn.commit()
            return spent
        tokens, seen = self._buckets.get((rule.name, key), (float(rule.limit), now))
        tokens = min(float(rule.limit), tokens + max(0.0, now - seen) * rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[(rule.name, key)] = (tokens, now)
        return tokens, allowed

    def check(self, facts: RequestFacts, jti: str | None) -> Decision | None:
        """Spend one token from every matching bucket; None when no rule applies."""
        now = wall_time_s()
        tightest: Decision | None = None
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            key = self._key(rule, facts, jti) if rule.match.matches(facts) else None
            if key is None:
                continue
            rate = rule.limit / rule.window_s
            if self._shared:
                tokens, allowed = self._spend(rule, key, now)
            else:
                with self._lock:
                    tokens, allowed = self._spend(rule, key, now)
            reset = max(1, math.ceil((1 - tokens) / rate)) if tokens < 1 else \
                math.ceil((rule.limit - tokens) / rate)
            decision = Decision(allowed, rule.limit, int(tokens), int(reset))
            if tightest is None or (not allowed and tightest.allowed) or (
                    allowed == tightest.allowed and decision.remaining < tightest.remaining):
                tightest = decision
        return tightest
