"""tariff.md TC-32..TC-36 through the real app: accept and echo, reject with every problem,
atomicity, missing tariff, and the observed profile's currency and read-back."""

from __future__ import annotations

from gridtwin import tariff
from gridtwin.domain.profile import Profile
from gridtwin.services.provision import create_site
from tests.conftest import test_site_spec
from tests.unit.tariff import tariff_docs as docs

UPDATED = {"response": {"code": 201, "message": "Updated"}}


def post_tou(client, auth, site, body):
    return client.post(f"/api/1/energy_sites/{site.energy_site_id}/time_of_use_settings",
                       headers=auth, content=tariff.dumps(body))


def site_info_text(client, auth, site) -> str:
    r = client.get(f"/api/1/energy_sites/{site.energy_site_id}/site_info", headers=auth)
    assert r.status_code == 200
    return r.text


def echoed(client, auth, site):
    return tariff.loads(site_info_text(client, auth, site))["response"].get("tariff_content_v2")


def test_tc32_accept_and_echo_with_order_and_number_text(client, auth, site):
    doc = docs.pge()
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": doc}})
    assert r.json() == UPDATED
    text = site_info_text(client, auth, site)
    assert '"ON_PEAK":0.5576' in text and "0.41380000000000006" not in text
    back = echoed(client, auth, site)
    assert back == doc
    assert list(back) == list(doc)
    assert list(back["seasons"]["Summer"]) == list(doc["seasons"]["Summer"])


def test_tc33_reject_with_every_problem(client, auth, site):
    doc = docs.ha_week()
    doc["currency"] = "USD"
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": doc}})
    assert r.status_code == 400
    days = ("Tuesday", "Wednesday", "Thursday")
    assert r.json() == {
        "response": None,
        "error": "invalid_field",
        "error_description": "Season 'Summer', Tuesday: no period covers 00:00-24:00.",
        "messages": {
            "tou_settings.tariff_content_v2.seasons.Summer.tou_periods": [
                f"E10: Season 'Summer', {d}: no period covers 00:00-24:00." for d in days],
            "tou_settings.tariff_content_v2.sell_tariff.seasons.Summer.tou_periods": [
                f"E10: sell_tariff: Season 'Summer', {d}: no period covers 00:00-24:00."
                for d in days],
        },
    }
    assert list(r.json()["messages"]) == [
        "tou_settings.tariff_content_v2.seasons.Summer.tou_periods",
        "tou_settings.tariff_content_v2.sell_tariff.seasons.Summer.tou_periods"]


def test_tc34_rejected_tariff_leaves_the_stored_one(client, auth, site):
    assert post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": docs.pge()}}
                    ).status_code == 200
    bad = docs.buy_periods(docs.flat(), {"OFF_PEAK": "0.20", "ON_PEAK": "0.40"},
                           OFF_PEAK=[docs.period("0-6", "00:00", "00:00")],
                           ON_PEAK=[docs.period("0-6", "16:00", "16:00")])
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": bad}})
    assert r.status_code == 400
    assert "E09" in str(r.json()["messages"])
    assert echoed(client, auth, site) == docs.pge()


def test_tc35_no_tariff(client, auth, site):
    r = post_tou(client, auth, site, {"tou_settings": {"optimization_strategy": "economics"}})
    assert r.status_code == 400
    assert r.json() == {
        "response": None, "error": "invalid_field",
        "error_description": "must provide a valid TOU setting",
        "messages": {"tou_settings.tariff_content_v2": ["E01: must provide a valid TOU setting"]},
    }


def test_tc26_v1_shapes_are_rejected(client, auth, site):
    v1 = docs.amber_v1()["response"]
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content": v1}})
    assert r.status_code == 400 and list(r.json()["messages"]) == ["tou_settings.tariff_content"]
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": v1}})
    assert r.status_code == 400
    assert list(r.json()["messages"]) == ["tou_settings.tariff_content_v2.demand_charges.ALL"]


def test_tc36_profile_decides_currency_and_read_back(client, world, auth, site):
    doc = docs.tfa()
    r = post_tou(client, auth, site, {"tou_settings": {"tariff_content_v2": doc}})
    assert r.status_code == 400
    assert r.json()["messages"]["tou_settings.tariff_content_v2.currency"][0].startswith("E16")
    observed = create_site(world, "alice", test_site_spec(index=1, profile=Profile.OBSERVED))
    assert post_tou(client, auth, observed, {"tou_settings": {"tariff_content_v2": doc}}
                    ).json() == UPDATED
    back = echoed(client, auth, observed)
    assert back == tariff.zero_omission_echo(doc)
    again = tariff.validate(back, quirks=frozenset({"currency_any_iso4217"}))
    assert again.ok


def test_strategy_is_stored_or_ignored_by_profile(client, world, auth, site):
    body = {"tou_settings": {"tariff_content_v2": docs.flat(), "optimization_strategy": "balanced"}}
    assert post_tou(client, auth, site, body).json() == UPDATED
    info = tariff.loads(site_info_text(client, auth, site))["response"]
    assert info["tou_settings"]["optimization_strategy"] == "balanced"
    observed = create_site(world, "alice", test_site_spec(index=2, profile=Profile.OBSERVED))
    assert post_tou(client, auth, observed, body).json() == UPDATED
    info = tariff.loads(site_info_text(client, auth, observed))["response"]
    assert info["tou_settings"]["optimization_strategy"] == "economics"
    bad = {"tou_settings": {"tariff_content_v2": docs.flat(), "optimization_strategy": "cheap"}}
    assert post_tou(client, auth, site, bad).status_code == 400
