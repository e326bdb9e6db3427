"""Checks ``serve`` and ``token create`` make before anything is created or printed, and
one-line messages for what can still fail while the database opens.

Each check returns a problem (one line, with the fix) or None.
"""

from __future__ import annotations

import errno
import os
import re
import shlex
import socket
from pathlib import Path

__all__ = ["database_problem", "describe_database_error", "normalize_db_url", "port_problem",
           "redact"]

_SQLITE = "sqlite:///"


def normalize_db_url(url: str) -> str:
    """``postgres://`` (Heroku, docker, libpq's own spelling) means ``postgresql://``."""
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://"):]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def database_problem(url: str) -> str | None:
    """Whether ``url`` can work at all: a supported scheme, its driver, a writable path."""
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        try:
            import psycopg  # noqa: F401  (only whether the driver is there)
        except ImportError:
            return ("the PostgreSQL driver is not installed: "
                    "pip install 'gridtwin[postgres]'")
        return None
    if not url.startswith(_SQLITE):
        scheme = url.split("://", 1)[0]
        return f"unsupported database {scheme}://: give a SQLite path or a postgresql:// URL"
    return _sqlite_path_problem(url[len(_SQLITE):])


def _sqlite_path_problem(path_text: str) -> str | None:
    if path_text in ("", ":memory:"):
        return None
    path = Path(path_text)
    if path.is_dir():
        return f"database path {path} is a directory: give a file name"
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            return f"database {path} is not writable"
        return None
    parent = path.parent
    if not parent.is_dir():
        return f"cannot create database {path}: directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create database {path}: directory {parent} is not writable"
    return None


def describe_database_error(url: str, exc: BaseException) -> str:
    """One line for a failure while opening or migrating the database: what went wrong
    and, when the driver's text says which failure it is, what to do about it."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split()) or type(cause).__name__
    advice = _postgres_advice(url, text) if url.startswith("postgresql") else None
    if advice is not None:
        return f"cannot open database {redact(url)}: {advice}"
    if len(text) > 200:
        text = text[:197] + "..."
    return f"cannot open database {redact(url)}: {text}"


# Driver texts (lower case) of a server that cannot be reached, and what each means.
_UNREACHABLE = (
    ("connection refused", "connection refused"),
    ("timeout expired", "no answer (timed out)"),
    ("failed to resolve host", "unknown host"),
    ("could not translate host name", "unknown host"),
    ("no route to host", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("no such file or directory", "no server socket"),
)


def _postgres_advice(url: str, text: str) -> str | None:
    """The failure and its fix for the libpq failures a first start meets, or None.

    libpq gives connection failures no SQLSTATE, so the driver's text is all there is.
    Commands are built from the URL's parts; the password is never part of them."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parts = make_url(url)
    except (ArgumentError, ValueError):
        return None
    port = parts.port or 5432
    place = f"{parts.host}:{port}" if parts.host else f"the local socket (port {port})"
    options = [*(["-h", parts.host] if parts.host else []), "-p", str(port)]
    missing = re.search(r'database "([^"]+)" does not exist', text)
    if missing:
        command = ["createdb", *options, *(["-U", parts.username] if parts.username else []),
                   missing[1]]
        return (f'database "{missing[1]}" does not exist on {place}: '
                f"create it: {shlex.join(command)}")
    role = re.search(r'role "([^"]+)" does not exist', text)
    if role:
        return (f'user "{role[1]}" does not exist on {place}: name an existing user in the '
                f"URL, or create it: {shlex.join(['createuser', *options, role[1]])}")
    lowered = text.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return f"{place} refused the login: check the user and password in the URL"
    for needle, reason in _UNREACHABLE:
        if needle in lowered:
            return (f"{reason} at {place}: start PostgreSQL there, or check the host and port "
                    "in the URL, or omit --db (and GRIDTWIN_DB) for the embedded SQLite default")
    return None


def port_problem(host: str, port: int) -> str | None:
    """Whether ``host:port`` can be listened on (as uvicorn will, SO_REUSEADDR set)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"port {port} on {host} is already in use "
                        f"(another gridtwin?): stop it or pass --port")
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None
