"""The cadences as an iCalendar file (RFC 5545), so a lead can put the rhythm into any calendar.

One VEVENT per cadence that has a usual slot and is not paused: DTSTART in the cadence's own
zone (with its VTIMEZONE), the rhythm as an RRULE built from the parsed rule's fields, and the
attendees by name and email. The file holds names and emails: write it private.
"""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import DAILY, MONTHLY, WEEKLY
from icalendar import Calendar, Event, vCalAddress
from sqlalchemy import false, select

from store.db import Store
from store.models import Cadence, Engagement, Person
from store.queries import cadence_attendees
from store.rhythm import Rhythm, RhythmError, parse_rhythm
from store.timezones import zone_for

PRODID = "-//rapport//EN"
_FREQ = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY"}
_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rrule_of(rhythm: Rhythm) -> dict[str, object]:
    """The RRULE for a parsed rhythm, from its rrule fields (not its text)."""
    rule: dict[str, object] = {"FREQ": _FREQ[rhythm.freq]}
    if rhythm.interval != 1:
        rule["INTERVAL"] = rhythm.interval
        if rhythm.freq == WEEKLY:
            rule["WKST"] = "MO"  # dateutil's default week start: say it, as it decides the weeks
    if rhythm.byweekday:
        rule["BYDAY"] = [f"{day.n or ''}{_DAY[day.weekday]}" for day in rhythm.byweekday]
    if rhythm.bymonthday is not None:
        rule["BYMONTHDAY"] = rhythm.bymonthday
    return rule


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    return address


def cadences_ics(store: Store, engagement_id: int, today: dt.date) -> bytes:
    """The engagement's cadences as an iCalendar file; `today` stamps it (and anchors a
    cadence that has neither its own start nor an engagement kickoff)."""
    with store.read() as session:
        engagement = session.execute(
            select(Engagement.key, Engagement.name, Engagement.kickoff).where(
                Engagement.id == engagement_id
            )
        ).one()
        cadences = session.execute(
            select(
                Cadence.id, Cadence.key, Cadence.name, Cadence.circle, Cadence.rhythm,
                Cadence.slot, Cadence.zone, Cadence.duration, Cadence.since,
                Person.name.label("owner"), Person.email.label("owner_email"),
            )
            .outerjoin(Person, Person.id == Cadence.owner_id)
            .where(Cadence.engagement_id == engagement_id, Cadence.slot.is_not(None))
            .where(Cadence.paused == false())
            .order_by(Cadence.key)
        ).all()  # fmt: skip
        attendees = cadence_attendees(session, engagement_id, Person.name, Person.email)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", engagement.name)
    stamp = dt.datetime.combine(today, dt.time(), dt.UTC)
    first_day = today
    for c in cadences:
        try:
            rhythm = parse_rhythm(c.rhythm)
        except RhythmError:
            continue
        zone = zone_for(c.zone)
        if zone is None:
            continue  # a time in a zone this machine does not know: no time to put in a calendar
        anchor = c.since or engagement.kickoff or today
        day = rhythm.next_on_or_after(anchor, anchor)
        if day is None:
            continue
        first_day = min(first_day, day)
        event = Event()
        event.add("uid", f"{c.key}.{engagement.key}@rapport")
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(day, c.slot, zone))
        event.add("duration", dt.timedelta(minutes=c.duration))
        event.add("rrule", rrule_of(rhythm))
        event.add("summary", c.name)
        if c.circle:
            event.add("description", c.circle)
        if c.owner_email:
            event.add("organizer", _address(c.owner_email, c.owner))
        for name, email in attendees.get(c.id, ()):
            if email:
                event.add("attendee", _address(email, name))
        calendar.add_component(event)
    # The zones' rules from the first meeting on: the rhythms run on without an end.
    calendar.add_missing_timezones(first_date=first_day)
    return calendar.to_ical()
