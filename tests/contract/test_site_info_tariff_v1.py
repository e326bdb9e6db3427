"""site_info carries the stored tariff as ``tariff_content`` (v1) beside ``tariff_content_v2``."""

from __future__ import annotations

from gridtwin.tariff import convert_v1
from gridtwin.tariff.to_v1 import to_v1
from tests.unit.tariff.test_tariff_to_v1 import V1


def test_tariff_content_is_the_v1_view_of_the_stored_tariff(client, site, auth):
    url = f"/api/1/energy_sites/{site.energy_site_id}"
    v2 = convert_v1(V1, None)
    before = client.get(f"{url}/site_info", headers=auth).json()["response"]
    if "tariff_content_v2" not in before:
        assert "tariff_content" not in before  # absent, never null
    r = client.post(f"{url}/time_of_use_settings", headers=auth,
                    json={"tou_settings": {"tariff_content_v2": v2}})
    assert r.status_code == 200, r.text
    info = client.get(f"{url}/site_info", headers=auth).json()["response"]
    assert info["tariff_content_v2"] == v2
    assert info["tariff_content"] == to_v1(info["tariff_content_v2"]) == V1
