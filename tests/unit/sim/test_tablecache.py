"""The on-disk table cache: a stored table is read back exactly, a code change or a new key
is a miss, an unusable directory only costs the computation, the directory stays bounded."""

from __future__ import annotations

import os

import numpy as np
import pytest

from gridtwin.sim import solar, tablecache
from gridtwin.sim.tablecache import CACHE_DIR_ENV, cached_tables


class Counting:
    def __init__(self, value: float) -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> dict[str, np.ndarray]:
        self.calls += 1
        return {"a": np.linspace(0.0, 1.0, 7) * self.value, "b": np.array([np.pi, -0.0, 1e-300])}


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "source.py"
    path.write_text("x = 1\n")
    return path


def test_second_call_reads_the_stored_table(tmp_path, source, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    compute = Counting(3.0)
    first = cached_tables("t", (1.5, 2), [source], ("a", "b"), compute)
    second = cached_tables("t", (1.5, 2), [source], ("a", "b"), compute)
    assert compute.calls == 1
    for name in ("a", "b"):
        assert second[name].tobytes() == first[name].tobytes()  # bit for bit
    assert len(list((tmp_path / "cache").glob("t-*.npz"))) == 1


def test_other_key_or_changed_source_is_a_miss(tmp_path, source, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    compute = Counting(1.0)
    cached_tables("t", (1,), [source], ("a",), compute)
    cached_tables("t", (2,), [source], ("a",), compute)
    assert compute.calls == 2
    source.write_text("x = 2\n")
    cached_tables("t", (1,), [source], ("a",), compute)
    assert compute.calls == 3


def test_disabled_or_unwritable_directory_still_computes(tmp_path, source, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    compute = Counting(2.0)
    assert cached_tables("t", (1,), [source], ("a",), compute)["a"][-1] == 2.0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))  # cannot be created
    assert cached_tables("t", (1,), [source], ("a",), compute)["a"][-1] == 2.0
    assert compute.calls == 2


def test_a_damaged_file_is_recomputed_and_replaced(tmp_path, source, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    compute = Counting(1.0)
    cached_tables("t", (1,), [source], ("a",), compute)
    (stored,) = tmp_path.glob("t-*.npz")
    stored.write_bytes(b"not a zip")
    assert cached_tables("t", (1,), [source], ("a",), compute)["a"][-1] == 1.0
    assert cached_tables("t", (1,), [source], ("a",), compute)["a"][-1] == 1.0
    assert compute.calls == 2


def test_directory_keeps_the_most_recently_used(tmp_path, source, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(tablecache, "MAX_FILES", 3)
    compute = Counting(1.0)
    for key in range(3):
        cached_tables("t", (key,), [source], ("a",), compute)
    for age, path in enumerate(sorted(tmp_path.glob("t-*.npz"))):
        os.utime(path, (1000 + age, 1000 + age))  # distinct, old times
    cached_tables("t", (0,), [source], ("a",), compute)  # a hit: now the most recent
    cached_tables("t", (3,), [source], ("a",), compute)  # a fourth table: one must go
    assert len(list(tmp_path.glob("t-*.npz"))) == 3
    calls = compute.calls
    cached_tables("t", (0,), [source], ("a",), compute)
    cached_tables("t", (3,), [source], ("a",), compute)
    assert compute.calls == calls  # both kept


def test_plane_response_from_disk_equals_the_computed_one(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    args = (37.77, -122.42, 16.0, 25.0, 190.0)
    solar.plane_response.cache_clear()
    computed = solar.plane_response(*args)
    solar.plane_response.cache_clear()
    loaded = solar.plane_response(*args)
    assert loaded is not computed
    assert len(list(tmp_path.glob("plane-*.npz"))) == 1
    for name in ("tmy_effective_w_m2", "tmy_rise_c", "clear_effective_w_m2", "clear_rise_c",
                 "temp_air_c", "cloud_amplitude"):
        a, b = getattr(computed, name), getattr(loaded, name)
        assert a.tobytes() == b.tobytes()
        assert not b.flags.writeable
    assert computed.tmy_effective_w_m2.max() > 500.0  # a real table, not zeros
