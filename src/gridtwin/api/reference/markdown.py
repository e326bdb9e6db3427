"""``docs/control-plane-reference.md``: the control plane's routes, rendered from OpenAPI."""

from __future__ import annotations

import re
from typing import Any

from gridtwin.api.reference.model import Field, Operation, fields_of, operations

__all__ = ["control_plane_markdown"]

_HEAD = """\
# Control-plane reference (generated)

<!-- Generated from the OpenAPI document by scripts/gen-control-plane-docs; do not edit.
     tests/docs/test_control_plane_reference.py fails when it is out of date. -->

Every route under `/_gridtwin/`, with its body, an example and its errors, as the
server's OpenAPI document describes them. The guide with worked examples is
[control-plane.md](control-plane.md). Every route but `GET /_gridtwin/health` needs
`Authorization: Bearer <admin token>` (printed by `gridtwin serve`). Replies are wrapped
as `{"response": …}`; errors have the shape of `Error` below.

A running server shows the same document at `/_gridtwin/docs` (works offline) and as
JSON at `/_gridtwin/openapi.json`; `/_gridtwin/` lists the routes.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(fields: tuple[Field, ...], first: str) -> list[str]:
    rows = [f"| {first} | type | required | meaning |", "|---|---|---|---|"]
    rows += [f"| `{f.name}` | {_cell(f.kind)} | {'yes' if f.required else 'no'} | "
             f"{_cell(f.text)} |" for f in fields]
    return rows


def _json_block(text: str) -> list[str]:
    return ["```json", text, "```"]


def _heading(op: Operation) -> str:
    return f"{op.method} `{op.path}`"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _operation(op: Operation) -> list[str]:
    out = [f"### {_heading(op)}", "", op.summary, ""]
    if op.description:
        out += [op.description, ""]
    if op.parameters:
        out += [*_table(op.parameters, "parameter"), ""]
    if op.body_type is None:
        out += ["Body: none.", ""]
    else:
        out += [f"Body: {op.body_type}.", ""]
        if op.body_fields:
            out += [*_table(op.body_fields, "member"), ""]
        if op.body_example:
            out += ["Example body:", "", *_json_block(op.body_example), ""]
    ok = [r for r in op.replies if r.status.startswith("2")]
    errors = [r for r in op.replies if not r.status.startswith("2")]
    for reply in ok:
        out += [f"Reply {reply.status}: {reply.text}."]
        out += ["", *_json_block(reply.example)] if reply.example else []
        out += [""]
    if errors:
        out += ["Errors:", ""]
        out += [f"- {r.status}: {r.text}" for r in errors]
        out += [""]
    return out


def control_plane_markdown(doc: dict[str, Any]) -> str:
    ops = operations(doc, "/_gridtwin")
    out = [_HEAD, "## Routes", "", "| method | path | summary |", "|---|---|---|"]
    out += [f"| {op.method} | [`{op.path}`](#{_slug(_heading(op))}) | {_cell(op.summary)} |"
            for op in ops]
    out += ["", "## Details", ""]
    for op in ops:
        out += _operation(op)
    error = doc.get("components", {}).get("schemas", {}).get("Error")
    if error:
        out += ["## Error", "", *_table(fields_of(doc, error), "member"), ""]
    return "\n".join(out).rstrip() + "\n"
