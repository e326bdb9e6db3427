"""``gridtwin serve`` answers a request its HTTP parser refuses in the API's envelope."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

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
