"""Initial schema: users, tokens, sites, tariffs, cumulative 5-minute energy totals, events, logs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_CELLS = (
    "solar_to_home", "solar_to_battery", "solar_to_grid",
    "generator_to_home", "generator_to_battery", "generator_to_grid",
    "battery_to_home", "battery_to_grid", "grid_to_home", "grid_to_battery",
)


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("created_s", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(128), nullable=True),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("issued_s", sa.BigInteger, nullable=False),
        sa.Column("expires_s", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("expires_s", sa.BigInteger, nullable=False),
        sa.Column("used", sa.Boolean, nullable=False),
    )
    op.create_table(
        "sites",
        sa.Column("energy_site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(128), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("spec_json", sa.Text, nullable=False),
        sa.Column("controls_json", sa.Text, nullable=False),
        sa.Column("state_json", sa.Text, nullable=False),
        sa.Column("state_t_s", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.BigInteger, nullable=False),
        sa.Column("stored_s", sa.BigInteger, nullable=False),
        sa.Column("raw_json", sa.Text, nullable=False),
    )
    op.create_index("ix_tariffs_site_stored", "tariffs", ["site_id", "stored_s"])
    op.create_table(
        "energy_totals",
        sa.Column("site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("end_s", sa.BigInteger, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in _CELLS),
    )
    op.create_table(
        "backup_events",
        sa.Column("site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("start_s", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("end_s", sa.BigInteger, nullable=True),
        sa.Column("intentional", sa.Boolean, nullable=False),
    )
    op.create_table(
        "charge_sessions",
        sa.Column("site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("din", sa.String(64), nullable=False),
        sa.Column("vehicle_id", sa.String(64), nullable=False),
        sa.Column("first_power_s", sa.BigInteger, nullable=True),
        sa.Column("last_power_s", sa.BigInteger, nullable=True),
        sa.Column("delivered_j", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "site_events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("site_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("start_s", sa.BigInteger, nullable=False),
        sa.Column("end_s", sa.BigInteger, nullable=True),
        sa.Column("params_json", sa.Text, nullable=False),
    )
    op.create_table(
        "command_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("sim_s", sa.BigInteger, nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("body_json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "command_log", "site_events", "charge_sessions", "backup_events", "energy_totals",
        "tariffs", "sites", "refresh_tokens", "tokens", "oauth_clients", "users", "meta",
    ):
        op.drop_table(name)
