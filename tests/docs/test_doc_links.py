"""README.md and docs/*.md link only to files that ship in the repository, and their anchors exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.snippets import ROOT

pytestmark = pytest.mark.timeout(60)

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _prose(path: Path) -> str:
    return _FENCE.sub("", path.read_text())


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", _prose(path), re.M)}


def test_slug_matches_github():
    assert slug("Known limitation: `find_server()` leaves gridtwin") == \
        "known-limitation-find_server-leaves-gridtwin"
    assert slug("`sites[]`") == "sites"


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_links_resolve_inside_the_repository(doc: Path):
    for target in _LINK.findall(_prose(doc)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        assert dest.is_relative_to(ROOT), f"{doc.name}: {target} points outside the repository"
        assert dest.exists(), f"{doc.name}: {target} does not exist"
        if anchor:
            assert anchor in anchors(dest), f"{doc.name}: no heading for #{anchor} in {dest.name}"


USER_DOCS = ["README.md", "docs/control-plane.md", "docs/scenarios.md", "docs/presets.md",
             "docs/recipes.md", "docs/endpoints.md"]


@pytest.mark.parametrize("doc", USER_DOCS)
def test_no_reference_to_the_unshipped_spec(doc: str):
    text = (ROOT / doc).read_text()
    assert "shared/spec" not in text and "spec/emulator.md" not in text
    assert "spec/wire-format.md" not in text


def test_readme_links_every_user_document():
    readme = ROOT / "README.md"
    linked = set(_LINK.findall(_prose(readme)))
    for doc in ("docs/control-plane.md", "docs/scenarios.md", "docs/presets.md",
                "docs/recipes.md", "examples/scenario.yaml"):
        assert doc in linked, f"README does not link {doc}"
    assert "/_gridtwin/docs" in readme.read_text()


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_tables_have_the_same_cells_on_every_row(doc: Path):
    """A stray '|' (in a code span, too) splits a cell and breaks the rendered table."""
    width = 0
    for number, line in enumerate(_prose(doc).splitlines(), 1):
        if not line.startswith("|"):
            width = 0
            continue
        cells = line.count("|") - line.count("\\|")
        width = width or cells
        assert cells == width, f"{doc.name}: table row {number} has {cells - 1} cells, not {width - 1}"
