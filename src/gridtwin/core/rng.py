"""The one source of randomness.

Every draw is a pure function of (seed, site id, stream name, index): a counter-based
hash (SplitMix64 finaliser), never a shared sequential generator. So results never
depend on when, how often or in which order a site is observed (site-behavior §2).
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

__all__ = ["stream_key", "uniform", "uniform_one"]

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def stream_key(seed: int, site_id: int, stream: str) -> int:
    """A 64-bit key naming one random stream of one site under one seed."""
    digest = hashlib.blake2b(f"{seed}:{site_id}:{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def uniform(
    seed: int, site_id: int, stream: str, index: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Uniform draws in [0, 1), one per integer in ``index`` (e.g. a time index).

    The same (seed, site_id, stream, index) always gives the same number.
    """
    key = np.uint64(stream_key(seed, site_id, stream))
    idx = np.asarray(index, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        x = _mix(idx * np.uint64(0x9E3779B97F4A7C15) + key)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def uniform_one(seed: int, site_id: int, stream: str, index: int) -> float:
    """One uniform draw in [0, 1) (see :func:`uniform`)."""
    return float(uniform(seed, site_id, stream, [index])[0])
