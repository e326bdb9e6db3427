"""Compatibility profiles and quirk ids (site-behavior §11)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["OBSERVED_QUIRKS", "OPT_IN_QUIRKS", "Profile", "Quirk", "active_quirks"]


class Profile(StrEnum):
    DOCUMENTED = "documented"
    OBSERVED = "observed"


class Quirk(StrEnum):
    RESERVE_81_99_REJECTED = "reserve_81_99_rejected"
    RESERVE_81_99_STORED_AS_80 = "reserve_81_99_stored_as_80"
    COMMAND_ACK_MESSAGES = "command_ack_messages"
    OMIT_DEPRECATED_ENERGY_FIELDS = "omit_deprecated_energy_fields"
    BACKUP_DURATION_MS = "backup_duration_ms"
    CURRENCY_ANY_ISO4217 = "currency_any_iso4217"
    TOU_STRATEGY_NOT_PERSISTED = "tou_strategy_not_persisted"
    TARIFF_READBACK_ZERO_OMISSION = "tariff_readback_zero_omission"
    RESERVE_TOPUP_IGNORES_GRID_CHARGING_FLAG = "reserve_topup_ignores_grid_charging_flag"
    BLANK_SITE_INFO_TIME_ZONE = "blank_site_info_time_zone"
    NO_HISTORY = "no_history"


OBSERVED_QUIRKS: frozenset[Quirk] = frozenset(
    {
        Quirk.RESERVE_81_99_STORED_AS_80,
        Quirk.COMMAND_ACK_MESSAGES,
        Quirk.OMIT_DEPRECATED_ENERGY_FIELDS,
        Quirk.BACKUP_DURATION_MS,
        Quirk.CURRENCY_ANY_ISO4217,
        Quirk.TOU_STRATEGY_NOT_PERSISTED,
        Quirk.TARIFF_READBACK_ZERO_OMISSION,
        Quirk.RESERVE_TOPUP_IGNORES_GRID_CHARGING_FLAG,
    }
)
# Opt-in (no profile switches them on): reserve_81_99_rejected is the refusal some clients
# guard against (they retry with 80); with reserve_81_99_stored_as_80 also on, refusal wins.
OPT_IN_QUIRKS: frozenset[Quirk] = frozenset(
    {Quirk.RESERVE_81_99_REJECTED, Quirk.BLANK_SITE_INFO_TIME_ZONE, Quirk.NO_HISTORY}
)


def active_quirks(profile: Profile, overrides: Mapping[str, bool] | None = None) -> frozenset[Quirk]:
    """The quirks in force for a profile with per-quirk overrides."""
    on = set(OBSERVED_QUIRKS if profile is Profile.OBSERVED else ())
    for name, enabled in (overrides or {}).items():
        quirk = Quirk(name)
        if enabled:
            on.add(quirk)
        else:
            on.discard(quirk)
    return frozenset(on)
