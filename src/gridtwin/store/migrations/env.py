"""Alembic environment: runs on the connection the caller passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from gridtwin.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("gridtwin migrations run through gridtwin.store.migrate only")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
