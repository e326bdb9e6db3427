"""Wire edge cases that answered 500 or another shape than the envelope (issue 12).

- A JSON body with a lone UTF-16 surrogate (``"\\ud800"``), even in an ignored member,
  was parsed, could not be encoded for the command log, and answered 500. It is not
  Unicode text, so it is not valid JSON for gridtwin: 400 ``invalid_request``, nothing
  stored.
- A method the HTTP parser does not know (``FOO``) never reaches the app; uvicorn
  answered its own text/plain 400. ``gridtwin serve`` now uses a protocol subclass that
  answers it in the envelope; methods the parser knows reach the app and get 405.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from gridtwin.api.app import create_app
from gridtwin.api.protocol import WireH11, WireHttpTools
from gridtwin.core import jsonio
from gridtwin.services.auth import mint_access_token
from gridtwin.services.provision import create_site
from tests.conftest import make_world, test_site_spec
from tests.fingerprint import world_fingerprint

pytestmark = pytest.mark.timeout(120)


# --------------------------------------------------------------------------- jsonio


@pytest.mark.parametrize("text", [
    '{"x": "\\ud800"}',                       # lone high surrogate escape
    '{"x": "a\\uDC00b"}',                     # lone low surrogate, upper-case hex
    '{"\\udbff": 1}',                         # in a key
    '{"x": ["ok", {"y": "\\ud83d"}]}',        # nested, high half of an emoji only
    '{"x": "\\ude00\\ud83d"}',                # a pair in the wrong order
    "[" * 400 + '"\\ud800"' + "]" * 400,      # deep nesting (the check is iterative)
])
def test_lone_surrogate_escapes_are_not_json(text: str) -> None:
    with pytest.raises(jsonio.JsonError, match="surrogate"):
        jsonio.loads(text)
    with pytest.raises(jsonio.JsonError, match="surrogate"):
        jsonio.loads(text.encode())


def test_utf8_encoded_surrogate_bytes_are_not_json() -> None:
    # json decodes bytes with "surrogatepass": ED A0 80 would become "\ud800".
    with pytest.raises(jsonio.JsonError, match="surrogate"):
        jsonio.loads(b'{"x": "\xed\xa0\x80"}')


@pytest.mark.parametrize(("text", "value"), [
    ('{"x": "\\ud83d\\ude00"}', {"x": "\U0001f600"}),  # a valid pair is one character
    ('{"x": "\\\\ud800"}', {"x": "\\ud800"}),           # an escaped backslash, then text
    ('{"x": "\\ud7ff\\ue000"}', {"x": "\ud7ff\ue000"}),  # the neighbours of the range
    ('{"x": "\U0001f600"}', {"x": "\U0001f600"}),
])
def test_valid_text_near_surrogates_still_parses(text: str, value: Any) -> None:
    assert jsonio.loads(text) == value
    assert jsonio.loads(text.encode()) == value
    assert jsonio.dumps(jsonio.loads(text)).encode("utf-8")  # and can be written back


# --------------------------------------------------------------------------- commands


@pytest.fixture
def owner_client(backend_url: str) -> Iterator[tuple[TestClient, dict[str, str], int, str]]:
    world = make_world(backend_url)
    site = create_site(world, "alice", test_site_spec())
    auth = {"Authorization": f"Bearer {mint_access_token(world, 'alice').access_token}"}
    with TestClient(create_app(world), raise_server_exceptions=False) as client:
        yield client, auth, site.energy_site_id, backend_url
    world.store.dispose()


@pytest.mark.parametrize("body", [
    b'{"backup_reserve_percent": 20, "note": "\\ud800"}',
    b'{"backup_reserve_percent": 20, "\\udc00": 1}',
    b'{"backup_reserve_percent": 20, "note": "\xed\xa0\x80"}',
    b'{"backup_reserve_percent": 20, "deep": [[{"a": "\\udfff"}]]}',
])
def test_command_with_lone_surrogate_is_refused_and_stores_nothing(owner_client, body) -> None:
    client, auth, site_id, url = owner_client
    before = world_fingerprint(url)
    response = client.post(f"/api/1/energy_sites/{site_id}/backup", content=body, headers=auth)
    assert response.status_code == 400, response.text
    assert response.json() == {"response": None, "error": "invalid_request",
                               "error_description": "Request body is not a valid JSON object"}
    assert world_fingerprint(url) == before
    ok = client.post(f"/api/1/energy_sites/{site_id}/backup", headers=auth,
                     content=b'{"backup_reserve_percent": 21, "note": "\\ud83d\\ude00"}')
    assert ok.status_code == 200, ok.text
    info = client.get(f"/api/1/energy_sites/{site_id}/site_info", headers=auth).json()
    assert info["response"]["backup_reserve_percent"] == 21


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "TRACE", "PURGE"])
@pytest.mark.parametrize("path", ["/api/1/products", "/_gridtwin/state", "/status"])
def test_any_method_that_reaches_the_app_gets_the_envelope(owner_client, method, path) -> None:
    client, auth, _site, _url = owner_client
    response = client.request(method, path, headers=auth)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json()["error"] == "invalid_method"
    assert response.headers["x-txid"]


# --------------------------------------------------------------------------- the parser


def _raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):  # the server closes the connection after a 400
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(params=[WireHttpTools, WireH11, "httptools"], ids=["httptools", "h11", "plain"])
def raw_server(request, db_url: str) -> Iterator[tuple[int, Any]]:
    world = make_world(db_url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(world), http=request.param,
                                           log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield port, request.param
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        world.store.dispose()


UNKNOWN_METHOD = b"FOO /api/1/products HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("request_bytes", [
    UNKNOWN_METHOD,                                           # a method llhttp does not know
    b"GET /status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",  # a header without a colon
    b"POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: ab\r\n\r\n",  # a bad length
])
def test_requests_the_parser_refuses_get_the_envelope(raw_server, request_bytes) -> None:
    port, protocol = raw_server
    reply = _raw_exchange(port, request_bytes)
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    if protocol is WireH11 and request_bytes == UNKNOWN_METHOD:
        # h11 accepts any token as a method: the app answers, with its 405.
        assert lines[0] == "HTTP/1.1 405 Method Not Allowed", reply
        assert json.loads(body)["error"] == "invalid_method"
        return
    assert lines[0] == "HTTP/1.1 400 Bad Request", reply
    assert headers["connection"] == "close"
    if protocol == "httptools":
        # What uvicorn answers by itself: why serve passes the protocol class.
        assert headers["content-type"].startswith("text/plain"), reply
        return
    assert headers["content-type"] == "application/json; charset=utf-8", reply
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body) == {"response": None, "error": "invalid_request",
                                "error_description": "Invalid HTTP request received."}


def test_a_good_request_is_unchanged_by_the_protocol(raw_server) -> None:
    port, _protocol = raw_server
    reply = _raw_exchange(port, b"GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"\r\n\r\nok"), reply
