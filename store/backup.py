"""Copies of the SQLite file: automatic before a schema upgrade, `rapport backup`, `rapport restore`.

A copy is written with `VACUUM INTO`, which reads one consistent snapshot while other
connections go on reading and writing (WAL), into a private temporary file in the target's
folder that is synced and then renamed: a copy that exists under its name is complete.
Copies are readable by their owner only (0600), like the database: they hold personal notes.

Names, next to the database: `rapport.db.backup-20261120T103000Z-rev0004` for an automatic
copy (taken before a schema upgrade or a restore; the newest `KEEP_AUTOMATIC` are kept) and
`rapport.db.backup-20261120T103000Z` for one asked for with `rapport backup` (never removed).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from store.filecheck import first_problem, text_not_utf8
from store.files import fsync_file, fsync_folder, private_temp

KEEP_AUTOMATIC = 5
BUSY_TIMEOUT_S = 15.0
# How long a restore waits for other connections to let go of the database before it
# concludes that rapport is open on it.
IN_USE_TIMEOUT_S = 1.0

_STAMP = "%Y%m%dT%H%M%SZ"
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CORRUPT, _SQLITE_NOTADB = 5, 6, 11, 26


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in one line."""


class _SourceDamaged(BackupError):
    """SQLite could not read the database being copied."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: dt.datetime
    revision: str | None  # the schema revision of an automatic copy; None for a manual one

    @property
    def automatic(self) -> bool:
        return self.revision is not None


def sqlite_file(target: str) -> Path:
    """The SQLite file behind a `--db` value; a clear refusal for anything else."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from store.db import display_target, to_url

    try:
        url = make_url(to_url(target))
    except ArgumentError:
        raise BackupError(f"not a database path or URL: {display_target(target)}") from None
    backend = url.get_backend_name()
    if backend != "sqlite":
        raise BackupError(
            f"backup and restore work on SQLite files only, not on {backend}; "
            "use the database's own tools (e.g. pg_dump)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has no file to back up or restore")
    return Path(url.database)


def _pattern(db: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(db.name) + r"\.backup-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?"
        r"(?:-rev(?P<rev>[A-Za-z0-9_]+))?"
    )


# A copy stamped later than this past now was taken while the clock was wrong.
CLOCK_SLACK = dt.timedelta(days=1)
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def backups(db: Path, *, now: dt.datetime | None = None) -> list[Backup]:
    """The copies next to `db` that rapport made, oldest first.

    A copy is as new as its stamp says, unless that is in the future (the clock was wrong
    when it was taken): then as its file's time says, and if that is in the future too, it
    counts as the oldest. Else it would stay "the newest backup" for ever, hiding the ones
    taken since, and hold one of the automatic slots that pruning never frees.
    """
    latest = (now or dt.datetime.now(dt.UTC)) + CLOCK_SLACK
    pattern = _pattern(db)
    found: list[tuple[dt.datetime, int, Backup]] = []
    try:
        names = os.listdir(db.parent)
    except OSError:
        return []
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        taken = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.UTC)
        backup = Backup(db.parent / name, taken, match["rev"])
        found.append((_as_new_as(backup, latest), int(match["n"] or 1), backup))
    return [backup for *_, backup in sorted(found, key=lambda item: item[:2])]


def _as_new_as(backup: Backup, latest: dt.datetime) -> dt.datetime:
    if backup.taken <= latest:
        return backup.taken
    try:
        written = dt.datetime.fromtimestamp(backup.path.stat().st_mtime, dt.UTC)
    except OSError:
        return _NEVER
    return written if written <= latest else _NEVER


def _counter(path: Path) -> int:
    match = re.search(r"\d{8}T\d{6}Z-(\d+)", path.name)
    return int(match[1]) if match else 1


def newest_good_backup(db: Path) -> Path | None:
    """The newest copy of `db` that passes `integrity_check`: the one to point a person at
    when `db` is damaged (a copy taken of the damage already would not help)."""
    from store.filecheck import is_sound

    for backup in reversed(backups(db)):
        if is_sound(backup.path):
            return backup.path
    return None


def _free_name(db: Path, now: dt.datetime | None, revision: str | None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime(_STAMP)
    suffix = "" if revision is None else f"-rev{revision}"
    # The counter orders backups taken in the same second, whatever their revisions, so it
    # must be new for the stamp (two backups of one second at different revisions sorted
    # by the order the folder happened to list them in).
    taken = {(b.taken.strftime(_STAMP), _counter(b.path)) for b in backups(db)}
    for n in range(1, 1000):
        counter = "" if n == 1 else f"-{n}"
        candidate = db.with_name(f"{db.name}.backup-{stamp}{counter}{suffix}")
        if (stamp, n) not in taken and not candidate.exists():
            return candidate
    raise BackupError(f"too many backups of {db} in one second")


def _private_temp(folder: Path, name: str) -> Path:
    try:
        return private_temp(folder, name)
    except OSError as error:
        raise BackupError(f"cannot write in {folder}: {error.strerror or error}") from None


def _remove_companions(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _connect(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions (VACUUM cannot run inside one).
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def copy_database(db: Path, dest: Path) -> Path:
    """Write a consistent copy of `db` to `dest` (0600), even while others use `db`."""
    if not db.is_file():
        raise BackupError(f"there is no database at {db}")
    tmp = _private_temp(dest.parent, dest.name)
    try:
        connection = _connect(db)
        try:
            # SQLite refuses to VACUUM INTO a file that is not empty: tmp is new and empty,
            # created 0600 by us, and SQLite keeps that mode.
            connection.execute("VACUUM INTO ?", (str(tmp),))
        finally:
            connection.close()
        fsync_file(tmp)  # SQLite does not sync the file VACUUM INTO writes
        # VACUUM copies what it can read; a copy of damaged pages is no backup, and under
        # a backup's name it would be what the next damaged-file message points to.
        problem = first_problem(tmp, "integrity_check")
        if problem is not None:
            raise _SourceDamaged(
                f"no backup was written: the copy of {db} does not pass the check ({problem})"
            )
        os.replace(tmp, dest)
        fsync_folder(dest.parent)
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        damaged = code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        raise (_SourceDamaged if damaged else BackupError)(
            f"cannot back up {db}: {error}"
        ) from None
    except OSError as error:
        raise BackupError(f"cannot write {dest}: {error.strerror or error}") from None
    finally:
        tmp.unlink(missing_ok=True)
        _remove_companions(tmp)
    return dest


def manual_backup(db: Path, dest: Path | None = None, *, now: dt.datetime | None = None) -> Path:
    """`rapport backup [FILE]`: FILE, a timestamped file in FILE if it is a folder, or next
    to the database. An existing file is never overwritten."""
    if dest is None:
        dest = _free_name(db, now, None)
    elif dest.is_dir():
        dest = _free_name(dest / db.name, now, None)
    elif dest.exists() or dest.is_symlink():
        raise BackupError(f"{dest} already exists; choose another name")
    return copy_database(db, dest)


def automatic_backup(
    db: Path, revision: str | None, *, now: dt.datetime | None = None, keep: int = KEEP_AUTOMATIC
) -> Path:
    """A copy before something changes the file (a schema upgrade, a restore); only the
    newest `keep` automatic copies are kept."""
    dest = copy_database(db, _free_name(db, now, revision or "none"))
    prune_automatic(db, keep)
    return dest


def prune_automatic(db: Path, keep: int = KEEP_AUTOMATIC) -> list[Path]:
    """Delete all but the newest `keep` automatic copies of `db`; manual ones stay."""
    automatic = [backup.path for backup in backups(db) if backup.automatic]
    doomed = automatic[: max(0, len(automatic) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def revision_of(db: Path) -> str | None:
    """The schema revision recorded in a SQLite file, None if it has none."""
    connection = _connect(db)
    try:
        return _read_revision(connection)
    finally:
        connection.close()


def _read_revision(connection: sqlite3.Connection) -> str | None:
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def check_restorable(path: Path, shown: Path | None = None) -> str:
    """Refuse a file that is damaged or is not a rapport database this version can open;
    return its schema revision."""
    from store.db import sqlite_problem
    from store.migrate import head_revision, is_known_revision

    shown = shown or path
    try:
        connection = _connect(path)
        try:
            try:
                problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            except sqlite3.DatabaseError as error:
                # Some damage stops integrity_check itself instead of being listed by it.
                if getattr(error, "sqlite_errorcode", 0) & 0xFF != _SQLITE_CORRUPT:
                    raise
                problems = [str(error)]
            if problems != ["ok"]:
                raise BackupError(
                    f"{shown} is damaged (integrity_check: {sqlite_problem(problems[0])})"
                )
            if (found := text_not_utf8(connection)) is not None:
                raise BackupError(f"{shown} is damaged ({found})")
            revision = _read_revision(connection)
            if revision is None:
                raise BackupError(f"{shown} is not a rapport database")
            if not is_known_revision(revision):
                raise BackupError(
                    f"{shown} is at schema revision {revision}, which this rapport does not "
                    f"know (its newest is {head_revision()}); restore it with a newer rapport"
                )
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                many = "s" if len(broken) != 1 else ""
                raise BackupError(
                    f"{shown} has {len(broken)} broken reference{many} "
                    f"(the first in table {broken[0][0]})"
                )
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"{shown} is not a usable database ({error})") from None
    return revision


def _is_damaged(db: Path) -> bool:
    from store.db import DamagedDatabase, check_sqlite_file

    try:
        check_sqlite_file(db)
    except DamagedDatabase:
        return True
    return False


def _take_offline(db: Path, timeout: float) -> bool:
    """Fold the WAL into the file and leave it in rollback mode, which SQLite allows only
    when no other connection has it open (else BackupError). False if the file is too
    damaged to try."""
    try:
        connection = _connect(db, timeout=timeout)
        try:
            mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return False
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            raise BackupError(
                f"the database {db} is in use (is rapport open?); close it and try again"
            ) from None
        raise BackupError(f"cannot restore into {db}: {error}") from None
    if mode is None or str(mode[0]).lower() != "delete":
        raise BackupError(f"the database {db} is in use (is rapport open?); close it and try again")
    return True


def _keep_damaged(db: Path, now: dt.datetime | None) -> Path:
    """A byte copy of a damaged file and its WAL (named so that SQLite finds the WAL when
    the copy is opened), for whoever tries to rescue more than the last backup holds."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime(_STAMP)
    dest = db.with_name(f"{db.name}.damaged-{stamp}")
    for suffix in ("", "-wal"):
        source = db.with_name(db.name + suffix)
        if source.exists():
            target = dest.with_name(dest.name + suffix)
            tmp = _private_temp(db.parent, target.name)
            try:
                shutil.copyfile(source, tmp)
                fsync_file(tmp)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
    fsync_folder(db.parent)
    return dest


@dataclass(frozen=True)
class Restored:
    revision: str  # the schema revision of the restored file, before any upgrade
    previous: Path | None  # where the database it replaced was kept


def restore(
    db: Path, source: Path, *, now: dt.datetime | None = None, timeout: float = IN_USE_TIMEOUT_S
) -> Restored:
    """Replace `db` with a checked copy of `source`; the replaced database is kept as an
    automatic backup (or, if damaged, as a byte copy `*.damaged-*`, with its WAL).

    The caller then opens the store, which upgrades the schema to head.
    """
    if not source.is_file():
        raise BackupError(f"there is no file {source}")
    if db.exists() and os.path.samefile(source, db):
        raise BackupError(f"{source} is the database itself")
    wal = source.with_name(source.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BackupError(
            f"{source} has a -wal file beside it: it is open elsewhere or was not closed "
            f"cleanly; copy it with `rapport --db {source} backup` and restore that copy"
        )
    try:
        db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot create {db.parent}: {error.strerror or error}") from None
    tmp = _private_temp(db.parent, db.name)
    try:
        try:
            with source.open("rb") as reader, tmp.open("r+b") as writer:
                shutil.copyfileobj(reader, writer)
                writer.flush()
                os.fsync(writer.fileno())
        except OSError as error:
            raise BackupError(f"cannot read {source}: {error.strerror or error}") from None
        # Check the very bytes that will be put in place, not the file they came from.
        revision = check_restorable(tmp, shown=source)
        _remove_companions(tmp)

        previous: Path | None = None
        if db.exists() and db.stat().st_size > 0:
            if _is_damaged(db):
                # Its bytes as they are, WAL included, before anything touches them.
                previous = _keep_damaged(db, now)
                _take_offline(db, timeout)
            else:
                _take_offline(db, timeout)
                try:
                    previous = automatic_backup(db, revision_of(db), now=now)
                except _SourceDamaged:  # damage that quick_check does not look for
                    previous = _keep_damaged(db, now)
        # No connection is open now: a stale WAL of the old file must not be replayed
        # into the new one.
        _remove_companions(db)
        os.replace(tmp, db)
        fsync_folder(db.parent)
    except OSError as error:
        raise BackupError(f"cannot restore into {db}: {error.strerror or error}") from None
    finally:
        tmp.unlink(missing_ok=True)
        _remove_companions(tmp)
    return Restored(revision, previous)
