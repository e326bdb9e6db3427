"""The control-plane index and the ``/_gridtwin/docs`` page, as self-contained HTML.

No script and no asset from elsewhere: the style is inline (allowed by its hash in the
Content-Security-Policy), the icon a data: URI, so both pages work offline.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from gridtwin.api.reference.model import Field, Operation, operations

__all__ = ["PAGE_HEADERS", "docs_page", "index_page"]

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1d2733}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ccd}h3{margin:1.6rem 0 .3rem}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#f3f5f8;padding:.6rem;overflow-x:auto;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
td,th{border:1px solid #d5dae1;padding:.25rem .45rem;text-align:left;vertical-align:top}
.m{font-weight:600;font-family:ui-monospace,monospace}
.links a{margin-right:1.2rem}.note{color:#4a5563}
.wrap{overflow-x:auto}
""".strip()
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
_ICON = ("data:image/svg+xml," "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
         "%3Crect width='16' height='16' rx='3' fill='%231d6fb8'/%3E"
         "%3Cpath d='M9 2 4 9h3l-1 5 5-7H8z' fill='%23fff'/%3E%3C/svg%3E")

PAGE_HEADERS = {
    "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
                               "img-src data:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

LINKS = (("/", "Dashboard"), ("/_gridtwin/docs", "API reference (this server's OpenAPI document)"),
         ("/_gridtwin/openapi.json", "OpenAPI document (JSON)"))


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f'<link rel="icon" href="{_ICON}">',
        f"<style>{_STYLE}</style></head><body>", *body, "</body></html>", ""])


def _links() -> str:
    return '<p class="links">' + "".join(
        f'<a href="{href}">{escape(text)}</a>' for href, text in LINKS) + "</p>"


def index_page(doc: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr><td class="m">{op.method}</td><td><a href="/_gridtwin/docs#{op.anchor}">'
        f"<code>{escape(op.path)}</code></a></td><td>{escape(op.summary)}</td></tr>"
        for op in operations(doc, "/_gridtwin"))
    return _page("gridtwin control plane", [
        "<h1>gridtwin control plane</h1>",
        "<p>The routes under <code>/_gridtwin/</code> drive the emulated world: clock, sites, "
        "events, faults, rate limits, tokens, the request journal, presets, scenarios and "
        "state. Every route but <code>GET /_gridtwin/health</code> needs "
        "<code>Authorization: Bearer &lt;admin token&gt;</code> (printed by "
        "<code>gridtwin serve</code> on its <code>control plane:</code> line).</p>",
        _links(),
        '<div class="wrap"><table><thead><tr><th>method</th><th>path</th><th>what it does'
        f"</th></tr></thead><tbody>{rows}</tbody></table></div>",
        '<p class="note">The same reference ships in the repository as '
        "<code>docs/control-plane-reference.md</code>; the guide with worked examples is "
        "<code>docs/control-plane.md</code>.</p>"])


def _fields(fields: tuple[Field, ...], first: str) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(f.name)}</code></td><td>{escape(f.kind)}</td>"
        f"<td>{'yes' if f.required else 'no'}</td><td>{escape(f.text)}</td></tr>"
        for f in fields)
    return (f'<div class="wrap"><table><thead><tr><th>{first}</th><th>type</th>'
            f"<th>required</th><th>meaning</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _operation(op: Operation) -> list[str]:
    out = [f'<h3 id="{op.anchor}"><span class="m">{op.method}</span> '
           f"<code>{escape(op.path)}</code></h3>", f"<p>{escape(op.summary)}</p>"]
    if op.description:
        out.append(f'<p class="note">{escape(op.description)}</p>')
    if op.parameters:
        out.append(_fields(op.parameters, "parameter"))
    if op.body_type is not None:
        out.append(f"<p>Body: {escape(op.body_type)}</p>")
        if op.body_fields:
            out.append(_fields(op.body_fields, "member"))
        if op.body_example:
            out.append(f"<p>Example body:</p><pre>{escape(op.body_example)}</pre>")
    replies = "".join(f"<li><b>{escape(r.status)}</b> {escape(r.text)}</li>" for r in op.replies)
    out.append(f"<p>Replies:</p><ul>{replies}</ul>")
    for reply in op.replies:
        if reply.example:
            out.append(f"<p>Example {escape(reply.status)} reply:</p>"
                       f"<pre>{escape(reply.example)}</pre>")
    return out


def docs_page(doc: dict[str, Any]) -> str:
    info = doc.get("info", {})
    ops = operations(doc)
    tags = list(dict.fromkeys(op.tag for op in ops))
    body = [f"<h1>{escape(str(info.get('title', '')))} {escape(str(info.get('version', '')))}"
            "</h1>", f"<p>{escape(str(info.get('description', '')))}</p>", _links(),
            "<p>Contents: " + " · ".join(
                f'<a href="#tag-{i}">{escape(tag or "other")}</a>' for i, tag in enumerate(tags))
            + "</p>"]
    for i, tag in enumerate(tags):
        body.append(f'<h2 id="tag-{i}">{escape(tag or "other")}</h2>')
        for op in ops:
            if op.tag == tag:
                body += _operation(op)
    return _page(f"{info.get('title', 'gridtwin')} API reference", body)
