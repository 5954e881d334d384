"""Checks for single values, shared by the TOML import, the forms and the command line.

Each check returns the clean value or raises FieldError with a message a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from typing import TypeVar

from store.tables import KEY_LEN, SHORT_LEN
from store.text import is_hidden

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HOURS_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
# Bidi overrides and isolates can make text display as something else than it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


D = TypeVar("D", bound=dt.date)  # a date, or a date-time


class FieldError(ValueError):
    pass


# Files in the system's zoneinfo folder that are no IANA zone: "localtime" is whatever zone
# the machine that reads the file is in.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def known_timezones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones()) - NOT_ZONES


def check_text(value: str, *, limit: int, multiline: bool = False, required: bool = False) -> str:
    """NFC text without control characters, escape sequences or bidi overrides."""
    text = unicodedata.normalize("NFC", value)
    if required and not text.strip():
        raise FieldError("must not be empty")
    if len(text) > limit:
        raise FieldError(f"is {len(text)} characters long; the limit is {limit}")
    allowed = "\n\t" if multiline else ""
    for char in text:
        if char in allowed:
            continue
        if char in BIDI_CONTROLS:
            raise FieldError(f"holds a bidi control character (U+{ord(char):04X})")
        category = unicodedata.category(char)
        if category == "Cc":
            raise FieldError(f"holds a control character (U+{ord(char):04X})")
        if category == "Cs":
            # A lone surrogate: what Python makes of bytes that are not UTF-8 (a command-line
            # argument from a Latin-1 terminal). It cannot be stored as text.
            raise FieldError(f"holds bytes that are not UTF-8 text (U+{ord(char):04X})")
        if category in ("Zl", "Zp") and not multiline:
            raise FieldError(f"holds a line break (U+{ord(char):04X})")
    return text


def importable(value: str) -> str:
    """`value` with each character that `check_text` refuses in every field (controls other
    than newline and tab, bidi controls, lone surrogates) shown as U+FFFD.

    Only a writer that bypasses rapport (plain SQL on a shared PostgreSQL) can store them; an
    export replaces them, visibly, so that the file it writes imports again.
    """
    if value.isprintable():
        return value
    return "".join(
        "\ufffd"
        if char not in "\n\t"
        and (char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"))
        else char
        for char in value
    )


def check_key(value: str) -> str:
    if not KEY_PATTERN.fullmatch(value) or len(value) > KEY_LEN:  # no "dana\n"
        raise FieldError(
            f"{value!r} is not a key: use a-z, 0-9, - and _, at most {KEY_LEN} characters"
        )
    return value


def check_email(value: str) -> str:
    """An address, or "" for none: one @ with text on both sides, nothing hidden in it.

    A zero-width or control character makes `dana\u200b@client.example` look like Dana's
    address while mail to it goes nowhere (and two people look alike), so both are refused.
    """
    value = check_text(value, limit=SHORT_LEN)
    if not value:
        return value
    for char in value:
        if is_hidden(char):
            raise FieldError(f"holds an invisible or control character (U+{ord(char):04X})")
        if char.isspace():
            raise FieldError(f"holds a space (U+{ord(char):04X}); an email has none")
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise FieldError("is not an email address: write name@example.com")
    return value


def check_timezone(value: str) -> str:
    if value not in known_timezones():
        raise FieldError(f"unknown time zone {value!r}; use an IANA name like Europe/Berlin")
    return value


def parse_clock(value: str) -> dt.time:
    """`9:30` or `09:30` as a time of day."""
    match = TIME_PATTERN.match(value.strip())
    if not match:
        raise FieldError(f"{value!r} is not a time; write HH:MM")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise FieldError(f"{value!r} is not a time of day")
    return dt.time(hour, minute)


def parse_hours(value: str) -> tuple[dt.time, dt.time]:
    """Working hours `09:00-17:30`: a start before an end, same day."""
    match = HOURS_PATTERN.match(value.strip())
    if not match:
        raise FieldError(f"{value!r} is not working hours; write HH:MM-HH:MM")
    start = parse_clock(f"{match[1]}:{match[2]}")
    end = parse_clock(f"{match[3]}:{match[4]}")
    if start >= end:
        raise FieldError(f"working hours {value!r} end before they start")
    return start, end


def format_hours(start: dt.time, end: dt.time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


# The dates an engagement can hold. Beyond them nothing real happens, and the calendar
# arithmetic gets slow (meetings counted from the year 1) or overflows (a week after
# 9999-12-31): every way in refuses them, with this one rule.
EARLIEST_DATE = dt.date(1970, 1, 1)
YEARS_AHEAD = 100


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last date accepted: 100 years from today (28 February for a 29th)."""
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_date(value: D, today: dt.date | None = None) -> D:
    """A date (or a date-time's date) from 1970-01-01 to 100 years from today."""
    day = value.date() if isinstance(value, dt.datetime) else value
    latest = latest_date(today)
    if not EARLIEST_DATE <= day <= latest:
        raise FieldError(f"{day.isoformat()} is outside the dates rapport keeps "
                         f"({EARLIEST_DATE.isoformat()} to {latest.isoformat()})")  # fmt: skip
    return value


def parse_date(value: str) -> dt.date:
    """An ISO date (`2026-10-14`); a date that does not exist is refused by name."""
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(f"{value!r} is not a date; write YYYY-MM-DD") from None
    return check_date(day)


def parse_optional_date(value: str) -> dt.date | None:
    return parse_date(value) if value.strip() else None
