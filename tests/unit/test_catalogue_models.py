"""OpenAPI models generated from catalogue fields (api/wire/models/generate.py): ``number``
turns only integer fields without a closed set into JSON numbers (mutation-testing survivor:
a comparison that also turned booleans and arrays into numbers went unseen, because the only
model generated with ``number`` today has integer fields alone)."""

from __future__ import annotations

from gridtwin.api.wire.models.generate import catalogue_model
from gridtwin.domain.catalogue import SAME, Json, WireField

FIELDS = (
    WireField("watts", Json.INTEGER, SAME, unit="W"),
    WireField("mode", Json.INTEGER, SAME, choices=(0, 1)),
    WireField("on", Json.BOOLEAN, SAME),
    WireField("items", Json.ARRAY, SAME),
    WireField("name", Json.STRING, SAME),
)


def _types(number: bool) -> dict[str, object]:
    props = catalogue_model("Probe", FIELDS, "probe", number=number).model_json_schema()["properties"]
    return {k: v.get("enum", v.get("type")) for k, v in props.items()}


def test_number_changes_only_open_integer_fields():
    assert _types(False) == {"watts": "integer", "mode": [0, 1], "on": "boolean",
                             "items": "array", "name": "string"}
    assert _types(True) == {"watts": "number", "mode": [0, 1], "on": "boolean",
                            "items": "array", "name": "string"}
