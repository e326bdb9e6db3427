"""Seeded device ids (services/provision.py): 12 digits drawn from the whole range, so the
DINs of different sites do not collide (a mutation that kept 10 serials timed out the run)."""

from __future__ import annotations

import re

from gridtwin.services.provision import din_for, seeded_id


def test_dins_are_distinct_and_well_formed():
    dins = {din_for(0, "1232100-00-E", 1_000_000_000_000_000 + i, "gateway", "GF") for i in range(500)}
    assert len(dins) == 500
    assert all(re.fullmatch(r"1232100-00-E--GF\d{12}", d) for d in dins)
    serials = sorted(int(d[-12:]) for d in dins)
    assert serials[-1] - serials[0] > 10**11  # spread over the 12 digits


def test_site_ids_are_sixteen_digits_below_2_53():
    ids = {seeded_id(s, "site", i) for s in range(3) for i in range(200)}
    assert len(ids) == 600
    assert all(10**15 <= i < 2**53 for i in ids)
