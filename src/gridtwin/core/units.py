"""Units and the sign convention, defined once.

Inside the engine: power in W, energy in Wh (or J for exact counters), time in s,
state of charge in %, instants as UTC-aware datetimes or Unix seconds.

Signs (spec D15):

=================  ==========================  =============
quantity           positive                    negative
=================  ==========================  =============
battery_power      discharging                 charging
grid_power         importing                   exporting
solar_power        producing                   never
generator_power    producing                   never
load_power         home use incl. Wall Conn.   never
=================  ==========================  =============

``load_power = solar_power + battery_power + grid_power + generator_power`` exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "BUCKET_S",
    "J_PER_WH",
    "datetime_from_unix",
    "joules_to_wh_rounded",
    "unix_seconds",
]

J_PER_WH = 3600
"""Joules in one watt-hour [J/Wh]."""

BUCKET_S = 300
"""Length of a history bucket [s]."""


def joules_to_wh_rounded(energy_j: int) -> int:
    """Round a cumulative joule counter to whole Wh, half up (spec site-behavior §9.2).

    energy_j: cumulative energy [J]. Returns [Wh].
    """
    return (energy_j + J_PER_WH // 2) // J_PER_WH


def unix_seconds(when: datetime) -> int:
    """Whole Unix seconds of an aware instant, floored [s]."""
    if when.tzinfo is None:
        raise ValueError("naive datetime")
    return int(when.timestamp() // 1)


def datetime_from_unix(t_s: int) -> datetime:
    """UTC-aware datetime of Unix seconds ``t_s`` [s]."""
    return datetime.fromtimestamp(t_s, tz=UTC)
