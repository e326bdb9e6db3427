"""``python -m gridtwin.api.reference [--check] [FILE]``: write the control-plane reference
(markdown) rendered from the OpenAPI document to FILE, or print it. With ``--check``, exit 1
when FILE differs from it (``scripts/gen-control-plane-docs`` writes the repository's copy)."""

from __future__ import annotations

import sys
from pathlib import Path

from gridtwin.api.app import openapi_document
from gridtwin.api.reference.markdown import control_plane_markdown


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    text = control_plane_markdown(openapi_document())
    if not paths:
        sys.stdout.write(text)
        return 0
    path = Path(paths[0])
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date: run scripts/gen-control-plane-docs", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
