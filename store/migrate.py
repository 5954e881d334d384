"""Schema versioning with Alembic, run from code: opening a database upgrades it to head."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x7261_7070  # "rapp": PostgreSQL's advisory lock for schema upgrades


class MigrationError(RuntimeError):
    pass


def _config(migrations: Path = MIGRATIONS) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    return config


def head_revision(migrations: Path = MIGRATIONS) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config(migrations)).get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str, migrations: Path = MIGRATIONS) -> bool:
    """True for a revision on the way to head (one this rapport can open and upgrade)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(migrations))
    return any(r.revision == revision for r in script.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _set_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # A PRAGMA inside a transaction is silently ignored, so it goes to the driver directly,
    # before SQLAlchemy begins one.
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar())


def _describe(error: BaseException) -> str:
    from sqlalchemy.exc import DBAPIError

    from store.errors import driver_message

    # The driver's words only: a statement's parameters may hold personal text.
    if isinstance(error, DBAPIError):
        return driver_message(error)
    text = f"{type(error).__name__}: {error}"
    line = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return line if len(line) <= 200 else line[:199] + "…"


# The newest revision, so that opening an up-to-date database (every start) needs neither
# Alembic (a third of a second to import) nor a scan of the migration scripts.
# tests/test_store_migrations.py checks it against the scripts.
HEAD = "0009"


def stored_revision(engine: Engine) -> str | None:
    """The database's revision by a plain read; None for a database without one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to_head(
    engine: Engine, revision: str = "head", *, migrations: Path = MIGRATIONS
) -> Path | None:
    """Bring the schema to `revision` (the newest by default) in one transaction; returns
    the backup taken first, if any.

    A SQLite file that already holds data is copied first (store.backup: next to it, 0600,
    the newest few kept). On SQLite, batch mode rebuilds tables; with foreign keys enforced,
    dropping the old table would cascade deletes into child tables, so enforcement is off for
    this connection only, and the keys are checked before the commit instead. If anything
    fails, the transaction rolls back and the file stays at its old revision.
    """
    if revision == "head" and migrations == MIGRATIONS and stored_revision(engine) == HEAD:
        return None
    head = head_revision(migrations)
    target = head if revision == "head" else revision
    current = current_revision(engine)
    if current == target:
        return None
    if current is not None and not is_known_revision(current, migrations):
        raise MigrationError(
            f"the database is at schema revision {current}, which this rapport does not "
            f"know (its newest is {head}); use a newer rapport"
        )
    from alembic import command

    from store.db import sqlite_file_path

    backup: Path | None = None
    path = sqlite_file_path(engine)
    if path is not None and _has_tables(engine):
        from store.backup import BackupError, automatic_backup

        try:
            backup = automatic_backup(path, current)
        except BackupError as error:
            raise MigrationError(
                f"the schema needs an upgrade, but no backup could be made first ({error}); "
                "nothing was changed"
            ) from None

    kept = f"; a backup is at {backup}" if backup is not None else ""
    config = _config(migrations)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            connection.execution_options(rapport_write=True)
            if sqlite:
                _set_sqlite_foreign_keys(connection, False)
            try:
                with connection.begin():
                    if engine.dialect.name == "postgresql":
                        # Two leads opening a shared database at once: the second waits here,
                        # then Alembic finds the schema already at head and does nothing.
                        connection.exec_driver_sql(
                            f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"
                        )
                    config.attributes["connection"] = connection
                    command.upgrade(config, target)
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise MigrationError(
                                f"the upgrade would leave {len(broken)} broken references "
                                f"(first in table {broken[0][0]}); nothing was changed{kept}"
                            )
            finally:
                if sqlite:
                    _set_sqlite_foreign_keys(connection, True)
    except MigrationError:
        raise
    except Exception as error:
        raise MigrationError(
            f"upgrading the schema from revision {current or 'none'} to {target} failed "
            f"({_describe(error)}); nothing was changed{kept}"
        ) from error
    return backup
