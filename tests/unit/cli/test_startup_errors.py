"""Each start-up failure of ``serve`` / ``token create`` is one short message on stderr
(at most 3 lines, no traceback) and a non-zero exit, before anything is created."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from gridtwin.cli.main import app
from gridtwin.cli.startup import describe_database_error, normalize_db_url, redact

pytestmark = pytest.mark.timeout(120)

PG_URL = os.environ.get("GRIDTWIN_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("GRIDTWIN_") and name != "GRIDTWIN_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _run(*argv: str) -> Result:
    return CliRunner().invoke(app, list(argv), env={"COLUMNS": "80"})


def _short_failure(result: Result, *needles: str) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == "", "nothing goes to stdout on a failure"
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def _pg_available() -> bool:
    if PG_URL is None:
        return False
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:
        return False
    return True


def _closed_port() -> int:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        return int(closed.getsockname()[1])


def test_postgres_without_the_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    result = _run("serve", "--db", "postgresql://u@127.0.0.1:5432/x", "--port", "0")
    _short_failure(result, "pip install 'gridtwin[postgres]'")
    result = _run("token", "create", "--user", "u", "--db", "postgres://u@127.0.0.1:5432/x")
    _short_failure(result, "pip install 'gridtwin[postgres]'")


def test_unreachable_database_is_one_line_with_the_password_hidden() -> None:
    pytest.importorskip("psycopg")
    port = _closed_port()
    result = _run("token", "create", "--user", "u",
                  "--db", f"postgresql://u:secret@127.0.0.1:{port}/x")
    text = _short_failure(result, "cannot open database", "refused")
    assert "secret" not in text


def test_unreachable_server_says_what_to_do() -> None:
    pytest.importorskip("psycopg")
    port = _closed_port()
    result = _run("serve", "--port", "0", "--db", f"postgresql://postgres:secret@127.0.0.1:{port}/x")
    text = _short_failure(result, "connection refused", "start PostgreSQL there",
                          f"127.0.0.1:{port}", "check the host and port in the URL",
                          "omit --db (and GRIDTWIN_DB) for the embedded SQLite default")
    assert "secret" not in text


def test_missing_database_fix_is_built_from_the_url_without_the_password() -> None:
    class OperationalError(Exception):  # the driver's own text, as psycopg words it
        pass

    missing = OperationalError('connection failed: connection to server at "10.0.0.7", port '
                               '6543 failed: FATAL:  database "shop floor" does not exist')
    text = describe_database_error("postgresql://ops:topsecret@10.0.0.7:6543/shop floor", missing)
    assert text == ("cannot open database postgresql://ops:***@10.0.0.7:6543/shop floor: "
                    'database "shop floor" does not exist on 10.0.0.7:6543: '
                    "create it: createdb -h 10.0.0.7 -p 6543 -U ops 'shop floor'")
    role = OperationalError('connection failed: connection to server at "db", port 5432 '
                            'failed: FATAL:  role "nobody" does not exist')
    assert describe_database_error("postgresql://nobody@db/x", role).endswith(
        "create it: createuser -h db -p 5432 nobody")
    unknown = OperationalError("something else entirely")
    assert describe_database_error("postgresql://u:pw@db/x", unknown) == (
        "cannot open database postgresql://u:***@db/x: something else entirely")


def test_postgres_scheme_is_an_alias_of_postgresql() -> None:
    assert normalize_db_url("postgres://u@h/db") == "postgresql://u@h/db"
    assert normalize_db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    if not _pg_available():
        pytest.skip("PostgreSQL not reachable at GRIDTWIN_TEST_POSTGRES_URL: alias not run end to end")
    assert PG_URL is not None
    from gridtwin.testing import postgres_database

    with postgres_database(PG_URL) as fresh:
        alias = "postgres://" + fresh.split("://", 1)[1]
        result = _run("token", "create", "--user", "alias-user", "--db", alias)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().count(".") == 2


def test_missing_postgres_database_is_one_line() -> None:
    if not _pg_available():
        pytest.skip("PostgreSQL not reachable at GRIDTWIN_TEST_POSTGRES_URL")
    assert PG_URL is not None
    from sqlalchemy.engine import make_url

    missing = PG_URL.rsplit("/", 1)[0] + "/gridtwin_no_such_database"
    result = _run("token", "create", "--user", "u", "--db", missing)
    _short_failure(result, "cannot open database", "does not exist")
    parts = make_url(missing)
    createdb = (f"createdb -h {parts.host} -p {parts.port or 5432}"
                + (f" -U {parts.username}" if parts.username else "")
                + " gridtwin_no_such_database")
    result = _run("serve", "--port", "0", "--db", missing)
    text = _short_failure(result, 'database "gridtwin_no_such_database" does not exist',
                          f"create it: {createdb}")
    if parts.password:
        assert parts.password not in text


@pytest.mark.parametrize("case", ["missing_dir", "directory", "read_only"])
def test_bad_sqlite_path_is_one_line(tmp_path: Path, case: str) -> None:
    if case == "missing_dir":
        db, needle = tmp_path / "nope" / "x.db", "does not exist"
    elif case == "directory":
        db, needle = tmp_path, "is a directory"
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write a read-only directory")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        db, needle = locked / "x.db", "not writable"
    result = _run("serve", "--db", str(db), "--port", "0")
    _short_failure(result, needle)
    assert not (tmp_path / "nope").exists()


def test_busy_port_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        db = tmp_path / "fresh.db"
        result = _run("serve", "--db", str(db), "--port", str(port))
        _short_failure(result, f"port {port}", "already in use")
    assert not db.exists(), "the database must not be created when the port is taken"


def test_bad_scenario_prints_only_the_message_with_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "sites": 3}', encoding="utf-8")
    result = _run("serve", "--db", str(tmp_path / "s.db"), "--port", "0", "--scenario", str(bad))
    _short_failure(result, str(bad), "sites")
    result = _run("serve", "--db", str(tmp_path / "s.db"), "--port", "0",
                  "--scenario", str(tmp_path / "absent.yaml"))
    _short_failure(result, "cannot read", "absent.yaml")
    unparsable = tmp_path / "broken.yaml"
    unparsable.write_text("sites: [\n", encoding="utf-8")
    result = _run("serve", "--db", str(tmp_path / "s.db"), "--port", "0",
                  "--scenario", str(unparsable))
    _short_failure(result, "broken.yaml")


def test_bad_scenario_is_refused_before_the_database_is_created(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsites:\n  - time_zone: UTC\n    batteries: [{count: 2}]\n",
                   encoding="utf-8")
    db = tmp_path / "new.db"
    result = _run("serve", "--scenario", str(bad), "--db", str(db), "--port", "0")
    _short_failure(result, "bad.yaml", "sites[0].batteries[0].model")
    assert result.exit_code == 2
    assert not db.exists(), "a refused scenario must not leave a database behind"


def test_unquoted_yaml_dates_are_read_as_the_text_they_show(tmp_path: Path) -> None:
    """YAML would make ``2025-01-01`` a date, which JSON has not: it stays text, and a
    date in the wrong place is one line naming the field, not a traceback."""
    dated = tmp_path / "dated.yaml"
    dated.write_text("version: 1\nclock: {start: 2025-01-01, mode: frozen}\n"
                     "sites:\n  - time_zone: UTC\n    installation_date: 2025-02-01\n",
                     encoding="utf-8")
    db = tmp_path / "dated.db"
    result = _run("serve", "--scenario", str(dated), "--db", str(db), "--port", "0")
    _short_failure(result, "dated.yaml: sites[0].installation_date: must be from 2000-01-01")
    assert not db.exists()
