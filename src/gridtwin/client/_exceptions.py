"""Every error the SDK raises. Status errors carry the request, the response and the
parsed error body, so callers can branch on the class or on ``code``::

    GridtwinClientError
    ├── APIConnectionError          no reply (refused, reset, DNS...); has ``request``
    │   └── APITimeoutError
    ├── APIResponseValidationError  a 2xx reply that does not fit its model
    └── APIStatusError              HTTP status >= 400 (alias: ControlError)
        ├── BadRequestError             400
        │   ├── InvalidRequest              error "invalid_request"
        │   ├── InvalidField                error "invalid_field" (``messages``)
        │   └── OAuthError                  token endpoint codes (invalid_grant...)
        ├── Unauthorized                401
        │   └── TokenExpired                error "token expired (401)"
        ├── PaymentRequired             402
        ├── MissingScope                403
        ├── NotFound                    404
        ├── MethodNotAllowed            405
        ├── RequestTimeout              408 (device offline)
        ├── Gone                        410
        ├── PreconditionFailed          412
        ├── MisdirectedRequest          421 (wrong region)
        ├── Locked                      423
        ├── RateLimited                 429 (``retry_after_s``)
        ├── UnavailableForLegalReasons  451
        └── ServerError                 5xx
            ├── InternalServerError         500
            ├── ServiceUnavailable          503
            └── GatewayTimeout              504
"""

from __future__ import annotations

from typing import Any

import httpx

from gridtwin.client.types.common import ErrorBody

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "BadRequestError",
    "ControlError",
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
    "OAuthError",
    "PaymentRequired",
    "PreconditionFailed",
    "RateLimited",
    "RequestTimeout",
    "ServerError",
    "ServiceUnavailable",
    "TokenExpired",
    "Unauthorized",
    "UnavailableForLegalReasons",
    "error_for",
]


class GridtwinClientError(Exception):
    """The root of every SDK error."""


class APIConnectionError(GridtwinClientError):
    def __init__(self, request: httpx.Request, message: str = "Connection error") -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request, "Request timed out")


class APIResponseValidationError(GridtwinClientError):
    def __init__(self, response: httpx.Response, body: Any, message: str) -> None:
        super().__init__(message)
        self.request = response.request
        self.response = response
        self.body = body


class APIStatusError(GridtwinClientError):
    """A reply with status >= 400.

    body: the reply's JSON (or text when it is not JSON). error: the parsed error
    envelope, None when the body is not one. code / description: its ``error`` and
    ``error_description``. messages: field path -> problems (400 invalid_field).
    """

    def __init__(self, response: httpx.Response, body: Any) -> None:
        self.request = response.request
        self.response = response
        self.body = body
        self.error = _parse_error(body)
        self.status_code = response.status_code
        super().__init__(self._text())

    @property
    def status(self) -> int:
        return self.status_code

    @property
    def code(self) -> str | None:
        return None if self.error is None else self.error.error

    @property
    def description(self) -> str | None:
        return None if self.error is None else self.error.error_description

    @property
    def messages(self) -> dict[str, list[str]]:
        return {} if self.error is None else dict(self.error.messages)

    def _text(self) -> str:
        if self.error is None:
            return f"HTTP {self.status_code}: {str(self.body)[:200]}"
        detail = self.description or self.code
        return f"HTTP {self.status_code} {self.code}: {detail}"


ControlError = APIStatusError
"""The name the first control-plane client used; kept for existing callers."""


def _parse_error(body: Any) -> ErrorBody | None:
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return None
    try:
        return ErrorBody.model_validate(body)
    except ValueError:
        return ErrorBody(error=body["error"])


class BadRequestError(APIStatusError):
    pass


class InvalidRequest(BadRequestError):
    pass


class InvalidField(BadRequestError):
    pass


class OAuthError(BadRequestError):
    pass


class Unauthorized(APIStatusError):
    pass


class TokenExpired(Unauthorized):
    pass


class PaymentRequired(APIStatusError):
    pass


class MissingScope(APIStatusError):
    pass


class NotFound(APIStatusError):
    pass


class MethodNotAllowed(APIStatusError):
    pass


class RequestTimeout(APIStatusError):
    pass


class Gone(APIStatusError):
    pass


class PreconditionFailed(APIStatusError):
    pass


class MisdirectedRequest(APIStatusError):
    pass


class Locked(APIStatusError):
    pass


class RateLimited(APIStatusError):
    """429; ``retry_after_s`` from ``Retry-After`` (else ``RateLimit-Reset``), None if neither."""

    def __init__(self, response: httpx.Response, body: Any) -> None:
        super().__init__(response, body)
        self.retry_after_s = retry_after_s(response)


class UnavailableForLegalReasons(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


class InternalServerError(ServerError):
    pass


class ServiceUnavailable(ServerError):
    pass


class GatewayTimeout(ServerError):
    pass


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError, 401: Unauthorized, 402: PaymentRequired, 403: MissingScope,
    404: NotFound, 405: MethodNotAllowed, 408: RequestTimeout, 410: Gone,
    412: PreconditionFailed, 421: MisdirectedRequest, 423: Locked, 429: RateLimited,
    451: UnavailableForLegalReasons, 500: InternalServerError, 503: ServiceUnavailable,
    504: GatewayTimeout,
}
_BY_CODE: dict[tuple[int, str], type[APIStatusError]] = {
    (400, "invalid_request"): InvalidRequest,
    (400, "invalid_field"): InvalidField,
    (401, "token expired (401)"): TokenExpired,
}
_OAUTH_CODES = frozenset({"unsupported_grant_type", "invalid_grant", "invalid_client",
                          "unauthorized_client", "invalid_scope"})


def error_for(response: httpx.Response, body: Any) -> APIStatusError:
    """The exception for a reply with status >= 400."""
    status = response.status_code
    code = body.get("error") if isinstance(body, dict) else None
    cls = _BY_CODE.get((status, code)) if isinstance(code, str) else None
    if cls is None and status == 400 and code in _OAUTH_CODES:
        cls = OAuthError
    if cls is None:
        cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIStatusError
    return cls(response, body)


def retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta seconds) or ``RateLimit-Reset``."""
    for name in ("retry-after", "ratelimit-reset"):
        value = response.headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            continue
    return None
