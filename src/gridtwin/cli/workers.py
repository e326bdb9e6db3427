"""uvicorn settings for ``gridtwin serve --workers N``.

A spawned worker imports the CLI and then the app (numba, pvlib, SQLAlchemy) before it
answers its first health ping; on a loaded 2-core machine that took 9-14 s, while
uvicorn's default health-check timeout is 5 s, so the supervisor killed and respawned
every worker forever. ``WORKER_HEALTHCHECK_S`` leaves room for a slow import; a worker
that really hangs is still replaced, only later.

The supervisor reports a dead worker at INFO, which ``--log-level warning`` hid: the
logging configuration here keeps uvicorn quiet except for worker deaths and restarts.
This module is imported by every worker (uvicorn configures logging there too), so it
imports nothing heavy.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

__all__ = ["WORKER_HEALTHCHECK_S", "WorkerEvents", "log_config"]

WORKER_HEALTHCHECK_S = 120
"""Seconds a worker may take to answer a health ping (import included)."""

_DIED = re.compile(r"^Child process \[(\d+)\] died")


class WorkerEvents(logging.Filter):
    """Pass warnings and errors, and uvicorn's 'child died' note rewritten as a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        match = _DIED.match(record.getMessage())
        if match is None:
            return False
        record.msg = (f"gridtwin worker [{match.group(1)}] died or stopped answering its "
                      f"health check within {WORKER_HEALTHCHECK_S} s; starting a new one")
        record.args = ()
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def log_config(base: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's ``base`` logging dict with no access log and only worker events on INFO."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["worker_events"] = {"()": f"{__name__}.WorkerEvents"}
    loggers = config.setdefault("loggers", {})
    loggers["uvicorn.error"] = {**loggers.get("uvicorn.error", {}), "level": "INFO",
                                "filters": ["worker_events"]}
    loggers["uvicorn.access"] = {**loggers.get("uvicorn.access", {}), "level": "WARNING"}
    return config
