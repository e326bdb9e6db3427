"""Control-plane state shared by workers (fault rules, rate-limit buckets, request journal);
the admin token is kept only as a SHA-256 hash.

Revision ID: 0003
Revises: 0002
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fault_rules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("rule_json", sa.Text, nullable=False),
        sa.Column("uses_left", sa.Integer, nullable=True),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("rule", sa.String(128), primary_key=True),
        sa.Column("bucket", sa.String(300), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("seen_s", sa.Float, nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
    )
    op.create_table(
        "journal",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("entry_json", sa.Text, nullable=False),
    )
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    conn = op.get_bind()
    plain = conn.execute(sa.select(meta.c.value).where(meta.c.key == "admin_token")).scalar()
    if plain is not None:
        digest = hashlib.sha256(str(plain).encode()).hexdigest()
        conn.execute(sa.delete(meta).where(meta.c.key == "admin_token"))
        conn.execute(sa.insert(meta).values(key="admin_token_sha256", value=digest))


def downgrade() -> None:
    # The plain admin token cannot be recovered from its hash: a new one is generated at start.
    op.execute("DELETE FROM meta WHERE key = 'admin_token_sha256'")
    op.drop_table("journal")
    op.drop_table("rate_buckets")
    op.drop_table("fault_rules")
