"""Access tokens (HS256 JWTs), scopes and the OAuth2 token endpoint (wire-format §4).

Auth runs on wall-clock time, never simulated time: freezing or advancing the
simulation never expires a token (§4.1).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jwt

from gridtwin.core.clock import wall_now_s, wall_time_s
from gridtwin.core.errors import (
    MissingScope,
    OAuthClientUnknown,
    OAuthError,
    TokenExpired,
    Unauthenticated,
)
from gridtwin.domain.principal import Principal
from gridtwin.services.emulator.redaction import REDACTED
from gridtwin.services.world import World
from gridtwin.store.repository import Tx

__all__ = [
    "ALL_ENERGY_SCOPES",
    "ENERGY_CMDS",
    "ENERGY_DATA",
    "VEHICLE_DATA",
    "Principal",
    "ensure_user",
    "mint_access_token",
    "oauth_token",
    "register_client",
    "require_scope",
    "verify_access_token",
]

ENERGY_DATA = "energy_device_data"
ENERGY_CMDS = "energy_cmds"
VEHICLE_DATA = "vehicle_device_data"
ALL_ENERGY_SCOPES: tuple[str, ...] = ("openid", "offline_access", ENERGY_DATA, ENERGY_CMDS)
REGIONS = ("NA", "EU", "CN")


@dataclass(frozen=True)
class MintedToken:
    access_token: str
    jti: str
    expires_s: int
    scopes: tuple[str, ...]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ensure_user(world: World, user_id: str, region: str = "NA") -> None:
    with world.store.tx() as tx:
        if tx.get_user(user_id) is None:
            tx.insert_user(user_id, region, wall_now_s())


def mint_access_token(
    world: World,
    user_id: str,
    scopes: Iterable[str] = ALL_ENERGY_SCOPES,
    ttl_s: int | None = None,
    *,
    name: str | None = None,
    tx: Tx | None = None,
) -> MintedToken:
    """Sign a token for an existing user and record its jti (for listing and revocation),
    in ``tx`` when given (a world load mints inside its own transaction)."""
    if tx is None:
        with world.store.tx() as own:
            return mint_access_token(world, user_id, scopes, ttl_s, name=name, tx=own)
    ttl = world.settings.access_token_ttl_s if ttl_s is None else int(ttl_s)
    scope_list = tuple(dict.fromkeys(scopes))
    now = wall_now_s()
    jti = uuid.uuid4().hex
    user = tx.get_user(user_id)
    if user is None:
        raise ValueError(f"unknown user {user_id!r}")
    tx.insert_token(jti=jti, user_id=user_id, name=name, scopes=" ".join(scope_list),
                    issued_s=now, expires_s=now + ttl)
    base = world.settings.public_base_url
    claims = {
        "iss": f"{base}/oauth2/v3", "sub": user_id, "aud": [base], "ou_code": user["region"],
        "scp": list(scope_list), "iat": now, "exp": now + ttl, "jti": jti,
    }
    token = jwt.encode(claims, world.jwt_secret, algorithm="HS256")
    return MintedToken(token, jti, now + ttl, scope_list)


VERIFIED_TTL_S = 2.0
"""How long a verified token is trusted without re-checking [s] (wall time). A revocation or
a world replacement clears the trusted tokens of every worker (control version)."""


def verify_access_token(world: World, authorization: str | None) -> Principal:
    """Principal for an ``Authorization: Bearer`` header value, or raise 401 errors."""
    if not authorization or not authorization[:7].lower() == "bearer ":
        raise Unauthenticated()
    token = authorization[7:].strip()
    now = wall_time_s()
    cached = world.verified_tokens.get(token)
    if cached is not None and now < cached[1]:
        return cached[0]
    principal, expires_s = _verify(world, token)
    if len(world.verified_tokens) > 10_000:
        world.verified_tokens.clear()
    world.verified_tokens[token] = (principal, min(now + VERIFIED_TTL_S, expires_s))
    return principal


def _verify(world: World, token: str) -> tuple[Principal, float]:
    options: jwt.types.Options = {
        "require": ["sub", "exp", "iat"], "verify_aud": world.settings.check_audience}
    try:
        claims = jwt.decode(
            token, world.jwt_secret, algorithms=["HS256"], options=options,
            audience=world.settings.public_base_url if world.settings.check_audience else None,
            leeway=world.settings.token_leeway_s,
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated() from exc
    scp = claims.get("scp")
    if not isinstance(scp, list) or not all(isinstance(x, str) for x in scp):
        raise Unauthenticated()
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise Unauthenticated()
    with world.store.peek() as tx:
        row = tx.get_token(jti)
    # A token is bound to the world it was minted in: one this world does not hold (it was
    # replaced by a scenario load, reset or import) or has revoked is refused.
    if row is None or row["revoked"]:
        raise Unauthenticated("Access token has been revoked")
    if row["user_id"] != claims["sub"]:
        raise Unauthenticated()
    principal = Principal(str(claims["sub"]), frozenset(scp), str(claims.get("ou_code", "NA")), jti)
    return principal, float(claims["exp"]) + world.settings.token_leeway_s


def require_scope(principal: Principal, *any_of: str) -> None:
    if not principal.scopes.intersection(any_of):
        raise MissingScope(any_of[0])


def register_client(
    world: World, client_id: str, client_secret: str, user_id: str, scopes: Iterable[str],
    tx: Tx | None = None,
) -> None:
    if client_secret == REDACTED:
        # A scenario read back without secrets: never let the placeholder authenticate.
        client_secret = secrets.token_urlsafe(32)
    if tx is None:
        with world.store.tx() as own:
            register_client(world, client_id, client_secret, user_id, scopes, own)
        return
    tx.insert_client(client_id, _sha256(client_secret), user_id, " ".join(scopes))


def _issue(world: World, client_id: str, user_id: str, scopes: tuple[str, ...]) -> dict[str, object]:
    minted = mint_access_token(world, user_id, scopes)
    reply: dict[str, object] = {
        "access_token": minted.access_token,
        "token_type": "Bearer",
        "expires_in": world.settings.access_token_ttl_s,
        "scope": " ".join(scopes),
    }
    if "offline_access" in scopes:
        refresh = secrets.token_urlsafe(32)
        with world.store.tx() as tx:
            tx.insert_refresh(
                token_sha256=_sha256(refresh), client_id=client_id, user_id=user_id,
                scopes=" ".join(scopes), expires_s=wall_now_s() + world.settings.refresh_token_ttl_s,
            )
        reply["refresh_token"] = refresh
    return reply


def oauth_token(world: World, form: Mapping[str, str]) -> dict[str, object]:
    """The OAuth2 token endpoint (§4.4): client_credentials and refresh_token grants."""
    grant = form.get("grant_type", "")
    client_id = form.get("client_id", "")
    if grant not in ("client_credentials", "refresh_token"):
        raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
    if not client_id:
        raise OAuthError("invalid_request", "client_id is required")
    with world.store.tx() as tx:
        client = tx.get_client(client_id)
    if client is None:
        raise OAuthClientUnknown("Unknown client")
    allowed = tuple(client["scopes"].split())
    if grant == "client_credentials":
        if _sha256(form.get("client_secret", "")) != client["secret_sha256"]:
            raise OAuthClientUnknown("Client authentication failed")
        asked = form.get("scope", "").split()
        scopes = tuple(s for s in asked if s in allowed) if asked else allowed
        return _issue(world, client_id, client["user_id"], scopes)
    refresh = form.get("refresh_token", "")
    if not refresh:
        raise OAuthError("invalid_request", "refresh_token is required")
    with world.store.tx() as tx:
        row = tx.consume_refresh(_sha256(refresh), client_id, wall_now_s())
    if row is None:
        raise OAuthError("invalid_grant", "Refresh token is unknown, used or expired")
    return _issue(world, client_id, row["user_id"], tuple(row["scopes"].split()))
