"""Schema versioning with Alembic, run from code: opening a database upgrades it to head."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


class MigrationError(RuntimeError):
    pass


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


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


def upgrade_to_head(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default) in one transaction.

    On SQLite, batch mode rebuilds tables; with foreign keys enforced, dropping the old
    table would cascade deletes into child tables, so enforcement is off for this
    connection only, and the keys are checked before the commit instead.
    """
    if revision == "head" and current_revision(engine) == head_revision():
        return
    from alembic import command

    config = _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        connection.execution_options(rapport_write=True)
        if sqlite:
            _set_sqlite_foreign_keys(connection, False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise MigrationError(
                            f"the upgrade would leave {len(broken)} broken references "
                            f"(first in table {broken[0][0]}); nothing was changed"
                        )
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, True)
