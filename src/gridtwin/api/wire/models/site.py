"""``site_info`` and ``live_status`` (wire-format §7, §8), generated from the catalogue."""

from __future__ import annotations

from pydantic import BaseModel

from gridtwin.api.wire.models.base import Closed, Open
from gridtwin.api.wire.models.generate import catalogue_model, merged
from gridtwin.domain.catalogue import LIVE_STATUS, SITE_INFO, USER_SETTINGS
from gridtwin.domain.catalogue_nested import (
    BATTERY_SITE_COMPONENTS,
    BATTERY_UNIT,
    DEVICE_LISTS,
    GATEWAY,
    INVERTER,
    LIVE_WALL_CONNECTOR,
    OTHER_SITE_COMPONENTS,
    SITE_WALL_CONNECTOR,
    TOU_SETTINGS_FIELDS,
)

__all__ = ["LiveStatusResponse", "SiteInfoResponse"]

UserSettings = catalogue_model("UserSettings", USER_SETTINGS,
                               "``site_info.user_settings`` (§7.1).")
_DEVICES = {
    "Gateway": catalogue_model("Gateway", GATEWAY, "A gateway of a battery site."),
    "Battery": catalogue_model("Battery", BATTERY_UNIT, "One installed battery unit."),
    "Inverter": catalogue_model("Inverter", INVERTER, "A third-party PV inverter.", base=Open),
    "SiteWallConnector": catalogue_model("SiteWallConnector", SITE_WALL_CONNECTOR,
                                         "A Wall Connector of the site.", base=Open),
}
SiteComponents = catalogue_model(
    "SiteComponents",
    merged([(*BATTERY_SITE_COMPONENTS, *DEVICE_LISTS), (*OTHER_SITE_COMPONENTS, *DEVICE_LISTS)]),
    "``site_info.components`` (§7.2). Open: a scenario may override or add any flag.",
    _DEVICES, base=Open)
TouSettings = catalogue_model("TouSettings", TOU_SETTINGS_FIELDS, "``site_info.tou_settings``.")

SiteInfo = catalogue_model("SiteInfo", SITE_INFO, "``site_info`` (§7.1).", {
    "UserSettings": UserSettings, "SiteComponents": SiteComponents, "TouSettings": TouSettings,
})


class SiteInfoResponse(Closed):
    response: SiteInfo  # type: ignore[valid-type]


LiveWallConnector: type[BaseModel] = catalogue_model(
    "LiveWallConnector", LIVE_WALL_CONNECTOR, "A live_status Wall Connector (§8.1).")
LiveStatus = catalogue_model("LiveStatus", LIVE_STATUS,
                             "A snapshot at the current simulated instant (§8).",
                             {"LiveWallConnector": LiveWallConnector})


class LiveStatusResponse(Closed):
    response: LiveStatus  # type: ignore[valid-type]
