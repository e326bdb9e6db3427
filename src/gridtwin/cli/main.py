"""``gridtwin``: serve the API, mint tokens, work with tariffs.

Exit codes: 0 ok, 1 refused, 2 usage.
"""

from __future__ import annotations

import typer
from rich.console import Console

from gridtwin.cli import tariff as tariff_cli
from gridtwin.cli.local import open_local
from gridtwin.core.settings import Settings, export_to_env
from gridtwin.services.auth import ALL_ENERGY_SCOPES, ensure_user, mint_access_token
from gridtwin.services.provision import DEMO_USER, ensure_demo

app = typer.Typer(help="gridtwin: the Tesla Fleet API energy endpoints over simulated sites.",
                  no_args_is_help=True)
token_app = typer.Typer(help="Access tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(tariff_cli.app, name="tariff")

err = Console(stderr=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="TCP port."),
    db: str = typer.Option(None, help="SQLite path or postgresql:// URL [default: ./gridtwin.db]."),
    seed: int = typer.Option(0, help="Seed for generated ids and simulated noise."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (PostgreSQL for more than one)."),
    quiet: bool = typer.Option(False, help="Do not print the demo token and curl."),
) -> None:
    """Serve the emulated Fleet API. A new database gets the demo user and site."""
    base = f"http://{host}:{port}"
    # Workers share one simulated clock through the database.
    settings = Settings.from_env(db_url=db, public_base_url=base, seed=seed,
                                 shared_clock=True if workers > 1 else None)
    world = open_local(settings)
    created = ensure_demo(world)
    if not quiet:
        ensure_user(world, DEMO_USER)  # an existing database may hold only other users
        with world.store.tx() as tx:
            sites = tx.list_sites(DEMO_USER)
        token = mint_access_token(world, DEMO_USER, ALL_ENERGY_SCOPES, name="serve").access_token
        err.print(f"[bold]gridtwin[/] on {base}  (database {settings.db_url})")
        if created:
            err.print(f"created demo site {created.energy_site_id} for user '{DEMO_USER}'")
        err.print("token for user 'demo' (8 h):")
        print(token, flush=True)
        path = (f"/api/1/energy_sites/{sites[0].energy_site_id}/live_status" if sites
                else "/api/1/products")
        err.print("first call:")
        print(f"curl -H 'Authorization: Bearer {token}' {base}{path}", flush=True)
    world.store.dispose()
    export_to_env(settings)
    import uvicorn

    uvicorn.run("gridtwin.asgi:app", host=host, port=port, workers=workers, log_level="warning")


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., help="User name; created (without sites) if missing."),
    db: str = typer.Option(None, help="SQLite path or postgresql:// URL [default: ./gridtwin.db]."),
    scopes: str = typer.Option(",".join(ALL_ENERGY_SCOPES), help="Comma-separated scopes."),
    ttl: int = typer.Option(28_800, help="Lifetime in seconds."),
    region: str = typer.Option("NA", help="Region of a new user: NA, EU or CN."),
) -> None:
    """Print a new access token (and nothing else) on stdout."""
    if region not in ("NA", "EU", "CN"):
        err.print("region must be NA, EU or CN")
        raise typer.Exit(2)
    if ttl <= 0 or ttl > 10 * 366 * 86_400:
        err.print("ttl must be between 1 second and 10 years")
        raise typer.Exit(2)
    world = open_local(Settings.from_env(db_url=db))
    ensure_user(world, user, region)
    scope_list = [s.strip() for s in scopes.split(",") if s.strip()]
    print(mint_access_token(world, user, scope_list, ttl, name="cli").access_token)
    world.store.dispose()


if __name__ == "__main__":
    app()
