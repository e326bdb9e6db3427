"""gridtwin's typed SDK for the Tesla Fleet API energy endpoints and the emulator's control
plane, on httpx and pydantic only.

    from gridtwin.client import Client

    with Client("http://127.0.0.1:8080", token, admin_token=admin) as client:
        site = client.energy_site(client.energy_site_ids()[0])
        site.backup(30)
        client.control.advance(3600)
        print(site.live_status().percentage_charged)

``AsyncClient`` is the async twin. Errors are in ``gridtwin.client`` too (one class per
status, see ``_exceptions``); models in ``gridtwin.client.types``.
"""

from gridtwin.client import types
from gridtwin.client._base import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_S,
    FLEET_API_BASE_URLS,
    RetryPolicy,
)
from gridtwin.client._client import AsyncClient, Client
from gridtwin.client._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ControlError,
    GatewayTimeout,
    Gone,
    GridtwinClientError,
    InternalServerError,
    InvalidField,
    InvalidRequest,
    Locked,
    MethodNotAllowed,
    MisdirectedRequest,
    MissingScope,
    NotFound,
    OAuthError,
    PaymentRequired,
    PreconditionFailed,
    RateLimited,
    RequestTimeout,
    ServerError,
    ServiceUnavailable,
    TokenExpired,
    Unauthorized,
    UnavailableForLegalReasons,
)
from gridtwin.client.control import ControlClient
from gridtwin.client.resources import (
    AsyncControl,
    AsyncEnergySite,
    AsyncOAuth,
    Control,
    EnergySite,
    OAuth,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_S",
    "FLEET_API_BASE_URLS",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncControl",
    "AsyncEnergySite",
    "AsyncOAuth",
    "BadRequestError",
    "Client",
    "Control",
    "ControlClient",
    "ControlError",
    "EnergySite",
    "GatewayTimeout",
    "Gone",
    "GridtwinClientError",
    "InternalServerError",
    "InvalidField",
    "InvalidRequest",
    "Locked",
    "MethodNotAllowed",
    "MisdirectedRequest",
    "MissingScope",
    "NotFound",
    "OAuth",
    "OAuthError",
    "PaymentRequired",
    "PreconditionFailed",
    "RateLimited",
    "RequestTimeout",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailable",
    "TokenExpired",
    "Unauthorized",
    "UnavailableForLegalReasons",
    "types",
]
