"""pypowerwall's ``get_tariff()`` reads site_info's v1 ``tariff_content`` from a real server."""

from __future__ import annotations

import json
import warnings

import pytest

from gridtwin.tariff import convert_v1
from gridtwin.testing import running_gridtwin
from tests.unit.tariff.test_tariff_to_v1 import V1

pytestmark = pytest.mark.server

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fleetapi = pytest.importorskip("pypowerwall.fleetapi.fleetapi")


@pytest.mark.timeout(180)
def test_pypowerwall_get_tariff_reads_v1_view(tmp_path):
    with running_gridtwin() as gt:
        config = tmp_path / ".pypowerwall.fleetapi"
        config.write_text(json.dumps({
            "CLIENT_ID": "x", "CLIENT_SECRET": "x", "DOMAIN": "example.invalid",
            "REDIRECT_URI": "http://localhost", "AUDIENCE": gt.base_url, "partner_token": "",
            "partner_account": {}, "access_token": gt.token, "refresh_token": "", "site_id": None,
        }))
        api = fleetapi.FleetAPI(configfile=str(config))
        assert api.set_time_of_use_settings({"tou_settings": {"tariff_content_v2": convert_v1(V1, None)}})
        tariff = api.get_tariff(force=True)
        assert tariff == V1
        assert tariff["energy_charges"]["Summer"]["ON_PEAK"] == 0.42
