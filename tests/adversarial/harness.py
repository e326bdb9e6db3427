"""What every adversarial test shares: a small world served for real, bad requests sent one
at a time, and the checks every refusal must pass.

A case is one request. Sending it must give an answer within ``REQUEST_TIMEOUT_S`` and
below 500. If it is refused (4xx), ``world_fingerprint`` of the database must be what it
was before. If the case is one that must be refused and it was accepted, that is a
failure too. Afterwards the probes (reads of the control plane and of the emulated API,
and for some groups a reset) must all still answer below 500: a request that poisons the
world shows up there. Failures are collected, so one run names every failing case.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from gridtwin.core import jsonio
from gridtwin.testing import ADMIN_TOKEN, running_gridtwin
from tests.fingerprint import world_fingerprint
from tests.integration.server_process import running_server
from tests.integration.test_fuzz_openapi import (
    ALICE_BATTERY,
    ALICE_SOLAR,
    ALICE_WC,
    BOB_BATTERY,
    _scenario,
)

__all__ = ["ADMIN", "Arena", "Case", "arena", "served_arena", "small_scenario"]

REQUEST_TIMEOUT_S = 30.0
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
INSTALLED = "2025-07-14T18:00:00-07:00"
"""Twelve simulated hours before the fuzz scenario's start: history exists, and a
fingerprint of every stored row stays fast."""

IDS = {"A": ALICE_BATTERY, "S": ALICE_SOLAR, "W": ALICE_WC, "B": BOB_BATTERY}


def small_scenario() -> dict[str, Any]:
    """The OpenAPI fuzz run's scenario (every site type, two users, varied tokens, events),
    with a short history."""
    doc = _scenario()
    for site in doc["sites"]:
        site["installation_date"] = INSTALLED
    return doc


@dataclass(frozen=True)
class Case:
    """One bad request. ``path`` may name sites as ``{A}`` (Alice's battery site), ``{S}``,
    ``{W}``, ``{B}`` (Bob's). ``body``: bytes as given, anything else as JSON."""

    name: str
    method: str
    path: str
    body: Any = None
    must_refuse: bool = True
    as_user: str | None = None  # a token name (``alice:default``); None = the admin token
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Arena:
    base_url: str
    tokens: dict[str, str]
    db_url: str
    client: httpx.Client
    probes: tuple[tuple[str, str, str | None], ...]
    cleanup: tuple[tuple[str, str], ...] = ()
    reset_after: bool = False
    failures: list[str] = field(default_factory=list)
    sent: int = 0
    stuck: str | None = None
    """The case after which the server stopped answering: no further case is sent."""

    def request(self, method: str, path: str, body: Any = None, *, user: str | None = None,
                headers: tuple[tuple[str, str], ...] = ()) -> httpx.Response | str:
        """The response, or why there was none."""
        auth = ADMIN if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        content = body if isinstance(body, bytes) or body is None else (
            jsonio.dumps(body).encode("utf-8", "surrogatepass"))
        sent = httpx.Headers(auth)
        for name, value in headers:
            sent[name] = value
        try:
            return self.client.request(method, path.format(**IDS), content=content,
                                       headers=sent)
        except httpx.TimeoutException:
            return f"no answer within {REQUEST_TIMEOUT_S:.0f} s"
        except httpx.HTTPError as exc:
            return f"transport error {exc!r}"

    def _stalled(self, label: str, response: httpx.Response | str) -> bool:
        if isinstance(response, str) and response.startswith("no answer"):
            self.stuck = label
        return self.stuck is not None

    def run(self, case: Case) -> None:
        label = f"[{case.name}] {case.method} {case.path}"
        if self.stuck is not None:
            self.failures.append(f"{label}: not run, the server stopped answering after "
                                 f"{self.stuck}")
            return
        self.sent += 1
        before = world_fingerprint(self.db_url)
        response = self.request(case.method, case.path, case.body, user=case.as_user,
                                headers=case.headers)
        if isinstance(response, str):
            self.failures.append(f"{label}: {response}")
        elif response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code} {response.text[:300]}")
        elif response.status_code < 400:
            if case.must_refuse:
                self.failures.append(f"{label}: accepted ({response.status_code}) "
                                     f"{response.text[:200]}")
        elif world_fingerprint(self.db_url) != before:
            self.failures.append(f"{label}: refused ({response.status_code}) but the stored "
                                 f"world changed; {response.text[:200]}")
        if self._stalled(label, response):
            return
        self.probe(label)
        if self.reset_after:
            self.reset(label)
        for method, path in self.cleanup:
            self.request(method, path)

    def reset(self, after: str) -> None:
        """``POST /_gridtwin/reset`` must still work (a refused request must not have
        replaced the active scenario); its fresh tokens replace the old ones."""
        if self.stuck is not None:
            return
        response = self.request("POST", "/_gridtwin/reset", {})
        if isinstance(response, str) or response.status_code != 200:
            answer = response if isinstance(response, str) else (
                f"{response.status_code} {response.text[:200]}")
            self.failures.append(f"{after}: afterwards POST /_gridtwin/reset: {answer}")
            self._stalled(f"{after} and a reset", response)
            return
        self.tokens.update(response.json()["response"].get("tokens") or {})

    def probe(self, after: str) -> None:
        for method, path, user in self.probes:
            response = self.request(method, path, user=user)
            if isinstance(response, str) or response.status_code >= 500:
                answer = response if isinstance(response, str) else (
                    f"{response.status_code} {response.text[:200]}")
                self.failures.append(f"{after}: afterwards {method} {path}: {answer}")
            if self._stalled(f"{after} then {method} {path}", response):
                return

    def report(self) -> str:
        return f"{len(self.failures)} failures in {self.sent} cases:\n" + "\n".join(self.failures)


READS: tuple[tuple[str, str, str | None], ...] = (
    ("GET", "/_gridtwin/sites", None),
    ("GET", "/_gridtwin/scenario", None),
    ("GET", "/_gridtwin/events", None),
    ("GET", "/_gridtwin/clock", None),
    ("GET", "/_gridtwin/tokens", None),
    ("GET", "/status", "alice:default"),
    ("GET", "/api/1/products", "alice:default"),
    ("GET", "/api/1/energy_sites/{A}/site_info", "alice:default"),
    ("GET", "/api/1/energy_sites/{A}/live_status", "alice:default"),
    ("GET", "/api/1/energy_sites/{A}/calendar_history?kind=energy&period=day", "alice:default"),
    ("POST", "/api/1/energy_sites/{A}/backup", "alice:default"),
    ("GET", "/api/1/energy_sites/{B}/site_info", "bob:default"),
)
"""Probes after every case: the lists, the clock, and reads and a command of two sites."""


@contextmanager
def arena(db_url: str, *, cleanup: tuple[tuple[str, str], ...] = (),
          reset_after: bool = False) -> Iterator[Arena]:
    """The small world on ``db_url``, served in-process on a free port."""
    with running_gridtwin(scenario=copy.deepcopy(small_scenario()), db=db_url) as gt, \
            httpx.Client(base_url=gt.base_url, timeout=REQUEST_TIMEOUT_S) as client:
        yield Arena(gt.base_url, dict(gt.tokens), db_url, client, READS, cleanup, reset_after)


@contextmanager
def served_arena(db_url: str) -> Iterator[Arena]:
    """The small world on ``db_url`` behind a real ``gridtwin serve`` process, for cases
    that may keep a server busy: leaving the block stops the process and its work."""
    with running_server(db_url, extra_env={"GRIDTWIN_ADMIN_TOKEN": ADMIN_TOKEN}) as server, \
            httpx.Client(base_url=server.base_url, timeout=REQUEST_TIMEOUT_S) as client:
        loaded = client.post("/_gridtwin/scenario", headers=ADMIN,
                             content=jsonio.dumps(small_scenario()).encode())
        assert loaded.status_code == 200, loaded.text + server.log_tail()
        yield Arena(server.base_url, dict(loaded.json()["response"]["tokens"]), db_url, client,
                    READS)
