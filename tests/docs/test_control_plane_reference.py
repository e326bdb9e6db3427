"""docs/control-plane-reference.md is generated from the OpenAPI document and up to date."""

from __future__ import annotations

import pytest

from gridtwin.api import admin_docs
from gridtwin.api.app import openapi_document
from gridtwin.api.reference.__main__ import main
from gridtwin.api.reference.markdown import control_plane_markdown
from tests.docs.snippets import ROOT

pytestmark = pytest.mark.timeout(60)

REFERENCE = ROOT / "docs" / "control-plane-reference.md"


def test_the_committed_reference_is_up_to_date():
    assert REFERENCE.read_text(encoding="utf-8") == control_plane_markdown(openapi_document()), \
        "docs/control-plane-reference.md is out of date: run scripts/gen-control-plane-docs"


def test_every_route_has_its_body_example_and_errors():
    sections = REFERENCE.read_text(encoding="utf-8").split("\n### ")[1:]
    by_heading = {s.split("\n", 1)[0]: s for s in sections}
    assert len(by_heading) == len(admin_docs.ROUTES)
    for (method, path), doc in admin_docs.ROUTES.items():
        section = by_heading[f"{method} `{path}`"]
        assert doc.summary in section
        if doc.body is not None:
            assert "Example body:" in section and "| member |" in section, path
        else:
            assert "Body: none." in section, path
        for status in doc.errors:
            assert f"- {status}: " in section, (path, status)
        if doc.reply is not None:
            assert '"response":' in section, path


def test_the_generator_reports_a_stale_copy(tmp_path, capsys):
    stale = tmp_path / "reference.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")
