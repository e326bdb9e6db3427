"""The wire catalogue's history shapes: the head of calendar_history replies, the
time_series item of each kind, backup events and telemetry_history charge sessions
(wire-format §9-§11, docs/history-kinds.md).

Same conventions as :mod:`gridtwin.domain.catalogue`. The energy buckets and power samples
are declared there (they share their keys with live_status and the flow table).
"""

from __future__ import annotations

from dataclasses import replace

from gridtwin.domain.catalogue import INSTALLATION_TIME_ZONE, SAME, TIMESTAMP, Json, WireField
from gridtwin.domain.catalogue_nested import BATTERY, DIN, SERIAL_NUMBER, SOLAR

__all__ = [
    "BACKUP_EVENT",
    "BACKUP_HISTORY",
    "CHARGE_HISTORY",
    "CHARGE_SESSION",
    "HISTORY_HEAD",
    "SAVINGS_ITEM",
    "SECONDS",
    "SELF_CONSUMPTION_BUCKET",
    "SOE_SAMPLE",
    "TARGET_ID",
    "TIME_SERIES",
]

PERIODS = ("day", "week", "month", "year", "lifetime")

TIME_SERIES = WireField("time_series", Json.ARRAY, SAME, nullable=True,
                        doc="null when no bucket is returned")
"""The last member of every calendar_history head; its items depend on the kind (the
renderer names the item shape), and time_of_use_energy nests it once per tariff period."""

HISTORY_HEAD: tuple[WireField, ...] = (
    replace(SERIAL_NUMBER, doc="the gateway DIN (battery sites), else the site UUID"),
    WireField("period", Json.STRING, SAME, choices=PERIODS),
    replace(INSTALLATION_TIME_ZONE, source="spec.time_zone", doc="IANA zone", pattern=".+"),
)
"""The members before ``time_series`` in calendar_history replies (kinds energy, power,
soe, self_consumption)."""



def _share(f: WireField) -> WireField:
    """A share of home use [%] named like the component it comes from."""
    return replace(f, json=Json.NUMBER, source=SAME, unit="%", minimum=0, maximum=100,
                   doc="share of home use")


SOE_SAMPLE: tuple[WireField, ...] = (
    TIMESTAMP,
    WireField("soe", Json.INTEGER, SAME, unit="%", minimum=0, maximum=100,
              doc="app-scale state of energy at the timestamp"),
)
"""A ``kind=soe`` sample (every 15 minutes)."""

SELF_CONSUMPTION_BUCKET: tuple[WireField, ...] = (
    TIMESTAMP,
    _share(SOLAR),
    _share(BATTERY),
)
"""A ``kind=self_consumption`` bucket: the shares of home use met by solar and battery."""

SAVINGS_ITEM: tuple[WireField, ...] = (
    TIMESTAMP,
    WireField("value", Json.NUMBER, SAME, doc="energy value of the site against the same "
              "home without it [currency], rounded to cents"),
    WireField("currency", Json.STRING, SAME, doc="ISO 4217 code of the stored tariff"),
)
"""A ``kind=savings`` item (the reply is a list of them)."""

BACKUP_EVENT: tuple[WireField, ...] = (
    TIMESTAMP,
    WireField("duration", Json.INTEGER, SAME, unit="s (ms under quirk backup_duration_ms)",
              minimum=0),
)
"""A ``kind=backup`` event (wire-format §10)."""

BACKUP_HISTORY: tuple[WireField, ...] = (
    WireField("events", Json.ARRAY, SAME, shape="BackupEvent"),
    WireField("total_events", Json.INTEGER, SAME, minimum=0),
)
"""The ``kind=backup`` reply."""

SECONDS: tuple[WireField, ...] = (WireField("seconds", Json.INTEGER, SAME, unit="s"),)
"""``{"seconds": n}``: a protobuf Timestamp or Duration."""

TARGET_ID: tuple[WireField, ...] = (WireField("text", Json.STRING, SAME, doc="vehicle id"),)

CHARGE_SESSION: tuple[WireField, ...] = (
    WireField("charge_start_time", Json.OBJECT, SAME, shape="Seconds"),
    WireField("charge_duration", Json.OBJECT, SAME, shape="Seconds"),
    WireField("energy_added_wh", Json.INTEGER, SAME, unit="Wh", minimum=0),
    DIN,
    WireField("target_id", Json.OBJECT, SAME, shape="TargetId"),
)
"""A ``telemetry_history?kind=charge`` session (wire-format §11)."""

CHARGE_HISTORY: tuple[WireField, ...] = (
    WireField("charge_history", Json.ARRAY, SAME, shape="ChargeSession"),
)
