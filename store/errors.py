"""Errors the store raises for a person to read, and database errors made safe to show."""

from __future__ import annotations


class EditError(ValueError):
    """A change the store refuses (a duplicate key, a vanished record, a value too long)."""


class ConflictError(EditError):
    """Someone else changed the record since it was opened for editing."""


CONFLICT = "was changed elsewhere since you opened it; it has been reloaded, edit it again"


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
    return line if len(line) <= limit else line[: limit - 1] + "…"
