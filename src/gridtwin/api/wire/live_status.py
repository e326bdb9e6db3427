"""``live_status`` and its Wall Connector items (wire-format §8)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from gridtwin.api.wire.reading import Reading, render_fields, render_item
from gridtwin.domain.catalogue import LIVE_STATUS
from gridtwin.domain.catalogue_nested import LIVE_WALL_CONNECTOR
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView

__all__ = ["render_live_status", "render_wall_connectors"]

_CHARGING, _FAULT, _IDLE = 1, 7, 2


@dataclass(frozen=True)
class _LiveWallConnector:
    """One Wall Connector now, as its live_status item reads it."""

    din: str
    vin: str | None
    wall_connector_state: int
    wall_connector_fault_state: int
    wall_connector_power: float


def render_wall_connectors(view: SiteView) -> list[dict[str, Any]] | None:
    if view.spec.kind is SiteKind.SOLAR:
        return None
    st = view.state
    plugged = {s.din: s for s in st.sessions if s.unplugged_s is None}
    items = []
    for i, wc in enumerate(view.spec.wall_connectors):
        state = st.wall_connector_state[i] if i < len(st.wall_connector_state) else _IDLE
        power = st.wall_connector_w[i] if i < len(st.wall_connector_w) else 0
        vin = plugged[wc.din].vin if wc.din in plugged and state != _IDLE else None
        fault = 8 if state == _CHARGING else 3 if state == _FAULT else 2
        items.append(render_item(LIVE_WALL_CONNECTOR,
                                 _LiveWallConnector(wc.din, vin, state, fault, power)))
    return items


class _LiveReading(Reading):
    @cached_property
    def live_wall_connectors(self) -> list[dict[str, Any]] | None:
        return render_wall_connectors(self.view)


def render_live_status(view: SiteView) -> dict[str, Any]:
    return render_fields(LIVE_STATUS, _LiveReading(view))
