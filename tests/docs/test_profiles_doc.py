"""docs/profiles.md lists every quirk once, in the table that matches the code."""

from __future__ import annotations

import re

import pytest

from tests.docs.snippets import ROOT

pytestmark = pytest.mark.timeout(60)

DOC = (ROOT / "docs" / "profiles.md").read_text()


def _rows(heading: str) -> set[str]:
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.M))


def test_observed_table_is_exactly_the_observed_quirks():
    from gridtwin.domain.profile import OBSERVED_QUIRKS

    assert _rows("Side by side") == {q.value for q in OBSERVED_QUIRKS}


def test_opt_in_table_is_exactly_the_opt_in_quirks():
    from gridtwin.domain.profile import OPT_IN_QUIRKS

    assert _rows("Opt-in quirks") == {q.value for q in OPT_IN_QUIRKS}


def test_every_quirk_is_described():
    from gridtwin.domain.profile import OBSERVED_QUIRKS, OPT_IN_QUIRKS, Quirk

    assert set(Quirk) == OBSERVED_QUIRKS | OPT_IN_QUIRKS


def test_every_acknowledgement_message_is_named():
    from gridtwin.services.commands import ACK_MESSAGES, GENERIC_ACK

    for command, message in ACK_MESSAGES.items():
        assert f"`{command}` answers `\"message\": \"{message}\"`" in DOC or \
            f"`{command}` `\"{message}\"`" in DOC, command
    assert f'"message": "{GENERIC_ACK}"' in DOC


def test_linked_from_readme_endpoints_and_control_plane():
    for name in ("README.md", "docs/endpoints.md", "docs/control-plane.md"):
        assert "profiles.md" in (ROOT / name).read_text(), name
