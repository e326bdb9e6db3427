"""The one repository: typed reads and writes over a transaction.

Use ``with store.tx() as tx:`` — everything inside commits together or not at all, so a
command is acknowledged only after its change is durable (wire-format §12.1, D2).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from gridtwin.core import jsonio
from gridtwin.store import schema as s
from gridtwin.store.engine import make_engine, migrate

__all__ = ["BucketRows", "SiteRow", "Store", "Tx"]


@dataclass(frozen=True)
class SiteRow:
    energy_site_id: int
    user_id: str
    position: int
    spec_json: str
    controls_json: str
    state_json: str
    state_t_s: int
    version: int = 0


@dataclass(frozen=True)
class BucketRows:
    """Cumulative totals: boundary instants [Unix s] and Wh per cell (k x 10, int64)."""

    ends: npt.NDArray[np.int64]
    wh: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.ends)


_FIRST_TOTAL_END = text("SELECT min(end_s) FROM energy_totals WHERE site_id = :site")


def _no_rows() -> BucketRows:
    return BucketRows(np.zeros(0, np.int64), np.zeros((0, len(s.CELL_COLUMNS)), np.int64))


@functools.cache
def _upsert_item(dialect_name: str) -> Any:
    """Insert a products item or replace the site's earlier one; built once (building the
    statement costs more than running it)."""
    p = s.product_items
    q = (postgresql if dialect_name == "postgresql" else sqlite).insert(p)
    return q.on_conflict_do_update(index_elements=[p.c.site_id],
                                   set_={"key": q.excluded.key, "item_json": q.excluded.item_json})


def _new_version() -> int:
    return secrets.randbits(62)


class Tx:
    """Repository operations on one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.bumped: set[int] = set()
        self.written: dict[int, dict[str, str]] = {}
        """Sites whose spec, controls or state this transaction saved: the text saved,
        by column (``spec_json``, ``controls_json``, ``state_json``)."""
        self.decoded: dict[int, object] = {}
        """What a caller decoded from a site as read in this transaction, for commit hooks
        to reuse instead of decoding it again (services/product_items.py)."""

    # meta -----------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        return self.conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        if self.get_meta(key) is None:
            self.conn.execute(insert(s.meta).values(key=key, value=value))
        else:
            self.conn.execute(update(s.meta).where(s.meta.c.key == key).values(value=value))

    # users, clients, tokens ----------------------------------------------
    def get_user(self, user_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(s.users).where(s.users.c.id == user_id)).mappings().first()
        return dict(row) if row else None

    def insert_user(self, user_id: str, region: str, created_s: int) -> None:
        self.conn.execute(insert(s.users).values(id=user_id, region=region, created_s=created_s))

    def list_users(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(select(s.users).order_by(s.users.c.id)).mappings()]

    def insert_client(self, client_id: str, secret_sha256: str, user_id: str, scopes: str) -> None:
        self.conn.execute(
            insert(s.oauth_clients).values(
                client_id=client_id, secret_sha256=secret_sha256, user_id=user_id, scopes=scopes
            )
        )

    def get_client(self, client_id: str) -> dict[str, Any] | None:
        q = select(s.oauth_clients).where(s.oauth_clients.c.client_id == client_id)
        row = self.conn.execute(q).mappings().first()
        return dict(row) if row else None

    def insert_token(self, **values: Any) -> None:
        self.conn.execute(insert(s.tokens).values(revoked=False, **values))

    def get_token(self, jti: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(s.tokens).where(s.tokens.c.jti == jti)).mappings().first()
        return dict(row) if row else None

    def list_tokens(self) -> list[dict[str, Any]]:
        q = select(s.tokens).order_by(s.tokens.c.issued_s, s.tokens.c.jti)
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def revoke_token(self, jti: str) -> bool:
        res = self.conn.execute(update(s.tokens).where(s.tokens.c.jti == jti).values(revoked=True))
        return bool(res.rowcount)

    def insert_refresh(self, **values: Any) -> None:
        self.conn.execute(insert(s.refresh_tokens).values(used=False, **values))

    def consume_refresh(self, token_sha256: str, client_id: str, now_s: int) -> dict[str, Any] | None:
        """Mark a refresh token used, once; returns its row or None if unusable."""
        t = s.refresh_tokens
        res = self.conn.execute(
            update(t)
            .where(t.c.token_sha256 == token_sha256, t.c.client_id == client_id)
            .where(t.c.used.is_(False), t.c.expires_s > now_s)
            .values(used=True)
        )
        if res.rowcount != 1:
            return None
        row = self.conn.execute(select(t).where(t.c.token_sha256 == token_sha256)).mappings().one()
        return dict(row)

    # sites -----------------------------------------------------------------
    def insert_site(self, row: SiteRow) -> None:
        self.conn.execute(insert(s.sites).values(**{**row.__dict__, "version": _new_version()}))

    def insert_sites(self, rows: Sequence[SiteRow]) -> None:
        """Store many new sites in one statement (a scenario of thousands of sites)."""
        if rows:
            self.conn.execute(insert(s.sites),
                              [{**row.__dict__, "version": _new_version()} for row in rows])

    def bump_version(self, site_id: int) -> None:
        """Mark the site's configuration as changed (read caches drop their copy)."""
        self.bumped.add(site_id)
        self.conn.execute(update(s.sites).where(s.sites.c.energy_site_id == site_id)
                          .values(version=_new_version()))

    def site_version_and_clock(self, site_id: int) -> tuple[int, str, str | None] | None:
        """(version, owner, saved clock) in one round trip; None when the site is missing."""
        t, m = s.sites, s.meta
        clock = select(m.c.value).where(m.c.key == "clock").scalar_subquery()
        row = self.conn.execute(select(t.c.version, t.c.user_id, clock)
                                .where(t.c.energy_site_id == site_id)).first()
        return None if row is None else (int(row[0]), str(row[1]), row[2])

    def site_version(self, site_id: int) -> tuple[int, str] | None:
        """(version, owner) without loading the site; None when it does not exist."""
        t = s.sites
        row = self.conn.execute(select(t.c.version, t.c.user_id)
                                .where(t.c.energy_site_id == site_id)).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def get_site(self, site_id: int) -> SiteRow | None:
        row = self.conn.execute(
            select(s.sites).where(s.sites.c.energy_site_id == site_id)
        ).mappings().first()
        return SiteRow(**row) if row else None

    def list_sites(self, user_id: str | None = None) -> list[SiteRow]:
        q = select(s.sites).order_by(s.sites.c.position, s.sites.c.energy_site_id)
        if user_id is not None:
            q = q.where(s.sites.c.user_id == user_id)
        return [SiteRow(**r) for r in self.conn.execute(q).mappings()]

    def product_rows(self, user_id: str) -> list[tuple[SiteRow, str | None, str | None]]:
        """A user's sites in list order, each with its stored products item's (key, JSON
        text), or (None, None): one statement, so each item and its site are read together."""
        return self._with_items(
            lambda q: q.where(s.sites.c.user_id == user_id)
            .order_by(s.sites.c.position, s.sites.c.energy_site_id))

    def product_rows_of(self, site_ids: Sequence[int]) -> list[tuple[SiteRow, str | None, str | None]]:
        """These sites (those that exist) by id, each with its stored item's (key, JSON
        text) as in ``product_rows``."""
        return self._with_items(
            lambda q: q.where(s.sites.c.energy_site_id.in_(list(site_ids)))
            .order_by(s.sites.c.energy_site_id))

    def product_page(self, after_id: int | None, limit: int) -> list[tuple[SiteRow, str | None, str | None]]:
        """At most ``limit`` sites by id after ``after_id``, each with its stored item's
        (key, JSON text) as in ``product_rows``."""
        def page(q: Any) -> Any:
            if after_id is not None:
                q = q.where(s.sites.c.energy_site_id > after_id)
            return q.order_by(s.sites.c.energy_site_id).limit(limit)
        return self._with_items(page)

    def _with_items(self, shape: Callable[[Any], Any]) -> list[tuple[SiteRow, str | None, str | None]]:
        t, p = s.sites, s.product_items
        q = shape(select(t, p.c.key, p.c.item_json)
                  .select_from(t.outerjoin(p, p.c.site_id == t.c.energy_site_id)))
        names = t.c.keys()
        n = len(names)
        return [(SiteRow(**dict(zip(names, r[:n], strict=True))), r[n], r[n + 1])
                for r in self.conn.execute(q)]

    def save_product_items(self, items: Sequence[tuple[int, str, str]]) -> None:
        """Store (site id, key, item JSON) rows, replacing a site's earlier item; in site id
        order, so two writers lock PostgreSQL rows in the same order."""
        if not items:
            return
        rows = [{"site_id": i, "key": k, "item_json": j} for i, k, j in sorted(items)]
        # One site's item is written with each site write: executemany's path costs more.
        self.conn.execute(_upsert_item(self.conn.dialect.name), rows[0] if len(rows) == 1 else rows)

    def site_ids(self, user_id: str | None = None) -> list[int]:
        """Site ids in list order, without loading the sites."""
        t = s.sites
        q = select(t.c.energy_site_id).order_by(t.c.position, t.c.energy_site_id)
        if user_id is not None:
            q = q.where(t.c.user_id == user_id)
        return [int(r[0]) for r in self.conn.execute(q)]

    def count_sites(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(s.sites)).scalar() or 0)

    def site_page(self, after: tuple[int, int] | None, limit: int) -> list[SiteRow]:
        """At most ``limit`` sites in list order after the (position, id) ``after``."""
        t = s.sites
        q = select(t).order_by(t.c.position, t.c.energy_site_id).limit(limit)
        if after is not None:
            pos, sid = after
            q = q.where((t.c.position > pos) | ((t.c.position == pos) & (t.c.energy_site_id > sid)))
        return [SiteRow(**r) for r in self.conn.execute(q).mappings()]

    def next_site_position(self) -> int:
        top = self.conn.execute(select(func.max(s.sites.c.position))).scalar()
        return 0 if top is None else int(top) + 1

    def lock_site(self, site_id: int) -> None:
        """Hold the site's row until the transaction ends, across processes.

        PostgreSQL: a row lock (SELECT ... FOR UPDATE), so workers serialise per site.
        SQLite serves one process (``serve`` refuses several workers on it), where the
        caller's in-process lock is enough; taking the write lock here would turn every
        read into a write and an fsync.
        """
        if self.conn.dialect.name == "postgresql":
            t = s.sites
            self.conn.execute(
                select(t.c.energy_site_id).where(t.c.energy_site_id == site_id).with_for_update())

    def save_state(self, site_id: int, state_json: str, t_s: int) -> None:
        self.written.setdefault(site_id, {})["state_json"] = state_json
        self.conn.execute(
            update(s.sites)
            .where(s.sites.c.energy_site_id == site_id)
            .values(state_json=state_json, state_t_s=t_s)
        )

    def save_controls(self, site_id: int, controls_json: str) -> None:
        self.bump_version(site_id)
        self.written.setdefault(site_id, {})["controls_json"] = controls_json
        self.conn.execute(
            update(s.sites)
            .where(s.sites.c.energy_site_id == site_id)
            .values(controls_json=controls_json)
        )

    def set_site_owner(self, site_id: int, user_id: str) -> None:
        self.bump_version(site_id)
        self.conn.execute(
            update(s.sites).where(s.sites.c.energy_site_id == site_id).values(user_id=user_id)
        )

    def save_spec(self, site_id: int, spec_json: str) -> None:
        self.bump_version(site_id)
        self.written.setdefault(site_id, {})["spec_json"] = spec_json
        self.conn.execute(
            update(s.sites).where(s.sites.c.energy_site_id == site_id).values(spec_json=spec_json)
        )

    def clear_site_history(self, site_id: int) -> None:
        self.bump_version(site_id)
        """Delete a site's history, events, tariffs and command log; keep the site row."""
        for table in (s.energy_totals, s.backup_events, s.charge_sessions, s.tariffs,
                      s.site_events, s.command_log, s.product_items):
            self.conn.execute(delete(table).where(table.c.site_id == site_id))

    def delete_site(self, site_id: int) -> None:
        self.written.pop(site_id, None)
        self.clear_site_history(site_id)
        self.conn.execute(delete(s.sites).where(s.sites.c.energy_site_id == site_id))

    def wipe_world(self) -> None:
        """Delete every user, token, site and its history; keep the server secrets."""
        for table in (s.energy_totals, s.backup_events, s.charge_sessions, s.tariffs,
                      s.site_events, s.command_log, s.product_items, s.sites, s.refresh_tokens,
                      s.tokens, s.oauth_clients, s.users):
            self.conn.execute(delete(table))

    def dump_tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every world table (not the control tables), for state export."""
        out = {}
        for table in s.metadata.sorted_tables:
            if table.name in s.CONTROL_TABLES | s.CACHE_TABLES:
                continue
            cols = list(table.c)
            rows = self.conn.execute(select(*cols).order_by(*table.primary_key.columns)).mappings()
            out[table.name] = [dict(r) for r in rows]
        return out

    def load_tables(self, data: dict[str, list[dict[str, Any]]]) -> None:
        """Replace the world with exported rows (see dump_tables)."""
        self.wipe_world()
        for table in s.metadata.sorted_tables:
            rows = data.get(table.name) or []
            if table.name not in s.CONTROL_TABLES | s.CACHE_TABLES and rows:
                self.conn.execute(insert(table), rows)

    # tariffs ---------------------------------------------------------------
    def insert_tariff(self, site_id: int, stored_s: int, raw_json: str) -> None:
        self.bump_version(site_id)
        self.conn.execute(
            insert(s.tariffs).values(site_id=site_id, stored_s=stored_s, raw_json=raw_json)
        )

    def tariff_history(self, site_id: int) -> list[tuple[int, str]]:
        """(stored_s, raw_json) in storage order."""
        t = s.tariffs
        q = select(t.c.stored_s, t.c.raw_json).where(t.c.site_id == site_id).order_by(t.c.id)
        return [(int(a), str(b)) for a, b in self.conn.execute(q)]

    # history ---------------------------------------------------------------
    def insert_totals(self, site_id: int, ends: Sequence[int], totals_wh: npt.NDArray[np.int64]) -> None:
        """Store cumulative Wh per cell at 5-minute boundaries ``ends`` [Unix s] (k x 10)."""
        if len(ends) == 0:
            return
        cols = ("site_id", "end_s", *s.CELL_COLUMNS)
        table = np.column_stack([np.full(len(ends), site_id, np.int64),
                                 np.asarray(ends, np.int64), np.asarray(totals_wh, np.int64)])
        rows = [tuple(row) for row in table.tolist()]
        if self.conn.dialect.name == "postgresql":
            # COPY is several times faster than batched INSERTs for a warm-up's rows.
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY energy_totals ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = (f"INSERT INTO energy_totals ({', '.join(cols)}) "
               f"VALUES ({', '.join(['?'] * len(cols))})")
        self.conn.exec_driver_sql(sql, rows)

    def totals_at(self, site_id: int, ends: Sequence[int]) -> BucketRows:
        """Stored cumulative rows at exactly these boundaries [Unix s], by end; absent ones
        are left out.

        One primary-key lookup per instant in a single statement. PostgreSQL: through
        ``unnest``, planned as such even before the table has statistics (right after a
        warm-up's COPY a large IN list became a scan of every row of the site: 1.4 s instead
        of 30 ms for five years of days). SQLite: through ``json_each``, no parameter per
        instant. Rows are fetched as plain tuples on the driver's cursor: wrapping each of
        ~1,800 rows (five years of days) in a Row cost as much as the lookups themselves.
        """
        wanted = np.unique(np.asarray(ends, dtype=np.int64)).tolist()  # sorted, distinct
        if not wanted:
            return _no_rows()
        cols = ", ".join(f"t.{n}" for n in s.CELL_COLUMNS)
        if self.conn.dialect.name == "postgresql":
            sql = (f"SELECT t.end_s, {cols} FROM unnest(%(ends)s::bigint[]) AS w(end_s) "
                   "JOIN energy_totals t ON t.site_id = %(site)s AND t.end_s = w.end_s "
                   "ORDER BY t.end_s")
            return self._bucket_rows(sql, {"ends": wanted, "site": site_id})
        # CROSS JOIN fixes the loop order: the sorted instants outside, the primary key
        # inside, so rows come out by end.
        sql = (f"SELECT t.end_s, {cols} FROM json_each(?) AS w CROSS JOIN energy_totals t "
               "WHERE t.site_id = ? AND t.end_s = w.value")
        return self._bucket_rows(sql, (jsonio.dumps(wanted), site_id))

    def totals_range(self, site_id: int, first_end_s: int, last_end_s: int) -> BucketRows:
        """Cumulative rows with ``first_end_s <= end_s <= last_end_s``, by end (one range
        scan of the primary key; fetched as plain tuples like ``totals_at``)."""
        cols = ", ".join(s.CELL_COLUMNS)
        where = "site_id = {0} AND end_s >= {1} AND end_s <= {2} ORDER BY end_s"
        if self.conn.dialect.name == "postgresql":
            cond = where.format("%(site)s", "%(first)s", "%(last)s")
            return self._bucket_rows(f"SELECT end_s, {cols} FROM energy_totals WHERE {cond}",
                                     {"site": site_id, "first": first_end_s, "last": last_end_s})
        cond = where.format("?", "?", "?")
        return self._bucket_rows(f"SELECT end_s, {cols} FROM energy_totals WHERE {cond}",
                                 (site_id, first_end_s, last_end_s))

    def _bucket_rows(self, sql: str, params: Any) -> BucketRows:
        """Run ``sql`` (selecting end_s then the cells) on the driver's cursor, inside this
        transaction, and return the rows sorted by end."""
        width = 1 + len(s.CELL_COLUMNS)
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            table = cursor.fetchall()
        finally:
            cursor.close()
        if not table:
            return _no_rows()
        flat = np.fromiter(chain.from_iterable(table), dtype=np.int64, count=len(table) * width)
        arr = flat.reshape(-1, width)
        if bool((arr[1:, 0] < arr[:-1, 0]).any()):
            arr = arr[np.argsort(arr[:, 0], kind="stable")]
        return BucketRows(arr[:, 0].copy(), arr[:, 1:].copy())

    def first_total_end(self, site_id: int) -> int | None:
        # Prepared text: building and compiling the expression cost 3x the lookup.
        first = self.conn.execute(_FIRST_TOTAL_END, {"site": site_id}).scalar()
        return None if first is None else int(first)

    def upsert_backup(self, site_id: int, start_s: int, end_s: int | None,
                      intentional: bool | None) -> None:
        """Store an islanded interval; ``intentional`` None changes only the end of a stored
        one (and stores nothing when there is none)."""
        t = s.backup_events
        changed = {"end_s": end_s} if intentional is None else {
            "end_s": end_s, "intentional": intentional}
        res = self.conn.execute(
            update(t).where(t.c.site_id == site_id, t.c.start_s == start_s).values(**changed)
        )
        if res.rowcount == 0 and intentional is not None:
            self.conn.execute(insert(t).values(
                site_id=site_id, start_s=start_s, end_s=end_s, intentional=intentional))

    def delete_backup(self, site_id: int, start_s: int) -> None:
        t = s.backup_events
        self.conn.execute(delete(t).where(t.c.site_id == site_id, t.c.start_s == start_s))

    def list_backups(self, site_id: int) -> list[dict[str, Any]]:
        t = s.backup_events
        q = select(t).where(t.c.site_id == site_id).order_by(t.c.start_s)
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def upsert_session(self, site_id: int, **values: Any) -> None:
        t = s.charge_sessions
        res = self.conn.execute(
            update(t).where(t.c.site_id == site_id, t.c.event_id == values["event_id"])
            .values(**values)
        )
        if res.rowcount == 0:
            self.conn.execute(insert(t).values(site_id=site_id, **values))

    def list_sessions(self, site_id: int) -> list[dict[str, Any]]:
        t = s.charge_sessions
        q = select(t).where(t.c.site_id == site_id).order_by(t.c.first_power_s, t.c.event_id)
        return [dict(r) for r in self.conn.execute(q).mappings()]

    # events and command log -----------------------------------------------
    def insert_event(self, **values: Any) -> None:
        self.conn.execute(insert(s.site_events).values(**values))
        self.bump_version(int(values["site_id"]))

    def list_events(self, site_id: int | None = None) -> list[dict[str, Any]]:
        t = s.site_events
        q = select(t).order_by(t.c.start_s, t.c.id)
        if site_id is not None:
            q = q.where(t.c.site_id == site_id)
        return [dict(r) for r in self.conn.execute(q).mappings()]

    def update_event_end(self, event_id: str, end_s: int | None) -> None:
        t = s.site_events
        self.conn.execute(update(t).where(t.c.id == event_id).values(end_s=end_s))
        self._bump_event_site(event_id)

    def _bump_event_site(self, event_id: str) -> None:
        t = s.site_events
        site = self.conn.execute(select(t.c.site_id).where(t.c.id == event_id)).scalar()
        if site is not None:
            self.bump_version(int(site))

    def delete_event(self, event_id: str) -> None:
        self._bump_event_site(event_id)
        self.conn.execute(delete(s.site_events).where(s.site_events.c.id == event_id))

    def log_command(self, site_id: int, sim_s: int, command: str, body_json: str) -> None:
        self.conn.execute(insert(s.command_log).values(
            site_id=site_id, sim_s=sim_s, command=command, body_json=body_json))

    def logged_after(self, site_id: int, command: str, after_s: int) -> list[tuple[int, str]]:
        """(sim_s, body_json) of the site's ``command`` entries after ``after_s``, in order."""
        t = s.command_log
        q = (select(t.c.sim_s, t.c.body_json)
             .where(t.c.site_id == site_id, t.c.command == command, t.c.sim_s > after_s)
             .order_by(t.c.id))
        return [(int(r.sim_s), str(r.body_json)) for r in self.conn.execute(q)]

    def command_log(self, site_id: int) -> list[dict[str, Any]]:
        t = s.command_log
        q = select(t).where(t.c.site_id == site_id).order_by(t.c.id)
        return [dict(r) for r in self.conn.execute(q).mappings()]


def _sqlite_synchronous(conn: Connection, level: str) -> None:
    """Set the connection's ``synchronous`` pragma, outside any transaction (SQLite
    refuses to change it inside one)."""
    conn.exec_driver_sql(f"PRAGMA synchronous={level}")
    conn.commit()


class Store:
    """Owns the Engine; hands out transactions."""

    def __init__(self, url: str, *, run_migrations: bool = True) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.on_commit: list[Callable[[set[int]], None]] = []
        """Called after a commit with the sites whose version it changed."""
        self.before_commit: dict[str, Callable[[Tx], None]] = {}
        """Run, by name, inside a transaction that saved a site (``Tx.written``) just
        before it commits: what they write commits with the site or not at all."""
        if run_migrations:
            migrate(self.engine)

    @contextmanager
    def tx(self, *, durable: bool = True) -> Iterator[Tx]:
        """A write transaction. ``durable=False`` is for work that can be derived again
        (sites simulated up to a clock the store already holds): its commit is not
        flushed to disk on its own (SQLite ``synchronous=NORMAL``, PostgreSQL
        ``synchronous_commit=off``). It is as atomic as any, a process crash keeps it,
        and the next durable commit flushes it too (the log is written in commit order):
        only a power loss can undo it, and then the work is simply done again."""
        with self.engine.connect() as conn:
            lazy_sqlite = not durable and conn.dialect.name == "sqlite"
            if lazy_sqlite:
                _sqlite_synchronous(conn, "NORMAL")
            try:
                with conn.begin():
                    if not durable and conn.dialect.name == "postgresql":
                        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    tx = Tx(conn)
                    yield tx
                    if tx.written:
                        for hook in list(self.before_commit.values()):
                            hook(tx)
            finally:
                if lazy_sqlite:
                    try:
                        _sqlite_synchronous(conn, "FULL")
                    except Exception:
                        conn.invalidate()  # never back in the pool without FULL
                        raise
        if tx.bumped:
            for listener in self.on_commit:
                listener(tx.bumped)

    @contextmanager
    def peek(self) -> Iterator[Tx]:
        """Single-statement reads without BEGIN/COMMIT round trips on PostgreSQL."""
        conn = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        with conn:
            yield Tx(conn)

    def dispose(self) -> None:
        self.engine.dispose()
