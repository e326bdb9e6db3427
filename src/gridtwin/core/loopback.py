"""Is a request from the person who ran ``gridtwin serve`` on this machine?

A loopback client (127.0.0.0/8, ::1) that names a loopback host and did not come through a
proxy (no ``Forwarded``/``X-Forwarded-For``/``X-Real-IP``). The Host check stops DNS
rebinding: a page on another origin that resolves its name to 127.0.0.1 still sends its
own name as Host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

__all__ = ["is_local_request"]

_PROXY_HEADERS = frozenset({"forwarded", "x-forwarded-for", "x-real-ip"})
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _loopback_ip(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_local_request(client_host: str, host_header: str, header_names: Iterable[str]) -> bool:
    """``header_names`` lower-case; ``client_host`` the peer address."""
    if any(name in _PROXY_HEADERS for name in header_names):
        return False
    host = _host_name(host_header)
    return _loopback_ip(client_host) and (host in _LOCAL_NAMES or _loopback_ip(host))
