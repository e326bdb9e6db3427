"""The operations of an OpenAPI document in the order and shape the renderers need."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Field", "Operation", "Reply", "fields_of", "operations", "schema_type"]

_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    text: str


@dataclass(frozen=True)
class Reply:
    status: str
    text: str
    example: str | None
    """Example body as indented JSON, when the document has one."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    tag: str
    parameters: tuple[Field, ...]
    body_type: str | None
    """The request body's JSON type (None: no body)."""
    body_fields: tuple[Field, ...]
    body_example: str | None
    replies: tuple[Reply, ...]

    @property
    def anchor(self) -> str:
        """A stable id for links, e.g. ``post-_gridtwin-clock-advance``."""
        text = f"{self.method}-{self.path}".lower()
        text = "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
        return "-".join(part for part in text.split("-") if part)


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def schema_type(doc: dict[str, Any], schema: dict[str, Any]) -> str:
    """A short type name: ``integer``, ``array of string``, ``Error``, ``any``."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(dict.fromkeys(schema_type(doc, s) for s in schema[key]))
    kind = schema.get("type")
    if kind == "array":
        return f"array of {schema_type(doc, schema.get('items', {}))}"
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    return str(kind) if kind else "any"


def fields_of(doc: dict[str, Any], schema: dict[str, Any]) -> tuple[Field, ...]:
    schema = _resolve(doc, schema)
    if schema.get("type") == "array":
        schema = _resolve(doc, schema.get("items", {}))
    required = set(schema.get("required", []))
    return tuple(
        Field(name, schema_type(doc, prop), name in required,
              str(_resolve(doc, prop).get("description", "")))
        for name, prop in schema.get("properties", {}).items())


def _example(media: dict[str, Any]) -> str | None:
    if "example" in media:
        return json.dumps(media["example"], indent=2, ensure_ascii=False)
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = next(iter(examples.values()))
        if isinstance(first, dict) and "value" in first:
            return json.dumps(first["value"], indent=2, ensure_ascii=False)
    return None


def _operation(doc: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> Operation:
    params = tuple(
        Field(str(p.get("name")), f"{schema_type(doc, p.get('schema', {}))}, in {p.get('in')}",
              bool(p.get("required")), str(p.get("description", "")))
        for p in (_resolve(doc, p) for p in op.get("parameters", [])))
    body_type: str | None = None
    body_fields: tuple[Field, ...] = ()
    body_example: str | None = None
    content = op.get("requestBody", {}).get("content", {})
    if content:
        media_type, media = next(iter(content.items()))
        schema = media.get("schema", {})
        body_type = schema_type(doc, schema) if "application/json" in media_type else media_type
        body_fields = fields_of(doc, schema)
        body_example = _example(media)
    replies = []
    for status, reply in op.get("responses", {}).items():
        examples = [_example(m) for m in reply.get("content", {}).values()]
        replies.append(Reply(str(status), str(reply.get("description", "")),
                             next((e for e in examples if e), None)))
    return Operation(method.upper(), path, str(op.get("summary", "")),
                     str(op.get("description", "")), str((op.get("tags") or [""])[0]),
                     params, body_type, body_fields, body_example, tuple(replies))


def operations(doc: dict[str, Any], prefix: str = "/") -> list[Operation]:
    """Every operation whose path starts with ``prefix``, in document order."""
    return [_operation(doc, path, method, item[method])
            for path, item in doc.get("paths", {}).items() if path.startswith(prefix)
            for method in _METHODS if method in item]
