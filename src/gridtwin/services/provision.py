"""Creating users and sites, and the demo world a new database starts with.

Generated ids (site ids, DINs, UUIDs) derive from the seed, so the same seed gives the
same world (emulator §4).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from gridtwin.core import jsonio
from gridtwin.domain.battery import BatteryModel
from gridtwin.domain.codec import controls_to_dict, spec_to_dict
from gridtwin.domain.controls import SiteControls
from gridtwin.domain.site import (
    BatteryBank,
    Location,
    SiteKind,
    SiteSpec,
    SolarSpec,
    WallConnectorSpec,
)
from gridtwin.services.auth import ensure_user
from gridtwin.services.world import World
from gridtwin.sim.codec import state_to_dict
from gridtwin.sim.engine import initial_state
from gridtwin.sim.runner import LoadedSite
from gridtwin.store.repository import SiteRow, Tx

__all__ = [
    "DEMO_USER",
    "YEAR_S",
    "create_site",
    "demo_spec",
    "din_for",
    "ensure_demo",
    "insert_site",
    "new_site",
    "new_site_row",
    "seeded_id",
    "seeded_uuid",
]

DEMO_USER = "demo"
YEAR_S = 365 * 86_400


def _digest(seed: int, *parts: object) -> bytes:
    return hashlib.blake2b(":".join(map(str, (seed, *parts))).encode(), digest_size=16).digest()


def seeded_uuid(seed: int, *parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(seed, *parts), version=4))


def seeded_id(seed: int, *parts: object) -> int:
    """A 16-digit site id, below 2**53."""
    return 1_000_000_000_000_000 + int.from_bytes(_digest(seed, *parts)[:8], "big") % 8_000_000_000_000_000


def din_for(seed: int, part: str, site_id: int, role: str, prefix: str) -> str:
    """A seeded device DIN ``<part>--<prefix><12 digits>``."""
    serial = int.from_bytes(_digest(seed, "din", site_id, role)[:6], "big") % 10**12
    return f"{part}--{prefix}{serial:012d}"


def demo_spec(seed: int, now_s: int, index: int = 0) -> SiteSpec:
    """The demo site: 2 Powerwall 2, 7.6 kW PV, one Wall Connector, Los Angeles, installed a year ago."""
    site_id = seeded_id(seed, "site", index)
    install = ((now_s - YEAR_S) // 86_400) * 86_400
    return SiteSpec(
        energy_site_id=site_id,
        kind=SiteKind.BATTERY,
        name="My Home" if index == 0 else f"Home {index + 1}",
        time_zone="America/Los_Angeles",
        location=Location(latitude_deg=34.05, longitude_deg=-118.25, elevation_m=90.0),
        installation_s=install,
        gateway_din=din_for(seed, "1232100-00-E", site_id, "gw", "TG"),
        site_uuid=seeded_uuid(seed, "site-uuid", site_id),
        batteries=(BatteryBank(BatteryModel.POWERWALL_2, count=2),),
        solar=SolarSpec(dc_kw=7.6),
        wall_connectors=(
            WallConnectorSpec(
                din=din_for(seed, "1529455-02-D", site_id, "wc0", "PGT"),
                device_id=seeded_uuid(seed, "wc", site_id, 0),
            ),
        ),
        sky="tmy",
        seed=seed,
    )


def create_site(
    world: World, owner: str, spec: SiteSpec, controls: SiteControls | None = None,
    app_pct: float = 50.0,
) -> SiteSpec:
    """Store a new site for ``owner`` (created if missing); history starts at installation."""
    ensure_user(world, owner)
    with world.store.tx() as tx:
        insert_site(tx, owner, spec, controls, app_pct)
    return spec


def insert_site(
    tx: Tx, owner: str, spec: SiteSpec, controls: SiteControls | None = None,
    app_pct: float = 50.0,
) -> None:
    """Store a new site in ``tx`` for an existing ``owner``, at its installation instant."""
    tx.insert_site(new_site_row(owner, tx.next_site_position(), spec, controls, app_pct))


def new_site_row(
    owner: str, position: int, spec: SiteSpec, controls: SiteControls | None = None,
    app_pct: float = 50.0,
) -> SiteRow:
    """The row of a new site at its installation instant, never simulated yet: it is
    brought to the simulated now when it is first read or the clock advances."""
    return new_site(owner, position, spec, controls, app_pct).row


def new_site(
    owner: str, position: int, spec: SiteSpec, controls: SiteControls | None = None,
    app_pct: float = 50.0,
) -> LoadedSite:
    """``new_site_row`` with the spec, controls and state it stores."""
    controls = controls or SiteControls()
    state = initial_state(spec, spec.installation_s, app_pct)
    row = SiteRow(
        energy_site_id=spec.energy_site_id, user_id=owner, position=position,
        spec_json=jsonio.dumps(spec_to_dict(spec)),
        controls_json=jsonio.dumps(controls_to_dict(controls)),
        state_json=jsonio.dumps(state_to_dict(state)), state_t_s=state.t_s,
    )
    return LoadedSite(row, spec, controls, state)


def ensure_demo(world: World) -> SiteSpec | None:
    """On an empty database: the ``demo`` user with the demo site. Returns it if created."""
    with world.store.tx() as tx:
        if tx.list_sites():
            return None
    spec = demo_spec(world.seed, world.now_s())
    return create_site(world, DEMO_USER, replace(spec))
