"""A small synchronous client for the control plane (``/_gridtwin/``), httpx only."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ControlClient", "ControlError"]


class ControlError(Exception):
    """A control-plane call failed; carries the status and the error body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class ControlClient:
    def __init__(self, base_url: str, admin_token: str, *, timeout_s: float = 120.0) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/_gridtwin",
                                  headers={"Authorization": f"Bearer {admin_token}"},
                                  timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        r = self._http.request(method, path, json=body)
        data = r.json()
        if r.status_code >= 400:
            raise ControlError(r.status_code, data)
        return data["response"]

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "/clock"))

    def set_clock(self, mode: str, rate: float | None = None, now: Any = None) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": mode}
        if rate is not None:
            body["rate"] = rate
        if now is not None:
            body["now"] = now
        return dict(self._call("PUT", "/clock", body))

    def advance(self, seconds: int | None = None, *, to: Any = None) -> dict[str, Any]:
        body = {"seconds": seconds} if to is None else {"to": to}
        return dict(self._call("POST", "/clock/advance", body))

    def event(self, site_id: int, type: str, **params: Any) -> dict[str, Any]:
        return dict(self._call("POST", f"/sites/{site_id}/events", {"type": type, **params}))

    def outage(self, site_id: int, duration_s: int | None = None, **params: Any) -> dict[str, Any]:
        if duration_s is not None:
            params["duration_s"] = duration_s
        return self.event(site_id, "grid_outage", **params)

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        return list(self._call("GET", f"/events?{q}" if q else "/events"))

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/faults", rule))

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        return list(self._call("GET", f"/requests?{q}" if q else "/requests"))

    def reset(self, **body: Any) -> dict[str, Any]:
        return dict(self._call("POST", "/reset", body))

    def export_state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state"))

    def import_state(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", "/state", snapshot))
