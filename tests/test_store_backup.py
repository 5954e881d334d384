"""Backups: automatic before a schema upgrade, `rapport backup`, `rapport restore`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from test_store_durability import check_written, writers
from test_store_migrations import FIRST_REVISION_ROWS, TABLES

from store.backup import (
    KEEP_AUTOMATIC,
    BackupError,
    automatic_backup,
    backups,
    manual_backup,
    restore,
)
from store.db import DamagedDatabase, Store, make_engine
from store.migrate import (
    MIGRATIONS,
    MigrationError,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

# Backups and restore copy SQLite files; a PostgreSQL server has its own tools (pg_dump).
pytestmark = pytest.mark.sqlite_only


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def at(second: int) -> dt.datetime:
    return dt.datetime(2026, 11, 20, 10, 30, second, tzinfo=dt.UTC)


def first_revision_database(path: Path) -> None:
    """A file written by schema revision 0001, holding real rows."""
    engine = make_engine(str(path))
    upgrade_to_head(engine, "0001")
    with engine.begin() as connection:
        for statement in FIRST_REVISION_ROWS:
            connection.execute(text(statement))
    engine.dispose()


def counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        connection.close()


def revision(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def integrity(path: Path) -> list[tuple[str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


FIRST_COUNTS = {
    "engagement": 1, "person": 3, "checkin": 1, "checkin_attendee": 2, "decision": 1,
    "decision_audience": 2, "note": 1,
}  # fmt: skip


# --- automatic backups around schema upgrades -------------------------------------------


def test_an_upgrade_is_preceded_by_a_private_backup_of_the_old_file(db_path: Path) -> None:
    first_revision_database(db_path)
    assert backups(db_path) == []  # a brand-new file is not backed up

    store = Store.open(str(db_path))
    assert current_revision(store.engine) == head_revision()
    store.close()
    [backup] = backups(db_path)
    assert backup.automatic
    assert backup.revision == "0001"
    assert backup.path.parent == db_path.parent
    assert backup.path.name.startswith("rapport.db.backup-")
    assert backup.path.name.endswith("-rev0001")
    assert mode(backup.path) == 0o600
    assert integrity(backup.path) == [("ok",)]
    assert revision(backup.path) == "0001"
    assert counts(backup.path) == FIRST_COUNTS
    # Opening at head again changes nothing and copies nothing.
    Store.open(str(db_path)).close()
    assert len(backups(db_path)) == 1


def test_only_the_newest_automatic_backups_are_kept(db_path: Path) -> None:
    Store.open(str(db_path)).close()
    manual = manual_backup(db_path, now=at(0))
    made = [automatic_backup(db_path, "0004", now=at(1 + i)) for i in range(KEEP_AUTOMATIC + 2)]
    left = backups(db_path)
    assert [b.path for b in left if b.automatic] == made[-KEEP_AUTOMATIC:]
    assert manual in [b.path for b in left]  # asked for by hand: never removed
    assert not made[0].exists() and not made[1].exists()


def test_two_backups_in_one_second_get_two_names(db_path: Path) -> None:
    Store.open(str(db_path)).close()
    one = automatic_backup(db_path, "0004", now=at(5))
    two = automatic_backup(db_path, "0004", now=at(5))
    assert one != two
    assert [b.path for b in backups(db_path)] == [one, two]


BROKEN_REVISION = '''
"""a broken upgrade"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch_op:  # a table rebuild…
        batch_op.drop_column("email")
        batch_op.add_column(sa.Column("nickname", sa.Text()))
    op.execute("DELETE FROM note")
    raise RuntimeError("this upgrade is broken")  # …and then a failure


def downgrade() -> None:
    pass
'''


def test_a_failed_upgrade_leaves_the_old_file_usable(tmp_path: Path, db_path: Path) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9001_broken.py").write_text(
        BROKEN_REVISION.format(down=head_revision())
    )
    first_revision_database(db_path)

    engine = make_engine(str(db_path))
    with pytest.raises(MigrationError) as raised:
        upgrade_to_head(engine, migrations=migrations)
    message = str(raised.value)
    assert "from revision 0001 to 9001 failed" in message
    assert "RuntimeError: this upgrade is broken" in message
    [backup] = backups(db_path)
    assert message.endswith(f"nothing was changed; a backup is at {backup.path}")
    # Every revision of this attempt was rolled back, not only the broken one.
    assert current_revision(engine) == "0001"
    with engine.connect() as connection:
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(person)")}
        assert "email" in columns and "nickname" not in columns
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert counts(db_path) == FIRST_COUNTS
    assert integrity(db_path) == [("ok",)]
    assert revision(backup.path) == "0001" and counts(backup.path) == FIRST_COUNTS

    # The file is still good for the real migrations.
    store = Store.open(str(db_path))
    assert current_revision(store.engine) == head_revision()
    store.close()
    assert counts(db_path) == FIRST_COUNTS


def test_a_database_from_a_newer_rapport_is_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_revision_database(db_path)
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num = '0042'")
    connection.commit()
    connection.close()
    assert main(["--db", str(db_path), "export"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "schema revision 0042, which this rapport does not know" in err
    assert backups(db_path) == []  # refused before anything was copied or changed


# --- rapport backup ------------------------------------------------------------------------


def test_backup_writes_a_private_consistent_copy_next_to_the_database(
    store: Store, team: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The store stays open (the app is running) while the copy is made.
    assert main(["--db", str(db_path), "backup"]) == EXIT_OK
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == db_path.parent
    assert printed.name.startswith("rapport.db.backup-")
    assert mode(printed) == 0o600
    assert integrity(printed) == [("ok",)]
    assert counts(printed) == counts(db_path)
    assert revision(printed) == head_revision()
    assert [b.path for b in backups(db_path)] == [printed]
    assert not backups(db_path)[0].automatic
    assert [p.name for p in db_path.parent.iterdir() if p.name.startswith(".")] == []


def test_backup_to_a_file_or_a_folder_never_overwrites(
    store: Store, team: dict[str, int], db_path: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    target = tmp_path / "copy.db"
    assert main(["--db", str(db_path), "backup", str(target)]) == EXIT_OK
    assert capsys.readouterr().out == f"{target}\n"
    assert mode(target) == 0o600 and counts(target) == counts(db_path)

    before = target.read_bytes()
    assert main(["--db", str(db_path), "backup", str(target)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == f"rapport: {target} already exists; choose another name\n"
    assert target.read_bytes() == before

    folder = tmp_path / "shelf"
    folder.mkdir()
    assert main(["--db", str(db_path), "backup", str(folder)]) == EXIT_OK
    [made] = folder.iterdir()
    assert Path(capsys.readouterr().out.strip()) == made
    assert made.name.startswith("rapport.db.backup-") and mode(made) == 0o600


def test_backup_of_a_missing_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "rapport.db"
    assert main(["--db", str(missing), "backup"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == f"rapport: there is no database at {missing}\n"
    assert not missing.exists() and not missing.parent.exists()


def test_backup_while_another_process_writes(
    tmp_path: Path, db_path: Path, store: Store, team: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    store.close()
    with writers(tmp_path, db_path, team) as writer:
        writer.start()
        copies = []
        for i in range(3):
            writer.wait_for_commits(10)
            target = tmp_path / f"copy{i}.db"
            assert main(["--db", str(db_path), "backup", str(target)]) == EXIT_OK
            copies.append(target)
        writer.kill()
        writer.close()
    capsys.readouterr()
    sizes = []
    for copy in copies:
        # A snapshot: sound, and no check-in in it is half-written (reported ones may be
        # missing: they were committed after the snapshot).
        sizes.append(check_written(copy, set()))
    assert sizes == sorted(sizes) and sizes[0] >= 10
    assert check_written(db_path, set(writer.reported)) >= sizes[-1]


@pytest.mark.parametrize("command", [["backup"], ["restore", "x.db"]])
def test_backup_and_restore_are_for_sqlite_files_only(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://lead:hunter2@127.0.0.1:1/rapport"
    assert main(["--db", url, *command]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("rapport: backup and restore work on SQLite files only, not on postgres")
    assert "hunter2" not in err and err.count("\n") == 1


# --- rapport restore -----------------------------------------------------------------------


def add_person(path: Path, key: str) -> None:
    store = Store.open(str(path))
    with store.write() as session:
        session.execute(
            text(
                "INSERT INTO person (engagement_id, key, name, side, organisation, role, "
                "responsibilities, team, timezone, work_start, work_end, email, at_kickoff, "
                "met_in_person) VALUES (1, :k, :k, 'ours', '', '', '', '', 'UTC', "
                "'09:00:00', '17:00:00', '', 0, 0)"
            ),
            {"k": key},
        )
    store.close()


def person_keys(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT key FROM person")}
    finally:
        connection.close()


def test_restore_puts_a_backup_back_and_keeps_the_database_it_replaces(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_revision_database(db_path)
    Store.open(str(db_path)).close()
    saved = manual_backup(db_path, tmp_path / "saved.db")
    add_person(db_path, "zoe")  # after the backup
    assert "zoe" in person_keys(db_path)

    assert main(["--db", str(db_path), "restore", str(saved)]) == EXIT_OK
    out = capsys.readouterr().out
    previous = backups(db_path)[-1].path
    assert out == f"Restored {saved} into {db_path}; the database it replaced is at {previous}\n"
    assert "zoe" not in person_keys(db_path)
    assert "zoe" in person_keys(previous) and mode(previous) == 0o600
    assert mode(db_path) == 0o600
    assert revision(db_path) == head_revision()
    assert integrity(db_path) == [("ok",)]
    assert counts(db_path) == FIRST_COUNTS
    assert saved.exists()  # the source is copied, not moved


def test_restore_of_an_old_revision_upgrades_it(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.db"
    first_revision_database(old)
    Store.open(str(db_path)).close()  # an empty database at head
    assert main(["--db", str(db_path), "restore", str(old)]) == EXIT_OK
    assert revision(db_path) == head_revision()
    assert counts(db_path) == FIRST_COUNTS
    assert revision(old) == "0001"  # the source is untouched
    revs = sorted(b.revision for b in backups(db_path))
    assert revs == sorted([head_revision(), "0001"])  # before restore; before the upgrade


def test_restore_into_a_new_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "saved.db"
    first_revision_database(saved)
    db = tmp_path / "new-machine" / "rapport.db"
    assert main(["--db", str(db), "restore", str(saved)]) == EXIT_OK
    assert capsys.readouterr().out == f"Restored {saved} into {db}\n"
    assert mode(db.parent) == 0o700 and mode(db) == 0o600
    assert counts(db) == FIRST_COUNTS


def sqlite_file(path: Path, *statements: str) -> Path:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


def refusals(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files restore must refuse, with the words it refuses them with."""
    text_file = tmp_path / "notes.txt"
    text_file.write_text("a shopping list\n" * 300)
    damaged = tmp_path / "damaged.db"
    first_revision_database(damaged)
    connection = sqlite3.connect(damaged)
    connection.executescript(
        "CREATE TABLE pad (x); "
        + "".join("INSERT INTO pad VALUES (randomblob(3000)); " for _ in range(40))
    )
    connection.close()
    with damaged.open("r+b") as handle:
        handle.seek((damaged.stat().st_size // 4096 // 2 - 1) * 4096 + 8)
        handle.write(b"\xff\x00" * 8)
    future = tmp_path / "future.db"
    first_revision_database(future)
    sqlite_file(future, "UPDATE alembic_version SET version_num = '0099'")
    dangling = tmp_path / "dangling.db"
    first_revision_database(dangling)
    sqlite_file(dangling, "INSERT INTO note (person_id, \"on\", kind, text, pinned) "
                "VALUES (77, '2026-10-01', 'personal', 'x', 0)")  # fmt: skip
    in_use = tmp_path / "in-use.db"
    first_revision_database(in_use)
    (tmp_path / "in-use.db-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(100))
    return {
        "missing": (tmp_path / "missing.db", "there is no file"),
        "text": (text_file, "is not a usable database (file is not a database)"),
        "damaged": (damaged, "is damaged (integrity_check: "),
        "foreign": (sqlite_file(tmp_path / "other.db", "CREATE TABLE t (x)"),
                    "is not a rapport database"),
        "empty": (sqlite_file(tmp_path / "empty.db"), "is not a rapport database"),
        "future": (future, "is at schema revision 0099, which this rapport does not know"),
        "dangling": (dangling, "has 1 broken reference (the first in table note)"),
        "wal": (in_use, "has a -wal file beside it"),
    }  # fmt: skip


def test_restore_checks_the_file_first_and_refuses_a_bad_one(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_revision_database(db_path)
    Store.open(str(db_path)).close()
    before = db_path.read_bytes()
    folder_before = sorted(p.name for p in db_path.parent.iterdir())
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, (source, words) in refusals(bad).items():
        assert main(["--db", str(db_path), "restore", str(source)]) == EXIT_BAD_INPUT, name
        err = capsys.readouterr().err
        assert err.startswith("rapport: ") and err.count("\n") == 1, name
        assert words in err, (name, err)
        assert str(source) in err, name
        assert db_path.read_bytes() == before, name
        assert sorted(p.name for p in db_path.parent.iterdir()) == folder_before, name


def test_restore_refuses_the_database_itself(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store.open(str(db_path)).close()
    assert main(["--db", str(db_path), "restore", str(db_path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == f"rapport: {db_path} is the database itself\n"


def test_restore_refuses_while_the_database_is_open(
    store: Store, team: dict[str, int], db_path: Path, tmp_path: Path
) -> None:
    saved = manual_backup(db_path, tmp_path / "saved.db")
    with store.read() as session:  # the running app holds a connection
        session.execute(text("SELECT 1")).all()
    before = person_keys(db_path)
    started = time.monotonic()
    with pytest.raises(BackupError, match=r"is in use \(is rapport open\?\)"):
        restore(db_path, saved, timeout=0.05)
    assert time.monotonic() - started < 5
    assert person_keys(db_path) == before
    assert backups(db_path) == []
    store.close()
    assert restore(db_path, saved).previous is not None


def test_restore_over_a_damaged_database_keeps_its_bytes_and_drops_its_wal(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_revision_database(db_path)
    Store.open(str(db_path)).close()
    saved = manual_backup(db_path, tmp_path / "saved.db")
    # A real WAL full of committed frames, left behind next to the file…
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("CREATE TABLE pad (x)")
    connection.executemany("INSERT INTO pad VALUES (randomblob(2000))", [()] * 50)
    connection.commit()
    wal = db_path.with_name("rapport.db-wal")
    stale = wal.read_bytes()
    connection.close()
    wal.write_bytes(stale)
    # …and the main file damaged (pages that the WAL does not cover).
    with db_path.open("r+b") as handle:
        handle.seek(2 * 4096)
        handle.write(b"garbage " * 512 * 3)
    damaged = db_path.read_bytes()
    with pytest.raises(DamagedDatabase):
        Store.open(str(db_path))

    assert main(["--db", str(db_path), "restore", str(saved)]) == EXIT_OK
    kept = sorted(db_path.parent.glob("rapport.db.damaged-*"))
    assert [p.name.endswith("-wal") for p in kept] == [False, True]
    assert kept[0].read_bytes() == damaged and kept[1].read_bytes() == stale
    assert all(mode(p) == 0o600 for p in kept)
    assert f"the database it replaced is at {kept[0]}" in capsys.readouterr().out
    # The stale WAL was not replayed into the restored file.
    assert integrity(db_path) == [("ok",)]
    assert counts(db_path) == FIRST_COUNTS
    with sqlite3.connect(db_path) as check:
        assert check.execute("SELECT name FROM sqlite_master WHERE name = 'pad'").fetchall() == []
    Store.open(str(db_path)).close()


def test_a_symlinked_backup_target_is_not_followed(
    store: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.db"
    os.symlink(victim, link)
    assert main(["--db", str(db_path), "backup", str(link)]) == EXIT_BAD_INPUT
    assert victim.read_text() == "keep me"
    assert "already exists" in capsys.readouterr().err


def test_backups_in_one_second_at_different_revisions_keep_their_order(db_path: Path) -> None:
    from store.backup import _free_name

    Store.open(str(db_path)).close()
    moment = dt.datetime(2026, 11, 27, 5, 12, 36, tzinfo=dt.UTC)
    names = []
    for revision in ("0006", "0001", "0003"):
        path = _free_name(db_path, moment, revision)
        path.write_bytes(b"")
        names.append(path)
    assert [b.path for b in backups(db_path)] == names
    assert [b.revision for b in backups(db_path)] == ["0006", "0001", "0003"]
