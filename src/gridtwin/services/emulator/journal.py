"""The request journal (emulator §9): a ring buffer of emulated-API exchanges."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

__all__ = ["Journal"]

BODY_CAP = 64 * 1024


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._items.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def query(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._items)
        for key in ("endpoint", "method", "status", "site_id"):
            if filters.get(key):
                items = [e for e in items if str(e.get(key)) == filters[key]]
        if filters.get("since_seq", "").isdigit():
            since = int(filters["since_seq"])
            items = [e for e in items if e["seq"] > since]
        if filters.get("limit", "").isdigit():
            items = items[-int(filters["limit"]):]
        return items
