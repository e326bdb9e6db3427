"""A scenario's vehicles (emulator §5 ``vehicles[]``, site-behavior §8).

A vehicle has an id (a UUID), a VIN and ``max_charge_w``; an ``ev_plug_in`` event charges
one of them. When a scenario lists vehicles, an ``ev_plug_in`` without ``vehicle_id``
charges the first, and one naming another vehicle is refused; without any, an event
names whatever vehicle it likes (charging at up to 11.5 kW, the default).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gridtwin.core import jsonio
from gridtwin.services.emulator.inputs import Problems, Reader
from gridtwin.services.provision import seeded_id, seeded_uuid
from gridtwin.services.world import World

__all__ = ["DEFAULT_MAX_CHARGE_W", "MEMBERS", "Vehicle", "parse_vehicles", "product_vehicles",
           "world_vehicles"]

MEMBERS = ("id", "vin", "max_charge_w", "in_products")
DEFAULT_MAX_CHARGE_W = 11_500
MAX_CHARGE_W = (1_440, 50_000)
"""A vehicle's charging power limit [W]: from the lowest power a Wall Connector charges at
(site-behavior §8) to the ``max_power_w`` an ev_plug_in may give."""
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
"""17 capital letters (never I, O or Q) and digits (ISO 3779)."""


@dataclass(frozen=True)
class Vehicle:
    id: str
    vin: str
    max_charge_w: int = DEFAULT_MAX_CHARGE_W
    in_products: bool = False


def _default_vin(seed: int, index: int) -> str:
    return f"5YJ3E1EA7KF{seeded_id(seed, 'vin', index) % 10**6:06d}"


def parse_vehicles(add: Callable[[str, str], None], raw: Any, seed: int) -> list[Vehicle]:
    """A scenario's ``vehicles`` (absent or null: none); every problem goes to ``add``
    under its path. Ids and VINs not given derive from the seed."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        add("vehicles", "must be a list of vehicles {id, vin, max_charge_w, in_products}")
        return []
    problems = Problems()
    out: list[Vehicle] = []
    for i, item in enumerate(raw):
        path = f"vehicles[{i}]"
        if not isinstance(item, dict):
            problems.add(path, "must be an object with id, vin, max_charge_w, in_products")
            continue
        r = Reader(problems, item, path, MEMBERS)
        vehicle_id = item.get("id", seeded_uuid(seed, "vehicle", i))
        if not isinstance(vehicle_id, str) or not _UUID.fullmatch(vehicle_id):
            r.add("id", "must be a UUID such as 0b5d6c1f-0000-4000-8000-000000000001")
        elif any(v.id.lower() == vehicle_id.lower() for v in out):
            r.add("id", "is given to two vehicles")
        vin = item.get("vin", _default_vin(seed, i))
        if not isinstance(vin, str) or not _VIN.fullmatch(vin):
            r.add("vin", "must be 17 capital letters and digits, without I, O or Q")
        out.append(Vehicle(str(vehicle_id), str(vin),
                           r.integer("max_charge_w", DEFAULT_MAX_CHARGE_W, *MAX_CHARGE_W),
                           r.flag("in_products", False)))
    for path, texts in problems.messages.items():
        for text in texts:
            add(path, text)
    return out


def world_vehicles(world: World) -> list[Vehicle]:
    """The vehicles of the active scenario (none when the world has no scenario)."""
    with world.store.peek() as tx:
        text = tx.get_meta("scenario")
    return list(_vehicles_of(text))


def product_vehicles(world: World) -> tuple[Vehicle, ...]:
    """The active scenario's vehicles with ``in_products: true`` (wire-format §6)."""
    with world.store.peek() as tx:
        text = tx.get_meta("scenario")
    return tuple(v for v in _vehicles_of(text) if v.in_products)


@functools.lru_cache(maxsize=4)
def _vehicles_of(text: str | None) -> tuple[Vehicle, ...]:
    """Vehicles of a stored scenario text (cached: products asks on every listing, and a
    10,000-site scenario is megabytes of JSON)."""
    if text is None:
        return ()
    doc = jsonio.loads(text, decimals=False)
    if not doc.get("vehicles"):
        return ()
    # The stored scenario was checked when it was loaded.
    return tuple(parse_vehicles(lambda path, text: None, doc["vehicles"],
                                int(doc.get("seed", 0))))
