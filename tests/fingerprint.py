"""A fingerprint of everything a world stores, to prove a refused request changed nothing.

Reads every table the database holds (not only the ones this code knows, so a table
added by a later migration is covered too), in primary-key order, and hashes the rows.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, create_engine, select


def world_fingerprint(db_url: str) -> str:
    """SHA-256 over every row of every table of the database at db_url."""
    if db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url[len("postgresql://"):]  # psycopg 3, not psycopg2
    engine = create_engine(db_url)
    try:
        reflected = MetaData()
        reflected.reflect(engine)
        digest = hashlib.sha256()
        with engine.connect() as conn:
            for name in sorted(reflected.tables):
                table = reflected.tables[name]
                order = list(table.primary_key.columns) or list(table.columns)
                digest.update(name.encode())
                for row in conn.execute(select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()
    finally:
        engine.dispose()
