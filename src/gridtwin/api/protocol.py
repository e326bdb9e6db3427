"""uvicorn's HTTP protocol with the API's error envelope on the requests it refuses itself.

Some requests never reach the app: the HTTP parser (httptools' llhttp, or h11) refuses
them first, and uvicorn answers a text/plain 400 "Invalid HTTP request received.":
a method the parser does not know (``FOO``; llhttp knows a fixed list: GET, POST,
PROPFIND, PURGE...), a malformed request line or header, a bad chunked body. These
subclasses send that 400 in the vendor envelope instead (wire-format §2, §3), so
every answer a client can get from gridtwin has one shape. A method the parser does
know reaches the app and gets 405 ``invalid_method`` there. Such a 400 has no
``x-txid``: no request was ever formed, and the connection is closed.

``gridtwin serve`` uses ``PROTOCOL`` (``uvicorn --http gridtwin.api.protocol:WireHttpTools``
does the same by hand).
"""

from __future__ import annotations

import asyncio
import http

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from gridtwin.api.errors import error_response
from gridtwin.core.errors import InvalidRequest

__all__ = ["PROTOCOL", "WireH11", "WireHttpTools", "refusal_bytes"]

PROTOCOL = f"{__name__}:WireHttpTools"
"""Import string for ``uvicorn.run(..., http=PROTOCOL)``."""


def refusal_bytes(message: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A complete HTTP/1.1 400 response (envelope body, ``connection: close``)."""
    response = error_response(InvalidRequest(message))
    status = response.status_code
    head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n".encode("ascii")]
    headers = [*default_headers, *response.raw_headers, (b"connection", b"close")]
    head.extend(name + b": " + value + b"\r\n" for name, value in headers)
    return b"".join([*head, b"\r\n", response.body])


class _EnvelopeRefusal:
    transport: asyncio.Transport
    server_state: ServerState

    def send_400_response(self, msg: str) -> None:
        self.transport.write(refusal_bytes(msg, self.server_state.default_headers))
        self.transport.close()


class WireHttpTools(_EnvelopeRefusal, HttpToolsProtocol):
    """uvicorn's httptools protocol (its default), refusals in the envelope."""


class WireH11(_EnvelopeRefusal, H11Protocol):
    """uvicorn's h11 protocol, refusals in the envelope."""
