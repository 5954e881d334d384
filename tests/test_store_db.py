"""The engine, the file on disk and the schema, on real SQLite files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import Store, resolve_target, to_url
from store.migrate import current_revision, head_revision


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_is_private_from_the_first_byte(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "nested" / "rapport.db"
    store = Store.open(str(db))
    with store.write() as session:
        session.execute(text("CREATE TABLE scratch (x)"))
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
    # SQLite copies the main file's mode to its companions.
    for companion in (db.with_name("rapport.db-wal"), db.with_name("rapport.db-shm")):
        assert companion.exists()
        assert mode(companion) == 0o600
    store.close()


@pytest.mark.sqlite_only
def test_every_connection_gets_the_pragmas(store: Store) -> None:
    with store.read() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA cache_size")).scalar() == -512  # KiB


def test_opening_upgrades_to_head_and_reopening_is_a_no_op(db_path: Path) -> None:
    first = Store.open(str(db_path))
    assert current_revision(first.engine) == head_revision()
    first.close()
    again = Store.open(str(db_path))
    assert current_revision(again.engine) == head_revision()
    with again.read() as session:
        tables = set(
            session.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
        )
    assert {"engagement", "person", "cadence", "checkin", "decision", "note"} <= tables
    again.close()


def test_write_transactions_rollback_on_error(store: Store) -> None:
    from store.edits import EngagementValues, save_engagement
    from store.queries import engagements

    save_engagement(store, EngagementValues(key="one", name="One"))
    with pytest.raises(RuntimeError), store.write() as session:
        session.execute(text("DELETE FROM engagement"))
        raise RuntimeError("boom")
    assert [row.key for row in engagements(store)] == ["one"]


def test_concurrent_read_modify_write_loses_no_update(db_path: Path) -> None:
    """BEGIN IMMEDIATE: two writers incrementing one counter never overwrite each other."""
    setup = Store.open(str(db_path))
    with setup.write() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
    setup.close()

    def bump(times: int) -> None:
        store = Store.open(str(db_path), upgrade=False)
        for _ in range(times):
            with store.write() as session:
                n = session.execute(text("SELECT n FROM counter")).scalar_one()
                session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        store.close()

    workers = [threading.Thread(target=bump, args=(100,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    check = Store.open(str(db_path), upgrade=False)
    with check.read() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 200
    check.close()


def test_target_precedence(tmp_path: Path) -> None:
    env = {"RAPPORT_DB": str(tmp_path / "env.db")}
    assert resolve_target(str(tmp_path / "flag.db"), env) == str(tmp_path / "flag.db")
    assert resolve_target(None, env) == str(tmp_path / "env.db")
    default = resolve_target(None, {})
    assert default.endswith(os.path.join("rapport", "rapport.db"))


def test_paths_and_urls() -> None:
    assert to_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert to_url("/tmp/x.db") == "sqlite:////tmp/x.db"


def test_store_never_imports_the_ui() -> None:
    """The data layer stays usable without Textual (scripts, the CLI, a server)."""
    probe = (
        "import sys, store.db, store.models, store.queries, store.edits, store.fields, "
        "store.rhythm, store.migrate, store.io_toml\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_background_check_knows_which_targets_are_sqlite_files(tmp_path: Path) -> None:
    from store.filecheck import sqlite_path_of

    existing = tmp_path / "a b.db"
    Store.open(str(existing)).close()
    assert sqlite_path_of(str(existing)) == existing
    assert sqlite_path_of(f"sqlite:///{tmp_path}/a%20b.db") == existing
    assert sqlite_path_of(str(tmp_path / "missing.db")) is None  # created, then checked
    assert sqlite_path_of("postgresql+psycopg://u@db/rapport") is None


# What the first screen reads, in a fresh interpreter as the app starts: the store opened,
# the app's and the first screens' modules imported, the engagements, a page of the roster
# and Today's notes read.
FIRST_SCREEN = """
import datetime as dt, sys
from store.db import Store
import tui.app, tui.screens.roster, tui.screens.today
from store import queries
from store.today import notes_due
store = Store.open(sys.argv[1])
(engagement,) = queries.engagements(store)
assert queries.roster(store, engagement.id, limit=40)
notes_due(store, engagement.id, dt.date(2026, 11, 20))
print(sorted(m for m in sys.modules if m.startswith("sqlalchemy.orm") or m == "store.models"))
"""


@pytest.mark.both_backends
def test_the_first_screen_is_read_without_loading_the_orm(
    sample_store: Store, db_target: str
) -> None:
    """`sqlalchemy.orm` and the mapped models cost as much to import and configure as
    Textual itself: the first screen is up before they are loaded."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, db_target],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
