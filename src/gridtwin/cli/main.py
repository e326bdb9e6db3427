"""``gridtwin``: serve the API, mint tokens, work with tariffs.

Exit codes: 0 ok, 1 refused, 2 usage.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from typer._click import Command, Context, HelpFormatter  # typer's vendored click
from typer.core import TyperCommand, TyperGroup

from gridtwin import __version__
from gridtwin.cli import remote
from gridtwin.cli import tariff as tariff_cli
from gridtwin.services.emulator.presets import DESCRIPTIONS, PRESETS

if TYPE_CHECKING:
    from gridtwin.core.settings import Settings
    from gridtwin.domain.site import SiteSpec
    from gridtwin.services.world import World

# Commands whose modules pull in the simulation stack (numba, pvlib, pandas): imported
# only when the command runs, so --help and the remote commands start fast.
_LAZY_COMMANDS = {"simulate": ("gridtwin.cli.simulate", "simulate"),
                  "fleet": ("gridtwin.cli.fleet", "fleet")}


def _lazy_summary(module: str, function: str) -> str:
    """The first docstring line of ``module.function``, read from source, not imported."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ""
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return (ast.get_docstring(node) or "").split("\n")[0]
    return ""


class _LazyGroup(TyperGroup):
    """A root group that lists lazy commands by their docstring and imports them on use."""

    _listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *_LAZY_COMMANDS]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in _LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, function = _LAZY_COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(cmd_name, help=_lazy_summary(module, function))
        single = typer.Typer()
        single.command(cmd_name)(getattr(importlib.import_module(module), function))
        command = typer.main.get_command(single)
        command.name = cmd_name
        return command

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=_LazyGroup, no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  epilog="Environment: GRIDTWIN_URL and GRIDTWIN_TOKEN for the remote commands; "
                         "GRIDTWIN_DB, GRIDTWIN_SEED, ... for serve (see serve --help).")
token_app = typer.Typer(help="Access tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(tariff_cli.app, name="tariff")
remote.register(app, tariff_cli.app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"gridtwin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """gridtwin: the Tesla Fleet API energy endpoints over simulated sites."""


err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    """One line on stderr (no markup, no wrapping) and the exit code."""
    message = " ".join(message.split())  # YAML and driver errors span several lines
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _checked(settings: Settings) -> Settings:
    """``settings`` with its database URL normalised; exit when it cannot work."""
    from dataclasses import replace

    from gridtwin.cli.startup import database_problem, normalize_db_url

    settings = replace(settings, db_url=normalize_db_url(settings.db_url))
    problem = database_problem(settings.db_url)
    if problem is not None:
        raise _fail(problem)
    return settings


def _open_world(settings: Settings, *, configure: bool = False) -> World:
    """Open (and migrate) the database, or exit with one line saying why it failed."""
    from sqlalchemy.exc import SQLAlchemyError

    from gridtwin.cli.startup import describe_database_error
    from gridtwin.services.world import open_world

    try:
        return open_world(settings, configure=configure)
    except (SQLAlchemyError, OSError) as exc:
        raise _fail(describe_database_error(settings.db_url, exc)) from None


_ENV_ONLY = ("GRIDTWIN_JWT_SECRET", "GRIDTWIN_CLOCK_START", "GRIDTWIN_CLOCK_MODE",
             "GRIDTWIN_SHARED_CLOCK")


_PRESET_LINES = "\n\n".join(f"{name}: {text}" for name, text in DESCRIPTIONS.items())


@app.command(epilog="Presets for --preset:\n\n" + _PRESET_LINES
             + "\n\nAlso read from the environment: " + ", ".join(_ENV_ONLY) + ".")
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="TCP port."),
    db: str = typer.Option(None, envvar="GRIDTWIN_DB",
                           help="SQLite path or postgresql:// URL [default: ./gridtwin.db]."),
    seed: int = typer.Option(None, envvar="GRIDTWIN_SEED",
                             help="Seed for generated ids and simulated noise [default: 0]."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (PostgreSQL for more than one)."),
    scenario: Path = typer.Option(None, dir_okay=False,
                                  help="Load this scenario (YAML/JSON), replacing the world."),
    preset: str = typer.Option(None, help="Load a named preset (listed below), replacing "
                                          "the world."),
    rate_limits: str = typer.Option(None, envvar="GRIDTWIN_RATE_LIMITS",
                                    help="Rate-limit preset: off, fleet (= realistic), strict "
                                         "[default: off]."),
    public_url: str = typer.Option(None, envvar="GRIDTWIN_PUBLIC_URL",
                                   help="URL clients use; the tokens' iss/aud "
                                        "[default: http://HOST:PORT]."),
    no_admin: bool = typer.Option(False, "--no-admin", envvar="GRIDTWIN_NO_ADMIN",
                                  help="Remove the /_gridtwin control plane."),
    admin_token: str = typer.Option(None, envvar="GRIDTWIN_ADMIN_TOKEN",
                                    help="Control-plane token [default: generated, kept in the db]."),
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="No request log and no progress bar (the banner stays)."),
) -> None:
    """Serve the emulated Fleet API. A new database gets the demo user and site."""
    from gridtwin.cli.startup import port_problem
    from gridtwin.cli.warmup import warm_up
    from gridtwin.core.errors import GridtwinError
    from gridtwin.core.settings import Settings, export_to_env
    from gridtwin.services.emulator.presets import preset as preset_doc
    from gridtwin.services.emulator.ratelimit import PRESETS as RATE_PRESETS
    from gridtwin.services.emulator.scenario import (
        apply_scenario,
        parse_document,
        validate_scenario,
    )
    from gridtwin.services.provision import ensure_demo

    # A wildcard bind is reached through loopback on this machine.
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = (public_url or f"http://{shown_host}:{port}").rstrip("/")
    if rate_limits is not None and rate_limits not in RATE_PRESETS:
        err.print(f"--rate-limits must be one of {', '.join(RATE_PRESETS)}")
        raise typer.Exit(2)
    if preset is not None and preset not in PRESETS:
        err.print(f"--preset must be one of {', '.join(sorted(PRESETS))}")
        raise typer.Exit(2)
    # Workers share one simulated clock through the database.
    settings = Settings.from_env(db_url=db, public_base_url=base, seed=seed,
                                 shared_clock=True if workers > 1 else None,
                                 rate_limits=rate_limits, admin_token=admin_token,
                                 enable_admin=False if no_admin else None)
    settings = _checked(settings)
    if workers > 1 and not settings.db_url.startswith("postgresql"):
        err.print("several workers need PostgreSQL: --db postgresql://...")
        raise typer.Exit(2)
    # Before anything is created or printed: a busy port would otherwise show a token
    # and a curl for the *other* server.
    problem = port_problem(host, port)
    if problem is not None:
        raise _fail(problem)
    # The scenario is read and checked whole before the database is created or opened:
    # a refused one leaves no file behind.
    plan = None
    try:
        if scenario is not None:
            plan = validate_scenario(parse_document(scenario.read_bytes()))
        elif preset is not None:
            plan = validate_scenario(preset_doc(preset, settings.seed))
    except OSError as exc:
        raise _fail(f"cannot read {scenario}: {exc.strerror or exc}", 2) from None
    except GridtwinError as exc:
        raise _fail(f"{scenario or preset}: {exc.message}", 2) from None
    world = _open_world(settings, configure=True)
    if plan is not None:
        try:
            loaded = apply_scenario(world, plan)
        except GridtwinError as exc:
            world.store.dispose()
            raise _fail(f"{scenario or preset}: {exc.message}", 2) from None
        err.print(f"loaded {scenario or preset}: sites {loaded['sites']}")
    created = ensure_demo(world)
    what = ("simulating the demo site's first year" if created and plan is None
            else "catching the simulation up to now")
    warm_up(world, Console(stderr=True, quiet=quiet), what)
    banner = _banner(world, base, created)
    world.store.dispose()
    export_to_env(settings)
    _run_server("gridtwin.asgi:app" if quiet else "gridtwin.asgi:logged_app", factory=not quiet,
                host=host, port=port, workers=workers, log_config=_log_config(quiet),
                on_started=banner)


def _run_server(app: str, *, factory: bool, host: str, port: int, workers: int,
                log_config: dict[str, Any], on_started: Callable[[], None]) -> None:
    """Run uvicorn; ``on_started`` runs once it listens (one worker), so the printed curl
    answers at once. With several workers the supervisor binds before forking: print first."""
    import inspect

    import uvicorn

    from gridtwin.cli.workers import WORKER_HEALTHCHECK_S
    from gridtwin.core.settings import KEEP_ALIVE_S

    # Requests the HTTP parser refuses get the envelope too (api/protocol.py).
    options: dict[str, Any] = {"factory": factory, "host": host, "port": port,
                               "log_config": log_config,
                               "http": "gridtwin.api.protocol:WireHttpTools",
                               "timeout_keep_alive": KEEP_ALIVE_S}
    if workers > 1:
        # Workers import the app before answering their first health ping (cli/workers.py).
        if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
            options["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK_S
        else:
            err.print(f"uvicorn {uvicorn.__version__} has no worker health-check timeout: "
                      "on a slow machine workers may be restarted before they start")
        on_started()
        uvicorn.run(app, workers=workers, **options)
        return
    server = uvicorn.Server(uvicorn.Config(app, **options))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            on_started()

    threading.Thread(target=announce, name="gridtwin-banner", daemon=True).start()
    server.run()


def _banner(world: World, base: str, created: SiteSpec | None) -> Callable[[], None]:
    """Mint the token now (the store is open); print later: token and curl on stdout
    (scripts read them), the rest on stderr."""
    from gridtwin.services.auth import ALL_ENERGY_SCOPES, ensure_user, mint_access_token
    from gridtwin.services.provision import DEMO_USER

    with world.store.peek() as tx:
        first = tx.site_page(None, 1)
        demo_sites = tx.site_ids(DEMO_USER)
    # The token is for the demo user, or the owner of the first site of a scenario.
    user = DEMO_USER if demo_sites or not first else first[0].user_id
    ensure_user(world, user)
    with world.store.peek() as tx:
        sites = tx.site_ids(user)
    token = mint_access_token(world, user, ALL_ENERGY_SCOPES, name="serve").access_token
    path = (f"/api/1/energy_sites/{sites[0]}/live_status" if sites
            else "/api/1/products")
    database = _redacted(world.settings.db_url)
    # The database keeps only a hash: a token not given is generated at each start.
    admin = (world.admin_token or world.rotate_admin_token()) if world.settings.enable_admin else None

    def show() -> None:
        say = _say
        say(f"gridtwin {__version__} on {base}  (database {database})")
        if created:
            say(f"created demo site {created.energy_site_id} for user '{DEMO_USER}'")
        say(f"token for user '{user}' (8 h):")
        print(token, flush=True)
        say("first call:")
        print(f"curl -H 'Authorization: Bearer {token}' {base}{path}", flush=True)
        say(f"dashboard: {base}/")
        say("for the gridtwin CLI and SDK:")
        say(f"export GRIDTWIN_URL={base} GRIDTWIN_TOKEN={token}")
        if admin is not None:
            say(f"control plane: {base}/_gridtwin/  admin token: {admin}")

    return show


def _say(text: str) -> None:
    err.print(text, markup=False, highlight=False, soft_wrap=True)


def _redacted(url: str) -> str:
    from gridtwin.cli.startup import redact

    return redact(url)


REQUEST_LOGGER = "gridtwin.request"
"""gridtwin.api.requestlog.LOGGER_NAME (the CLI may not import the api layer)."""


def _log_config(quiet: bool) -> dict[str, Any]:
    """uvicorn's logging, plus the request log on stderr at INFO unless ``quiet``."""
    from uvicorn.config import LOGGING_CONFIG

    from gridtwin.cli.workers import log_config

    # Worker deaths and restarts are reported (cli/workers.py), the access log is off.
    config: dict[str, Any] = log_config(LOGGING_CONFIG)
    config["formatters"]["request"] = {"format": "%(asctime)s %(message)s", "datefmt": "%H:%M:%S"}
    config["handlers"]["request"] = {"formatter": "request", "class": "logging.StreamHandler",
                                     "stream": "ext://sys.stderr"}
    config["loggers"][REQUEST_LOGGER] = {"handlers": ["request"], "propagate": False,
                                      "level": "WARNING" if quiet else "INFO"}
    return config


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., help="User name; created (without sites) if missing."),
    db: str = typer.Option(None, help="SQLite path or postgresql:// URL [default: ./gridtwin.db]."),
    scopes: str = typer.Option(None, help="Comma-separated scopes [default: all energy scopes]."),
    ttl: int = typer.Option(28_800, help="Lifetime in seconds."),
    region: str = typer.Option("NA", help="Region of a new user: NA, EU or CN."),
) -> None:
    """Print a new access token (and nothing else) on stdout."""
    from gridtwin.core.errors import InvalidField
    from gridtwin.core.settings import Settings
    from gridtwin.services.auth import ALL_ENERGY_SCOPES
    from gridtwin.services.emulator.tokens import mint_token

    if region not in ("NA", "EU", "CN"):
        err.print("region must be NA, EU or CN")
        raise typer.Exit(2)
    if ttl <= 0 or ttl > 10 * 366 * 86_400:
        err.print("ttl must be between 1 second and 10 years")
        raise typer.Exit(2)
    world = _open_world(_checked(Settings.from_env(db_url=db)))
    scope_list = (list(ALL_ENERGY_SCOPES) if scopes is None
                  else [s.strip() for s in scopes.split(",") if s.strip()])
    try:
        minted = mint_token(world, {"user": user, "scopes": scope_list, "ttl_s": ttl,
                                    "region": region, "name": "cli"})
    except InvalidField as exc:
        err.print(exc.message, markup=False, highlight=False)
        raise typer.Exit(2) from None
    finally:
        world.store.dispose()
    print(minted["access_token"])


if __name__ == "__main__":
    app()
