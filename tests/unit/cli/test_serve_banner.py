"""``serve``'s banner, environment variables and request log, without starting uvicorn:
the server run and the warm-up are replaced, everything before them runs for real."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import gridtwin.cli.warmup
from gridtwin.api.requestlog import LOGGER_NAME, RequestLog, request_line
from gridtwin.cli import main
from gridtwin.services.provision import seeded_id

pytestmark = pytest.mark.timeout(120)

EXPORTED = ("GRIDTWIN_DB", "GRIDTWIN_PUBLIC_URL", "GRIDTWIN_SEED", "GRIDTWIN_ADMIN_TOKEN",
            "GRIDTWIN_CLOCK_START", "GRIDTWIN_CLOCK_MODE", "GRIDTWIN_NO_ADMIN",
            "GRIDTWIN_SHARED_CLOCK", "GRIDTWIN_RATE_LIMITS")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Records what uvicorn.run was given and the environment the workers would read."""
    for name in list(os.environ):
        if name.startswith("GRIDTWIN_") and name != "GRIDTWIN_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    for name in EXPORTED:  # export_to_env writes these; monkeypatch restores them
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}

    def fake_run(app: str, **kwargs: Any) -> None:
        seen.update(kwargs, app=app, env={k: os.environ.get(k) for k in EXPORTED})
        kwargs["on_started"]()  # what uvicorn's start-up would trigger

    monkeypatch.setattr(main, "_run_server", fake_run)
    monkeypatch.setattr(gridtwin.cli.warmup, "warm_up", lambda world, console, what: 0.0)
    return seen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main.app, ["serve", "--db", str(tmp_path / "g.db"), *args],
                                env={"COLUMNS": "200", **(env or {})})
    assert result.exit_code == 0, result.output
    return result


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_banner_has_dashboard_and_export_lines_and_the_token_follows_the_port(
        served: dict[str, Any], tmp_path: Path) -> None:
    port = _free_port()
    result = _serve(tmp_path, "--port", str(port))
    token, curl = result.stdout.splitlines()[:2]
    base = f"http://127.0.0.1:{port}"
    assert curl.startswith(f"curl -H 'Authorization: Bearer {token}' {base}/api/1/energy_sites/")
    assert f"dashboard: {base}/" in result.stderr
    assert f"export GRIDTWIN_URL={base} GRIDTWIN_TOKEN={token}\n" in result.stderr
    claims = _claims(token)
    assert claims["iss"] == f"{base}/oauth2/v3" and claims["aud"] == [base]
    assert served["app"] == "gridtwin.asgi:logged_app" and served["factory"] is True
    assert served["log_config"]["loggers"][LOGGER_NAME]["level"] == "INFO"
    assert main.REQUEST_LOGGER == LOGGER_NAME


def test_quiet_serves_the_plain_app_without_request_log(served: dict[str, Any],
                                                         tmp_path: Path) -> None:
    result = _serve(tmp_path, "--port", str(_free_port()), "--quiet")
    assert result.stdout.splitlines()[1].startswith("curl ")
    assert served["app"] == "gridtwin.asgi:app" and served["factory"] is False
    assert served["log_config"]["loggers"][LOGGER_NAME]["level"] == "WARNING"


def test_serve_honours_seed_rate_limits_and_public_url_from_the_environment(
        served: dict[str, Any], tmp_path: Path) -> None:
    public = "https://twin.example.test:9443"
    result = _serve(tmp_path, "--port", str(_free_port()), env={
        "GRIDTWIN_SEED": "7", "GRIDTWIN_RATE_LIMITS": "strict", "GRIDTWIN_PUBLIC_URL": public})
    assert served["env"]["GRIDTWIN_SEED"] == "7"
    assert served["env"]["GRIDTWIN_RATE_LIMITS"] == "strict"
    assert served["env"]["GRIDTWIN_PUBLIC_URL"] == public
    assert f"created demo site {seeded_id(7, 'site', 0)} " in result.stderr
    assert _claims(result.stdout.splitlines()[0])["iss"] == f"{public}/oauth2/v3"
    assert f"export GRIDTWIN_URL={public} " in result.stderr


def test_options_win_over_the_environment(served: dict[str, Any], tmp_path: Path) -> None:
    _serve(tmp_path, "--port", str(_free_port()), "--seed", "3", "--rate-limits", "fleet",
           env={"GRIDTWIN_SEED": "7", "GRIDTWIN_RATE_LIMITS": "strict"})
    assert served["env"]["GRIDTWIN_SEED"] == "3"
    assert served["env"]["GRIDTWIN_RATE_LIMITS"] == "fleet"


def test_every_environment_variable_is_listed_in_serve_help() -> None:
    source = Path(main.__file__).parents[1] / "core" / "settings.py"
    names = set(re.findall(r'"(GRIDTWIN_[A-Z_]+)"', source.read_text(encoding="utf-8")))
    assert {"GRIDTWIN_DB", "GRIDTWIN_SEED", "GRIDTWIN_PUBLIC_URL"} <= names
    text = CliRunner().invoke(main.app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    missing = [name for name in sorted(names) if name not in text]
    assert missing == []


def test_version_and_short_help() -> None:
    from gridtwin import __version__

    assert CliRunner().invoke(main.app, ["--version"]).stdout == f"gridtwin {__version__}\n"
    short = CliRunner().invoke(main.app, ["tariff", "-h"])
    assert short.exit_code == 0 and "validate" in short.stdout


def test_request_line_names_the_site() -> None:
    assert request_line("GET", "/api/1/energy_sites/42/live_status", 200, 3.14159) == (
        "GET /api/1/energy_sites/42/live_status 200 3.1 ms site 42")
    assert request_line("POST", "/oauth2/v3/token", 401, 1.0) == "POST /oauth2/v3/token 401 1.0 ms"


async def _answer(status: int, scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _crash(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("boom")


def test_request_log_logs_one_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    async def noop_send(message: Any) -> None:
        return None

    async def no_body() -> Any:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": "/api/1/energy_sites/9/site_info"}
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    asyncio.run(RequestLog(lambda s, r, w: _answer(429, s, r, w))(scope, no_body, noop_send))
    with pytest.raises(RuntimeError):
        asyncio.run(RequestLog(_crash)(scope, no_body, noop_send))
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]
    assert len(lines) == 2
    assert re.fullmatch(r"GET /api/1/energy_sites/9/site_info 429 \d+\.\d ms site 9", lines[0])
    assert lines[1].startswith("GET /api/1/energy_sites/9/site_info 500 ")
    caplog.clear()
    caplog.set_level(logging.WARNING, logger=LOGGER_NAME)
    asyncio.run(RequestLog(lambda s, r, w: _answer(200, s, r, w))(scope, no_body, noop_send))
    assert [r for r in caplog.records if r.name == LOGGER_NAME] == []


def test_serve_loads_a_scenario_with_unquoted_yaml_dates(served: dict[str, Any],
                                                         tmp_path: Path) -> None:
    """``2025-01-01`` unquoted is a YAML date; gridtwin reads it as the text it shows
    (docs/decisions.md), so the scenario loads as its JSON twin would."""
    import sqlite3
    from datetime import UTC, datetime

    dated = tmp_path / "dated.yaml"
    dated.write_text("version: 1\nclock: {start: 2025-01-01, mode: frozen}\n"
                     "sites:\n  - time_zone: UTC\n    installation_date: 2024-12-31\n"
                     "events:\n  - {type: grid_outage, at: 2025-01-01T06:00:00Z, "
                     "duration_s: 3600}\n", encoding="utf-8")
    result = _serve(tmp_path, "--port", str(_free_port()), "--scenario", str(dated))
    assert "loaded " in result.stderr and "Traceback" not in result.output
    with sqlite3.connect(tmp_path / "g.db") as db:
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('scenario', 'clock')"))
        at = db.execute("SELECT start_s FROM site_events").fetchall()
    scenario = json.loads(meta["scenario"])
    assert scenario["clock"]["start"] == "2025-01-01"
    assert scenario["sites"][0]["installation_date"] == "2024-12-31"
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    assert json.loads(meta["clock"])["anchor_sim_s"] == start
    assert at == [(start + 6 * 3600,)]
