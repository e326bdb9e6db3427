"""Base classes, conventions and shared types of the OpenAPI models (documentation only).

Nothing in this package parses requests or renders replies: the routes read raw bodies
and query strings (api/deps.py) and the renderers in ``api/wire`` build plain dicts. These
models describe those shapes so that ``/_gridtwin/openapi.json`` carries real request and
response schemas (and a schema-driven fuzzer can check the server against them). The reply
models of live_status, site_info, the products items and the history replies, nested shapes
included, are generated from the wire catalogue (domain/catalogue*.py); see :mod:`.generate`.

Conventions:
- a field declared with :func:`omitted` may be absent ("omit when …" in the spec) but is
  never ``null``; a field typed ``X | None`` without a default is always present and may be
  ``null``;
- closed shapes forbid unknown members (``additionalProperties: false``); shapes the spec
  leaves open (site_info ``components``, tariffs, ``features``) allow them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Closed",
    "ExportRule",
    "Open",
    "OperationMode",
    "Strategy",
    "Timestamp",
    "drop_none_defaults",
    "omitted",
]


def omitted(**kw: Any) -> Any:
    """A member that may be absent (never ``null``); the schema shows no default."""
    return Field(default=None, **kw)


def drop_none_defaults(schema: dict[str, Any], _cls: type[BaseModel] | None = None) -> None:
    """Members declared with :func:`omitted` get no ``"default": null`` in the schema."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=drop_none_defaults)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra=drop_none_defaults)


TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"

Timestamp = Annotated[str, Field(
    pattern=TIMESTAMP_PATTERN,
    description="YYYY-MM-DDTHH:MM:SS±HH:MM, whole seconds, local offset (wire-format §1.4)",
)]
OperationMode = Literal["self_consumption", "autonomous", "backup"]
ExportRule = Literal["battery_ok", "pv_only", "never"]
Strategy = Literal["economics", "balanced"]


