"""Persistence: SQLAlchemy 2 Core over SQLite (WAL, default) or PostgreSQL (psycopg 3)."""

__all__: list[str] = []
