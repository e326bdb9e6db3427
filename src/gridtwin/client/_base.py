"""Request plumbing shared by the sync and async clients: building requests, retries
honouring ``Retry-After``, unwrapping the envelope, parsing into models, raising errors.

A resource method builds a :class:`Call` (method, path, body, how to parse the reply);
:class:`SyncCore` or :class:`AsyncCore` runs it over an httpx client. Any httpx
transport works: ``httpx.ASGITransport(app)`` drives an app in-process, a running
server or the real Fleet API answer over the network.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from gridtwin.client._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    GridtwinClientError,
    error_for,
    retry_after_s,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_S",
    "FLEET_API_BASE_URLS",
    "RETRY_LOGGER",
    "AsyncCore",
    "Call",
    "ClientConfig",
    "RetryPolicy",
    "SyncCore",
    "announce_retry",
    "parse_with",
]

T = TypeVar("T")

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
"""Where ``gridtwin serve`` listens by default."""
FLEET_API_BASE_URLS: Mapping[str, str] = {
    "NA": "https://fleet-api.prd.na.vn.cloud.tesla.com",
    "EU": "https://fleet-api.prd.eu.vn.cloud.tesla.com",
    "CN": "https://fleet-api.prd.cn.vn.cloud.tesla.cn",
}
"""The real Fleet API regional hosts (``users/region`` tells which one a user needs)."""
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_RETRIES = 2
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({502, 503, 504})

Auth = Literal["user", "admin", "none"]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API call. ``parse`` turns the unwrapped ``response`` (or the whole body when
    ``envelope`` is false, or the text when ``text`` is true) into the result."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, str] | None = None
    json: Any = None
    auth: Auth = "user"
    envelope: bool = True
    text: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    """max_retries: retries after the first try [-]; backoff_s: first wait without a hint,
    doubled each retry [s]; max_delay_s: longest wait; a longer ``Retry-After`` is not
    waited for, the error is raised at once [s].

    Retried: 429 (any method: the server refused before acting), 502/503/504 and lost
    connections for idempotent methods, and refused connections for any method.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_s: float = 0.5
    max_delay_s: float = 60.0

    def delay_after_response(self, attempt: int, method: str, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or None to give up."""
        status = response.status_code
        if attempt >= self.max_retries:
            return None
        if status != 429 and not (status in _RETRY_STATUSES and method in _IDEMPOTENT):
            return None
        hinted = retry_after_s(response)
        if hinted is None:
            return self._backoff(attempt)
        return hinted if hinted <= self.max_delay_s else None

    def delay_after_error(self, attempt: int, method: str, error: httpx.TransportError) -> float | None:
        if attempt >= self.max_retries:
            return None
        never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
        return self._backoff(attempt) if never_sent or method in _IDEMPOTENT else None

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff_s * 2**attempt, self.max_delay_s))


RETRY_LOGGER = logging.getLogger("gridtwin.client")
"""Retries are announced here at WARNING: with no logging configured, Python prints
them on stderr, so a script or the CLI never waits in silence."""


def announce_retry(request: httpx.Request, what: str, delay_s: float, attempt: int,
                   max_retries: int) -> None:
    """``429, retrying in 30 s (GET /api/1/products, retry 1 of 2)``."""
    RETRY_LOGGER.warning("%s, retrying in %s s (%s %s, retry %d of %d)", what, f"{delay_s:g}",
                         request.method, request.url.path, attempt + 1, max_retries)


@lru_cache(maxsize=128)
def parse_with(kind: Any) -> Callable[[Any], Any]:
    """A parser validating JSON into ``kind`` (a model, ``list[Model]``, a union...)."""
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    return adapter.validate_python


@dataclass
class ClientConfig:
    """What every call of one client shares: where, who, how to retry."""

    base_url: str
    token: str | None
    admin_token: str | None
    retry: RetryPolicy
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def request(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
        headers = {"Accept": "application/json", **self.headers}
        secret = {"user": self.token, "admin": self.admin_token, "none": None}[call.auth]
        if call.auth != "none" and secret is None:
            raise GridtwinClientError(f"no {call.auth} token configured for {call.path}")
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        kwargs: dict[str, Any] = {"params": dict(call.params or {}), "headers": headers}
        if call.json is not None:
            kwargs["json"] = call.json
        return http.build_request(call.method, self.url(call.path), **kwargs)

    @staticmethod
    def finish(call: Call[T], response: httpx.Response) -> T:
        body = _body(response, call.text)
        if response.status_code >= 400:
            raise error_for(response, body)
        if call.text:
            return call.parse(body)
        if call.envelope:
            if not isinstance(body, dict) or "response" not in body:
                raise APIResponseValidationError(response, body, "reply has no 'response' member")
            body = body["response"]
        try:
            return call.parse(body)
        except ValidationError as exc:
            raise APIResponseValidationError(response, body, str(exc)) from exc


def _body(response: httpx.Response, text: bool) -> Any:
    if text:
        return response.text
    try:
        return response.json()
    except ValueError:
        if response.status_code >= 400:
            return response.text
        raise APIResponseValidationError(response, response.text, "reply is not JSON") from None


def _connection_error(request: httpx.Request, exc: httpx.TransportError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(request)
    return APIConnectionError(request, f"Connection error: {exc}")


class SyncCore:
    """Runs calls on an ``httpx.Client`` (owned unless the caller passed it)."""

    def __init__(self, settings: ClientConfig, http: httpx.Client, owned: bool) -> None:
        self.settings = settings
        self.http = http
        self._owned = owned
        self._sleep: Callable[[float], None] = time.sleep

    def run(self, call: Call[T]) -> T:
        request = self.settings.request(self.http, call)
        retry = self.settings.retry
        attempt = 0
        while True:
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                delay = retry.delay_after_error(attempt, call.method, exc)
                if delay is None:
                    raise _connection_error(request, exc) from exc
                announce_retry(request, type(exc).__name__, delay, attempt, retry.max_retries)
            else:
                delay = retry.delay_after_response(attempt, call.method, response)
                if delay is None:
                    return self.settings.finish(call, response)
                announce_retry(request, str(response.status_code), delay, attempt,
                               retry.max_retries)
                response.close()
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        if self._owned:
            self.http.close()


class AsyncCore:
    """Runs calls on an ``httpx.AsyncClient`` (owned unless the caller passed it)."""

    def __init__(self, settings: ClientConfig, http: httpx.AsyncClient, owned: bool) -> None:
        self.settings = settings
        self.http = http
        self._owned = owned
        self._sleep: Callable[[float], Any] = asyncio.sleep

    async def run(self, call: Call[T]) -> T:
        request = self.settings.request(self.http, call)
        retry = self.settings.retry
        attempt = 0
        while True:
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                delay = retry.delay_after_error(attempt, call.method, exc)
                if delay is None:
                    raise _connection_error(request, exc) from exc
                announce_retry(request, type(exc).__name__, delay, attempt, retry.max_retries)
            else:
                delay = retry.delay_after_response(attempt, call.method, response)
                if delay is None:
                    return self.settings.finish(call, response)
                announce_retry(request, str(response.status_code), delay, attempt,
                               retry.max_retries)
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def close(self) -> None:
        if self._owned:
            await self.http.aclose()
