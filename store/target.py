"""Which database to open: `--db`, else `$RAPPORT_DB`, else the user's data directory.

Kept free of SQLAlchemy: the app starts its check of a SQLite file (store.filecheck) as soon
as it knows which file, so the check runs beside the imports instead of after them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "rapport"
DB_FILENAME = "rapport.db"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILENAME


def resolve_target(db: str | None, env: Mapping[str, str] | None = None) -> str:
    """The database to open: `--db`, else `$RAPPORT_DB`, else the user's data directory."""
    environment = os.environ if env is None else env
    return db or environment.get("RAPPORT_DB") or str(default_db_path())
