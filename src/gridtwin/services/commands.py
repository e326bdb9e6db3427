"""The six energy commands (wire-format §12): validate strictly, store durably, then ack.

Types are strict: booleans are not integers and strings are not numbers; a whole-number
float such as ``50.0`` counts as the integer 50 (pypowerwall sends one), ``50.5`` does not.
Unknown members are ignored. Nothing is written unless the whole body is valid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from gridtwin import tariff
from gridtwin.core import jsonio
from gridtwin.core.errors import InvalidField, TariffInvalid
from gridtwin.domain.catalogue import (
    BACKUP_RESERVE_PERCENT,
    DEFAULT_REAL_MODE,
    EV_RESERVE_PERCENT,
    TARIFF_CONTENT_V2,
    TOU_SETTINGS,
)
from gridtwin.domain.catalogue_nested import (
    EV_RESERVE_SUPPORTED,
    EXPORT_RULE,
    GRID_CHARGING_DISALLOWED,
    OPTIMIZATION_STRATEGY,
    STORM_MODE_CAPABLE,
    TOU_CAPABLE,
)
from gridtwin.domain.codec import controls_to_dict
from gridtwin.domain.controls import ExportRule, OperationMode, SiteControls, Strategy
from gridtwin.domain.profile import Quirk
from gridtwin.domain.site import SiteKind
from gridtwin.services.auth import Principal
from gridtwin.services.sites import SiteView, with_site
from gridtwin.services.world import World
from gridtwin.sim.runner import load_site
from gridtwin.store.repository import Tx

__all__ = [
    "ACK_MESSAGES",
    "COMMANDS",
    "GENERIC_ACK",
    "LOGGED_MEMBERS",
    "ack_message",
    "check_tariff",
    "dropped_ack",
    "logged_body",
    "run_command",
    "store_tariff",
]

log = logging.getLogger("gridtwin.commands")

# Command body members named like the site_info fields they set (domain/catalogue.py).
_RESERVE = BACKUP_RESERVE_PERCENT.key
_MODE = DEFAULT_REAL_MODE.key
_EV_RESERVE = EV_RESERVE_PERCENT.key
_TOU = TOU_SETTINGS.key
_TARIFF = TARIFF_CONTENT_V2.key

Apply = Callable[[Tx, SiteView, Mapping[str, Any]], SiteControls]


GENERIC_ACK = "Updated"
"""The documented acknowledgement message (D2), and the one every command gets in ``documented``."""
ACK_MESSAGES: dict[str, str] = {
    "backup": "Backup reserve updated",
    "operation": "Operation mode updated",
}
"""Messages real sites were seen to send (quirk ``command_ack_messages``); the other
commands have no public capture and keep GENERIC_ACK (docs/profiles.md)."""


def ack_message(name: str, quirks: frozenset[Quirk]) -> str:
    """The ``message`` of command ``name``'s acknowledgement on a site with ``quirks``."""
    if Quirk.COMMAND_ACK_MESSAGES in quirks:
        return ACK_MESSAGES.get(name, GENERIC_ACK)
    return GENERIC_ACK


def dropped_ack(world: World, site_id: int | None, name: str | None) -> str:
    """The acknowledgement message a ``drop_command`` fault sends in place of command
    ``name`` on ``site_id``: the one the command would have sent, so a dropped command
    looks like an applied one under either profile."""
    if site_id is None or name not in COMMANDS:
        return GENERIC_ACK
    with world.store.tx() as tx:
        site = load_site(tx, site_id)
    return GENERIC_ACK if site is None else ack_message(name, site.quirks)


def _whole_number(value: object, lo: int, hi: int) -> int | None:
    """``value`` as an int when it is a number in [lo, hi] without a fraction (``80`` or
    ``80.0``, parsed as Decimal from the wire); None for booleans, strings and fractions.
    The range is checked before int() so a huge exponent is never expanded."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if lo <= value <= hi else None
    if isinstance(value, Decimal | float):
        number = Decimal(value)
        if number.is_finite() and lo <= number <= hi and number == number.to_integral_value():
            return int(number)
    return None


def _percent(body: Mapping[str, Any], key: str) -> int:
    if key not in body:
        raise InvalidField.for_field(key, "is required")
    pct = _whole_number(body[key], 0, 100)
    if pct is None:
        raise InvalidField.for_field(key, "must be an integer 0-100")
    return pct


def _choice(body: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = body[key]
    if not isinstance(value, str) or value not in allowed:
        raise InvalidField.for_field(key, f"must be one of {', '.join(allowed)}")
    return value


def _bool(body: Mapping[str, Any], key: str) -> bool:
    value = body[key]
    if not isinstance(value, bool):
        raise InvalidField.for_field(key, "must be a boolean")
    return value


def _need(condition: bool, capability: str) -> None:
    if not condition:
        raise InvalidField(f"site has no {capability}", {"site": [f"site has no {capability}"]})


def _battery(view: SiteView) -> None:
    _need(view.spec.kind is SiteKind.BATTERY and view.spec.has_battery, "battery")


def _backup(_tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _battery(view)
    reserve = _percent(body, _RESERVE)
    if 81 <= reserve <= 99:
        # Firmware 25.18.4+ allows only 0-80 or 100 (docs/profiles.md).
        if Quirk.RESERVE_81_99_REJECTED in view.quirks:
            raise InvalidField.for_field(
                _RESERVE, "must be 0-80 or 100 on this firmware"
            )
        if Quirk.RESERVE_81_99_STORED_AS_80 in view.quirks:
            reserve = 80
    return replace(view.controls, backup_reserve_pct=reserve)


def _operation(_tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _battery(view)
    if _MODE not in body:
        raise InvalidField.for_field(_MODE, "is required")
    mode = _choice(body, _MODE, tuple(m.value for m in OperationMode))
    return replace(view.controls, mode=OperationMode(mode))


def _storm(_tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _need(view.spec.storm_capable, STORM_MODE_CAPABLE.key)
    if "enabled" not in body:
        raise InvalidField.for_field("enabled", "is required")
    return replace(view.controls, storm_mode_enabled=_bool(body, "enabled"))


_DISALLOW = GRID_CHARGING_DISALLOWED.key
_RULE = EXPORT_RULE.key


def _grid_rules(_tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _battery(view)
    if _DISALLOW not in body and _RULE not in body:
        raise InvalidField(
            f"provide {_DISALLOW} and/or {_RULE}",
            {_DISALLOW: ["at least one of the two is required"],
             _RULE: ["at least one of the two is required"]},
        )
    controls = view.controls
    if _DISALLOW in body:
        controls = replace(controls, grid_charging_allowed=not _bool(body, _DISALLOW))
    if _RULE in body:
        rule = _choice(body, _RULE, tuple(r.value for r in ExportRule))
        controls = replace(controls, export_rule=ExportRule(rule))
    return controls


def _ev_reserve(_tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _need(view.spec.ev_reserve_supported, EV_RESERVE_SUPPORTED.key)
    pct = _percent(body, _EV_RESERVE)
    return replace(view.controls, ev_reserve_pct=pct)


def _checked(body: Mapping[str, Any], quirks: frozenset[Quirk]) -> tariff.Report:
    report = tariff.validate_tou_settings(dict(body), quirks=quirks)
    if not report.ok:
        description, messages = tariff.http_error_parts(report)
        raise TariffInvalid(description, messages, report.errors)
    return report


def check_tariff(doc: Mapping[str, Any], quirks: frozenset[Quirk]) -> None:
    """Raise TariffInvalid unless ``doc`` is a valid ``tariff_content_v2`` for a site with
    these quirks (a scenario checks its tariffs before it stores anything)."""
    _checked({_TOU: {_TARIFF: doc}}, quirks)


def store_tariff(
    world: World, site_id: int, doc: Mapping[str, Any], stored_s: int | None = None
) -> None:
    """Validate and store a scenario tariff for a site, in force from ``stored_s`` [Unix s]
    (default: the current sim instant)."""
    with world.site_tx(site_id) as tx:
        site = load_site(tx, site_id)
        if site is None:
            raise InvalidField.for_field("site", "unknown site")
        check_tariff(doc, site.quirks)
        when = world.now_s() if stored_s is None else stored_s
        tx.insert_tariff(site_id, when, jsonio.dumps(dict(doc)))


def _tou(tx: Tx, view: SiteView, body: Mapping[str, Any]) -> SiteControls:
    _need(bool(view.spec.component(TOU_CAPABLE.key, True)), TOU_CAPABLE.key)
    report = _checked(body, view.quirks)
    tou = body[_TOU]
    controls = view.controls
    if OPTIMIZATION_STRATEGY.key in tou:
        strategy = _choice(tou, OPTIMIZATION_STRATEGY.key, tuple(s.value for s in Strategy))
        if Quirk.TOU_STRATEGY_NOT_PERSISTED not in view.quirks:
            controls = replace(controls, strategy=Strategy(strategy))
    for problem in report.warnings:
        log.info("site %s tariff %s %s: %s", view.site_id, problem.code, problem.path, problem.text)
    tx.insert_tariff(view.site_id, view.now_s, jsonio.dumps(tou[_TARIFF]))
    return controls


LOGGED_MEMBERS: dict[str, tuple[str, ...]] = {
    "backup": (_RESERVE,),
    "operation": (_MODE,),
    "storm_mode": ("enabled",),
    "grid_import_export": (_DISALLOW, _RULE),
    "off_grid_vehicle_charging_reserve": (_EV_RESERVE,),
    "time_of_use_settings": (_TOU,),
}
"""The body members each command reads: the command log keeps these and nothing else."""
_TOU_MEMBERS = (OPTIMIZATION_STRATEGY.key, _TARIFF)


def logged_body(name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """What the command log stores of an applied command: only the members it read, so
    ignored members (of any size or content) are never kept."""
    kept = {k: body[k] for k in LOGGED_MEMBERS[name] if k in body}
    if isinstance(kept.get(_TOU), Mapping):
        tou = kept[_TOU]
        kept[_TOU] = {k: tou[k] for k in _TOU_MEMBERS if k in tou}
    return kept


COMMANDS: dict[str, Apply] = {
    "backup": _backup,
    "operation": _operation,
    "storm_mode": _storm,
    "grid_import_export": _grid_rules,
    "off_grid_vehicle_charging_reserve": _ev_reserve,
    "time_of_use_settings": _tou,
}


def run_command(
    world: World,
    principal: Principal,
    site_id: int,
    name: str,
    read_body: Callable[[], Mapping[str, Any]],
) -> str:
    """Validate and apply command ``name``; returns the acknowledgement message for the
    site's profile, only after the change is committed.

    ``read_body`` parses the request body; it is called after the site lookup, so an
    unknown site is a 404 even when the body is malformed (wire-format §3 order).
    """
    apply = COMMANDS[name]

    def _run(tx: Tx, view: SiteView) -> str:
        body = read_body()
        controls = apply(tx, view, body)
        if controls != view.controls:
            tx.save_controls(view.site_id, jsonio.dumps(controls_to_dict(controls)))
        tx.log_command(view.site_id, view.now_s, name, jsonio.dumps(logged_body(name, body)))
        return ack_message(name, view.quirks)

    return with_site(world, principal, site_id, _run)
