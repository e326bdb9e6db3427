"""Control-plane tokens (emulator §8) and the checks every user, client and token field gets
at the edge: lengths and ranges are refused here, never by a database column."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gridtwin.core.clock import wall_now_s
from gridtwin.core.errors import InvalidField, NotFound
from gridtwin.services.auth import ALL_ENERGY_SCOPES, REGIONS, mint_access_token
from gridtwin.services.emulator.inputs import shown_value
from gridtwin.services.world import World

__all__ = [
    "MAX_ID_CHARS",
    "MAX_TTL_S",
    "Problems",
    "check_id",
    "check_name",
    "check_region",
    "check_scopes",
    "check_ttl",
    "mint_token",
    "revoke_token",
]

MAX_ID_CHARS = 128
"""Longest user id, client id or token name (the stored columns hold 128 characters)."""
MAX_SCOPES = 32
MAX_SCOPE_CHARS = 64
MAX_TTL_S = 10 * 366 * 86_400
"""Longest token lifetime: 10 years (emulator §8)."""

Problems = Callable[[str, str], None]
"""Records a problem: (JSON path, text)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_id(add: Problems, path: str, value: Any) -> str | None:
    """A user or client id: 1-128 characters of text."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_CHARS:
        add(path, f"must be a string of 1-{MAX_ID_CHARS} characters")
        return None
    return value


def check_name(add: Problems, path: str, value: Any) -> str | None:
    """An optional token name: null or at most 128 characters of text."""
    if value is not None and (not isinstance(value, str) or len(value) > MAX_ID_CHARS):
        add(path, f"must be null or a string of at most {MAX_ID_CHARS} characters")
        return None
    return value


def check_region(add: Problems, path: str, value: Any) -> str:
    if value not in REGIONS:
        add(path, f"must be one of {', '.join(REGIONS)}")
        return "NA"
    return str(value)


def check_scopes(add: Problems, path: str, value: Any) -> list[str]:
    """A list of at most 32 scope names of 1-64 characters; null means every energy scope."""
    if value is None:
        return list(ALL_ENERGY_SCOPES)
    if (not isinstance(value, list) or len(value) > MAX_SCOPES
            or not all(isinstance(s, str) and 0 < len(s) <= MAX_SCOPE_CHARS and " " not in s
                       for s in value)):
        add(path, f"must be a list of at most {MAX_SCOPES} scope names "
                  f"(1-{MAX_SCOPE_CHARS} characters, no spaces)")
        return []
    return list(value)


def check_ttl(add: Problems, path: str, value: Any, default: int, lowest: int = 1) -> int:
    """A lifetime [s] from ``lowest`` to 10 years (a scenario may mint already-expired
    tokens, with a negative lifetime, to test clients)."""
    if value is None:
        return default
    if _is_int(value) and lowest <= value <= MAX_TTL_S and value != 0:
        return int(value)
    if lowest > 0:
        rule = f"a whole number of seconds from {lowest} to {MAX_TTL_S} (10 years)"
    else:
        rule = (f"a whole number of seconds from {lowest} to {MAX_TTL_S} (10 years), "
                "not 0 (a negative lifetime mints an expired token)")
    add(path, f"must be {rule}; got {shown_value(value)}")
    return default


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        first = next(iter(problems.items()))
        raise InvalidField(f"{first[0]}: {first[1][0]}", problems)


def mint_token(world: World, data: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /_gridtwin/tokens``: a token for ``user`` (created without sites if missing)."""
    problems: dict[str, list[str]] = {}

    def add(path: str, text: str) -> None:
        problems.setdefault(path, []).append(text)

    known = ("user", "scopes", "ttl_s", "region", "name")
    for key in data:
        if key not in known:
            add(str(key)[:64], f"unknown member; one of {', '.join(known)}")
    user = check_id(add, "user", data.get("user"))
    region = check_region(add, "region", data.get("region", "NA"))
    scopes = check_scopes(add, "scopes", data.get("scopes"))
    ttl = check_ttl(add, "ttl_s", data.get("ttl_s"), world.settings.access_token_ttl_s)
    name = check_name(add, "name", data.get("name"))
    _raise(problems)
    assert user is not None
    with world.store.tx() as tx:
        if tx.get_user(user) is None:
            tx.insert_user(user, region, wall_now_s())
        minted = mint_access_token(world, user, scopes, ttl, name=name, tx=tx)
    return {"access_token": minted.access_token, "jti": minted.jti, "expires_at": minted.expires_s}


def revoke_token(world: World, data: Mapping[str, Any]) -> str:
    """``POST /_gridtwin/tokens/revoke {jti}``: the token answers 401 from now on."""
    jti = data.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 64:
        raise InvalidField.for_field("jti", "must be a token id (1-64 characters)")
    with world.store.tx() as tx:
        if not tx.revoke_token(jti):
            raise NotFound()
        world.tokens_revoked(tx)
    return jti
