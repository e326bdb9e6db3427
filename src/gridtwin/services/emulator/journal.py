"""The request journal (emulator §9): a ring buffer of emulated-API exchanges.

One process keeps it in memory. Several workers serving one database share it in the
``journal`` table, so any worker lists every exchange. Secrets (client secrets, access and
refresh tokens) never enter it: bodies are redacted before they are recorded.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from gridtwin.core import jsonio
from gridtwin.store import control
from gridtwin.store.repository import Store

__all__ = ["BODY_CAP", "SECRET_FIELDS", "Journal", "SharedJournal", "redact_body"]

BODY_CAP = 64 * 1024
SECRET_FIELDS = frozenset({"client_secret", "access_token", "refresh_token", "id_token",
                           "code", "code_verifier", "password", "assertion"})
REDACTED = "[redacted]"


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k in SECRET_FIELDS and v is not None else _redact(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def redact_body(text: str) -> str:
    """``text`` (a JSON or form body) with every secret field's value replaced."""
    if not text or not any(name in text for name in SECRET_FIELDS):
        return text
    try:
        data = jsonio.loads(text, decimals=False)
    except (jsonio.JsonError, ValueError, RecursionError):
        data = None
    if isinstance(data, dict | list):
        return jsonio.dumps(_redact(data))
    pairs = parse_qsl(text, keep_blank_values=True)
    if pairs and "=" in text:
        return urlencode([(k, REDACTED if k in SECRET_FIELDS else v) for k, v in pairs])
    return REDACTED  # a cut or unparsable body that names a secret field: keep none of it


def _filtered(items: list[dict[str, Any]], filters: Mapping[str, str]) -> list[dict[str, Any]]:
    for key in ("endpoint", "method", "status", "site_id"):
        if filters.get(key):
            items = [e for e in items if str(e.get(key)) == filters[key]]
    if filters.get("since_seq", "").isdigit():
        since = int(filters["since_seq"])
        items = [e for e in items if e["seq"] > since]
    if filters.get("limit", "").isdigit():
        items = items[-int(filters["limit"]):]
    return items


class Journal:
    """One process's journal, in memory."""

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
        return _filtered(items, filters)


class SharedJournal:
    """The journal of every worker on one database. ``seq`` is the journal's own sequence
    (one numbering for all workers), so ``since_seq`` works whichever worker answers."""

    def __init__(self, store: Store, size: int = 1000) -> None:
        self._store = store
        self._size = size

    def add(self, entry: dict[str, Any]) -> None:
        body = {k: v for k, v in entry.items() if k != "seq"}
        # Single statements: autocommit on PostgreSQL saves the BEGIN and COMMIT round trips.
        with self._store.peek() as tx:
            control.journal_add(tx, jsonio.dumps(body), self._size)
            tx.conn.commit()

    def clear(self) -> None:
        with self._store.tx() as tx:
            control.journal_clear(tx)

    def query(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        with self._store.tx() as tx:
            rows = control.journal_rows(tx, -1, self._size)
        items = [{"seq": seq, **jsonio.loads(text, decimals=False)} for seq, text in rows]
        return _filtered(items, filters)
