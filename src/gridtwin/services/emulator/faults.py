"""Fault-injection rules (emulator §7.1): an ordered list, the first matching rule wins.

Probabilities draw from gridtwin.core.rng keyed by the request sequence number, so a seeded
world injects the same faults for the same request sequence.

Rules live in the database (table ``fault_rules``), so every worker applies the same list;
each worker keeps a copy that the world reloads when the control version changes. A counted
rule's uses are spent atomically in the database by whichever worker fires it.
"""

from __future__ import annotations

import fnmatch
import math
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.clock import wall_time_s
from gridtwin.core.errors import InvalidField
from gridtwin.core.rng import uniform_one
from gridtwin.store import control
from gridtwin.store.repository import Store, Tx

__all__ = ["TEMPLATES", "FaultBook", "FaultRule", "RequestFacts", "match_from_json", "rule_from_json"]

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
    # A client that follows this with tesla-fleet-api's find_server() leaves gridtwin: that
    # asks Tesla's own regional hosts, never our /api/1/users/region (docs/profiles.md).
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
MAX_LATENCY_MS = 60_000
_TEXT_CAP = 1000
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$")


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
    """A validated rule: ``match`` values are normalised (site_id an int, query values text)."""

    id: str
    match: dict[str, Any] = field(default_factory=dict)
    action: dict[str, Any] = field(default_factory=dict)
    probability: float = 1.0
    count: int | None = None
    expires_at: float | None = None

    def matches(self, facts: RequestFacts) -> bool:
        m = self.match
        if "method" in m and m["method"] != facts.method:
            return False
        if "path" in m and not fnmatch.fnmatchcase(facts.path, m["path"]):
            return False
        if "endpoint" in m and m["endpoint"] != facts.endpoint:
            return False
        if "site_id" in m and m["site_id"] != facts.site_id:
            return False
        if "user" in m and m["user"] != facts.user:
            return False
        return all(facts.query.get(k) == v for k, v in (m.get("query") or {}).items())

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "match": self.match, "action": self.action,
                "probability": self.probability, "count": self.count,
                "expires_at": self.expires_at}


def _bad(path: str, problem: str) -> InvalidField:
    return InvalidField.for_field(path, problem)


def _text(value: Any, path: str, cap: int = _TEXT_CAP) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= cap:
        raise _bad(path, f"must be a non-empty string of at most {cap} characters")
    return value


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def match_from_json(match: Any, path: str = "match") -> dict[str, Any]:
    """A validated, normalised ``match`` object (fault rules and rate limits); raises InvalidField."""
    if match is None:
        return {}
    if not isinstance(match, dict):
        raise _bad(path, "must be an object")
    out: dict[str, Any] = {}
    for key, value in match.items():
        if key not in _MATCH_KEYS:
            raise _bad(f"{path}.{key}", f"unknown key; keys must be among {', '.join(_MATCH_KEYS)}")
        if key == "site_id":
            if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
                value = int(value)
            if not _int(value) or not 0 < value < 1 << 53:
                raise _bad(f"{path}.site_id", "must be a site id (a positive integer)")
            out[key] = value
        elif key == "query":
            if not isinstance(value, dict):
                raise _bad(f"{path}.query", "must be an object of parameter names to values")
            query = {}
            for name, v in value.items():
                if isinstance(v, bool) or not isinstance(v, str | int | float):
                    raise _bad(f"{path}.query.{name}", "must be a string or a number")
                query[_text(name, f"{path}.query")] = str(v)
            out[key] = query
        elif key == "method":
            out[key] = _text(value, f"{path}.method", 16).upper()
        else:
            out[key] = _text(value, f"{path}.{key}")
    return out


def _headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _bad("action.headers", "must be an object of header names to values")
    out = {}
    for name, v in value.items():
        if not _HEADER_NAME.match(name):
            raise _bad(f"action.headers.{name}", "is not a valid header name")
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise _bad(f"action.headers.{name}", "must be a string or a number")
        text = str(v)
        # Header values travel as Latin-1 text on one line: anything else breaks every reply.
        if len(text) > 4096 or any(c in text for c in "\r\n\0") or not text.isprintable() \
                or any(ord(c) > 255 for c in text):
            raise _bad(f"action.headers.{name}",
                       "must be printable Latin-1 text on one line, at most 4096 characters")
        out[name] = text
    return out


def _latency(value: Any) -> int | list[int]:
    def ok(x: Any) -> bool:
        return _int(x) and 0 <= x <= MAX_LATENCY_MS

    if ok(value):
        return int(value)
    if isinstance(value, list) and len(value) == 2 and all(ok(x) for x in value) and value[0] <= value[1]:
        return [int(value[0]), int(value[1])]
    raise _bad("action.latency_ms", f"must be an integer 0-{MAX_LATENCY_MS} or [min, max] within it")


def _action(action: dict[str, Any]) -> dict[str, Any]:
    if not action or any(k not in _ACTION_KEYS for k in action):
        raise _bad("action", f"give a template or keys among {', '.join(_ACTION_KEYS)}")
    out = dict(action)
    status = action.get("status")
    if status is not None and (not _int(status) or not 400 <= status <= 599):
        raise _bad("action.status", "must be an integer 400-599")
    for key in ("error", "error_description"):
        if key in action:
            out[key] = _text(action[key], f"action.{key}")
    if "headers" in action:
        out["headers"] = _headers(action["headers"])
    if "latency_ms" in action:
        out["latency_ms"] = _latency(action["latency_ms"])
    for key in ("reset_connection", "drop_command"):
        if key in action and not isinstance(action[key], bool):
            raise _bad(f"action.{key}", "must be true or false")
    return out


def rule_from_json(data: Any) -> FaultRule:
    """Validate a rule body (or ``{"template": name, ...}``); raises InvalidField."""
    if not isinstance(data, dict):
        raise _bad("rule", "must be an object")
    raw_action = data.get("action")
    if raw_action is not None and not isinstance(raw_action, dict):
        raise _bad("action", "must be an object")
    action = dict(raw_action or {})
    if "template" in data:
        name = data["template"]
        if not isinstance(name, str) or name not in TEMPLATES:
            raise _bad("template", f"unknown template; one of {', '.join(TEMPLATES)}")
        action = {**TEMPLATES[name], **action}
    match = match_from_json(data.get("match"))
    action = _action(action)
    probability = data.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) \
            or not 0 <= float(probability) <= 1:
        raise _bad("probability", "must be a number 0-1")
    count = data.get("count")
    if count is not None and (not _int(count) or not 1 <= count < 1 << 31):
        raise _bad("count", "must be a positive integer or null")
    expires = data.get("expires_at")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int | float)
                                or not math.isfinite(expires)):
        raise _bad("expires_at", "must be wall-clock Unix seconds")
    rule_id = data.get("id")
    if rule_id is not None:
        rule_id = _text(rule_id, "id", 64)
    return FaultRule(rule_id or uuid.uuid4().hex[:12], match, action, float(probability), count,
                     None if expires is None else float(expires))


def _row(rule: FaultRule) -> tuple[str, str, int | None]:
    return rule.id, jsonio.dumps(rule.to_json()), rule.count


def _from_row(rule_json: str, uses_left: int | None) -> FaultRule:
    data = jsonio.loads(rule_json, decimals=False)
    return FaultRule(str(data["id"]), dict(data["match"]), dict(data["action"]),
                     float(data["probability"]), uses_left,
                     None if data["expires_at"] is None else float(data["expires_at"]))


class FaultBook:
    """The ordered rule list, stored in the database; this worker's copy answers ``pick``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def load(self, tx: Tx) -> None:
        """Re-read the rules (the world calls this when the control version changed)."""
        rules = [_from_row(text, uses) for _id, text, uses in control.fault_rows(tx)]
        with self._lock:
            self._rules = rules

    def _reload(self) -> None:
        with self._store.tx() as tx:
            self.load(tx)

    def rules(self) -> list[FaultRule]:
        """The live rules as stored now (remaining counts included), expired ones left out."""
        self._reload()
        now = wall_time_s()
        with self._lock:
            return [r for r in self._rules if r.expires_at is None or r.expires_at > now]

    def append(self, rule: FaultRule) -> None:
        with self._store.tx() as tx:
            control.append_fault(tx, *_row(rule))
            self.load(tx)

    def replace_all(self, rules: Sequence[FaultRule], tx: Tx | None = None) -> None:
        if tx is None:
            with self._store.tx() as own:
                self.replace_all(rules, own)
            return
        control.replace_faults(tx, [_row(r) for r in rules])
        self.load(tx)

    def remove(self, rule_id: str) -> bool:
        with self._store.tx() as tx:
            removed = control.delete_fault(tx, rule_id)
            self.load(tx)
        return removed

    def pick(self, facts: RequestFacts, seed: int) -> FaultRule | None:
        """The first matching rule that fires for this request, consuming one use."""
        now = wall_time_s()
        with self._lock:
            rules = list(self._rules)
        for rule in rules:
            if (rule.expires_at is not None and rule.expires_at <= now) or not rule.matches(facts):
                continue
            if rule.probability < 1 and uniform_one(seed, 0, f"fault:{rule.id}", facts.seq) >= rule.probability:
                continue
            if rule.count is not None:
                with self._store.tx() as tx:
                    spent = control.use_fault(tx, rule.id)
                    if not spent or rule.count <= 1:
                        self.load(tx)
                if not spent:
                    continue  # used up by another worker
            return rule
        return None
