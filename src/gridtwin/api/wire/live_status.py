"""``live_status`` and its Wall Connector items (wire-format §8)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from gridtwin.api.wire.reading import Reading, render_fields
from gridtwin.domain.catalogue import LIVE_STATUS
from gridtwin.domain.site import SiteKind
from gridtwin.services.sites import SiteView

__all__ = ["render_live_status", "render_wall_connectors"]

_CHARGING, _FAULT = 1, 7


def render_wall_connectors(view: SiteView) -> list[dict[str, Any]] | None:
    if view.spec.kind is SiteKind.SOLAR:
        return None
    st = view.state
    plugged = {s.din: s for s in st.sessions if s.unplugged_s is None}
    items = []
    for i, wc in enumerate(view.spec.wall_connectors):
        state = st.wall_connector_state[i] if i < len(st.wall_connector_state) else 2
        power = st.wall_connector_w[i] if i < len(st.wall_connector_w) else 0
        item: dict[str, Any] = {"din": wc.din}
        if wc.din in plugged and state != 2:
            item["vin"] = plugged[wc.din].vin
        item["wall_connector_state"] = state
        item["wall_connector_fault_state"] = 8 if state == _CHARGING else 3 if state == _FAULT else 2
        item["wall_connector_power"] = int(power)
        items.append(item)
    return items


class _LiveReading(Reading):
    @cached_property
    def live_wall_connectors(self) -> list[dict[str, Any]] | None:
        return render_wall_connectors(self.view)


def render_live_status(view: SiteView) -> dict[str, Any]:
    return render_fields(LIVE_STATUS, _LiveReading(view))
