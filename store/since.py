"""How long since something happened: the one answer for every "ago" in rapport.

The Roster, Today, the Cadence screen, the briefing and `rapport brief` all count calendar
days in the lead's own zone (the machine's, the zone "today" is in everywhere in the app):
a call at 23:45 yesterday was "yesterday", not "today" because fewer than 24 hours passed.
"""

from __future__ import annotations

import datetime as dt


def days_since(
    moment: dt.datetime | dt.date | None, now: dt.datetime, zone: dt.tzinfo | None = None
) -> int | None:
    """Calendar days from `moment` to `now` in `zone` (None: the lead's, the machine's own
    zone): 0 the same day, 1 the day before; never below 0; None for never. A bare date
    (a fact noted by hand) is taken as that day."""
    if moment is None:
        return None
    today = now.astimezone(zone).date()
    day = moment.astimezone(zone).date() if isinstance(moment, dt.datetime) else moment
    return max(0, (today - day).days)


def ago_text(days: int | None) -> str:
    """`today`, `yesterday`, `5 days ago`, or `never`."""
    if days is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def ago(
    moment: dt.datetime | dt.date | None, now: dt.datetime, zone: dt.tzinfo | None = None
) -> str:
    return ago_text(days_since(moment, now, zone))
