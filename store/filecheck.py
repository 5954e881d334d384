"""`PRAGMA quick_check` on a SQLite file, with nothing but `sqlite3`.

Kept free of SQLAlchemy so that the TUI can start the check in a thread before it imports
anything heavy: SQLite releases the GIL while it reads, so on a large file the check runs
beside the imports instead of before them.
"""

from __future__ import annotations

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


def check_sqlite_file(path: Path) -> None:
    """`PRAGMA quick_check` before anything writes to the file (cheap: one read of it).

    A plain read-only connection, not the engine's: its pragmas would write to the file,
    and closing a writable connection folds the WAL into a file that may be damaged.
    """
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code == _SQLITE_NOTADB:
            problem = "file is not a database"
        elif code == _SQLITE_CORRUPT:
            problem = f"the file is damaged ({error})"
        else:  # cannot read it, busy…: the engine meets the same error and reports it
            return
    else:
        if problems == ["ok"]:
            return
        problem = f"the file is damaged (quick_check: {sqlite_problem(problems[0])})"
    from store.backup import newest_backup

    raise DamagedDatabase(path, problem, newest_backup(path))


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
