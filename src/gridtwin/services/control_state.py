"""The control-plane state every worker shares through the database: the JWT secret, the
seed, the admin token's hash, fault rules and rate limits, with this worker's cache of the
tokens it has verified.

Each worker keeps a copy and reloads it when the ``control`` version in ``meta`` changes;
every change here bumps that version in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gridtwin.domain.principal import Principal
from gridtwin.services.emulator.faults import FaultBook
from gridtwin.services.emulator.ratelimit import RateLimiter
from gridtwin.store import control
from gridtwin.store.repository import Store, Tx

__all__ = ["CONTROL_KEYS", "ControlState", "sha256_hex"]

CONTROL_KEYS = ("control", "jwt_secret", "seed", "admin_token_sha256")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ControlState:
    """This worker's copy of the shared control state (see the module docstring)."""

    store: Store
    faults: FaultBook
    limits: RateLimiter
    admin_token: str | None = None
    """The admin token in plain text when this process knows it; the database keeps only
    its hash."""
    verified_tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    jwt_secret: str = ""
    seed: int = 0
    admin_sha256: str = ""
    version: str | None = None

    def load(self, tx: Tx) -> None:
        """Adopt the stored state: secret, seed, admin hash, faults, rate limits."""
        values = control.read_meta(tx, CONTROL_KEYS)
        self.jwt_secret = values.get("jwt_secret", self.jwt_secret)
        self.seed = int(values.get("seed", self.seed))
        self.admin_sha256 = values.get("admin_token_sha256", self.admin_sha256)
        self.faults.load(tx)
        self.limits.load(tx)
        self.version = values.get("control")
        self.verified_tokens.clear()  # tokens may have been revoked or the world replaced

    def reload(self) -> None:
        with self.store.tx() as tx:
            self.load(tx)

    def changed(self, tx: Tx | None, write: Callable[[Tx], Any]) -> None:
        """Run ``write(tx)`` and bump the control version, in ``tx`` or a transaction of its own."""
        if tx is None:
            with self.store.tx() as own:
                self.changed(own, write)
            return
        write(tx)
        control.bump_control(tx)
        self.version = None  # reload at the next check, also if ``tx`` rolls back

    def set_seed(self, seed: int, tx: Tx | None = None) -> None:
        self.changed(tx, lambda t: t.set_meta("seed", str(int(seed))))
        self.seed = int(seed)

    def set_jwt_secret(self, secret: str, tx: Tx | None = None) -> None:
        """A new signing secret: tokens signed with the old one stop verifying everywhere."""
        self.changed(tx, lambda t: t.set_meta("jwt_secret", secret))
        self.jwt_secret = secret
        self.verified_tokens.clear()

    def admin_token_ok(self, given: str) -> bool:
        """Whether ``given`` is the admin token (compared by hash, in constant time)."""
        return bool(given) and hmac.compare_digest(sha256_hex(given), self.admin_sha256)

    def rotate_admin_token(self) -> str:
        """A fresh admin token (printed once by ``serve``); only its hash is stored."""
        token = secrets.token_hex(16)
        self.changed(None, lambda t: t.set_meta("admin_token_sha256", sha256_hex(token)))
        self.admin_sha256, self.admin_token = sha256_hex(token), token
        return token

    def tokens_revoked(self, tx: Tx | None = None) -> None:
        """A token was revoked: every worker re-verifies the tokens it trusted."""
        self.changed(tx, lambda t: None)
        self.verified_tokens.clear()

    def txid(self, seq: int) -> str:
        """32 hex chars, a hash of the seed and a request sequence number (emulator §4)."""
        return hashlib.blake2b(f"txid:{self.seed}:{seq}".encode(), digest_size=16).hexdigest()
