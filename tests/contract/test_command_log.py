"""The durable command log keeps what each command read, never its ignored members (issue 12)."""

from __future__ import annotations

import pytest

from gridtwin.core import jsonio
from gridtwin.services.commands import LOGGED_MEMBERS

pytestmark = pytest.mark.timeout(60)


def _log(world, site):
    with world.store.tx() as tx:
        return tx.command_log(site.energy_site_id)


def test_ignored_members_are_not_stored(world, client, site, auth):
    body = {"backup_reserve_percent": 35, "padding": "x" * 900_000, "nested": {"a": [1, 2]}}
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/backup", headers=auth, json=body)
    assert r.status_code == 200
    [row] = _log(world, site)
    assert row["command"] == "backup"
    assert jsonio.loads(row["body_json"], decimals=False) == {"backup_reserve_percent": 35}
    assert len(row["body_json"]) < 100


def test_a_lone_surrogate_even_in_an_ignored_member_is_refused_and_not_stored(
        world, client, site, auth):
    # Not JSON text (RFC 8259 §8.2): a 400, and no command is logged or applied.
    raw = '{"enabled": true, "note": "\\ud800"}'
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/storm_mode", headers=auth,
                    content=raw)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"
    assert _log(world, site) == []


def test_tou_settings_keep_only_strategy_and_tariff(world, client, site, auth):
    from tests.unit.tariff import tariff_docs as docs

    tou = {"tariff_content_v2": docs.pge(), "optimization_strategy": "economics",
           "extra": "y" * 10_000}
    r = client.post(f"/api/1/energy_sites/{site.energy_site_id}/time_of_use_settings",
                    headers=auth, content=jsonio.dumps({"tou_settings": tou, "junk": [0] * 1000}))
    assert r.status_code == 200, r.text
    [row] = _log(world, site)
    logged = jsonio.loads(row["body_json"], decimals=False)
    assert set(logged) == {"tou_settings"}
    assert set(logged["tou_settings"]) == {"tariff_content_v2", "optimization_strategy"}


def test_every_command_has_its_members_listed():
    from gridtwin.services.commands import COMMANDS

    assert set(LOGGED_MEMBERS) == set(COMMANDS)
