"""Every preset has a one-line description, shown by ``GET /_gridtwin/presets`` and by
``gridtwin serve --help``."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from gridtwin.api.app import create_app
from gridtwin.cli import main
from gridtwin.client.types import PresetInfo
from gridtwin.services.emulator.presets import DESCRIPTIONS, PRESETS
from tests.conftest import make_world

pytestmark = pytest.mark.timeout(120)

ADMIN = "admin-token-for-tests-0123456789"


def test_every_preset_has_one_short_line():
    assert set(DESCRIPTIONS) == set(PRESETS)
    for name, text in DESCRIPTIONS.items():
        assert "\n" not in text and 20 <= len(text) <= 90 and text.endswith("."), name
        assert "[" not in text, name  # the help is Rich markup


def test_the_presets_route_gives_each_name_with_its_description(db_url):
    world = make_world(db_url, admin_token=ADMIN)
    try:
        with TestClient(create_app(world)) as c:
            r = c.get("/_gridtwin/presets", headers={"Authorization": f"Bearer {ADMIN}"})
    finally:
        world.store.dispose()
    assert r.status_code == 200
    listed = r.json()["response"]
    assert [p["name"] for p in listed] == sorted(PRESETS)
    assert {p["name"]: p["description"] for p in listed} == DESCRIPTIONS
    parsed = [PresetInfo.model_validate(p) for p in listed]  # the SDK's model
    assert parsed[0].description == DESCRIPTIONS[parsed[0].name]


def test_serve_help_lists_every_preset_with_its_description():
    result = CliRunner().invoke(main.app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name, description in DESCRIPTIONS.items():
        assert f"{name}: {description}" in text, name
