"""Errors the store raises for a person to read, database errors made safe to show, and how
an edit notices a change made elsewhere (without the ORM: store.decisions and store.checkins
import this, and their reads must not load it)."""

from __future__ import annotations


class EditError(ValueError):
    """A change the store refuses (a duplicate key, a vanished record, a value too long)."""


class ConflictError(EditError):
    """Someone else changed the record since it was opened for editing."""


CONFLICT = "was changed elsewhere since you opened it; it has been reloaded, edit it again"

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
