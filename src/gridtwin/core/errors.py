"""The error tree, with stable codes. No HTTP here: api/errors.py maps these to statuses.

    GridtwinError
    ├── InvalidRequest      malformed body (not a JSON object)
    │   └── PayloadTooLarge body over the size limit
    ├── InvalidField        a parameter or body member is wrong; carries ``messages``
    │   └── TariffInvalid   a tariff failed validation; carries the problems
    ├── Unauthenticated     missing, malformed or badly signed token
    │   └── TokenExpired
    ├── MissingScope        token lacks the scope a route needs
    ├── NotFound            unknown route/site, or a site the user does not own
    ├── MethodNotAllowed
    ├── Gone                retired route
    ├── RateLimited         carries ``retry_after_s``
    ├── OAuthError          token endpoint failures (OAuth2 codes)
    │   └── OAuthClientUnknown  invalid_client
    └── Internal
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "Gone",
    "GridtwinError",
    "Internal",
    "InvalidField",
    "InvalidRequest",
    "MethodNotAllowed",
    "MissingScope",
    "NotFound",
    "OAuthClientUnknown",
    "OAuthError",
    "PayloadTooLarge",
    "RateLimited",
    "TariffInvalid",
    "TokenExpired",
    "Unauthenticated",
]


class GridtwinError(Exception):
    code = "internal"
    default_message = "Internal error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidRequest(GridtwinError):
    code = "invalid_request"
    default_message = "Request body is not a valid JSON object"


class PayloadTooLarge(InvalidRequest):
    """The request body is longer than the server accepts."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"Request body exceeds {limit_bytes} bytes")


class InvalidField(GridtwinError):
    """A field-level problem. ``messages`` maps a JSON path to a list of problem strings."""

    code = "invalid_field"

    def __init__(self, message: str, messages: Mapping[str, Sequence[str]] | None = None):
        super().__init__(message)
        self.messages: dict[str, list[str]] = {k: list(v) for k, v in (messages or {}).items()}

    @classmethod
    def for_field(cls, path: str, problem: str) -> InvalidField:
        return cls(f"{path}: {problem}", {path: [problem]})


class TariffInvalid(InvalidField):
    def __init__(
        self, message: str, messages: Mapping[str, Sequence[str]], problems: Sequence[Any] = ()
    ):
        super().__init__(message, messages)
        self.problems = tuple(problems)


class Unauthenticated(GridtwinError):
    code = "invalid bearer token"
    default_message = "Access token is missing, malformed or not signed by this server"


class TokenExpired(Unauthenticated):
    code = "token expired (401)"
    default_message = "Access token has expired"


class MissingScope(GridtwinError):
    code = "missing_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(f"Token lacks scope {scope}")
        self.scope = scope


class NotFound(GridtwinError):
    code = "not_found"
    default_message = "The requested resource was not found"


class MethodNotAllowed(GridtwinError):
    code = "invalid_method"
    default_message = "Method not allowed"


class Gone(GridtwinError):
    code = "gone"
    default_message = "No longer supported: use calendar_history"


class RateLimited(GridtwinError):
    code = "rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = max(1, int(retry_after_s))
        super().__init__(f"Too many requests; retry after {self.retry_after_s} seconds")


class OAuthError(GridtwinError):
    """Token-endpoint failure; ``code`` is the OAuth2 error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class OAuthClientUnknown(OAuthError):
    """The client could not be authenticated (OAuth2 ``invalid_client``)."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_client", message)


class Internal(GridtwinError):
    code = "upstream internal error"
    default_message = "Internal error"
