"""Tables. Every schema change ships as a numbered Alembic migration in migrations/versions.

Instants are Unix seconds (BigInteger). JSON documents are stored as text written by
gridtwin.core.jsonio, so decimal number text and member order survive (tariff echo).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from gridtwin.domain.energy import CELLS

__all__ = [
    "CACHE_TABLES",
    "CELL_COLUMNS",
    "CONTROL_TABLES",
    "backup_events",
    "charge_sessions",
    "command_log",
    "energy_totals",
    "fault_rules",
    "journal",
    "meta",
    "metadata",
    "oauth_clients",
    "product_items",
    "rate_buckets",
    "refresh_tokens",
    "site_events",
    "sites",
    "tariffs",
    "tokens",
    "users",
]

metadata = MetaData()

CELL_COLUMNS = CELLS
"""Energy-matrix columns [Wh], one per cell."""

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("region", String(8), nullable=False, default="NA"),
    Column("created_s", BigInteger, nullable=False),
)

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("scopes", Text, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("name", String(128), nullable=True),
    Column("scopes", Text, nullable=False),
    Column("issued_s", BigInteger, nullable=False),
    Column("expires_s", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("client_id", String(128), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("expires_s", BigInteger, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

sites = Table(
    "sites",
    metadata,
    Column("energy_site_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", String(128), nullable=False, index=True),
    Column("position", Integer, nullable=False, default=0),
    Column("spec_json", Text, nullable=False),
    Column("controls_json", Text, nullable=False),
    Column("state_json", Text, nullable=False),
    Column("state_t_s", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False, default=0, server_default="0"),
)
"""``version`` changes (to a fresh random value) on every write to a site's configuration,
events or tariffs, so a reader can tell whether a cached view is still current."""

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", BigInteger, nullable=False),
    Column("stored_s", BigInteger, nullable=False),
    Column("raw_json", Text, nullable=False),
    Index("ix_tariffs_site_stored", "site_id", "stored_s"),
)

energy_totals = Table(
    "energy_totals",
    metadata,
    Column("site_id", BigInteger, primary_key=True, autoincrement=False),
    Column("end_s", BigInteger, primary_key=True, autoincrement=False),
    *(Column(name, BigInteger, nullable=False, default=0) for name in CELL_COLUMNS),
    sqlite_with_rowid=False,
)
"""Cumulative Wh per cell since installation at each 5-minute boundary ``end_s``.

A bucket [a, b) of any length is ``row(b) - row(a)``: exact by construction, and a
query reads only its edge rows whatever the period (site-behavior §9.2). On SQLite the
rows are clustered on (site_id, end_s) (WITHOUT ROWID, migration 0004): an edge is one
B-tree descent and a range of 5-minute rows is contiguous."""

backup_events = Table(
    "backup_events",
    metadata,
    Column("site_id", BigInteger, primary_key=True, autoincrement=False),
    Column("start_s", BigInteger, primary_key=True, autoincrement=False),
    Column("end_s", BigInteger, nullable=True),
    Column("intentional", Boolean, nullable=False, default=False),
)

charge_sessions = Table(
    "charge_sessions",
    metadata,
    Column("site_id", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), primary_key=True),
    Column("din", String(64), nullable=False),
    Column("vehicle_id", String(64), nullable=False),
    Column("first_power_s", BigInteger, nullable=True),
    Column("last_power_s", BigInteger, nullable=True),
    Column("delivered_j", BigInteger, nullable=False, default=0),
)

site_events = Table(
    "site_events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("site_id", BigInteger, nullable=False, index=True),
    Column("type", String(32), nullable=False),
    Column("start_s", BigInteger, nullable=False),
    Column("end_s", BigInteger, nullable=True),
    Column("params_json", Text, nullable=False),
)

command_log = Table(
    "command_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", BigInteger, nullable=False, index=True),
    Column("sim_s", BigInteger, nullable=False),
    Column("command", String(64), nullable=False),
    Column("body_json", Text, nullable=False),
)

fault_rules = Table(
    "fault_rules",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("rule_json", Text, nullable=False),
    Column("uses_left", Integer, nullable=True),
)
"""Fault rules in order of ``position``; ``uses_left`` is the live count (null: unlimited),
decremented atomically by whichever worker fires the rule."""

rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("rule", String(128), primary_key=True),
    Column("bucket", String(300), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("seen_s", Float, nullable=False),
    Column("allowed", Boolean, nullable=False),
)
"""Token buckets shared by every worker (used when several workers serve one database)."""

journal = Table(
    "journal",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("entry_json", Text, nullable=False),
)
"""The request journal shared by every worker (used when several workers serve one database)."""

product_items = Table(
    "product_items",
    metadata,
    Column("site_id", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(32), nullable=False),
    Column("item_json", Text, nullable=False),
)
"""Each site's ``products`` item as JSON text, with ``key``: a digest of the rendering code
and of the site's stored spec, controls and state it was rendered from. A cache: an item
is used only while its key matches the site as stored now; the app's writes of a site
store its item in the same transaction (services/product_items.py)."""

CONTROL_TABLES = frozenset({"meta", "fault_rules", "rate_buckets", "journal"})
"""Server and control-plane tables: not part of the world a state snapshot carries as rows."""

CACHE_TABLES = frozenset({"product_items"})
"""Derived from the world's rows and rebuilt from them: not carried by a state snapshot."""
