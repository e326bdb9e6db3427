"""JSON-ready dicts for SiteSpec and SiteControls, and back. Pure; used by the store layer's callers."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from gridtwin.core.jsonio import dataclass_dict
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Profile
from gridtwin.domain.site import (
    BatteryBank,
    GeneratorSpec,
    LoadSpec,
    Location,
    SiteKind,
    SiteSpec,
    SolarSpec,
    WallConnectorSpec,
)

__all__ = ["controls_from_dict", "controls_to_dict", "spec_from_dict", "spec_to_dict"]


def spec_to_dict(spec: SiteSpec) -> dict[str, Any]:
    data = dataclass_dict(spec)
    data["kind"] = spec.kind.value
    data["profile"] = spec.profile.value
    data["batteries"] = [{**dataclass_dict(b), "model": b.model.value} for b in spec.batteries]
    data["quirks"] = [list(q) for q in spec.quirks]
    data["components"] = [list(c) for c in spec.components]
    if spec.location.weather_file is None:
        del data["location"]["weather_file"]  # stored specs stay as they were
    if not spec.signed_commands:
        del data["signed_commands"]  # likewise: the default is not written
    return data


def spec_from_dict(data: dict[str, Any]) -> SiteSpec:
    d = dict(data)
    d["kind"] = SiteKind(d["kind"])
    d["profile"] = Profile(d.get("profile", "documented"))
    d["location"] = Location(**d["location"])
    d["batteries"] = tuple(
        BatteryBank(**{**b, "model": BatteryModel(b["model"])}) for b in d.get("batteries", ())
    )
    d["solar"] = SolarSpec(**d["solar"]) if d.get("solar") else None
    load = dict(d.get("load") or {})
    if "hourly_weights" in load:
        load["hourly_weights"] = tuple(load["hourly_weights"])
    d["load"] = LoadSpec(**load)
    d["generator"] = GeneratorSpec(**d["generator"]) if d.get("generator") else None
    d["wall_connectors"] = tuple(WallConnectorSpec(**w) for w in d.get("wall_connectors", ()))
    d["quirks"] = tuple((str(k), bool(v)) for k, v in d.get("quirks", ()))
    d["components"] = tuple((str(k), v) for k, v in d.get("components", ()))
    known = {f.name for f in fields(SiteSpec)}
    return SiteSpec(**{k: v for k, v in d.items() if k in known})


def controls_to_dict(controls: SiteControls) -> dict[str, Any]:
    data = dataclass_dict(controls)
    data["mode"] = controls.mode.value
    data["export_rule"] = controls.export_rule.value
    data["strategy"] = controls.strategy.value
    return data


def controls_from_dict(data: dict[str, Any]) -> SiteControls:
    d = dict(data)
    d["mode"] = OperationMode(d["mode"])
    d["export_rule"] = ExportRule(d["export_rule"])
    d["strategy"] = Strategy(d["strategy"])
    return SiteControls(**d)
