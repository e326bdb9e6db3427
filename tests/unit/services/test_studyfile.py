"""Study files' shared reader: variants and their matrix, problems collected, not raised."""

from __future__ import annotations

from gridtwin.domain.controls import ExportRule, OperationMode
from gridtwin.services.studyfile import TableReader, read_variants


def test_listed_variants_then_every_matrix_combination() -> None:
    r = TableReader()
    doc = {"variant": [{"name": "Time-based", "mode": "autonomous", "export": "battery_ok"}],
           "matrix": {"reserve": [50, 80], "grid_charging": [True, False]}}
    variants = read_variants(r, doc)
    assert r.problems == []
    assert [v.name for v in variants] == [
        "Time-based", "self_consumption 50% pv_only",
        "self_consumption 50% pv_only no-grid-charging", "self_consumption 80% pv_only",
        "self_consumption 80% pv_only no-grid-charging"]
    assert variants[0].controls.mode is OperationMode.AUTONOMOUS
    assert variants[0].controls.export_rule is ExportRule.BATTERY_OK
    assert [v.controls.backup_reserve_pct for v in variants[1:]] == [50, 50, 80, 80]


def test_one_default_variant_when_none_is_given() -> None:
    r = TableReader()
    (only,) = read_variants(r, {"matrix": {}})
    assert only.name == "self_consumption 20% pv_only" and r.problems == []


def test_every_problem_is_listed() -> None:
    r = TableReader()
    read_variants(r, {"variant": [{"mode": "turbo", "reserve": 120, "grid_charging": "yes"},
                                  {"name": "no battery"}]})
    assert r.problems == [
        "variant[0].mode: must be one of self_consumption, autonomous, backup",
        "variant[0].reserve: must be a number 0-100",
        "variant[0].grid_charging: must be true or false",
        'variant: names must be unique and not "no battery"',
    ]
