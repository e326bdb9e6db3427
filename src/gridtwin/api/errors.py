"""The single map from gridtwin errors to HTTP status and the vendor error body (wire-format §2–3).

Nothing else in the server builds error bodies.
"""

from __future__ import annotations

from gridtwin.api.responses import WireResponse
from gridtwin.core import errors as e

__all__ = ["error_response", "status_of"]

_STATUS: tuple[tuple[type[e.GridtwinError], int], ...] = (  # first match wins
    (e.PayloadTooLarge, 413),
    (e.OAuthClientUnknown, 401),
    (e.OAuthError, 400),
    (e.InvalidRequest, 400),
    (e.InvalidField, 400),
    (e.Unauthenticated, 401),
    (e.MissingScope, 403),
    (e.NotFound, 404),
    (e.MethodNotAllowed, 405),
    (e.Gone, 410),
    (e.RateLimited, 429),
)


def status_of(error: e.GridtwinError) -> int:
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def error_response(error: e.GridtwinError) -> WireResponse:
    status = status_of(error)
    code = error.code
    if isinstance(error, e.MissingScope):
        code = f"Unauthorized missing scopes {error.scope}"
    if status == 500:
        code, description = "upstream internal error", "Internal error"
    else:
        description = error.message
    body: dict[str, object] = {"response": None, "error": code, "error_description": description}
    if isinstance(error, e.InvalidField):
        body["messages"] = error.messages
    headers: dict[str, str] = {}
    if isinstance(error, e.RateLimited):
        headers = {"Retry-After": str(error.retry_after_s), "RateLimit-Reset": str(error.retry_after_s)}
    return WireResponse(body, status_code=status, headers=headers)
