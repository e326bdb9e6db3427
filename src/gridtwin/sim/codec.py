"""SiteState to and from a JSON-ready dict (the runner stores it between advances)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from gridtwin.core.jsonio import dataclass_dict
from gridtwin.sim.state import ChargeSession, SiteState

__all__ = ["state_from_dict", "state_to_dict"]

_TUPLE_FIELDS = ("counters_j", "bucket_base_j", "wall_connector_w", "wall_connector_state")


def state_to_dict(state: SiteState) -> dict[str, Any]:
    return dataclass_dict(state)


def state_from_dict(data: dict[str, Any]) -> SiteState:
    known = {f.name for f in fields(SiteState)}
    d = {k: v for k, v in data.items() if k in known}
    for name in _TUPLE_FIELDS:
        if name in d:
            d[name] = tuple(d[name])
    session_fields = {f.name for f in fields(ChargeSession)}
    d["sessions"] = tuple(
        ChargeSession(**{k: v for k, v in s.items() if k in session_fields})
        for s in d.get("sessions", ())
    )
    for key, value in list(d.items()):
        if isinstance(value, list):
            d[key] = tuple(value)
    if "energy_wh" in d:
        d["energy_wh"] = float(d["energy_wh"])
    return SiteState(**d)
