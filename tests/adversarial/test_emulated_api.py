"""Bad input to the emulated Fleet API, by hand, on SQLite and PostgreSQL; and requests
that used to start unbounded work (each on its own world, since the server may stay busy).

Same checks as the control plane (harness.Arena): below 500 within the request timeout,
an unchanged fingerprint after a refusal, and the probes still answering.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.adversarial.harness import Case, arena, served_arena
from tests.conftest import postgres_database

pytestmark = pytest.mark.timeout(280)

SITE = "/api/1/energy_sites/{A}"
HISTORY = SITE + "/calendar_history?kind={kind}&period={period}&start_date={start}&end_date={end}"
OWNER = "alice:default"


def _history(kind: str, period: str, start: str, end: str) -> str:
    # Braces of the site placeholder survive; the dates are put in now.
    return HISTORY.replace("{kind}", kind).replace("{period}", period).replace(
        "{start}", start).replace("{end}", end)


API = [
    Case("command with a lone surrogate in an ignored member", "POST", SITE + "/backup",
         b'{"backup_reserve_percent": 20, "note": "\\ud800"}', as_user=OWNER),
    Case("command with a UTF-8-encoded surrogate", "POST", SITE + "/backup",
         b'{"backup_reserve_percent": 20, "note": "\xed\xa0\x80"}', as_user=OWNER),
    Case("command body not UTF-8", "POST", SITE + "/backup", b'{"a": "\xff\xfe"}',
         as_user=OWNER),
    Case("command body 5,000 levels deep", "POST", SITE + "/backup",
         b"[" * 5_000 + b"]" * 5_000, as_user=OWNER),
    Case("command body 100,000 levels deep", "POST", SITE + "/operation",
         b'{"a":' * 100_000 + b"1" + b"}" * 100_000, as_user=OWNER),
    Case("command with NaN", "POST", SITE + "/backup", b'{"backup_reserve_percent": NaN}',
         as_user=OWNER),
    Case("command value 10^400", "POST", SITE + "/backup",
         b'{"backup_reserve_percent": 1' + b"0" * 400 + b"}", as_user=OWNER),
    Case("command value 1e400", "POST", SITE + "/backup", b'{"backup_reserve_percent": 1e400}',
         as_user=OWNER),
    Case("tariff 5,000 levels deep", "POST", SITE + "/time_of_use_settings",
         b'{"tou_settings": {"tariff_content_v2": ' + b"[" * 5_000 + b"]" * 5_000 + b"}}",
         as_user=OWNER),
    Case("tariff with a lone surrogate name", "POST", SITE + "/time_of_use_settings",
         b'{"tou_settings": {"tariff_content_v2": {"name": "\\udfff"}}}', as_user=OWNER),
    Case("site id 30 digits", "GET", "/api/1/energy_sites/" + "1" * 30 + "/live_status",
         as_user=OWNER),
    Case("command on a 30-digit site", "POST", "/api/1/energy_sites/" + "1" * 30 + "/backup",
         {"backup_reserve_percent": 20}, as_user=OWNER),
    # An empty day at either end of the calendar may be answered or refused; not a 500.
    Case("energy history on the first day of year 1", "GET",
         _history("energy", "day", "0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"),
         as_user=OWNER, must_refuse=False),
    Case("energy history on the last day of year 9999", "GET",
         _history("energy", "day", "9999-12-30T00:00:00Z", "9999-12-31"), as_user=OWNER,
         must_refuse=False),
    Case("backup history on the first day of year 1", "GET",
         _history("backup", "day", "0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"),
         as_user=OWNER, must_refuse=False),
    Case("backup history on the last day of year 9999", "GET",
         _history("backup", "day", "9999-12-30T00:00:00Z", "9999-12-31"), as_user=OWNER,
         must_refuse=False),
    Case("history with a 5,000-character zone", "GET",
         SITE + "/calendar_history?kind=energy&period=day&time_zone=" + "A" * 5_000,
         as_user=OWNER),
    Case("history with a date of 10^30", "GET",
         _history("energy", "day", "1" * 30, "2025-07-15"), as_user=OWNER),
    Case("charge history from year 1", "GET",
         SITE + "/telemetry_history?kind=charge&start_date=0001-01-01T00:00:00Z"
         "&end_date=9999-12-31T00:00:00Z", as_user=OWNER, must_refuse=False),
    Case("token grant unknown", "POST", "/oauth2/v3/token", {"grant_type": "x"},
         as_user=OWNER),
    Case("token body a lone surrogate", "POST", "/oauth2/v3/token",
         b'{"grant_type": "client_credentials", "client_id": "\\ud800"}', as_user=OWNER),
    Case("token form not UTF-8", "POST", "/oauth2/v3/token",
         b"grant_type=client_credentials&client_id=%ff%fe&client_secret=x", as_user=OWNER,
         headers=(("content-type", "application/x-www-form-urlencoded"),)),
    Case("bearer token of 100 kB", "GET", "/api/1/products", as_user=None,
         headers=(("authorization", "Bearer " + "a." * 50_000 + "b"),)),
    Case("x-request-id not Latin-1 safe", "GET", "/api/1/products", as_user=OWNER,
         headers=(("x-request-id", "\u00ff" * 300),), must_refuse=False),
]


def test_emulated_api(backend_url: str) -> None:
    with arena(backend_url) as a:
        for case in API:
            a.run(case)
        if a.failures:
            pytest.fail(a.report(), pytrace=False)


UNBOUNDED = [
    Case("PUT clock ten years ahead", "PUT", "/_gridtwin/clock", {"now": "+P3650D"}),
    Case("PUT clock rate 10^9", "PUT", "/_gridtwin/clock", {"mode": "scaled", "rate": 10**9}),
    Case("advance ten years (the cap is 400 days)", "POST", "/_gridtwin/clock/advance",
         {"seconds": 3_650 * 86_400}),
    Case("site installed in 1976", "POST", "/_gridtwin/sites",
         {"owner": "alice", "time_zone": "UTC", "installation_date": "1976-01-01T00:00:00Z"},
         must_refuse=False),
    Case("fault rule with an hour of latency", "POST", "/_gridtwin/faults",
         {"action": {"latency_ms": [3_600_000, 3_600_000]}}),
    Case("energy history from year 1 to year 9999 (issue 12)", "GET",
         _history("energy", "day", "0001-01-01T00:00:00Z", "9999-12-31"), as_user=OWNER),
    Case("backup history from year 1 to year 9999 (issue 12)", "GET",
         _history("backup", "day", "0001-01-01T00:00:00Z", "9999-12-31"), as_user=OWNER),
    Case("month history over eight millennia", "GET",
         _history("energy", "month", "1000-01-01", "9999-12-31"), as_user=OWNER),
    Case("day history over 13 months", "GET",
         _history("energy", "day", "2024-06-01", "2025-07-15"), as_user=OWNER, must_refuse=False),
]


def _fresh(backend_url: str, tmp_path: Path, n: int, stack: ExitStack) -> str:
    """The test's database first; after a restart, a new one of the same backend."""
    if n == len(UNBOUNDED):
        return backend_url
    if backend_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'unbounded-{n}.db'}"
    return stack.enter_context(postgres_database())


@pytest.mark.timeout(600)  # each server that gets stuck costs a request timeout and a restart
def test_no_request_starts_unbounded_work(backend_url: str, tmp_path: Path) -> None:
    """Refused, or done within the request timeout, and the probes then answer too. Each
    runs behind a real server process; one that stops answering is killed, and the next
    case gets a new one on a fresh database."""
    cases, failures, sent = list(UNBOUNDED), [], 0
    with ExitStack() as databases:
        while cases:
            url = _fresh(backend_url, tmp_path, len(cases), databases)
            with served_arena(url) as a:
                while cases and a.stuck is None:
                    case = cases.pop(0)
                    known = len(a.failures)
                    a.run(case)
                    # Progress on stdout: a pytest-timeout still shows what was found.
                    print(f"{case.name}: " + ("; ".join(a.failures[known:]) or "ok"))
                failures += a.failures
                sent += a.sent
    if failures:
        pytest.fail(f"{len(failures)} failures in {sent} cases:\n" + "\n".join(failures),
                    pytrace=False)
