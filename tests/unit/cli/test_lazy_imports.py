"""``gridtwin --help``, ``tariff`` and the remote commands must not load the simulation
stack or the server: they run in a fresh interpreter and report what was imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)

HEAVY = ("numba", "pvlib", "pandas", "scipy", "matplotlib", "sqlalchemy", "fastapi",
         "uvicorn", "gridtwin.api", "gridtwin.sim", "gridtwin.services.world",
         "gridtwin.cli.simulate", "dask", "distributed", "pyarrow", "gridtwin.services.fleet")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "two_period_tou.json"

_PROBE = """
import sys
from gridtwin.cli.main import app
try:
    app(sys.argv[1:], prog_name="gridtwin")
except SystemExit:
    pass
heavy = {heavy!r}
print("HEAVY:" + ",".join(m for m in heavy if m in sys.modules))
"""


def _heavy_modules_after(*argv: str) -> str:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv],
                          capture_output=True, text=True, timeout=150, check=False)
    line = [text for text in done.stdout.splitlines() if text.startswith("HEAVY:")]
    assert line, done.stdout + done.stderr
    return line[-1].removeprefix("HEAVY:")


@pytest.mark.parametrize("argv", [
    ("--help",),
    ("-h",),
    ("--version",),
    ("tariff", "validate", str(EXAMPLE)),
    ("tariff", "show", str(EXAMPLE)),
    ("serve", "--help"),
    ("fleet", "--help"),
    # A remote command that fails to connect (port 9, discard) still loads the SDK.
    ("sites", "--url", "http://127.0.0.1:9", "--token", "t"),
], ids=lambda argv: " ".join(argv[:2]))
def test_light_commands_import_nothing_heavy(argv: tuple[str, ...]) -> None:
    assert _heavy_modules_after(*argv) == ""


def test_simulate_is_listed_without_importing_it_and_loads_on_use() -> None:
    from typer.testing import CliRunner

    from gridtwin.cli.main import app

    listing = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert listing.exit_code == 0
    assert "simulate" in listing.output and "Offline what-if" in listing.output
    usage = CliRunner().invoke(app, ["simulate", "--help"], env={"COLUMNS": "120"})
    assert usage.exit_code == 0 and "TOML configuration" in usage.output
    assert "fleet" in listing.output and "Fleet what-if" in listing.output


def test_remote_default_url_matches_the_sdk() -> None:
    from gridtwin.cli.remote import DEFAULT_BASE_URL
    from gridtwin.client import DEFAULT_BASE_URL as SDK_DEFAULT

    assert DEFAULT_BASE_URL == SDK_DEFAULT
