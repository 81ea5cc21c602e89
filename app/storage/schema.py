"""Versioned sqlite schemas: `MIGRATIONS[n]` takes a database from version n to n + 1."""

from __future__ import annotations

import sqlite3


def upgrade(conn: sqlite3.Connection, migrations: dict[int, list[str]], version: int) -> int:
    """Apply every migration from `version` (PRAGMA user_version) on, each in its own transaction
    with the version it reaches; the conn must be in autocommit mode (isolation_level None)."""
    while version < len(migrations):
        with conn:
            conn.execute("BEGIN")
            for statement in migrations[version]:
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version={version}")
    return version
