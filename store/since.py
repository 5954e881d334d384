"""How long since something happened: the one answer for every "ago" in rapport.

The Roster, Today, the Cadence screen, the briefing and `rapport brief` all count calendar
days in the lead's own zone (store.timezones.local_zone: TZ, else the machine's; UTC when
neither can be used), and so does whether someone is losing touch (store.health): a call at
23:45 yesterday was "yesterday", not "today" because fewer than 24 hours passed.
"""

from __future__ import annotations

import datetime as dt


def lead_zone() -> dt.tzinfo:
    """The lead's own zone, that every "today" and "N days ago" is counted in."""
    from store.timezones import local_zone

    return local_zone()


def lead_day(moment: dt.datetime) -> dt.date:
    """The day `moment` falls on in the lead's zone."""
    return moment.astimezone(lead_zone()).date()


def days_since(
    moment: dt.datetime | dt.date | None, now: dt.datetime, zone: dt.tzinfo | None = None
) -> int | None:
    """Calendar days from `moment` to `now` in `zone` (None: the lead's): 0 the same day, 1 the day before; never below 0; None for never. A bare date
    (a fact noted by hand) is taken as that day."""
    if moment is None:
        return None
    zone = zone or lead_zone()
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
