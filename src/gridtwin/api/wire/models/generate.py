"""OpenAPI models generated from the wire catalogue (domain/catalogue.py).

A catalogued field's schema follows from its description: JSON type (or nested shape),
closed set of values, bounds, nullability, and whether it may be absent (any presence rule
other than *always*: the member is optional and never ``null``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from gridtwin.api.wire.models.base import Closed, Timestamp
from gridtwin.domain.catalogue import Json, Presence, WireField

__all__ = ["catalogue_model", "merged"]

_TYPES: dict[Json, Any] = {
    Json.INTEGER: int, Json.NUMBER: float, Json.BOOLEAN: bool, Json.STRING: str,
    Json.OBJECT: dict[str, Any], Json.ARRAY: list[Any], Json.NULL: None,
}


def _annotation(f: WireField, shapes: Mapping[str, Any], json: Json | None) -> Any:
    kind = json or f.json
    if f.choices:
        base: Any = Literal[f.choices]
    elif f.shape == "Timestamp":
        base = Timestamp
    elif f.shape:
        shape = shapes[f.shape]
        base = list[shape] if kind is Json.ARRAY else shape  # type: ignore[valid-type]
    else:
        base = _TYPES[kind]
    return base | None if f.nullable else base


def _description(f: WireField, unit: str) -> str | None:
    parts = [p for p in (unit, f.doc) if p]
    if f.presence is not Presence.ALWAYS:
        parts.append(f.presence.value)
    return "; ".join(parts) or None


def catalogue_model(
    name: str,
    fields: Iterable[WireField],
    doc: str,
    shapes: Mapping[str, Any] | None = None,
    *,
    number: bool = False,
    unit: str | None = None,
    base: type[BaseModel] = Closed,
) -> type[BaseModel]:
    """A model with one member per catalogue field, in catalogue order.

    ``shapes`` maps the fields' nested shape names to their models. ``number`` types every
    integer field without a closed set as a JSON number, and ``unit`` replaces the units
    (for averages such as the power history's).
    """
    members: dict[str, Any] = {}
    for f in fields:
        json = Json.NUMBER if number and f.json is Json.INTEGER and not f.choices else None
        kw: dict[str, Any] = {}
        description = _description(f, unit if unit is not None and f.unit else f.unit)
        if description is not None:  # else keep the description of the shape (Timestamp)
            kw["description"] = description
        if not f.choices:
            if f.minimum is not None:
                kw["ge"] = f.minimum
            if f.maximum is not None:
                kw["le"] = f.maximum
            if f.pattern:
                kw["pattern"] = f.pattern
        if f.presence is not Presence.ALWAYS:
            kw["default"] = None
        members[f.key] = (_annotation(f, shapes or {}, json), Field(**kw))
    model: type[BaseModel] = create_model(name, __base__=base, __doc__=doc, **members)
    return model


def merged(variants: Sequence[Iterable[WireField]]) -> tuple[WireField, ...]:
    """One shape for several variants of it (e.g. the components of each site kind), in
    first-seen order: a key is required only if every variant always has it, its closed
    set is the union of the variants' sets (none if one variant has none), and it is
    nullable if any variant's is."""
    lists = [list(v) for v in variants]
    order: dict[str, list[WireField]] = {}
    for fields in lists:
        for f in fields:
            order.setdefault(f.key, []).append(f)
    out = []
    for key, fs in order.items():
        f = fs[0]
        always = len(fs) == len(lists) and all(g.presence is Presence.ALWAYS for g in fs)
        presence = f.presence if f.presence is not Presence.ALWAYS else next(
            (g.presence for g in fs if g.presence is not Presence.ALWAYS), Presence.SOME)
        choices: tuple[object, ...] = ()
        if all(g.choices for g in fs):
            choices = tuple(dict.fromkeys(c for g in fs for c in g.choices))
        out.append(replace(f, presence=Presence.ALWAYS if always else presence,
                           choices=choices, nullable=any(g.nullable for g in fs)))
        assert key == f.key
    return tuple(out)
