"""Schemathesis stateful testing over the whole OpenAPI document, control plane included.

Sequences of calls follow the links schemathesis infers (create a site, then read, patch,
delete it or post its events; list events, then cancel one...). This test gives each
control-plane operation that takes a body a JSON object body to fill at random, instead of
its documented schema and example: its parsers see arbitrary members. Every call goes with the right kind of
token (the admin token under ``/_gridtwin``, Alice's elsewhere). Checks: no answer of
500 or more, and the fingerprint of the stored world unchanged by every refused (4xx)
call. Deterministic (``derandomize``) and bounded in examples and steps.

Left out: loading a preset, ``reset`` and ``seed`` (each rebuilds the world with a
30-day warm-up: seconds per call, and nothing adversarial in a random body for them;
the hand-built cases cover their bad input).
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.stateful import APIStateMachine

from gridtwin.testing import ADMIN_TOKEN
from tests.adversarial.harness import REQUEST_TIMEOUT_S, arena
from tests.fingerprint import world_fingerprint

pytestmark = pytest.mark.timeout(300)

SCENARIOS = 10
STEPS = 6
LEFT_OUT = ("/_gridtwin/presets/{name}", "/_gridtwin/reset", "/_gridtwin/seed")
ANY_OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}


def _document(raw: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(raw)
    for path in LEFT_OUT:
        doc["paths"].pop(path, None)
    for path, operations in doc["paths"].items():
        if not path.startswith("/_gridtwin"):
            continue
        for method, op in operations.items():
            if method in ("post", "put", "patch"):
                op["requestBody"] = copy.deepcopy(ANY_OBJECT)
    return doc


def test_stateful_sequences_never_fail_and_refusals_change_nothing(backend_url: str) -> None:
    with arena(backend_url) as a:
        raw = a.client.get("/_gridtwin/openapi.json", headers={
            "Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
        schema = schemathesis.openapi.from_dict(_document(raw))
        base = a.base_url
        alice = {"Authorization": f"Bearer {a.tokens['alice:default']}"}
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        failures: list[str] = []
        calls: list[int] = []
        session = requests.Session()

        class Workflow(schema.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                self.fingerprint = world_fingerprint(backend_url)

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                headers = admin if case.path.startswith("/_gridtwin") else alice
                return {"base_url": base, "session": session, "headers": headers,
                        "timeout": REQUEST_TIMEOUT_S}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                calls.append(response.status_code)
                label = f"{case.method} {case.formatted_path}: {response.status_code}"
                before, self.fingerprint = self.fingerprint, world_fingerprint(backend_url)
                if response.status_code >= 500:
                    failures.append(f"{label} {response.text[:300]}\n  {case.as_curl_command()}")
                elif 400 <= response.status_code < 500 and self.fingerprint != before:
                    failures.append(f"{label} refused, but the stored world changed "
                                    f"{response.text[:200]}\n  {case.as_curl_command()}")

        assert isinstance(Workflow, type) and issubclass(Workflow, APIStateMachine)
        started = time.monotonic()
        Workflow.run(settings=settings(
            max_examples=SCENARIOS, stateful_step_count=STEPS, derandomize=True,
            deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck), report_multiple_bugs=False))
        session.close()
        elapsed = time.monotonic() - started
        print(f"\nstateful: {len(calls)} calls, {sum(s >= 400 for s in calls)} refused, "
              f"{elapsed:.1f} s")
        assert len(calls) >= SCENARIOS, calls  # the machine really ran
        if failures:
            pytest.fail(f"{len(failures)} failing calls of {len(calls)}:\n"
                        + "\n".join(failures), pytrace=False)
