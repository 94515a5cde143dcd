"""The migrations are frozen: a database brought up step by step from any old version has the schema of a fresh one."""

from __future__ import annotations

import sqlite_utils

from bot.core import db as database


def _schema(db: sqlite_utils.Database) -> list[tuple[str, str, str, str | None]]:
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _at_version(version: int) -> sqlite_utils.Database:
    """A database as the code of ``version`` left it: only the first ``version`` migrations applied."""
    db = sqlite_utils.Database(memory=True)
    db.conn.isolation_level = None
    db["meta"].create({"key": str, "value": str}, pk="key")
    for number, migration in enumerate(database.MIGRATIONS[:version], start=1):
        with db.atomic():
            migration(db)
            db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")
    return db


def test_every_old_version_migrates_to_the_fresh_schema() -> None:
    fresh = database.open_db(":memory:")
    assert database.schema_version(fresh) == len(database.MIGRATIONS)
    for version in range(1, len(database.MIGRATIONS)):
        old = _at_version(version)
        assert database.schema_version(old) == version
        database.migrate(old)
        assert database.schema_version(old) == len(database.MIGRATIONS)
        assert _schema(old) == _schema(fresh), f"from version {version}"


def test_migrations_write_their_own_sql() -> None:
    """A migration is the SQL of its day: no call into modules whose tables change later."""
    import inspect

    for migration in database.MIGRATIONS:
        source = inspect.getsource(migration)
        assert "import" not in source, f"{migration.__name__} imports code that may change"
