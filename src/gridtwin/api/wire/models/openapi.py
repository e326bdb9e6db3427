"""Arguments of the route decorators: ``responses=``, request bodies and query parameters."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from gridtwin.api.wire.models.commands import COMMAND_BODIES, COMMAND_EXAMPLES
from gridtwin.api.wire.models.errors import (
    Error,
    ForbiddenError,
    GoneError,
    InternalError,
    InvalidFieldError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
)
from gridtwin.api.wire.models.small import TokenRequest

__all__ = ["BEARER_DOC", "command_body", "history_query", "responses", "token_body"]


BEARER = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT",
    description="Access token (HS256 JWT) minted by the CLI, the control plane or "
    "/oauth2/v3/token (wire-format §4).",
)
BEARER_DOC = [Depends(BEARER)]
"""``dependencies=`` for authenticated routes: documents bearer auth in the OpenAPI document.
With ``auto_error=False`` it never rejects a request; the routes authenticate themselves."""

_HEADERS: dict[str, dict[str, Any]] = {
    "x-txid": {"description": "32 lowercase hex characters, unique per request",
               "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
    "x-request-id": {"description": "the client's X-Request-Id, else the txid",
                     "schema": {"type": "string"}},
}
_RATE_HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": {"description": "integer seconds, ≥ 1", "required": True,
                    "schema": {"type": "integer", "minimum": 1}},
    "RateLimit-Reset": {"description": "integer seconds until the window refills",
                        "required": True, "schema": {"type": "integer", "minimum": 0}},
}

_ERRORS: dict[int, tuple[Any, str]] = {
    400: (InvalidRequestError | InvalidFieldError,
          "invalid_request (body not a JSON object) or invalid_field (with messages)"),
    401: (UnauthorizedError, "No, malformed, badly signed, revoked or expired access token"),
    403: (ForbiddenError, "The token lacks the scope the route needs"),
    404: (NotFoundError, "Unknown or non-numeric site id, or a site of another user"),
    410: (GoneError, "Retired route: use calendar_history"),
    413: (PayloadTooLargeError, "Request body larger than the server's max_body_bytes"),
    429: (RateLimitedError, "Rate limited (only when limits are configured)"),
    500: (InternalError, "Unexpected failure"),
}

_FAULTS = {
    "model": Error,
    "description": "Fault injection only (control plane, emulator.md §7): 402, 408, 412, "
    "421, 423, 451, 503, 504 or any status a rule names, normally in the error envelope. "
    "Never sent without fault rules.",
}


def responses(
    ok: Any | None,
    *errors: int,
    ok_status: int = 200,
    ok_description: str = "Success",
    ok_content: dict[str, Any] | None = None,
    error_models: dict[int, Any] | None = None,
    by_reference: bool = False,
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` argument of a route: the success model and the error statuses.

    ``ok_content`` gives the success ``content`` literally (for a non-JSON reply).
    ``by_reference`` writes error bodies as ``$ref``s to ``components/schemas`` (for a
    route whose own media type is not JSON, e.g. ``/status``); those models must also be
    used by some other route so that they are registered.
    """
    out: dict[int | str, dict[str, Any]] = {}
    if ok_content is not None:
        out[ok_status] = {"description": ok_description, "headers": _HEADERS,
                          "content": ok_content}
    elif ok is not None:
        out[ok_status] = {"model": ok, "description": ok_description, "headers": _HEADERS}
    overrides = error_models or {}
    for status in errors:
        model, description = _ERRORS[status]
        model = overrides.get(status, model)
        headers = {**_HEADERS, **_RATE_HEADERS} if status == 429 else _HEADERS
        entry: dict[str, Any] = {"description": description, "headers": headers}
        if by_reference:
            entry["content"] = {"application/json": {"schema": _ref(model)}}
        else:
            entry["model"] = model
        out[status] = entry
    if by_reference:
        out["default"] = {"description": _FAULTS["description"],
                          "content": {"application/json": {"schema": _ref(Error)}}}
    else:
        out["default"] = dict(_FAULTS)
    return out


def _ref(model: Any) -> dict[str, Any]:
    args = getattr(model, "__args__", None)
    if args:
        return {"anyOf": [_ref(m) for m in args]}
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` inlined (no ``$ref`` left)."""
    defs: dict[str, Any] = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**walk(defs[ref.removeprefix("#/$defs/")]), **walk(rest)}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return _inline(model.model_json_schema(mode="validation"))


def command_body(name: str) -> dict[str, Any]:
    """``openapi_extra=`` of a command: its JSON request body (§12)."""
    model = COMMAND_BODIES[name]
    return {"requestBody": {
        "required": True,
        "description": "Parsed as JSON whatever Content-Type says; unknown members are ignored. "
        "Types are strict: booleans are not integers and strings are not numbers; a "
        "whole-number float such as 50.0 counts as the integer 50, 50.5 does not.",
        "content": {"application/json": {"schema": _schema_of(model),
                                         "example": COMMAND_EXAMPLES[name]}},
    }}


def token_body() -> dict[str, Any]:
    """``openapi_extra=`` of the token endpoint: form-encoded or JSON body (§4.4)."""
    schema = _schema_of(TokenRequest)
    return {"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": schema},
        "application/json": {"schema": schema},
    }}}


def history_query(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra=`` of a history route: its query parameters (§9.1, §11)."""
    schema = _schema_of(model)
    required = set(schema.get("required", []))
    params: list[dict[str, Any]] = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        examples = prop.pop("examples", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": prop}
        if description:
            param["description"] = description
        if examples:
            param["example"] = examples[0]
        params.append(param)
    return {"parameters": params}
