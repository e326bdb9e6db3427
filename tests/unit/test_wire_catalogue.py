"""The wire catalogue (domain/catalogue.py) is the one place the server names its reply
fields, and the replies are exactly what it declares.

The count covers the server side only: ``src/gridtwin/{api,services,domain}``. The SDK
(``gridtwin.client``) keeps its own models with the same field names on purpose: it must
not import gridtwin internals (an import-linter contract). Its names are checked against
the catalogue below, and tests/contract parses real replies with them.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from gridtwin.api.wire.history import render_energy
from gridtwin.api.wire.history_kinds import render_kind
from gridtwin.api.wire.live_status import render_live_status
from gridtwin.api.wire.products import render_product
from gridtwin.api.wire.site_info import render_site_info
from gridtwin.client import types as client_types
from gridtwin.domain import catalogue_gateway, catalogue_nested, catalogue_series
from gridtwin.domain.catalogue import (
    BATTERY_PRODUCT,
    ENERGY_BUCKET,
    LIVE_STATUS,
    POWER_SAMPLE,
    SITE_INFO,
    SOLAR_PRODUCT,
    USER_SETTINGS,
    WALL_CONNECTOR_PRODUCT,
    Presence,
    WireField,
)
from gridtwin.domain.energy import CELLS, FLOWS, SUMMARY_FLOWS, TOTALS, signed_matrix, sum_cells
from gridtwin.domain.profile import Profile, Quirk
from gridtwin.domain.site import SiteKind
from gridtwin.services.commands import store_tariff
from gridtwin.services.emulator.presets import preset
from gridtwin.services.history import EnergyHistory
from gridtwin.services.history_kinds import PowerHistory
from gridtwin.services.provision import create_site
from gridtwin.services.sites import SiteView, view_site
from tests.conftest import test_site_spec

SRC = Path(__file__).resolve().parents[2] / "src" / "gridtwin"
SERVER = ("api", "services", "domain")
TOP = (LIVE_STATUS, SITE_INFO, USER_SETTINGS, BATTERY_PRODUCT, SOLAR_PRODUCT,
       WALL_CONNECTOR_PRODUCT, ENERGY_BUCKET, POWER_SAMPLE)


def _shapes(module: object) -> tuple[tuple[WireField, ...], ...]:
    """Every field tuple a catalogue module exports."""
    return tuple(v for name in module.__all__  # type: ignore[attr-defined]
                 if isinstance(v := getattr(module, name), tuple)
                 and v and all(isinstance(f, WireField) for f in v))


NESTED = (*_shapes(catalogue_nested), *_shapes(catalogue_series), *_shapes(catalogue_gateway))
ALL = (*TOP, *NESTED)
CATALOGUE = sorted((SRC / "domain").glob("catalogue*.py"))

GENERIC = {
    "id": "any object's identifier (users, vehicles, journal entries)",
    "version": "scenario, snapshot and firmware documents",
    "components": "scenario documents and the site codec",
    "energy_site_id": "the control plane's and scenarios' site identifier member",
    "wall_connectors": "scenario documents and the dashboard",
    # nested shapes: common words with other meanings elsewhere on the server
    "name": "scenario, token, rate-limit and tariff documents",
    "site_id": "control-plane and journal members",
    "time_zone": "query parameter and scenario member",
    "period": "query parameter and history period names",
    "seconds": "clock advance body member; isoformat(timespec=...)",
    "value": "reference-page model",
    "message": "command acks and error replies",
    "config": "control-plane documents",
    "events": "scenario and snapshot documents",
    "enabled": "storm_mode command body member; user feature flags",
    "currency": "tariff documents",
    "solar": "scenario documents, flow names, site kinds",
    "battery": "scenario documents, site kinds, resource_type value",
    "backup": "command and operation-mode names",
    "generator": "scenario documents and the site codec",
    "batteries": "scenario documents and the site codec",
    "soe": "history kind name",
    "charge_history": "telemetry kind name (rate limits, history services)",
    "din": "event bodies, store columns, scenario documents",
    "device_id": "scenario documents (describe)",
    "vin": "ev_plug_in event bodies and scenario vehicles",
    "vehicle_id": "ev_plug_in event bodies and charge-history sessions",
    "state": "the site codec's stored state and scenario documents",
    "tokens": "scenario and snapshot documents",
    "user_id": "token, journal and control-plane members",
    # the schedule_manual_backup request, parsed by services/energy_command.py
    "scheduling_info": "manual backup request parameter",
    "start_time": "manual backup request parameter",
    "duration_seconds": "manual backup request parameter",
    "priority": "manual backup request parameter",
    # the same word with another meaning: a flow in admin site summaries
    "grid": "describe and admin site summaries",
    "battery_count": "fleet study distributions, CSV homes and result columns",
}
"""Keys also used, with another meaning or inside another shape, outside the catalogue."""


def _string_literals(paths: list[Path] | None = None, *, reads: bool = True) -> Counter[str]:
    """Every str constant in the server packages (or ``paths``), except docstrings and
    ``__all__`` entries (Python names, not wire keys); without ``reads``, also except the
    constants that cannot name a member written: subscripts read (a store row's column, a
    ``Literal`` value) and keyword argument values."""
    counts: Counter[str] = Counter()
    if paths is None:
        paths = [p for package in SERVER for p in sorted((SRC / package).rglob("*.py"))]
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        exported = {
            id(element) for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
            for element in node.value.elts
        }
        docstrings |= exported
        if not reads:  # values, not members: row["din"], Literal["backup"], timespec="seconds"
            docstrings |= {
                id(inner) for node in ast.walk(tree)
                if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
                for inner in ast.walk(node.slice)
            } | {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.keyword)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                counts[node.value] += 1
    return counts


def _keys() -> set[str]:
    return {f.key for fields in ALL for f in fields}


def test_every_catalogued_key_is_written_once_on_the_server() -> None:
    counts = _string_literals()
    keys = _keys() - set(GENERIC)
    assert {"battery_power", "backup_reserve_percent", "total_pack_energy",
            "solar_energy_exported", "grid_status", "total_home_usage"} <= keys
    wrong = {key: counts[key] for key in sorted(keys) if counts[key] != 1}
    assert wrong == {}


def test_generic_keys_are_still_catalogued() -> None:
    assert set(GENERIC) <= _keys()


def test_every_generic_exception_is_still_needed() -> None:
    counts = _string_literals()
    assert {key for key in GENERIC if counts[key] <= 1} == set()


def _declared() -> Counter[str]:
    """The keys the catalogue modules declare: the str first argument of each call there
    but ``Const`` (``WireField("din", ...)``, ``_flag(...)``, ``_watts(...)``) and each
    ``key=`` argument (``replace(TIMESTAMP, key=...)``)."""
    counts: Counter[str] = Counter()
    for path in CATALOGUE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            first = node.args[0] if node.args else None
            if (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and not (isinstance(node.func, ast.Name) and node.func.id == "Const")):
                counts[first.value] += 1
            for kw in node.keywords:
                if kw.arg == "key" and isinstance(kw.value, ast.Constant):
                    counts[str(kw.value.value)] += 1
    return counts


def test_every_catalogued_key_is_declared_once_in_the_catalogue() -> None:
    """Nested shapes included: a key shared by several shapes is declared once and varied
    with ``replace``, never retyped. The energy flows are the keys of the cells->flow table
    (domain.energy.FLOWS), declared there."""
    assert len(CATALOGUE) == 4
    declared = _declared()
    keys = _keys()
    assert {"din", "gateways", "wall_connector_state", "soe", "charge_start_time",
            "total_events", "net_meter_mode", "scheduling_info", "Payload"} <= keys
    wrong = {key: declared[key] for key in sorted(keys)
             if declared[key] != (0 if key in FLOWS else 1)}
    assert wrong == {}


def test_the_renderers_write_no_catalogued_key() -> None:
    """The reply renderers and reply models (api/wire) name members only through the
    catalogue; no exception list here. Not checked: the command request bodies
    (models/commands.py: services parse them under the same names, see GENERIC) and the
    OpenAPI glue (models/openapi.py: parameter objects have a "name")."""
    wire = sorted(p for p in (SRC / "api" / "wire").rglob("*.py")
                  if p.name not in ("commands.py", "openapi.py"))
    assert len(wire) >= 15
    counts = _string_literals(wire, reads=False)
    assert {key: counts[key] for key in sorted(_keys()) if counts[key]} == {}


def test_keys_are_unique_per_resource() -> None:
    for fields in ALL:
        keys = [f.key for f in fields]
        assert len(keys) == len(set(keys))


def test_the_flow_table_covers_every_cell_and_sums_them() -> None:
    used = {c for cells in FLOWS.values() for c in cells}
    assert used == set(CELLS)
    wh = list(range(1, len(CELLS) + 1))  # a distinct Wh per cell
    assert sum_cells(wh, "total_home_usage") == 1 + 4 + 7 + 9
    assert sum_cells(wh, "grid_services_energy_imported") == 0
    assert set(SUMMARY_FLOWS.values()) <= set(FLOWS)
    assert TOTALS == ("total_home_usage", "total_battery_charge", "total_battery_discharge",
                      "total_solar_generation", "total_grid_energy_exported")
    m = signed_matrix([(("total_battery_discharge", 1), ("total_battery_charge", -1))])
    column = [row[0] for row in m]
    assert sum(w * c for w, c in zip(wh, column, strict=True)) == (7 + 8) - (2 + 5 + 10)


def _power(key: str) -> WireField:
    return next(f for f in POWER_SAMPLE if f.key == key)


def test_power_history_is_balanced() -> None:
    """Load = solar + battery + grid + generator for any cells (signs as live_status)."""
    rows = signed_matrix([_power(k).history or () for k in (
        "solar_power", "battery_power", "grid_power", "generator_power", "load_power")])
    for row in rows:
        solar, battery, grid, generator, load = row
        assert solar + battery + grid + generator == load


# ----------------------------------------------------------------- replies match the catalogue

SITES = {
    "battery": {},
    "observed": {"profile": Profile.OBSERVED},
    "solar": {"kind": SiteKind.SOLAR, "batteries": (), "wall_connectors": ()},
    "ev_reserve": {"components": (("off_grid_vehicle_charging_reserve_supported", True),)},
    "tariff": {},
    "wall_connector": {"kind": SiteKind.WALL_CONNECTOR, "batteries": (), "solar": None},
}


def _expected(fields: tuple[WireField, ...], present: set[Presence]) -> list[str]:
    return [f.key for f in fields if f.presence in present]


def _present(view, *, energy: bool) -> set[Presence]:
    """The presence rules that hold for a site, decided from the spec, not the renderer."""
    present = {Presence.ALWAYS}
    if view.spec.kind is SiteKind.BATTERY and view.spec.has_battery:
        present.add(Presence.BATTERY)
    if energy:
        present.add(Presence.ENERGY)
    if view.spec.ev_reserve_supported:
        present.add(Presence.EV_RESERVE)
    if view.tariff_doc is not None:
        present.add(Presence.TARIFF)
    return present


@pytest.fixture(params=sorted(SITES))
def view(request, world) -> SiteView:
    spec = create_site(world, "alice", test_site_spec(**SITES[request.param]))
    if request.param == "tariff":
        store_tariff(world, spec.energy_site_id, preset("tou_peak_export")["sites"][0]["tariff"])
    view = view_site(world, None, spec.energy_site_id)
    # The site really is the case it stands for.
    assert {
        "battery": view.spec.has_battery and not view.spec.ev_reserve_supported,
        "observed": Quirk.OMIT_DEPRECATED_ENERGY_FIELDS in view.quirks,
        "solar": view.spec.kind is SiteKind.SOLAR,
        "ev_reserve": view.spec.ev_reserve_supported,
        "tariff": view.tariff_doc is not None,
        "wall_connector": view.spec.kind is SiteKind.WALL_CONNECTOR,
    }[request.param]
    return view


def test_live_status_keys_follow_the_catalogue(view) -> None:
    observed = Quirk.OMIT_DEPRECATED_ENERGY_FIELDS in view.quirks
    reply = render_live_status(view)
    assert list(reply) == _expected(LIVE_STATUS, _present(view, energy=not observed))
    assert reply["battery_power"] == int(view.state.battery_w)


def test_site_info_keys_follow_the_catalogue(view) -> None:
    reply = render_site_info(view)
    assert list(reply) == _expected(SITE_INFO, _present(view, energy=True))
    assert list(reply["user_settings"]) == _expected(USER_SETTINGS, {Presence.ALWAYS})
    if view.spec.kind is SiteKind.BATTERY:
        assert reply["backup_reserve_percent"] == view.controls.backup_reserve_pct


def test_products_item_keys_follow_the_catalogue(view) -> None:
    item = {SiteKind.BATTERY: BATTERY_PRODUCT, SiteKind.SOLAR: SOLAR_PRODUCT,
            SiteKind.WALL_CONNECTOR: WALL_CONNECTOR_PRODUCT}[view.spec.kind]
    for always_energy in (False, True):
        observed = Quirk.OMIT_DEPRECATED_ENERGY_FIELDS in view.quirks and not always_energy
        reply = render_product(view, always_energy=always_energy)
        assert list(reply) == _expected(item, _present(view, energy=not observed))


def test_energy_buckets_follow_the_catalogue(world) -> None:
    """Totals appear exactly when non-zero; the flows always, between the two timestamps."""
    spec = create_site(world, "alice", test_site_spec())
    view = view_site(world, None, spec.energy_site_id)
    only_solar_to_home = np.zeros((2, len(CELLS)), dtype=np.int64)
    only_solar_to_home[1, CELLS.index("solar_to_home")] = 7
    history = EnergyHistory(view, "day", ZoneInfo("UTC"), [0, 300], only_solar_to_home)
    first, second = render_energy(history)["time_series"]
    always = _expected(ENERGY_BUCKET, {Presence.ALWAYS})
    assert list(first) == always
    assert list(second) == [*always, "total_home_usage", "total_solar_generation"]
    assert second["consumer_energy_imported_from_solar"] == 7
    assert second["total_home_usage"] == 7 and second["solar_energy_exported"] == 7



def test_power_samples_follow_the_catalogue(world) -> None:
    spec = create_site(world, "alice", test_site_spec())
    view = view_site(world, None, spec.energy_site_id)
    wh = np.zeros((1, len(CELLS)), dtype=np.int64)
    wh[0, CELLS.index("grid_to_battery")] = 10  # 10 Wh in 5 minutes: 120 W charging
    history = PowerHistory(view, "day", ZoneInfo("UTC"), [0], wh, [300])
    (sample,) = render_kind(history)["time_series"]  # type: ignore[call-overload]
    assert list(sample) == [f.key for f in POWER_SAMPLE]
    assert sample["battery_power"] == -120 and sample["grid_power"] == 120
    assert sample["load_power"] == 0


SDK_ONLY = {"tariff_id": "real sites may send it; gridtwin does not"}
"""Members the SDK models read beyond what gridtwin sends."""


@pytest.mark.parametrize(("model", "fields"), [
    (client_types.LiveStatus, LIVE_STATUS),
    (client_types.SiteInfo, SITE_INFO),
    (client_types.UserSettings, USER_SETTINGS),
    (client_types.BatteryProduct, BATTERY_PRODUCT),
    (client_types.SolarProduct, SOLAR_PRODUCT),
    (client_types.WallConnectorProduct, WALL_CONNECTOR_PRODUCT),
    (client_types.EnergyBucket, ENERGY_BUCKET),
    (client_types.PowerSample, POWER_SAMPLE),
], ids=lambda v: getattr(v, "__name__", ""))
def test_the_sdk_models_declare_the_catalogue(model, fields) -> None:
    """The SDK keeps its own copy of the names; it must match the catalogue, in wire order."""
    declared = [name for name in model.model_fields if name not in SDK_ONLY]
    assert declared == [f.key for f in fields]


def _nested_sdk_cases() -> list[tuple[Any, tuple[WireField, ...]]]:
    from gridtwin.api.wire.models.generate import merged
    from gridtwin.client.types import history as h
    from gridtwin.client.types import history_kinds as k
    from gridtwin.client.types import products as p
    from gridtwin.client.types import site_info as s
    n, series = catalogue_nested, catalogue_series
    head = (*series.HISTORY_HEAD, series.TIME_SERIES)
    return [
        (client_types.LiveWallConnector, n.LIVE_WALL_CONNECTOR),
        (s.Gateway, n.GATEWAY),
        (s.BatteryDevice, n.BATTERY_UNIT),
        (s.Inverter, n.INVERTER),
        (s.WallConnectorDevice, n.SITE_WALL_CONNECTOR),
        (s.Components, merged([(*n.BATTERY_SITE_COMPONENTS, *n.DEVICE_LISTS),
                               (*n.OTHER_SITE_COMPONENTS, *n.DEVICE_LISTS)])),
        (s.TouSettings, n.TOU_SETTINGS_FIELDS),
        (p.ProductWallConnector, n.PRODUCT_WALL_CONNECTOR),
        (p.ProductComponents, merged([n.PRODUCT_BATTERY_COMPONENTS, n.PRODUCT_SOLAR_COMPONENTS,
                                      n.PRODUCT_WALL_CONNECTOR_COMPONENTS])),
        (h.EnergyHistory, head),
        (h.BackupEvent, series.BACKUP_EVENT),
        (h.BackupHistory, series.BACKUP_HISTORY),
        (h.Seconds, series.SECONDS),
        (h.TargetId, series.TARGET_ID),
        (h.ChargeSession, series.CHARGE_SESSION),
        (h.ChargeHistory, series.CHARGE_HISTORY),
        (k.PowerHistory, head),
        (k.SoeSample, series.SOE_SAMPLE),
        (k.SoeHistory, head),
        (k.SelfConsumptionBucket, series.SELF_CONSUMPTION_BUCKET),
        (k.SelfConsumptionHistory, head),
        (k.TouLabelHistory, (series.TIME_SERIES,)),
        (k.SavingsItem, series.SAVINGS_ITEM),
    ]


@pytest.mark.parametrize(("model", "fields"), _nested_sdk_cases(),
                         ids=lambda v: getattr(v, "__name__", ""))
def test_the_sdk_nested_models_declare_the_catalogue(model, fields) -> None:
    """Nested shapes: the same member names (the SDK orders some of them its own way)."""
    assert set(model.model_fields) == {f.key for f in fields}
