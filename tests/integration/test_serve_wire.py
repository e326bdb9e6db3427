"""``gridtwin serve`` on the wire: a request its HTTP parser refuses gets the API's
envelope, and an idle kept-alive connection outlives the clients' own idle expiry."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from gridtwin.core.settings import KEEP_ALIVE_S
from tests.integration.server_process import running_server

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]


def test_unknown_method_gets_the_envelope_from_a_real_server(tmp_path) -> None:
    with running_server(tmp_path / "wire.db") as server:
        port = urlsplit(server.base_url).port
        assert port is not None
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"FOO /api/1/products HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 "), reply
        assert b"content-type: application/json; charset=utf-8" in head.lower(), reply
        assert json.loads(body)["error"] == "invalid_request", server.log_tail()


def test_an_idle_connection_is_still_served_after_the_clients_expiry(tmp_path) -> None:
    """Idle longer than uvicorn's default 5 s (httpx's own pool expiry), the same
    connection still carries the next request (docs/decisions.md, "Idle connections")."""
    idle_s = 6.0  # a loaded machine only lengthens it; KEEP_ALIVE_S is far above
    assert idle_s < KEEP_ALIVE_S / 2
    with running_server(tmp_path / "keepalive.db") as server:
        port = urlsplit(server.base_url).port
        assert port is not None
        headers = {"Authorization": f"Bearer {server.token}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            replies = []
            for pause_s in (0.0, idle_s):
                time.sleep(pause_s)
                conn.request("GET", "/api/1/products", headers=headers)
                reply = conn.getresponse()
                replies.append((reply.status, conn.sock.getsockname(), reply.read()))
        except http.client.RemoteDisconnected as exc:
            pytest.fail(f"the server closed the idle connection: {exc!r}\n{server.log_tail()}")
        finally:
            conn.close()
        (first, local_first, body), (second, local_second, _) = replies
        assert (first, second) == (200, 200), server.log_tail()
        assert json.loads(body)["count"] >= 1
        assert local_first == local_second  # one connection, not a reconnect
