"""The running world: settings, store, and the emulator's runtime state (this worker's copy
of the shared control state, the persisted clock, per-site locks and views).

Shared (the database is the truth): JWT secret, seed, admin token hash, fault rules,
rate-limit configuration, tokens and their revocation. Each worker caches them and reloads
them when the ``control`` version in ``meta`` changes. With one process every change goes
through it, so the copy is current without any check. With several workers
(``settings.shared_clock``) each emulated or control request starts with one round trip that
reads the clock, the control version and, for a site route, the site's version.
"""

from __future__ import annotations

import contextvars
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gridtwin.core import jsonio
from gridtwin.core.clock import SimClock
from gridtwin.core.settings import Settings
from gridtwin.domain.principal import Principal
from gridtwin.services.clock_sync import ClockSync
from gridtwin.services.control_state import CONTROL_KEYS, ControlState, sha256_hex
from gridtwin.services.emulator.faults import FaultBook
from gridtwin.services.emulator.journal import Journal, SharedJournal
from gridtwin.services.emulator.ratelimit import RateLimiter, rules_from_json
from gridtwin.store import control as control_store
from gridtwin.store.repository import Store, Tx

__all__ = ["SiteLock", "ViewCache", "World", "open_world"]

_PREFETCHED: contextvars.ContextVar[tuple[int, int | None, str | None] | None] = \
    contextvars.ContextVar("gridtwin_prefetched_site", default=None)
"""(site id, version, owner) read by this request's first round trip (several workers)."""


E = TypeVar("E")

VIEW_CACHE_SITES = 2_048
"""Site views kept for reuse (most recently used): memory stays bounded whatever the
number of sites read once and idle since."""

class ViewCache(Generic[E]):
    """site id -> entry for at most ``max_sites`` sites (least recently used dropped
    first). Thread-safe."""

    def __init__(self, max_sites: int = VIEW_CACHE_SITES) -> None:
        self.max_sites = max_sites
        self._items: OrderedDict[int, E] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, site_id: int) -> E | None:
        with self._guard:
            hit = self._items.get(site_id)
            if hit is not None:
                self._items.move_to_end(site_id)
            return hit

    def __setitem__(self, site_id: int, entry: E) -> None:
        with self._guard:
            self._items[site_id] = entry
            self._items.move_to_end(site_id)
            while len(self._items) > self.max_sites:
                self._items.popitem(last=False)

    def pop(self, site_id: int, default: Any = None) -> Any:
        with self._guard:
            return self._items.pop(site_id, default)

    def clear(self) -> None:
        with self._guard:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class SiteLock:
    """One site's in-process lock. Held only through references: once no request holds or
    waits on it, it is dropped, so the lock table does not grow with idle sites."""

    __slots__ = ("__weakref__", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> SiteLock:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


@dataclass
class World:
    """What a request needs, in three parts: ``settings`` (frozen configuration), ``store``
    (the database) and the emulator's runtime state — ``control`` (shared control state),
    ``time`` (the persisted clock), the site locks and view cache, the journal and the
    request counter. The attributes and methods below are the one interface callers use."""

    settings: Settings
    store: Store
    control: ControlState
    time: ClockSync
    journal: Journal | SharedJournal
    view_cache: ViewCache[tuple[int, str, Any]] = field(default_factory=ViewCache)
    """site id -> (version, owner, SiteView) of the last views computed."""
    _locks: weakref.WeakValueDictionary[int, SiteLock] = field(
        default_factory=weakref.WeakValueDictionary)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0
    _seq_guard: threading.Lock = field(default_factory=threading.Lock)

    # shared control state ------------------------------------------------------
    @property
    def jwt_secret(self) -> str:
        return self.control.jwt_secret

    @property
    def seed(self) -> int:
        return self.control.seed

    @property
    def admin_token(self) -> str | None:
        return self.control.admin_token

    @property
    def faults(self) -> FaultBook:
        return self.control.faults

    @property
    def limits(self) -> RateLimiter:
        return self.control.limits

    @property
    def verified_tokens(self) -> dict[str, tuple[Principal, float]]:
        return self.control.verified_tokens

    def load_control(self, tx: Tx) -> None:
        self.control.load(tx)

    def reload_control(self) -> None:
        self.control.reload()

    def sync_shared(self, site_id: int | None = None) -> None:
        """Several workers: adopt what another worker changed (clock, control state) in one
        round trip, which also reads ``site_id``'s version for the site view cache."""
        if not self.settings.shared_clock:
            return
        with self.store.peek() as tx:
            clock, version, site_version, owner = control_store.shared_check(tx, site_id)
        self.time.adopt(clock)
        if version != self.control.version:
            self.control.reload()
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
        self.time.adopt(found[2])
        return found[0], found[1]

    def set_seed(self, seed: int, tx: Tx | None = None) -> None:
        self.control.set_seed(seed, tx)

    def set_jwt_secret(self, secret: str, tx: Tx | None = None) -> None:
        self.control.set_jwt_secret(secret, tx)

    def admin_token_ok(self, given: str) -> bool:
        self.sync_shared()
        return self.control.admin_token_ok(given)

    def rotate_admin_token(self) -> str:
        return self.control.rotate_admin_token()

    def forget_caches(self, tx: Tx | None = None) -> None:
        """The world was replaced or tokens revoked: drop every cached view and verified
        token here and, through the control version, in every other worker."""
        self.control.changed(tx, lambda t: None)
        self.view_cache.clear()
        self.control.verified_tokens.clear()

    def tokens_revoked(self, tx: Tx | None = None) -> None:
        self.control.tokens_revoked(tx)

    def forget_views(self, site_ids: set[int]) -> None:
        for site_id in site_ids:
            self.view_cache.pop(site_id, None)

    # sites, requests, clock ------------------------------------------------------
    def site_lock(self, site_id: int) -> SiteLock:
        """One lock per site: two requests never simulate or write one site at once. The
        same object while anyone holds it; a new one once nobody does."""
        with self._locks_guard:
            lock = self._locks.get(site_id)
            if lock is None:
                lock = self._locks[site_id] = SiteLock()
            return lock

    @contextmanager
    def site_tx(self, site_id: int, *, durable: bool = True) -> Iterator[Tx]:
        """A transaction holding the site's lock in this process and in the database, so
        no two requests or workers simulate or write one site at once (``durable``: see
        Store.tx)."""
        with self.site_lock(site_id), self.store.tx(durable=durable) as tx:
            tx.lock_site(site_id)
            yield tx

    def request_seq(self) -> int:
        """The next request sequence number of this process (faults and txids are keyed by it)."""
        with self._seq_guard:
            self._seq += 1
            return self._seq

    def txid(self, seq: int) -> str:
        return self.control.txid(seq)

    @property
    def clock(self) -> SimClock:
        return self.time.clock

    def now_s(self) -> int:
        return self.time.now_s()

    def save_clock(self) -> None:
        self.time.save()

    def sync_clock(self) -> None:
        self.time.sync()

    def adopt_clock(self, text: str | None) -> None:
        self.time.adopt(text)


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
        put("admin_token_sha256", sha256_hex(settings.admin_token))
    if configure or "seed" not in stored:
        put("seed", str(settings.seed))
    if configure or "rate_limits" not in stored:
        rules_from_json(settings.rate_limits)
        text = jsonio.dumps(settings.rate_limits)
        if stored.get("rate_limits") != text:
            control_store.clear_buckets(tx)
        put("rate_limits", text)
    return changed


def open_world(settings: Settings, *, configure: bool = False) -> World:
    """Open the store (migrating it), and load or create the shared control state and the
    clock. ``configure``: the settings' seed and rate limits replace the stored ones (the
    ``serve`` parent); otherwise they only fill in what is not stored yet (workers, tools)."""
    store = Store(settings.db_url)
    generated_admin: str | None = None
    with store.tx() as tx:
        stored = control_store.read_meta(tx, (*CONTROL_KEYS, "rate_limits"))
        if not settings.admin_token and "admin_token_sha256" not in stored:
            generated_admin = secrets.token_hex(16)
            tx.set_meta("admin_token_sha256", sha256_hex(generated_admin))
        if _boot_config(tx, settings, stored, configure) or generated_admin or "control" not in stored:
            control_store.bump_control(tx)
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
    state = ControlState(store, FaultBook(store), RateLimiter(store, shared=shared),
                         settings.admin_token or generated_admin)
    time = ClockSync(store, clock, shared)
    world = World(settings, store, state, time, SharedJournal(store) if shared else Journal())
    state.reload()
    store.on_commit.append(world.forget_views)
    if saved_clock is None or settings.clock_start_s is not None:
        time.save()
    else:
        time.saved_text = saved_clock
    return world
