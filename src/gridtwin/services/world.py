"""The running world: settings, store, clock, secrets, per-site locks and request counter."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gridtwin.core import jsonio
from gridtwin.core.clock import SimClock
from gridtwin.core.settings import Settings
from gridtwin.domain.principal import Principal
from gridtwin.services.emulator.faults import FaultBook
from gridtwin.services.emulator.journal import Journal
from gridtwin.services.emulator.ratelimit import RateLimiter
from gridtwin.store.repository import Store, Tx

__all__ = ["World", "open_world"]


@dataclass
class World:
    settings: Settings
    store: Store
    clock: SimClock
    jwt_secret: str
    seed: int
    admin_token: str
    faults: FaultBook
    journal: Journal = field(default_factory=Journal)
    limits: RateLimiter = field(default_factory=RateLimiter)
    verified_tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    view_cache: dict[int, tuple[int, str, Any]] = field(default_factory=dict)
    """site id -> (version, owner, SiteView) of the last view computed."""

    def forget_views(self, site_ids: set[int]) -> None:
        for site_id in site_ids:
            self.view_cache.pop(site_id, None)

    def forget_caches(self) -> None:
        """Drop every cached view and token (the world was replaced)."""
        self.view_cache.clear()
        self.verified_tokens.clear()
    _locks: dict[int, threading.Lock] = field(default_factory=dict)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0
    _seq_guard: threading.Lock = field(default_factory=threading.Lock)
    _clock_text: str | None = None

    def site_lock(self, site_id: int) -> threading.Lock:
        """One lock per site: two requests never simulate or write one site at once."""
        with self._locks_guard:
            return self._locks.setdefault(site_id, threading.Lock())

    @contextmanager
    def site_tx(self, site_id: int) -> Iterator[Tx]:
        """A transaction holding the site's lock in this process and in the database, so
        no two requests or workers simulate or write one site at once."""
        with self.site_lock(site_id), self.store.tx() as tx:
            tx.lock_site(site_id)
            yield tx

    def request_seq(self) -> int:
        """The next request sequence number (faults and txids are keyed by it)."""
        with self._seq_guard:
            self._seq += 1
            return self._seq

    def txid(self, seq: int) -> str:
        """32 hex chars, a hash of the seed and the request sequence number (emulator §4)."""
        return hashlib.blake2b(f"txid:{self.seed}:{seq}".encode(), digest_size=16).hexdigest()

    def now_s(self) -> int:
        if self.settings.shared_clock:
            self.sync_clock()
        return self.clock.now_s()

    def save_clock(self) -> None:
        """Persist the clock so restarts and other workers continue from it."""
        text = jsonio.dumps(self.clock.snapshot())
        with self.store.tx() as tx:
            tx.set_meta("clock", text)
        self._clock_text = text

    def sync_clock(self) -> None:
        """Adopt a clock change another worker saved."""
        with self.store.peek() as tx:
            text = tx.get_meta("clock")
        self.adopt_clock(text)

    def adopt_clock(self, text: str | None) -> None:
        """Adopt the saved clock ``text`` if it differs from the one in use."""
        if text is not None and text != self._clock_text:
            self.clock.restore(jsonio.loads(text, decimals=False))
            self._clock_text = text


def open_world(settings: Settings) -> World:
    """Open the store (migrating it), load or create the JWT secret and the clock."""
    store = Store(settings.db_url)
    with store.tx() as tx:
        secret = settings.jwt_secret or tx.get_meta("jwt_secret")
        if secret is None:
            secret = secrets.token_hex(32)
        if tx.get_meta("jwt_secret") is None:
            tx.set_meta("jwt_secret", secret)
        admin = settings.admin_token or tx.get_meta("admin_token") or secrets.token_hex(16)
        if tx.get_meta("admin_token") != admin:
            tx.set_meta("admin_token", admin)
        saved_clock = tx.get_meta("clock")
    clock = SimClock(
        start_s=settings.clock_start_s,
        mode=settings.clock_mode,  # type: ignore[arg-type]
        rate=settings.clock_rate,
    )
    if saved_clock is not None and settings.clock_start_s is None:
        # Sim time continues across restarts and is shared by workers: same anchors.
        clock.restore(jsonio.loads(saved_clock, decimals=False))
    world = World(settings, store, clock, secret, settings.seed, admin, FaultBook(settings.seed))
    world.limits.configure(settings.rate_limits)
    store.on_commit.append(world.forget_views)
    if saved_clock is None or settings.clock_start_s is not None:
        world.save_clock()
    else:
        world._clock_text = saved_clock
    return world
