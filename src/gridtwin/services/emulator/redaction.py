"""Secrets in control-plane read-backs (emulator §5 scenario, §10 state export).

``GET /_gridtwin/scenario`` and ``GET /_gridtwin/state`` leave out client secrets and the
JWT secret unless the caller asks for them (``?secrets=1``, with the admin token).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["REDACTED", "redact_scenario", "redact_state"]

REDACTED = "[redacted]"
"""Stands for a secret left out. A client registered with it gets an unusable secret."""


def redact_scenario(doc: Any) -> Any:
    """A copy of a scenario document with every ``users[].clients[].client_secret`` replaced."""
    if not isinstance(doc, dict) or not isinstance(doc.get("users"), list):
        return doc
    out = copy.deepcopy(doc)
    for user in out["users"]:
        for client in (user.get("clients") or []) if isinstance(user, dict) else []:
            if isinstance(client, dict) and "client_secret" in client:
                client["client_secret"] = REDACTED
    return out


def redact_state(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A state export without the JWT secret (null: an import keeps the importing server's)
    and with the scenario's client secrets replaced."""
    return {**snapshot, "jwt_secret": None, "scenario": redact_scenario(snapshot.get("scenario"))}
