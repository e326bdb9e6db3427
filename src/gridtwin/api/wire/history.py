"""History replies (wire-format §9.3, §9.4, §10, §11)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np

from gridtwin.api.wire.common import local_timestamp
from gridtwin.api.wire.reading import row
from gridtwin.core import jsonio
from gridtwin.core.units import joules_to_wh_rounded
from gridtwin.domain.catalogue import ENERGY_BUCKET, RAW_TIMESTAMP, TIMESTAMP, Presence
from gridtwin.domain.catalogue_series import (
    BACKUP_EVENT,
    BACKUP_HISTORY,
    CHARGE_HISTORY,
    CHARGE_SESSION,
    HISTORY_HEAD,
    SECONDS,
    TARGET_ID,
    TIME_SERIES,
)
from gridtwin.domain.energy import CELLS, signed_matrix
from gridtwin.domain.profile import Quirk
from gridtwin.services.history import BackupHistory, ChargeHistory, EnergyHistory
from gridtwin.services.sites import SiteView

__all__ = ["energy_reply_json", "history_head", "render_backup", "render_charge", "render_energy"]

# The catalogue's bucket: timestamp, the flows (always), raw_timestamp, the totals (only
# when non-zero). Keys are the flow names of domain.energy.FLOWS.
_FIELDS = [f for f in ENERGY_BUCKET if f.key not in (TIMESTAMP.key, RAW_TIMESTAMP.key)]
_BUCKET_NAMES = [f.key for f in _FIELDS if f.presence is not Presence.NONZERO]
_TOTAL_NAMES = [f.key for f in _FIELDS if f.presence is Presence.NONZERO]
assert [f.key for f in ENERGY_BUCKET] == [TIMESTAMP.key, *_BUCKET_NAMES, RAW_TIMESTAMP.key,
                                          *_TOTAL_NAMES], "bucket order changed"
_BUCKET_M = np.asarray(signed_matrix([((n, 1),) for n in _BUCKET_NAMES]), dtype=np.int64)
_TOTAL_M = np.asarray(signed_matrix([((n, 1),) for n in _TOTAL_NAMES]), dtype=np.int64)
"""cells x fields 0/1: Wh per cell @ matrix = Wh per field (exact in int64)."""


def _series(h: EnergyHistory) -> list[dict[str, Any]]:
    """One item per bucket; the field sums for all buckets in two integer matrix products."""
    wh = np.asarray(h.wh, dtype=np.int64).reshape(-1, len(CELLS))
    fields = (wh @ _BUCKET_M).tolist()
    totals = (wh @ _TOTAL_M).tolist()
    out = []
    for t, values, sums in zip(h.starts, fields, totals, strict=True):
        ts = local_timestamp(t, h.zone)
        item: dict[str, Any] = {TIMESTAMP.key: ts, **dict(zip(_BUCKET_NAMES, values, strict=True)),
                                RAW_TIMESTAMP.key: ts}
        for name, value in zip(_TOTAL_NAMES, sums, strict=True):
            if value:
                item[name] = value
        out.append(item)
    return out


# Encoded series: each bucket is formatted by one C-level ``%`` call per chunk of buckets,
# from a format string chosen by which totals are non-zero (the only members that vary), so
# no dict or Python int is built per field. Keys and timestamps need no JSON escaping.
_ITEM_HEAD = (f'{{"{TIMESTAMP.key}":"%s",' + ",".join(f'"{n}":%d' for n in _BUCKET_NAMES)
              + f',"{RAW_TIMESTAMP.key}":"%s"')
_ITEM_FORMATS = [
    _ITEM_HEAD + "".join(f',"{n}":%d' for j, n in enumerate(_TOTAL_NAMES) if mask >> j & 1) + "}"
    for mask in range(1 << len(_TOTAL_NAMES))
]
_MASK_BITS = 1 << np.arange(len(_TOTAL_NAMES), dtype=np.int64)
ENCODE_CHUNK = 256
"""Buckets per ``%`` call: each call holds the GIL throughout (no bytecode runs in it), so a
7 MB reply is written in ~35 short holds instead of one that stalls the event loop."""


def _series_json(h: EnergyHistory) -> Iterator[str]:
    """The ``time_series`` array as JSON text in pieces: the bytes ``jsonio.dumps`` writes
    for ``_series(h)`` (tested byte for byte)."""
    wh = np.asarray(h.wh, dtype=np.int64).reshape(-1, len(CELLS))
    n = len(h.starts)
    fields, totals = wh @ _BUCKET_M, wh @ _TOTAL_M
    present = totals != 0
    masks = (present @ _MASK_BITS).tolist()
    from_ts, zone = datetime.fromtimestamp, h.zone
    stamps = [from_ts(t, zone).isoformat(timespec="seconds") for t in h.starts]
    # One row of arguments per bucket (timestamp, fields, timestamp, totals); the zero
    # totals are dropped, so row-major order is each bucket's arguments in turn.
    args = np.empty((n, 2 + fields.shape[1] + totals.shape[1]), dtype=object)
    args[:, 0] = args[:, 1 + fields.shape[1]] = stamps
    args[:, 1 : 1 + fields.shape[1]] = fields
    args[:, 2 + fields.shape[1] :] = totals
    keep = np.ones(args.shape, dtype=bool)
    keep[:, 2 + fields.shape[1] :] = present
    flat = args[keep].tolist()
    bounds = np.concatenate(([0], np.cumsum(keep.sum(axis=1)))).tolist()
    yield "["
    for i in range(0, n, ENCODE_CHUNK):
        j = min(i + ENCODE_CHUNK, n)
        fmt = ",".join([_ITEM_FORMATS[m] for m in masks[i:j]])
        yield ("," if i else "") + fmt % tuple(flat[bounds[i] : bounds[j]])
    yield "]"


def energy_reply_json(h: EnergyHistory) -> Iterator[str]:
    """``{"response": render_energy(h)}`` as JSON text in pieces, the bytes
    ``jsonio.dumps`` writes for that document, built without it."""
    doc = history_head(h.view, h.period, None)
    if not h.starts:
        yield jsonio.dumps({"response": doc})
        return
    head = jsonio.dumps({"response": doc})
    if not head.endswith(f'"{TIME_SERIES.key}":null}}}}'):  # not reached: it is the last member
        yield jsonio.dumps({"response": render_energy(h)})
        return
    yield head[: -len("null}}")]
    yield from _series_json(h)
    yield "}}"


def history_head(view: SiteView, period: str, series: object) -> dict[str, Any]:
    """A calendar_history reply: the head members, then ``time_series`` (wire-format §9.3)."""
    spec = view.spec
    serial = spec.gateway_din if spec.has_battery else spec.site_uuid
    return row((*HISTORY_HEAD, TIME_SERIES), serial, period, spec.time_zone, series)


def render_energy(h: EnergyHistory) -> dict[str, Any]:
    """The reply as a document (``energy_reply_json`` writes its text faster)."""
    return history_head(h.view, h.period, _series(h) or None)


def render_backup(h: BackupHistory) -> dict[str, Any]:
    scale = 1000 if Quirk.BACKUP_DURATION_MS in h.view.quirks else 1
    events = [row(BACKUP_EVENT, local_timestamp(start, h.zone), duration * scale)
              for start, duration in h.events]
    return row(BACKUP_HISTORY, events, len(events))


def render_charge(h: ChargeHistory) -> dict[str, Any]:
    items = []
    for s in h.sessions:
        first = int(s["first_power_s"])
        last = first if s["last_power_s"] is None else int(s["last_power_s"])
        items.append(row(CHARGE_SESSION, row(SECONDS, first), row(SECONDS, last - first),
                         joules_to_wh_rounded(int(s["delivered_j"])), s["din"],
                         row(TARGET_ID, s["vehicle_id"])))
    return row(CHARGE_HISTORY, items)
