"""Tables that cost a second or more to compute and never change for the same inputs,
kept on disk across processes (as numba keeps compiled kernels), so a restarted server
does not recompute them before its banner.

A file is named by a digest of the table kind, its inputs, the bytes of the source files
that compute it and the numpy/pvlib versions: any change gives a new name, so a stale
table is never read. Files are written atomically (temporary file, then rename) and the
directory keeps only the ``MAX_FILES`` most recently used. Every failure to read or write
falls back to computing (a read-only home, a full disk): the cache only saves time.

Directory: ``GRIDTWIN_CACHE_DIR`` (``off`` disables the cache), else
``$XDG_CACHE_HOME/gridtwin``, else ``~/.cache/gridtwin``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["CACHE_DIR_ENV", "MAX_FILES", "cache_dir", "cached_tables"]

CACHE_DIR_ENV = "GRIDTWIN_CACHE_DIR"
MAX_FILES = 24
"""Tables kept (about 5 MB each for a solar plane response)."""
_SUFFIX = ".npz"

Arrays = dict[str, npt.NDArray[np.float64]]


def cache_dir() -> Path | None:
    """The cache directory, or None when disabled."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "gridtwin"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def _file_name(kind: str, key: tuple[object, ...], sources: Iterable[Path]) -> str:
    digest = hashlib.sha256(repr((kind, key, _package_version("numpy"),
                                  _package_version("pvlib"))).encode())
    for source in sources:
        digest.update(source.read_bytes())
    return f"{kind}-{digest.hexdigest()[:32]}{_SUFFIX}"


def _read(path: Path, names: Iterable[str]) -> Arrays | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: np.asarray(stored[name], dtype=np.float64) for name in names}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    with contextlib.suppress(OSError):  # most recently used: kept by _trim
        os.utime(path)
    return arrays


def _write(directory: Path, path: Path, arrays: Mapping[str, npt.NDArray[np.float64]]) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, **arrays)  # type: ignore[arg-type]
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        _trim(directory)
    except OSError:
        return


def _trim(directory: Path) -> None:
    """Remove all but the MAX_FILES most recently used tables."""
    tables = []
    for entry in directory.glob(f"*{_SUFFIX}"):
        if entry.name.startswith(".partial-"):
            continue
        try:
            tables.append((entry.stat().st_mtime, entry))
        except OSError:  # removed meanwhile by another process
            continue
    tables.sort(reverse=True)
    for _, stale in tables[MAX_FILES:]:
        stale.unlink(missing_ok=True)


def cached_tables(
    kind: str, key: tuple[object, ...], sources: Iterable[Path], names: Iterable[str],
    compute: Callable[[], Mapping[str, npt.NDArray[np.float64]]],
) -> Arrays:
    """The arrays ``names`` that ``compute`` returns for ``key``, from disk when stored.

    ``sources``: the files whose code determines the result (their bytes are in the name).
    """
    names = tuple(names)
    directory = cache_dir()
    if directory is None:
        return {name: np.asarray(value) for name, value in compute().items()}
    path = directory / _file_name(kind, key, sources)
    stored = _read(path, names)
    if stored is not None:
        return stored
    computed = {name: np.asarray(value, dtype=np.float64) for name, value in compute().items()}
    _write(directory, path, computed)
    return computed
