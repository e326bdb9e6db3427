"""Ownership holds on a warm view cache: another user's token is a 404 even when the owner
has just read the site at the same instant (the cached view must not skip the check)."""

from __future__ import annotations

import pytest

from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from tests.conftest import test_site_spec

READS = ("live_status", "site_info", "calendar_history?kind=energy&period=day")


@pytest.mark.parametrize("read", READS)
def test_other_users_read_of_a_warm_site_is_404(client, world, site, auth, read):
    create_site(world, "bob", test_site_spec(index=1))
    bob = {"Authorization": f"Bearer {mint_access_token(world, 'bob').access_token}"}
    url = f"/api/1/energy_sites/{site.energy_site_id}/{read}"
    assert client.get(url, headers=auth).status_code == 200  # warms the cache
    assert client.get(url, headers=auth).status_code == 200  # served from it
    r = client.get(url, headers=bob)
    assert r.status_code == 404, r.text
    assert client.get(url, headers=auth).status_code == 200
