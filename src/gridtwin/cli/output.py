"""What the CLI prints: JSON for scripts, Rich for people, errors on stderr with the
exit codes of the whole CLI (0 ok, 1 refused by the server, 2 usage)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from gridtwin.client import APIStatusError

__all__ = ["EXIT_REFUSED", "EXIT_USAGE", "err", "kw", "kwh", "out", "print_json", "refusals",
           "usage_error"]

EXIT_REFUSED = 1
EXIT_USAGE = 2

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """One JSON document on stdout, nothing else (for scripts)."""
    typer.echo(json.dumps(data, ensure_ascii=False, sort_keys=False))


def usage_error(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(EXIT_USAGE)


def _describe(exc: APIStatusError) -> str:
    text = f"the server refused: HTTP {exc.status_code}"
    if exc.code:
        text += f" {exc.code}"
    if exc.description:
        text += f": {exc.description}"
    return text


@contextmanager
def refusals() -> Iterator[None]:
    """Turn SDK errors into a message on stderr and exit code 1."""
    from gridtwin.client import APIConnectionError, APIStatusError, GridtwinClientError

    try:
        yield
    except APIStatusError as exc:
        err.print(_describe(exc), markup=False, soft_wrap=True)
        for path, problems in exc.messages.items():
            for problem in problems:
                if f"{path}: {problem}" != exc.description:
                    err.print(f"  {path}: {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except APIConnectionError as exc:
        err.print(f"cannot reach {exc.request.url.copy_with(path='/', query=None)}: {exc}",
                  markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except GridtwinClientError as exc:
        err.print(str(exc), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None


def kw(power_w: float) -> str:
    """Power for display: W below 1 kW, else kW with 2 decimals."""
    if abs(power_w) < 1000:
        return f"{power_w:,.0f} W"
    return f"{power_w / 1000:,.2f} kW"


def kwh(energy_wh: float) -> str:
    return f"{energy_wh / 1000:,.1f}"
