"""Checks for the values and tables of an engagement file, with the place of each problem.

Each check takes what tomllib gave (strictly typed: `true` is not a number, a date is not a
date-time) and returns the clean value or raises FieldError. Places are written like
`people[3].timezone`, list positions counted from 0. store.import_plan applies them to a file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from store.errors import RapportError
from store.fields import (
    FieldError,
    check_date,
    check_email,
    check_key,
    check_text,
    check_timezone,
    parse_clock,
    parse_hours,
)
from store.models import (
    KEY_LEN,
    SHORT_LEN,
    ZONE_LEN,
)
from store.rhythm import RhythmError, parse_rhythm

# Beyond this, more lines help nobody: the first few hundred show what is wrong.
MAX_MESSAGES = 500
# "09:00 - 17:30" with room for spaces; anything longer is not working hours and is not echoed.
CLOCK_TEXT_LEN = 20
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InvalidFile(RapportError):
    """A file that cannot be imported; `messages` names every problem, each with its place."""

    title = "Not imported"

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class _Bad:
    """Marks a value that failed its check, so later cross-checks skip it quietly."""

    def __repr__(self) -> str:
        return "<bad>"


BAD: Any = _Bad()


# --- places and messages --------------------------------------------------------------------


def key_part(name: str) -> str:
    """A table key as it may appear in a place: bare if it can be, else quoted and escaped."""
    if _BARE_KEY.fullmatch(name):
        return name
    import json

    return json.dumps(name[:KEY_LEN])  # escapes control and bidi characters, stays short


def join(path: str, name: str) -> str:
    return f"{path}.{key_part(name)}" if path else key_part(name)


def shown(value: str, limit: int = 40) -> str:
    """A value from the file, quoted and cut short for a message (repr escapes controls)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def kind_of(value: object) -> str:
    """The TOML name of a value's type, for 'must be X, not Y'."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.datetime):
        return "a date-time" if value.tzinfo else "a local date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


@dataclass
class Problems:
    source: str
    messages: list[str] = field(default_factory=list)
    dropped: int = 0

    def add(self, path: str, message: str) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"{self.source}: {path}: {message}")
        else:
            self.dropped += 1

    def all(self) -> list[str]:
        if self.dropped:
            return [*self.messages, f"{self.source}: … and {self.dropped} more problems"]
        return list(self.messages)

    def __bool__(self) -> bool:
        return bool(self.messages)

    @property
    def full(self) -> bool:
        """No more messages will be shown: skip the costly hints."""
        return len(self.messages) >= MAX_MESSAGES


def suggestion(name: str, known: Iterable[str], problems: Problems) -> str:
    """' (did you mean 'x'?)' for a near miss; cheap to skip for long names or many keys."""
    candidates = list(known)
    if problems.full or len(name) > 2 * KEY_LEN or len(candidates) > 2000:
        return ""
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- single values ----------------------------------------------------------------------------

Convert = Callable[[Any], Any]


def _must_be(value: object, wanted: str) -> FieldError:
    return FieldError(f"must be {wanted}, not {kind_of(value)}")


def text(limit: int, *, multiline: bool = False, required: bool = False) -> Convert:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise _must_be(value, "a string")
        return check_text(value, limit=limit, multiline=multiline, required=required)

    return convert


def key(value: Any) -> str:
    if not isinstance(value, str):
        raise _must_be(value, "a string")
    if len(value) > KEY_LEN:
        raise FieldError(f"is {len(value)} characters long; a key has at most {KEY_LEN}")
    return check_key(value)


def email(value: Any) -> str:
    if not isinstance(value, str):
        raise _must_be(value, "a string")
    return check_email(value)


def reference(value: Any) -> str:
    """A key that must name something else in the file; whether it does is checked later."""
    if not isinstance(value, str):
        raise _must_be(value, "a string (a key)")
    return value


def references(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _must_be(value, "an array of keys")
    return value  # elements are checked one by one later, each with its own place


def choice(options: Iterable[str]) -> Convert:
    allowed = tuple(options)

    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise _must_be(value, "a string")
        if value not in allowed:
            raise FieldError(f"{shown(value)} is not one of: {', '.join(allowed)}")
        return value

    return convert


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _must_be(value, "true or false")
    return value


def integer(low: int, high: int) -> Convert:
    def convert(value: Any) -> int:
        # bool is an int subclass in Python; in TOML `true` is not a number.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _must_be(value, "an integer")
        if not low <= value <= high:
            raise FieldError(f"{number(value)} is out of range; use {low} to {high}")
        return value

    return convert


def number(value: int) -> str:
    """An integer for a message: one of a thousand digits is not written out."""
    if value.bit_length() <= 128:
        return str(value)
    return "a huge negative number" if value < 0 else "a huge number"


def timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise _must_be(value, "a string (an IANA time zone)")
    if len(value) > ZONE_LEN:
        raise FieldError(f"is {len(value)} characters long; a time zone has at most {ZONE_LEN}")
    # Looked up in the set of known names, never opened as a path ("../../etc/passwd").
    return check_timezone(value)


def hours(value: Any) -> tuple[dt.time, dt.time]:
    if not isinstance(value, str):
        raise _must_be(value, 'a string like "09:00-17:00"')
    if len(value) > CLOCK_TEXT_LEN:
        raise FieldError("is not working hours; write HH:MM-HH:MM")
    return parse_hours(value)


def clock(value: Any) -> dt.time:
    if not isinstance(value, str):
        raise _must_be(value, 'a string like "09:30"')
    if len(value) > CLOCK_TEXT_LEN:
        raise FieldError("is not a time; write HH:MM")
    return parse_clock(value)


def rhythm(value: Any) -> str:
    phrase = text(SHORT_LEN, required=True)(value)
    try:
        return parse_rhythm(phrase).text
    except RhythmError as error:
        raise FieldError(str(error)) from None


def day(shift: int) -> Convert:
    def convert(value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            raise FieldError(f"must be a date (YYYY-MM-DD), not {kind_of(value)}")
        if not isinstance(value, dt.date):
            raise _must_be(value, "a date (YYYY-MM-DD)")
        return check_date(_shifted(value, shift))

    return convert


def moment(shift: int) -> Convert:
    def convert(value: Any) -> dt.datetime:
        if not isinstance(value, dt.datetime):
            raise _must_be(value, "a date-time with an offset (2026-10-05T09:15:00+02:00)")
        if value.tzinfo is None:
            raise FieldError(
                "needs an offset, e.g. 2026-10-05T09:15:00+02:00 or 2026-10-05T07:15:00Z: "
                "a local date-time does not say when it happened"
            )
        try:
            # Stored in UTC: convert here, where 0001-01-01T00:30+01:00 can still be refused.
            moved = _shifted(value, shift).astimezone(dt.UTC)
        except OverflowError:
            raise FieldError("is out of range once converted to UTC") from None
        return check_date(moved)

    return convert


def _shifted(value: dt.date, shift: int) -> Any:
    if not shift:
        return value
    try:
        return value + dt.timedelta(days=shift)
    except OverflowError:
        raise FieldError(f"moved by {shift} days it leaves the calendar") from None


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    convert: Convert
    required: bool = False
    default: Any = None


def table(
    raw: object, path: str, fields: dict[str, Field], problems: Problems, *, what: str = "a table"
) -> dict[str, Any] | None:
    """Check one table: unknown keys, missing required keys, each value; BAD where it failed."""
    if not isinstance(raw, dict):
        problems.add(path, f"must be {what}, not {kind_of(raw)}")
        return None
    for name in raw:
        if name not in fields:
            problems.add(
                join(path, name),
                f"unknown key{suggestion(name, fields, problems)}; known here: {', '.join(fields)}",
            )
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in raw:
            if spec.required:
                problems.add(join(path, name), "missing; it is required")
                out[name] = BAD
            else:
                out[name] = spec.default
            continue
        try:
            out[name] = spec.convert(raw[name])
        except FieldError as error:
            problems.add(join(path, name), str(error))
            out[name] = BAD
    return out


def array_of_tables(
    raw: dict[str, Any], name: str, problems: Problems, path: str = ""
) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        where = join(path, name)
        header = re.sub(r"\[\d+\]", "", where)
        problems.add(where, f"must be an array of tables ([[{header}]]), not {kind_of(value)}")
        return []
    return value
