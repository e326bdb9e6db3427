"""History replies (wire-format §9.3, §9.4, §10, §11)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gridtwin.api.wire.common import local_timestamp
from gridtwin.core.units import joules_to_wh_rounded
from gridtwin.domain.catalogue import ENERGY_BUCKET, INSTALLATION_TIME_ZONE, TIMESTAMP, Presence
from gridtwin.domain.energy import CELLS, FLOWS, signed_matrix
from gridtwin.domain.profile import Quirk
from gridtwin.services.history import BackupHistory, ChargeHistory, EnergyHistory

__all__ = ["render_backup", "render_charge", "render_energy"]

_BUCKET: list[tuple[str, str, bool]] = [
    (f.key, f.source or f.key, f.presence is Presence.NONZERO)
    for f in ENERGY_BUCKET if isinstance(f.source, str)
]
"""(key, source, emitted only when non-zero) of each bucket field, in wire order."""
_FLOW_NAMES = [source for _, source, _ in _BUCKET if source in FLOWS]
_MATRIX = np.asarray(signed_matrix([((flow, 1),) for flow in _FLOW_NAMES]), dtype=np.int64)
"""cells x flows 0/1: Wh per cell @ matrix = Wh per flow (exact in int64)."""


def _series(h: EnergyHistory) -> list[dict[str, Any]]:
    """One item per bucket; the flow sums for all buckets in one integer matrix product."""
    wh = np.asarray(h.wh, dtype=np.int64).reshape(-1, len(CELLS))
    out = []
    for t, sums in zip(h.starts, (wh @ _MATRIX).tolist(), strict=True):
        values: dict[str, Any] = dict(zip(_FLOW_NAMES, sums, strict=True))
        values[TIMESTAMP.key] = local_timestamp(t, h.zone)
        out.append({key: values[source] for key, source, nonzero in _BUCKET
                    if not nonzero or values[source]})
    return out


def render_energy(h: EnergyHistory) -> dict[str, Any]:
    spec = h.view.spec
    series = _series(h)
    return {
        "serial_number": spec.gateway_din if spec.has_battery else spec.site_uuid,
        "period": h.period,
        INSTALLATION_TIME_ZONE.key: spec.time_zone,
        "time_series": series or None,
    }


def render_backup(h: BackupHistory) -> dict[str, Any]:
    scale = 1000 if Quirk.BACKUP_DURATION_MS in h.view.quirks else 1
    events = [
        {"timestamp": local_timestamp(start, h.zone), "duration": duration * scale}
        for start, duration in h.events
    ]
    return {"events": events, "total_events": len(events)}


def render_charge(h: ChargeHistory) -> dict[str, Any]:
    items = []
    for s in h.sessions:
        first = int(s["first_power_s"])
        last = first if s["last_power_s"] is None else int(s["last_power_s"])
        items.append({
            "charge_start_time": {"seconds": first},
            "charge_duration": {"seconds": last - first},
            "energy_added_wh": joules_to_wh_rounded(int(s["delivered_j"])),
            "din": s["din"],
            "target_id": {"text": s["vehicle_id"]},
        })
    return {"charge_history": items}
