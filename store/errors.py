"""Errors the store raises for a person to read, database errors made safe to show, and how
an edit notices a change made elsewhere (without the ORM: store.decisions and store.checkins
import this, and their reads must not load it)."""

from __future__ import annotations

import re


class RapportError(Exception):
    """An error meant for a person: a short title and a message in rapport's own words,
    never a statement or a stored value. Every error the store raises on purpose is one."""

    title = "Error"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title is not None:
            self.title = title


# A ValueError too: the command line and older callers catch it as one.
class EditError(RapportError, ValueError):
    """A change the store refuses (a duplicate key, a vanished record, a value too long)."""

    title = "Not saved"


class ConflictError(EditError):
    """Someone else changed the record since it was opened for editing."""

    title = "Changed elsewhere"


CONFLICT = "was changed elsewhere since you opened it"

# FOR NO KEY UPDATE: a second writer of the same row waits for the first to commit (and
# then sees its version), while inserts that merely refer to the row are not held up.
# SQLite ignores it: its writers take turns for the whole transaction anyway.
ROW_LOCK = {"key_share": True}


def check_version(record: object, version: int | None) -> None:
    """Refuse to overwrite a change made elsewhere since `version` was read.

    The record must have been read under a row lock (`with_for_update=ROW_LOCK`): on
    PostgreSQL a second writer then waits for the first to commit and sees its version here.
    """
    current = getattr(record, "version", None)
    if version is not None and current != version:
        raise ConflictError(f"this {type(record).__name__.lower()} {CONFLICT}")


def driver_message(error: BaseException, limit: int = 200) -> str:
    """The database's own words on one line, without the statement, its values or details.

    PostgreSQL's DETAIL can quote a whole failing row ("Failing row contains (…)"), personal
    text included, so only its primary message is kept; SQLite's message is one line anyway.
    """
    original = getattr(error, "orig", None) or error
    diag = getattr(original, "diag", None)
    text = (getattr(diag, "message_primary", None) if diag is not None else None) or str(original)
    lines = text.strip().splitlines()
    line = lines[0] if lines else type(original).__name__
    # Python's sqlite3 quotes the text it could not decode: a damaged page's personal text.
    line = line.split(" with text '", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


# What a database error means for the person in front of it, by words of SQLite's and
# PostgreSQL's own messages (lowercased), first match wins.
_REASONS = (
    (("database is locked", "database table is locked", "lock timeout"),
     "the database is locked by another program; try again in a moment"),
    (("malformed", "not a database", "could not decode", "disk image"),
     "the database file looks damaged; restore the newest backup (rapport restore)"),
    (("disk i/o error", "database or disk is full", "no space left"),
     "the disk could not be written (is it full?)"),
    (("readonly database", "read-only"), "the database is read-only here"),
    (("unable to open database file",), "the database file cannot be opened"),
    (("connection", "server closed", "terminating"), "the connection to the database server was lost"),
)  # fmt: skip


def database_reason(error: BaseException) -> str:
    """What went wrong with the database, in a few words and without any value: what the
    driver says can quote a stored text ("… with text 'Tyler unhappy …'"), so a message not
    known here keeps its words and loses everything in quotes."""
    said = driver_message(error)
    lowered = said.lower()
    for words, reason in _REASONS:
        if any(word in lowered for word in words):
            return reason
    return _QUOTED.sub("…", said)


_QUOTED = re.compile(r"'[^']*'?|\"[^\"]*\"?|\([^)]*\)")


def is_database_error(error: BaseException) -> bool:
    """An error of the database or its driver (SQLAlchemy's, sqlite3's, psycopg's)."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, DBAPIError):
        return True
    module = type(error).__module__
    return module.startswith(("sqlite3", "psycopg", "_sqlite3"))
