"""The SDK's error classes and retry policy, over httpx.MockTransport (no server)."""

from __future__ import annotations

import json

import httpx
import pytest

import gridtwin.client as sdk
from gridtwin.client import Client, RetryPolicy

SITE = 1234


def envelope_error(status: int, error: str, description: str = "", **extra) -> httpx.Response:
    body = {"response": None, "error": error, "error_description": description, **extra}
    return httpx.Response(status, json=body)


def client_for(handler, **kwargs) -> tuple[Client, list[float]]:
    client = Client("http://gt.test", "tok", admin_token="adm",
                    transport=httpx.MockTransport(handler), **kwargs)
    slept: list[float] = []
    client._core._sleep = slept.append
    return client, slept


@pytest.mark.parametrize(("status", "error", "cls"), [
    (400, "invalid_field", sdk.InvalidField),
    (400, "invalid_request", sdk.InvalidRequest),
    (400, "unsupported_grant_type", sdk.OAuthError),
    (401, "invalid bearer token", sdk.Unauthorized),
    (401, "token expired (401)", sdk.TokenExpired),
    (402, "payment_required", sdk.PaymentRequired),
    (403, "Unauthorized missing scopes energy_cmds", sdk.MissingScope),
    (404, "not_found", sdk.NotFound),
    (405, "invalid_method", sdk.MethodNotAllowed),
    (408, "device_offline", sdk.RequestTimeout),
    (410, "gone", sdk.Gone),
    (412, "precondition_failed", sdk.PreconditionFailed),
    (421, "invalid_region", sdk.MisdirectedRequest),
    (423, "locked", sdk.Locked),
    (451, "legal", sdk.UnavailableForLegalReasons),
    (500, "upstream internal error", sdk.InternalServerError),
    (502, "bad_gateway", sdk.ServerError),
    (504, "upstream_timeout", sdk.GatewayTimeout),
    (418, "teapot", sdk.APIStatusError),
])
def test_each_status_raises_its_class_with_request_response_and_body(status, error, cls):
    client, _ = client_for(lambda r: envelope_error(status, error, "why", messages={"x": ["bad"]}))
    with pytest.raises(cls) as info:
        client.energy_site(SITE).site_info()
    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == exc.status == status
    assert exc.code == error and exc.description == "why"
    assert exc.messages == {"x": ["bad"]}
    assert exc.body["error"] == error and exc.response.status_code == status
    assert exc.request.url.path == f"/api/1/energy_sites/{SITE}/site_info"
    assert isinstance(exc, sdk.ControlError)  # the old control-plane name still catches all


def test_a_non_json_error_body_is_kept_as_text():
    client, _ = client_for(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(sdk.ServerError) as info:
        client.products()
    assert info.value.body == "<html>bad gateway</html>" and info.value.error is None


def test_429_is_retried_after_the_retry_after_delay_then_succeeds():
    replies = [
        httpx.Response(429, json={"response": None, "error": "rate_limited"},
                       headers={"Retry-After": "3", "RateLimit-Reset": "3"}),
        httpx.Response(200, json={"response": {"code": 201, "message": "Updated"}}),
    ]
    client, slept = client_for(lambda r: replies.pop(0))
    assert client.energy_site(SITE).backup(30).code == 201
    assert slept == [3.0]


def test_429_gives_up_after_max_retries_and_carries_retry_after():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(429, json={"response": None, "error": "rate_limited"},
                              headers={"Retry-After": "2"})

    client, slept = client_for(handler, max_retries=2)
    with pytest.raises(sdk.RateLimited) as info:
        client.energy_site(SITE).live_status()
    assert info.value.retry_after_s == 2.0
    assert len(calls) == 3 and slept == [2.0, 2.0]


def test_a_retry_after_longer_than_the_cap_is_not_waited_for():
    client, slept = client_for(
        lambda r: httpx.Response(429, json={"error": "rate_limited"}, headers={"Retry-After": "3600"}),
        retry=RetryPolicy(max_retries=3, max_delay_s=60))
    with pytest.raises(sdk.RateLimited):
        client.products()
    assert slept == []


def test_503_is_retried_for_reads_but_not_for_commands():
    calls = []

    def handler(request):
        calls.append(request.method)
        return envelope_error(503, "unavailable")

    client, slept = client_for(handler, max_retries=1)
    with pytest.raises(sdk.ServiceUnavailable):
        client.energy_site(SITE).live_status()
    with pytest.raises(sdk.ServiceUnavailable):
        client.energy_site(SITE).backup(20)
    assert calls == ["GET", "GET", "POST"]
    assert slept == [0.5]  # exponential backoff without a Retry-After hint


def test_connection_errors_become_api_connection_errors_after_retries():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    client, slept = client_for(handler, max_retries=2)
    with pytest.raises(sdk.APIConnectionError):
        client.products()
    assert len(calls) == 3 and slept == [0.5, 1.0]


def test_requests_carry_tokens_body_and_query_and_respect_a_path_prefix():
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        if request.url.path.endswith("/_gridtwin/clock/advance"):
            return httpx.Response(200, json={"response": {"now": 5, "fired": []}})
        return httpx.Response(200, json={"response": {
            "serial_number": "x", "period": "week", "installation_time_zone": "UTC",
            "time_series": None}})

    client = Client("https://proxy.test/fleet/", "tok", admin_token="adm",
                    transport=httpx.MockTransport(handler))
    history = client.energy_site(SITE).energy_history("week", end_date="2025-01-01T00:00:00Z")
    assert history.time_series is None
    assert client.control.advance(5).now == 5
    first, second = seen
    assert first.url.path == f"/fleet/api/1/energy_sites/{SITE}/calendar_history"
    assert dict(first.url.params) == {"kind": "energy", "period": "week",
                                      "end_date": "2025-01-01T00:00:00Z"}
    assert first.headers["authorization"] == "Bearer tok"
    assert second.headers["authorization"] == "Bearer adm"
    assert json.loads(second.content) == {"seconds": 5}


def test_a_missing_token_is_reported_before_any_request():
    client = Client("http://gt.test", None, transport=httpx.MockTransport(lambda r: 1 / 0))
    with pytest.raises(sdk.GridtwinClientError, match="no admin token"):
        client.control.clock()


def test_a_reply_that_does_not_fit_its_model_is_a_validation_error():
    client, _ = client_for(lambda r: httpx.Response(200, json={"response": {"solar_power": "x"}}))
    with pytest.raises(sdk.APIResponseValidationError) as info:
        client.energy_site(SITE).live_status()
    assert info.value.response.status_code == 200


def test_real_fleet_api_hosts_are_constants_only():
    assert sdk.FLEET_API_BASE_URLS["NA"] == "https://fleet-api.prd.na.vn.cloud.tesla.com"
    assert sdk.DEFAULT_BASE_URL == "http://127.0.0.1:8080"
    assert Client().base_url == sdk.DEFAULT_BASE_URL


def test_exported_names_are_pinned():
    assert set(sdk.__all__) == {
        "DEFAULT_BASE_URL", "DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT_S", "FLEET_API_BASE_URLS",
        "APIConnectionError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
        "AsyncClient", "AsyncControl", "AsyncEnergySite", "AsyncOAuth", "BadRequestError",
        "Client", "Control", "ControlClient", "ControlError", "EnergySite", "GatewayTimeout",
        "Gone", "GridtwinClientError", "InternalServerError", "InvalidField", "InvalidRequest",
        "Locked", "MethodNotAllowed", "MisdirectedRequest", "MissingScope", "NotFound", "OAuth",
        "OAuthError", "PaymentRequired", "PreconditionFailed", "RateLimited", "RequestTimeout",
        "RetryPolicy", "ServerError", "ServiceUnavailable", "TokenExpired", "Unauthorized",
        "UnavailableForLegalReasons", "types",
    }
    for name in sdk.__all__:
        assert hasattr(sdk, name), name
