"""product_items: each site's products item as rendered, keyed by what it was rendered from.

A cache (``products`` for a user with 1,000 sites reads it instead of decoding and
rendering every site): a new empty table, filled by the server; nothing else changes.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_items",
        sa.Column("site_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("item_json", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("product_items")
