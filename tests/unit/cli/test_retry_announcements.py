"""The SDK (and so the CLI) says when it waits to retry instead of sleeping in silence."""

from __future__ import annotations

import logging
import subprocess
import sys

import httpx
import pytest

from gridtwin.client import Client

pytestmark = pytest.mark.timeout(120)


def test_a_429_retry_is_announced_with_its_delay(caplog: pytest.LogCaptureFixture) -> None:
    replies = [
        httpx.Response(429, json={"response": None, "error": "rate_limited"},
                       headers={"Retry-After": "30"}),
        httpx.Response(200, json={"response": {"code": 201, "message": "Updated"}}),
    ]
    client = Client("http://gt.test", "tok", transport=httpx.MockTransport(lambda r: replies.pop(0)))
    slept: list[float] = []
    client._core._sleep = slept.append
    caplog.set_level(logging.WARNING, logger="gridtwin.client")
    assert client.energy_site(1234).backup(30).code == 201
    assert slept == [30.0]
    assert [r.getMessage() for r in caplog.records if r.name == "gridtwin.client"] == [
        "429, retrying in 30 s (POST /api/1/energy_sites/1234/backup, retry 1 of 2)"]


def test_without_logging_configured_the_announcement_reaches_stderr() -> None:
    code = """
import httpx
from gridtwin.client import Client
def refuse(request):
    raise httpx.ConnectError("refused", request=request)
client = Client("http://gt.test", "tok", transport=httpx.MockTransport(refuse))
client._core._sleep = lambda s: None
try:
    client.products()
except Exception as exc:
    print(type(exc).__name__)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=100, check=True)
    assert done.stdout.strip() == "APIConnectionError"
    assert done.stderr.splitlines() == [
        "ConnectError, retrying in 0.5 s (GET /api/1/products, retry 1 of 2)",
        "ConnectError, retrying in 1 s (GET /api/1/products, retry 2 of 2)",
    ]
