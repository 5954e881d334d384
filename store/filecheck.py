"""`PRAGMA quick_check` on a SQLite file, with nothing but `sqlite3`.

Kept free of SQLAlchemy so that the TUI can start the check in a thread before it imports
anything heavy: SQLite releases the GIL while it reads, so on a large file the check runs
beside the imports instead of before them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import unquote

BUSY_TIMEOUT_MS = 15_000
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


class DamagedDatabase(Exception):
    """The SQLite file fails `PRAGMA quick_check`, or is not a database at all.

    The message names the file and the newest backup next to it, if there is one.
    """

    def __init__(self, path: Path, problem: str, newest_backup: Path | None) -> None:
        self.path = path
        self.problem = problem
        self.newest_backup = newest_backup
        message = f"cannot open the database {path}: {problem}"
        if newest_backup is not None:
            message += f"; the newest backup is {newest_backup}"
        super().__init__(message)


def sqlite_problem(report: str, limit: int = 200) -> str:
    """The first finding of an integrity or quick check, on one short line."""
    lines = [line.strip() for line in report.splitlines()]
    found = [line for line in lines if line and not line.startswith("*** in database")]
    first = found[0] if found else "?"
    return first if len(first) <= limit else first[: limit - 1] + "…"


def read_only_uri(path: Path) -> str:
    """A `file:` URI that opens `path` without writing to it or beside it.

    A WAL database needs its -shm beside it; where the folder cannot be written (a read-only
    file system) and none is there, `immutable` lets SQLite read the file as it is: no one
    can be writing it there, and there is no WAL to miss.
    """
    uri = f"{path.absolute().as_uri()}?mode=ro"
    companions = all(path.with_name(path.name + s).exists() for s in ("-wal", "-shm"))
    if not companions and not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return uri


def first_problem(path: Path, pragma: str) -> str | None:
    """The first problem `PRAGMA quick_check` or `integrity_check` finds; None if none, or
    if the file cannot be read at all for another reason (the engine meets it and says so).

    The whole check also reads every text for what SQLite does not look at: bytes that are
    not UTF-8 (a damaged page of a table), which no read of that row can turn into text.
    """
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            problems = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
            if problems == ["ok"] and pragma == "integrity_check":
                problems = [found] if (found := text_not_utf8(connection)) else problems
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_NOTADB:
            return "file is not a database"
        if code == _SQLITE_CORRUPT:
            return f"the file is damaged ({error})"
        return None  # cannot read it, busy…
    if problems == ["ok"]:
        return None
    return f"the file is damaged ({pragma}: {sqlite_problem(problems[0])})"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_not_utf8(connection: sqlite3.Connection) -> str | None:
    """Where a text is not UTF-8 (table and column, never the bytes: they are someone's
    notes); None if every text is."""
    factory = connection.text_factory
    connection.text_factory = bytes
    try:
        return _first_text_not_utf8(connection)
    finally:
        connection.text_factory = factory


def _first_text_not_utf8(connection: sqlite3.Connection) -> str | None:
    tables = [
        str(name, "utf-8", "replace")
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        columns = [
            str(row[1], "utf-8", "replace")
            for row in connection.execute(f"PRAGMA table_info({_quoted(table)})")
        ]
        if not columns:
            continue
        texts = ", ".join(
            f"CASE WHEN typeof({_quoted(c)}) = 'text' THEN {_quoted(c)} END" for c in columns
        )
        for row in connection.execute(f"SELECT {texts} FROM {_quoted(table)}"):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    return f"a text in table {table}, column {column}, is not UTF-8"
    return None


def check_sqlite_file(path: Path) -> None:
    """`PRAGMA quick_check` before anything writes to the file (cheap: one read of it).

    A plain read-only connection, not the engine's: its pragmas would write to the file,
    and closing a writable connection folds the WAL into a file that may be damaged. A link
    is followed, so that the message names the file itself and the backups beside it.
    """
    path = Path(os.path.realpath(path))
    problem = first_problem(path, "quick_check")
    if problem is not None:
        from store.backup import newest_good_backup

        raise DamagedDatabase(path, problem, newest_good_backup(path))


def find_damage(path: Path) -> DamagedDatabase | None:
    """The whole `PRAGMA integrity_check`: what quick_check does not look for (an index that
    no longer matches its table), for when reading the file went wrong or must be right."""
    path = Path(os.path.realpath(path))
    problem = first_problem(path, "integrity_check")
    if problem is None:
        return None
    from store.backup import newest_good_backup

    return DamagedDatabase(path, problem, newest_good_backup(path))


def is_sound(path: Path) -> bool:
    """The file passes `integrity_check` (a backup one may restore from)."""
    return first_problem(path, "integrity_check") is None and _opens(path)


def _opens(path: Path) -> bool:
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return True


def sqlite_path_of(target: str) -> Path | None:
    """The SQLite file a `--db` value names, if it names one that exists."""
    if "://" in target:
        prefix = "sqlite:///"
        if not target.startswith(prefix) or "?" in target:
            return None
        target = unquote(target[len(prefix) :])
    path = Path(target).expanduser()
    return path if path.is_file() else None


class BackgroundCheck:
    """`check_sqlite_file` in a thread; `result()` waits for it and raises what it found."""

    def __init__(self, target: str) -> None:
        self._error: DamagedDatabase | None = None
        self._thread: threading.Thread | None = None
        path = sqlite_path_of(target)
        if path is not None:
            self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
            self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            check_sqlite_file(path)
        except DamagedDatabase as error:
            self._error = error

    def result(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error


_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 10, 13, 14
# Less free room than this, and an I/O error while writing is the disk being full.
_NEARLY_FULL_BYTES = 1 << 20


def sqlite_error_code(error: BaseException) -> int | None:
    """SQLite's primary result code behind an error (SQLAlchemy's or the driver's)."""
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def why_not_writable(path: Path) -> str | None:
    """Why SQLite cannot write `path` (or the -wal and -shm beside it); None if it can."""
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return "its file system is mounted read-only"
    except OSError:
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} is read-only (SQLite writes {path.name}-wal beside it)"
    return None


def _nearly_full(path: Path) -> bool:
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < _NEARLY_FULL_BYTES


def file_trouble(path: Path, error: BaseException) -> str | None:
    """What is wrong with a SQLite file or its disk, said plainly and naming the file, for
    SQLite's vague words ("disk I/O error", "unable to open database file"); None when the
    error is not about the file."""
    code = sqlite_error_code(error)
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _nearly_full(path)):
        return f"the disk holding {path} is full; nothing was saved: free some space, try again"
    if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_IOERR):
        why = why_not_writable(path)
        if why is not None:
            return (
                f"cannot write the database {path}: {why}; "
                "`rapport brief` and `rapport export` can still read it"
            )
    if code == _SQLITE_CANTOPEN:
        if not path.parent.is_dir():
            return f"cannot open the database {path}: its folder does not exist"
        return f"cannot open the database {path}: it cannot be read (check its permissions)"
    if code == _SQLITE_IOERR:
        return f"the disk holding {path} failed while reading or writing it (disk I/O error)"
    return None
