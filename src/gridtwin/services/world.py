"""The running world: settings, store, clock, per-site locks, and this worker's copy of the
control-plane state every worker shares through the database.

Shared (the database is the truth): JWT secret, seed, admin token hash, fault rules,
rate-limit configuration, tokens and their revocation. Each worker caches them and reloads
them when the ``control`` version in ``meta`` changes. With one process every change goes
through it, so the copy is current without any check. With several workers
(``settings.shared_clock``) each emulated or control request starts with one round trip that
reads the clock, the control version and, for a site route, the site's version.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
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
from gridtwin.services.emulator.journal import Journal, SharedJournal
from gridtwin.services.emulator.ratelimit import RateLimiter, rules_from_json
from gridtwin.store import control
from gridtwin.store.repository import Store, Tx

__all__ = ["World", "open_world"]

_CONTROL_KEYS = ("control", "jwt_secret", "seed", "admin_token_sha256")
_PREFETCHED: contextvars.ContextVar[tuple[int, int | None, str | None] | None] = \
    contextvars.ContextVar("gridtwin_prefetched_site", default=None)
"""(site id, version, owner) read by this request's first round trip (several workers)."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class World:
    settings: Settings
    store: Store
    clock: SimClock
    admin_token: str | None
    """The admin token in plain text when this process knows it (given or generated here);
    the database keeps only its hash."""
    faults: FaultBook
    journal: Journal | SharedJournal
    limits: RateLimiter
    verified_tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    view_cache: dict[int, tuple[int, str, Any]] = field(default_factory=dict)
    """site id -> (version, owner, SiteView) of the last view computed."""
    _jwt_secret: str = ""
    _seed: int = 0
    _admin_sha256: str = ""
    _control: str | None = None
    _locks: dict[int, threading.Lock] = field(default_factory=dict)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0
    _seq_guard: threading.Lock = field(default_factory=threading.Lock)
    _clock_text: str | None = None

    # shared control state ------------------------------------------------------
    @property
    def jwt_secret(self) -> str:
        return self._jwt_secret

    @property
    def seed(self) -> int:
        return self._seed

    def load_control(self, tx: Tx) -> None:
        """Adopt the stored control state: secret, seed, admin hash, faults, rate limits."""
        values = control.read_meta(tx, _CONTROL_KEYS)
        self._jwt_secret = values.get("jwt_secret", self._jwt_secret)
        self._seed = int(values.get("seed", self._seed))
        self._admin_sha256 = values.get("admin_token_sha256", self._admin_sha256)
        self.faults.load(tx)
        self.limits.load(tx)
        self._control = values.get("control")
        # Tokens may have been revoked or the world replaced.
        self.verified_tokens.clear()

    def reload_control(self) -> None:
        with self.store.tx() as tx:
            self.load_control(tx)

    def sync_shared(self, site_id: int | None = None) -> None:
        """Several workers: adopt what another worker changed (clock, control state) in one
        round trip, which also reads ``site_id``'s version for the site view cache."""
        if not self.settings.shared_clock:
            return
        with self.store.peek() as tx:
            clock, version, site_version, owner = control.shared_check(tx, site_id)
        self.adopt_clock(clock)
        if version != self._control:
            self.reload_control()
        _PREFETCHED.set(None if site_id is None else (site_id, site_version, owner))

    def site_version_now(self, site_id: int) -> tuple[int, str] | None:
        """Several workers: the site's (version, owner) as stored now, from this request's
        first round trip when it read this site, else from the database (adopting the clock)."""
        pre = _PREFETCHED.get()
        if pre is not None and pre[0] == site_id:
            _PREFETCHED.set(None)  # once: a later read in this request may follow a write
            return None if pre[1] is None or pre[2] is None else (pre[1], pre[2])
        with self.store.peek() as tx:
            found = tx.site_version_and_clock(site_id)
        if found is None:
            return None
        self.adopt_clock(found[2])
        return found[0], found[1]

    def _changed(self, tx: Tx | None, write: Any) -> None:
        """Run ``write(tx)`` and bump the control version, in ``tx`` or a transaction of its own."""
        if tx is None:
            with self.store.tx() as own:
                self._changed(own, write)
            return
        write(tx)
        control.bump_control(tx)
        self._control = None  # reload at the next check, also if ``tx`` rolls back

    def set_seed(self, seed: int, tx: Tx | None = None) -> None:
        self._changed(tx, lambda t: t.set_meta("seed", str(int(seed))))
        self._seed = int(seed)

    def set_jwt_secret(self, secret: str, tx: Tx | None = None) -> None:
        """A new signing secret: tokens signed with the old one stop verifying in every worker."""
        self._changed(tx, lambda t: t.set_meta("jwt_secret", secret))
        self._jwt_secret = secret
        self.verified_tokens.clear()

    def admin_token_ok(self, given: str) -> bool:
        """Whether ``given`` is the admin token (compared by hash, in constant time)."""
        self.sync_shared()
        return bool(given) and hmac.compare_digest(_sha256(given), self._admin_sha256)

    def rotate_admin_token(self) -> str:
        """A fresh admin token (printed once by ``serve``); only its hash is stored."""
        token = secrets.token_hex(16)
        self._changed(None, lambda t: t.set_meta("admin_token_sha256", _sha256(token)))
        self._admin_sha256, self.admin_token = _sha256(token), token
        return token

    def forget_caches(self, tx: Tx | None = None) -> None:
        """The world was replaced or tokens revoked: drop every cached view and verified
        token here and, through the control version, in every other worker."""
        self._changed(tx, lambda t: None)
        self.view_cache.clear()
        self.verified_tokens.clear()

    def tokens_revoked(self, tx: Tx | None = None) -> None:
        """A token was revoked: every worker re-verifies the tokens it trusted."""
        self._changed(tx, lambda t: None)
        self.verified_tokens.clear()

    def forget_views(self, site_ids: set[int]) -> None:
        for site_id in site_ids:
            self.view_cache.pop(site_id, None)

    # sites, requests, clock ------------------------------------------------------
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
        """The next request sequence number of this process (faults and txids are keyed by it)."""
        with self._seq_guard:
            self._seq += 1
            return self._seq

    def txid(self, seq: int) -> str:
        """32 hex chars, a hash of the seed and the request sequence number (emulator §4)."""
        return hashlib.blake2b(f"txid:{self._seed}:{seq}".encode(), digest_size=16).hexdigest()

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


def _boot_config(tx: Tx, settings: Settings, stored: dict[str, str], configure: bool) -> bool:
    """Write the settings' secret, admin hash, seed and rate limits where they must apply;
    True when anything changed. The database wins for seed and rate limits unless
    ``configure`` (the ``serve`` parent) or nothing is stored yet."""
    changed = False

    def put(key: str, value: str) -> None:
        nonlocal changed
        if stored.get(key) != value:
            tx.set_meta(key, value)
            changed = True

    put("jwt_secret", settings.jwt_secret or stored.get("jwt_secret") or secrets.token_hex(32))
    if settings.admin_token:
        put("admin_token_sha256", _sha256(settings.admin_token))
    if configure or "seed" not in stored:
        put("seed", str(settings.seed))
    if configure or "rate_limits" not in stored:
        rules_from_json(settings.rate_limits)
        text = jsonio.dumps(settings.rate_limits)
        if stored.get("rate_limits") != text:
            control.clear_buckets(tx)
        put("rate_limits", text)
    return changed


def open_world(settings: Settings, *, configure: bool = False) -> World:
    """Open the store (migrating it), and load or create the shared control state and the
    clock. ``configure``: the settings' seed and rate limits replace the stored ones (the
    ``serve`` parent); otherwise they only fill in what is not stored yet (workers, tools)."""
    store = Store(settings.db_url)
    generated_admin: str | None = None
    with store.tx() as tx:
        stored = control.read_meta(tx, (*_CONTROL_KEYS, "rate_limits"))
        if not settings.admin_token and "admin_token_sha256" not in stored:
            generated_admin = secrets.token_hex(16)
            tx.set_meta("admin_token_sha256", _sha256(generated_admin))
        if _boot_config(tx, settings, stored, configure) or generated_admin or "control" not in stored:
            control.bump_control(tx)
        saved_clock = tx.get_meta("clock")
    clock = SimClock(
        start_s=settings.clock_start_s,
        mode=settings.clock_mode,  # type: ignore[arg-type]
        rate=settings.clock_rate,
    )
    if saved_clock is not None and settings.clock_start_s is None:
        # Sim time continues across restarts and is shared by workers: same anchors.
        clock.restore(jsonio.loads(saved_clock, decimals=False))
    shared = settings.shared_clock
    world = World(settings, store, clock, settings.admin_token or generated_admin,
                  FaultBook(store), SharedJournal(store) if shared else Journal(),
                  RateLimiter(store, shared=shared))
    world.reload_control()
    store.on_commit.append(world.forget_views)
    if saved_clock is None or settings.clock_start_s is not None:
        world.save_clock()
    else:
        world._clock_text = saved_clock
    return world
