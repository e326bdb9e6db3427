"""Profiles on the wire (docs/profiles.md): the 81-99 reserve, acknowledgement messages and
whole-number floats, each through the HTTP API in both profiles."""

from __future__ import annotations

import pytest

from gridtwin.core import jsonio
from gridtwin.domain.profile import OBSERVED_QUIRKS, OPT_IN_QUIRKS, Profile, Quirk, active_quirks
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from tests.conftest import make_world, test_site_spec
from tests.unit.tariff import tariff_docs

pytestmark = pytest.mark.timeout(120)

EV_RESERVE = "off_grid_vehicle_charging_reserve"
CAPABLE = (("off_grid_vehicle_charging_reserve_supported", True),)


def ack(message: str) -> dict[str, object]:
    return {"response": {"code": 201, "message": message}}


def post(client, site_id, auth, command, body=None, *, content=None):
    url = f"/api/1/energy_sites/{site_id}/{command}"
    if content is not None:
        return client.post(url, headers=auth, content=content)
    return client.post(url, headers=auth, json=body)


def info(client, site_id, auth):
    r = client.get(f"/api/1/energy_sites/{site_id}/site_info", headers=auth)
    assert r.status_code == 200
    return r.json()["response"]


def make(world, profile: Profile, index: int, **quirks: bool) -> int:
    spec = test_site_spec(index=index, profile=profile, components=CAPABLE,
                          quirks=tuple(quirks.items()))
    return create_site(world, "alice", spec).energy_site_id


@pytest.fixture
def sites(world, site):
    """The two profiles side by side, both able to take every command."""
    return {Profile.DOCUMENTED: make(world, Profile.DOCUMENTED, 1),
            Profile.OBSERVED: make(world, Profile.OBSERVED, 2)}


def test_observed_switches_on_the_snap_and_the_messages_and_no_longer_refuses():
    on = active_quirks(Profile.OBSERVED)
    assert Quirk.RESERVE_81_99_STORED_AS_80 in on and Quirk.COMMAND_ACK_MESSAGES in on
    assert Quirk.RESERVE_81_99_REJECTED not in on
    assert Quirk.RESERVE_81_99_REJECTED in OPT_IN_QUIRKS
    assert not OBSERVED_QUIRKS & OPT_IN_QUIRKS
    assert active_quirks(Profile.DOCUMENTED) == frozenset()


@pytest.mark.parametrize("reserve", [81, 85, 90, 99])
def test_observed_accepts_81_to_99_and_stores_80(client, auth, sites, reserve):
    observed = sites[Profile.OBSERVED]
    r = post(client, observed, auth, "backup", {"backup_reserve_percent": reserve})
    assert r.status_code == 200
    assert r.json() == ack("Backup reserve updated")
    assert info(client, observed, auth)["backup_reserve_percent"] == 80


@pytest.mark.parametrize("reserve", [0, 20, 80, 100])
def test_observed_stores_0_to_80_and_100_as_sent(client, auth, sites, reserve):
    observed = sites[Profile.OBSERVED]
    assert post(client, observed, auth, "backup", {"backup_reserve_percent": reserve}).status_code == 200
    assert info(client, observed, auth)["backup_reserve_percent"] == reserve


def test_documented_stores_81_to_99_as_sent_with_the_generic_message(client, auth, sites):
    documented = sites[Profile.DOCUMENTED]
    r = post(client, documented, auth, "backup", {"backup_reserve_percent": 90})
    assert r.json() == ack("Updated")
    assert info(client, documented, auth)["backup_reserve_percent"] == 90


def test_opt_in_refusal_wins_over_the_snap_and_changes_nothing(world, client, auth, site):
    refusing = make(world, Profile.OBSERVED, 3, reserve_81_99_rejected=True)
    before = info(client, refusing, auth)
    r = post(client, refusing, auth, "backup", {"backup_reserve_percent": 90})
    assert r.status_code == 400
    body = r.json()
    assert body["response"] is None and body["error"] == "invalid_field"
    assert body["messages"] == {"backup_reserve_percent": ["must be 0-80 or 100 on this firmware"]}
    assert info(client, refusing, auth) == before
    # Switching the snap off in observed stores 90 as sent.
    plain = make(world, Profile.OBSERVED, 4, reserve_81_99_stored_as_80=False)
    assert post(client, plain, auth, "backup", {"backup_reserve_percent": 90}).status_code == 200
    assert info(client, plain, auth)["backup_reserve_percent"] == 90


def _bodies() -> list[tuple[str, dict[str, object]]]:
    return [
        ("backup", {"backup_reserve_percent": 30}),
        ("operation", {"default_real_mode": "autonomous"}),
        ("storm_mode", {"enabled": False}),
        ("grid_import_export", {"customer_preferred_export_rule": "never"}),
        (EV_RESERVE, {"off_grid_vehicle_charging_reserve_percent": 40}),
        ("time_of_use_settings", {"tou_settings": {"tariff_content_v2": tariff_docs.pge()}}),
    ]


OBSERVED_MESSAGES = {"backup": "Backup reserve updated", "operation": "Operation mode updated"}


@pytest.mark.parametrize(("command", "body"), _bodies(), ids=[c for c, _ in _bodies()])
def test_acknowledgement_message_per_profile(client, auth, sites, command, body):
    content = jsonio.dumps(body)
    r = post(client, sites[Profile.DOCUMENTED], auth, command, content=content)
    assert r.status_code == 200, r.text
    assert r.json() == ack("Updated")
    r = post(client, sites[Profile.OBSERVED], auth, command, content=content)
    assert r.status_code == 200, r.text
    assert r.json() == ack(OBSERVED_MESSAGES.get(command, "Updated"))


def test_switching_the_message_quirk_off_gives_the_generic_message(world, client, auth, site):
    quiet = make(world, Profile.OBSERVED, 5, command_ack_messages=False)
    r = post(client, quiet, auth, "backup", {"backup_reserve_percent": 95})
    assert r.json() == ack("Updated")
    assert info(client, quiet, auth)["backup_reserve_percent"] == 80  # the snap stays on


WHOLE = [("80.0", 80), ("8e1", 80), ("0.0", 0), ("-0.0", 0), ("100.000", 100), ("35.0E0", 35)]


@pytest.mark.parametrize("profile", list(Profile))
def test_whole_number_floats_are_integers_in_both_profiles(client, auth, sites, profile):
    site_id = sites[profile]
    for raw, stored in WHOLE:
        r = post(client, site_id, auth, "backup", content=f'{{"backup_reserve_percent": {raw}}}')
        assert r.status_code == 200, (raw, r.text)
        assert info(client, site_id, auth)["backup_reserve_percent"] == stored, raw
        r = post(client, site_id, auth, EV_RESERVE,
                 content=f'{{"off_grid_vehicle_charging_reserve_percent": {raw}}}')
        assert r.status_code == 200, (raw, r.text)
        assert info(client, site_id, auth)["off_grid_vehicle_charging_reserve_percent"] == stored


def test_a_whole_float_in_81_to_99_is_snapped_in_observed(client, auth, sites):
    r = post(client, sites[Profile.OBSERVED], auth, "backup", content='{"backup_reserve_percent": 90.0}')
    assert r.json() == ack("Backup reserve updated")
    assert info(client, sites[Profile.OBSERVED], auth)["backup_reserve_percent"] == 80
    post(client, sites[Profile.DOCUMENTED], auth, "backup", content='{"backup_reserve_percent": 90.0}')
    assert info(client, sites[Profile.DOCUMENTED], auth)["backup_reserve_percent"] == 90


NOT_INTEGERS = ["80.5", "48.00000000000001", "99.99", "100.5", "-0.5", "1e999", "-1e999",
                "1e-999", "true", "false", '"80"', '"80.0"', "null", "[80]", "{}"]


@pytest.mark.parametrize("profile", list(Profile))
def test_fractions_and_non_numbers_stay_400_in_both_profiles(client, auth, sites, profile):
    site_id = sites[profile]
    before = info(client, site_id, auth)
    for command, member in [("backup", "backup_reserve_percent"),
                            (EV_RESERVE, "off_grid_vehicle_charging_reserve_percent")]:
        for raw in NOT_INTEGERS:
            r = post(client, site_id, auth, command, content=f'{{"{member}": {raw}}}')
            assert r.status_code == 400, (raw, r.text)
            body = r.json()
            assert body["response"] is None
            assert body["error"] == "invalid_field"
            assert body["messages"] == {member: ["must be an integer 0-100"]}, raw
            assert member in body["error_description"]
    assert info(client, site_id, auth) == before


def test_the_command_log_keeps_the_value_as_sent(world, client, auth, sites):
    observed = sites[Profile.OBSERVED]
    post(client, observed, auth, "backup", content='{"backup_reserve_percent": 90.0}')
    with world.store.tx() as tx:
        [row] = tx.command_log(observed)
    assert jsonio.loads(row["body_json"], decimals=False) == {"backup_reserve_percent": 90.0}


def test_silent_ack_sends_the_message_of_the_site_profile(db_url):
    admin = {"Authorization": "Bearer admin-token-for-tests-0123456789"}
    world = make_world(db_url, admin_token="admin-token-for-tests-0123456789")
    try:
        from fastapi.testclient import TestClient

        from gridtwin.api.app import create_app

        documented = make(world, Profile.DOCUMENTED, 0)
        observed = make(world, Profile.OBSERVED, 1)
        auth = {"Authorization": f"Bearer {mint_access_token(world, 'alice').access_token}"}
        with TestClient(create_app(world), raise_server_exceptions=False) as client:
            r = client.post("/_gridtwin/faults", headers=admin,
                            json={"template": "silent_ack", "match": {"method": "POST"}})
            assert r.status_code == 200, r.text
            before = info(client, observed, auth)["backup_reserve_percent"]
            r = post(client, observed, auth, "backup", {"backup_reserve_percent": 5})
            assert r.json() == ack("Backup reserve updated")
            assert info(client, observed, auth)["backup_reserve_percent"] == before
            r = post(client, observed, auth, "storm_mode", {"enabled": False})
            assert r.json() == ack("Updated")
            r = post(client, documented, auth, "backup", {"backup_reserve_percent": 5})
            assert r.json() == ack("Updated")
            r = post(client, 999_999_999, auth, "backup", {"backup_reserve_percent": 5})
            assert r.json() == ack("Updated")  # rules fire before the site lookup
    finally:
        world.store.dispose()
