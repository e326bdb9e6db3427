"""Pydantic models of the wire shapes, for the OpenAPI document ONLY (wire-format.md).

Split per resource; the reply models of live_status, site_info, the products items and the
history replies, with their nested shapes, are generated from the wire catalogue
(domain/catalogue*.py). See :mod:`.base` for the conventions.
"""

from __future__ import annotations

from gridtwin.api.wire.models.commands import COMMAND_EXAMPLES, CommandAckResponse
from gridtwin.api.wire.models.errors import Error, OAuthClientError, OAuthGrantError
from gridtwin.api.wire.models.history import (
    BackupHistoryResponse,
    CalendarHistoryQuery,
    ChargeHistoryResponse,
    EnergyHistoryResponse,
    TelemetryHistoryQuery,
)
from gridtwin.api.wire.models.history_kinds import (
    PowerHistoryResponse,
    SavingsHistoryResponse,
    SelfConsumptionHistoryResponse,
    SoeHistoryResponse,
    TouEnergyHistoryResponse,
)
from gridtwin.api.wire.models.openapi import (
    BEARER_DOC,
    command_body,
    history_query,
    responses,
    token_body,
)
from gridtwin.api.wire.models.products import ProductsResponse, SiteStatusResponse
from gridtwin.api.wire.models.site import LiveStatusResponse, SiteInfoResponse
from gridtwin.api.wire.models.small import (
    BackupTimeRemainingResponse,
    OAuthTokenReply,
    RegionResponse,
    TokenRequest,
)

__all__ = [
    "BEARER_DOC",
    "COMMAND_EXAMPLES",
    "BackupHistoryResponse",
    "BackupTimeRemainingResponse",
    "CalendarHistoryQuery",
    "ChargeHistoryResponse",
    "CommandAckResponse",
    "EnergyHistoryResponse",
    "Error",
    "LiveStatusResponse",
    "OAuthClientError",
    "OAuthGrantError",
    "OAuthTokenReply",
    "PowerHistoryResponse",
    "ProductsResponse",
    "RegionResponse",
    "SavingsHistoryResponse",
    "SelfConsumptionHistoryResponse",
    "SiteInfoResponse",
    "SiteStatusResponse",
    "SoeHistoryResponse",
    "TelemetryHistoryQuery",
    "TokenRequest",
    "TouEnergyHistoryResponse",
    "command_body",
    "history_query",
    "responses",
    "token_body",
]
