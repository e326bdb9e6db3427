"""SQLite: energy_totals becomes a WITHOUT ROWID table clustered on (site_id, end_s).

A rowid table keeps its rows in rowid order and the primary key in a separate index, so
every history edge cost two B-tree descents (index, then table) and a range of 5-minute
rows was scattered over the table. Clustered on the key, an edge is one descent and a
range is contiguous. The rows are copied in key order into the new table, which then takes
the old name: no data changes. PostgreSQL keeps its heap and primary-key index (no-op).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_CELLS = (
    "solar_to_home", "solar_to_battery", "solar_to_grid",
    "generator_to_home", "generator_to_battery", "generator_to_grid",
    "battery_to_home", "battery_to_grid", "grid_to_home", "grid_to_battery",
)
_COLUMNS = ", ".join(("site_id", "end_s", *_CELLS))


def _rebuild(with_rowid: bool) -> None:
    """Copy energy_totals into a table of the other layout, in key order, and swap names."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table(
        "energy_totals_rebuilt",
        sa.Column("site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("end_s", sa.BigInteger, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in _CELLS),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(f"INSERT INTO energy_totals_rebuilt ({_COLUMNS}) "
               f"SELECT {_COLUMNS} FROM energy_totals ORDER BY site_id, end_s")
    op.drop_table("energy_totals")
    op.rename_table("energy_totals_rebuilt", "energy_totals")


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
