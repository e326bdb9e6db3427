"""Bad site descriptions and knobs are refused whole and change nothing (issue 12).

``POST /_gridtwin/sites`` validates the whole description, tariff included, before it
writes anything; ``PATCH`` applies every knob in one transaction. Both backends.
"""

from __future__ import annotations

from typing import Any

import pytest

from gridtwin.services.auth import mint_access_token
from tests.integration.admin_input import BASE_SITE, SITE_ID, admin_world, assert_refused

pytestmark = pytest.mark.timeout(120)

NEW_ID = 1_000_000_000_000_077


def _new(**changes: Any) -> dict[str, Any]:
    return {**BASE_SITE, "energy_site_id": NEW_ID, **changes}


# Each: a description, and the path the 400 must name.
BAD_DESCRIPTIONS = {
    "tariff": (_new(tariff={"name": "x"}), "site.tariff.currency"),
    "tariff_not_object": (_new(tariff="PGE"), "site.tariff"),
    "azimuth_text": (_new(solar={"azimuth": "south"}), "site.solar.azimuth"),
    "generator_rated_text": (_new(generator={"rated_w": "abc"}), "site.generator.rated_w"),
    "battery_charge_text": (_new(batteries=[{"model": "powerwall_2", "max_charge_w": "x"}]),
                            "site.batteries[0].max_charge_w"),
    "max_import_text": (_new(limits={"max_import_w": "abc"}), "site.limits.max_import_w"),
    "breaker_list": (_new(wall_connectors=[{"breaker_a": [1]}]), "site.wall_connectors[0].breaker_a"),
    "time_zone_5000": (_new(time_zone="A" * 5000), "site.time_zone"),
    "installed_1976": (_new(installation_date="1976-01-01T00:00:00Z"), "site.installation_date"),
    "installed_9999": (_new(installation_date="9999-01-01T00:00:00Z"), "site.installation_date"),
    "installed_number": (_new(installation_date=1_700_000_000), "site.installation_date"),
    "name_long": (_new(name="n" * 5000), "site.name"),
    "name_object": (_new(name={"a": 1}), "site.name"),
    "owner_long": (_new(owner="o" * 200), "site.owner"),
    "owner_object": (_new(owner={"a": 1}), "site.owner"),
    "din_long": (_new(wall_connectors=[{"din": "d" * 100}]), "site.wall_connectors[0].din"),
    "wc_group_limit_text": (_new(wall_connectors=[{"group": "g", "group_limit_w": "x"}]),
                            "site.wall_connectors[0].group_limit_w"),
    "duplicate_din": (_new(wall_connectors=[{"din": "a"}, {"din": "a"}]),
                      "site.wall_connectors[1].din"),
    "location_list": (_new(location=[34, -118]), "site.location"),
    "latitude_huge": (_new(location={"latitude": 10**400}), "site.location.latitude"),
    "solar_nested": (_new(solar={"solar": {"dc_kw": 5}}), "site.solar.solar"),
    "unknown_member": (_new(dc_kw=5), "site.dc_kw"),
    "quirk_value": (_new(quirks={"no_history": "yes"}), "site.quirks.no_history"),
    "components_list": (_new(components=[1]), "site.components"),
    "component_flag_text": (_new(components={"tou_capable": "no"}), "site.components.tou_capable"),
    "sky_unknown": (_new(sky="purple"), "site.sky"),
    "generator_pct": (_new(generator={"start_pct": 150}), "site.generator.start_pct"),
    "generator_list": (_new(generator=[1]), "site.generator"),
    "weights_huge": (_new(load={"weights": [10**400] * 24}), "site.load.weights"),
    "appliances_text": (_new(load={"appliances": "yes"}), "site.load.appliances"),
    "batteries_on_solar": (_new(type="solar", batteries=[{"model": "powerwall_2"}]),
                           "site.batteries"),
    "settings_text": (_new(settings="x"), "site.settings"),
    "initial_list": (_new(initial=[50]), "site.initial"),
    "site_id_zero": (_new(energy_site_id=0), "site.energy_site_id"),
    "allow_unrealistic_text": (_new(allow_unrealistic="yes"), "site.allow_unrealistic"),
    "signed_commands_text": (_new(signed_commands="true"), "site.signed_commands"),
    "signed_commands_number": (_new(signed_commands=1), "site.signed_commands"),
}


@pytest.mark.parametrize("case", sorted(BAD_DESCRIPTIONS))
def test_bad_site_description_is_refused_and_stores_nothing(backend_url, case):
    description, path = BAD_DESCRIPTIONS[case]
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        assert_refused(admin.post("/sites", description), path)
        assert admin.fingerprint() == before
        assert admin.get("/sites").status_code == 200
        token = mint_access_token(admin.world, "alice").access_token
        products = admin.client.get("/api/1/products", headers={"Authorization": f"Bearer {token}"})
        assert products.status_code == 200
        assert [p["energy_site_id"] for p in products.json()["response"]] == [SITE_ID]


def test_every_problem_of_a_description_is_listed(backend_url):
    with admin_world(backend_url) as admin:
        reply = admin.post("/sites", _new(solar={"azimuth": "south"}, limits={"max_export_w": -1},
                                          tariff={"name": "x"}))
        assert reply.status_code == 400
        messages = reply.json()["messages"]
        assert {"site.solar.azimuth", "site.limits.max_export_w", "site.tariff.currency"} <= set(messages)


def test_a_battery_without_model_still_has_its_other_members_checked(backend_url):
    with admin_world(backend_url) as admin:
        reply = admin.post("/sites", _new(batteries=[{"max_charge_w": "x"},
                                                     {"model": "powerwall_9", "health": 2}]))
        assert_refused(reply, "site.batteries[0].model")
        messages = reply.json()["messages"]
        assert messages["site.batteries[0].max_charge_w"] == ["must be an integer 1-100000"]
        assert messages["site.batteries[1].model"][0].endswith("; got text 'powerwall_9'")
        assert messages["site.batteries[1].health"] == ["must be a number 0.5-1"]


def test_a_bad_time_zone_is_not_reported_as_missing(backend_url):
    with admin_world(backend_url) as admin:
        given = admin.post("/sites", _new(time_zone="Mars/Olympus"))
        assert_refused(given, "site.time_zone")
        assert given.json()["messages"]["site.time_zone"] == [
            "must be an IANA zone name such as America/Los_Angeles; got text 'Mars/Olympus'"]
        absent = admin.post("/sites", {k: v for k, v in _new().items() if k != "time_zone"})
        assert absent.json()["messages"]["site.time_zone"][0].startswith("is required")


def test_valid_description_with_tariff_stores_site_and_tariff_together(backend_url):
    from gridtwin.services.emulator.presets import PRESETS

    tariff = PRESETS["tou_peak_export"]["sites"][0]["tariff"]
    with admin_world(backend_url) as admin:
        reply = admin.post("/sites", _new(tariff=tariff, owner="carol", solar={"azimuth": 200},
                                          generator={"rated_w": 5000},
                                          limits={"max_import_w": 12_000}))
        assert reply.status_code == 200, reply.text
        assert reply.json()["response"]["owner"] == "carol"
        token = mint_access_token(admin.world, "carol").access_token
        info = admin.client.get(f"/api/1/energy_sites/{NEW_ID}/site_info",
                                headers={"Authorization": f"Bearer {token}"}).json()["response"]
        assert info["tariff_content_v2"]["code"] == "PGE-EV2-A"
        assert info["max_site_meter_power_ac"] == 12_000


def test_installation_range_bounds_are_accepted(backend_url):
    with admin_world(backend_url) as admin:
        # The clock (frozen) is 2025-07-15T19:00Z: installed at that instant is accepted.
        reply = admin.post("/sites", _new(installation_date="2025-07-15T19:00:00Z"))
        assert reply.status_code == 200, reply.text
        assert_refused(admin.post("/sites", _new(energy_site_id=NEW_ID + 1,
                                                 installation_date="2025-07-15T19:00:01Z")),
                       "site.installation_date")


def test_patch_settings_not_an_object_is_refused(backend_url):
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        assert_refused(admin.patch(f"/sites/{SITE_ID}", {"settings": "x"}), "settings")
        assert_refused(admin.patch(f"/sites/{SITE_ID}", {"settings": {"backup_reserve_percent": "x"}}),
                       "settings.backup_reserve_percent")
        assert admin.fingerprint() == before


@pytest.mark.parametrize(("body", "path"), [
    ({"owner": "o" * 200}, "owner"),
    ({"owner": {"a": 1}}, "owner"),
    ({"owner": ""}, "owner"),
    ({"profile": "observed", "owner": "bob", "app_pct": 150}, "app_pct"),
    ({"owner": "bob", "quirks": {"no_history": "yes"}}, "quirks.no_history"),
    ({"owner": "bob", "sky": "purple"}, "sky"),
    ({"owner": "bob", "sky": "x" * 5000}, "sky"),
    ({"owner": "bob", "components": {"tou_capable": "no"}}, "components.tou_capable"),
    ({"owner": "bob", "components": {"k" * 100: 1}}, "components"),
    ({"owner": "bob", "app_pct": 10**400}, "app_pct"),
    ({"owner": "bob", "nonsense": 1}, "nonsense"),
    ({"owner": "bob", "signed_commands": "yes"}, "signed_commands"),
    ({"owner": "bob", "signed_commands": None}, "signed_commands"),
])
def test_refused_patch_changes_nothing(backend_url, body, path):
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        assert_refused(admin.patch(f"/sites/{SITE_ID}", body), path)
        assert admin.fingerprint() == before
        assert admin.get(f"/sites/{SITE_ID}").json()["response"]["owner"] == "alice"


def test_patch_owner_with_other_knobs_is_one_transaction(backend_url):
    with admin_world(backend_url) as admin:
        # The old code opened a second write transaction: "database is locked" (500) on SQLite.
        reply = admin.patch(f"/sites/{SITE_ID}", {"profile": "observed", "app_pct": 80, "owner": "bob"})
        assert reply.status_code == 200, reply.text
        state = reply.json()["response"]
        assert state["owner"] == "bob" and state["profile"] == "observed"
        assert state["app_pct"] == pytest.approx(80, abs=0.5)
        token = mint_access_token(admin.world, "bob").access_token
        products = admin.client.get("/api/1/products", headers={"Authorization": f"Bearer {token}"})
        assert [p["energy_site_id"] for p in products.json()["response"]] == [SITE_ID]


def test_patch_unknown_site_is_404_and_changes_nothing(backend_url):
    with admin_world(backend_url) as admin:
        before = admin.fingerprint()
        reply = admin.patch(f"/sites/{SITE_ID + 1}", {"owner": "bob"})
        assert reply.status_code == 404
        assert admin.fingerprint() == before


def test_delete_site_removes_it_and_its_events(backend_url):
    with admin_world(backend_url) as admin:
        assert admin.post(f"/sites/{SITE_ID}/events", {"type": "grid_outage", "at": "+PT1H"}).status_code == 200
        reply = admin.client.delete(f"/_gridtwin/sites/{SITE_ID}", headers=admin.headers)
        assert reply.status_code == 200
        assert admin.get("/sites").json()["response"] == []
        assert admin.get("/events").json()["response"] == []
        again = admin.client.delete(f"/_gridtwin/sites/{SITE_ID}", headers=admin.headers)
        assert again.status_code == 404
