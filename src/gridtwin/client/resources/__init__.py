"""One module per API area; each has a sync class and its async twin."""

from gridtwin.client.resources.account import AsyncOAuth, OAuth
from gridtwin.client.resources.control import AsyncControl, Control
from gridtwin.client.resources.energy_sites import AsyncEnergySite, EnergySite

__all__ = ["AsyncControl", "AsyncEnergySite", "AsyncOAuth", "Control", "EnergySite", "OAuth"]
