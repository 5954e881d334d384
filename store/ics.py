"""The cadences as an iCalendar file (RFC 5545), so a lead can put the rhythm into any calendar.

One VEVENT per cadence that has a usual slot and is not paused: DTSTART at its first meeting
in the cadence's own zone (with its VTIMEZONE), the rhythm as an RRULE built from the parsed
rule's fields, and the attendees by name and email. The file holds names and emails: write it private.
"""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import DAILY, MONTHLY, WEEKLY
from icalendar import Calendar, Event, Timezone, vCalAddress
from sqlalchemy import false, select

from store.db import Store
from store.models import Cadence, Engagement, Person
from store.occurrences import schedules
from store.queries import cadence_attendees
from store.rhythm import Rhythm, parse_rhythm
from store.text import visible
from store.timezones import zone_for

PRODID = "-//rapport//EN"
_FREQ = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY"}
_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ZONE_YEARS = 100  # how far ahead the VTIMEZONE rules reach


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
    address = vCalAddress(visible(f"mailto:{email}"))
    address.params["CN"] = visible(name)
    return address


def cadences_ics(store: Store, engagement_id: int, today: dt.date) -> bytes:
    """The engagement's cadences as an iCalendar file; `today` stamps it.

    Each series starts at the cadence's first meeting counted from its start
    (store.occurrences), the day the Cadence screen counts from, so both put a fortnightly
    meeting in the same week and DTSTART stays put from one export to the next. The same
    data gives the same bytes: zones in name order, SEQUENCE from the cadence's version.
    Every text from the database is made visible (store.text), as on the screen.
    """
    with store.read() as session:
        engagement = session.execute(
            select(Engagement.key, Engagement.name).where(Engagement.id == engagement_id)
        ).one()
        cadences = session.execute(
            select(
                Cadence.id, Cadence.key, Cadence.circle, Cadence.version,
                Person.name.label("owner"), Person.email.label("owner_email"),
            )
            .outerjoin(Person, Person.id == Cadence.owner_id)
            .where(Cadence.engagement_id == engagement_id, Cadence.slot.is_not(None))
            .where(Cadence.paused == false())
            .order_by(Cadence.key)
        ).all()  # fmt: skip
        found = {s.cadence_id: s for s in schedules(session, engagement_id)}
        attendees = cadence_attendees(session, engagement_id, Person.name, Person.email)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", visible(engagement.name))
    stamp = dt.datetime.combine(today, dt.time(), dt.UTC)
    zones: dict[str, dt.date] = {}  # each zone's first meeting: its VTIMEZONE starts there
    events = []
    for c in cadences:
        schedule = found[c.id]
        if schedule.zone and zone_for(schedule.zone) is None:
            continue  # a time in a zone this machine does not know: no time to put in a calendar
        meeting = schedule.first_meeting(today)
        if meeting is None:
            continue
        event = Event()
        event.add("uid", visible(f"{c.key}.{engagement.key}@rapport"))
        event.add("dtstamp", stamp)
        event.add("sequence", c.version - 1)
        event.add("dtstart", meeting.start)
        event.add("duration", meeting.end - meeting.start)
        event.add("rrule", rrule_of(parse_rhythm(found[c.id].rhythm)))
        event.add("summary", visible(meeting.name))
        if c.circle:
            event.add("description", visible(c.circle))
        if c.owner_email:
            event.add("organizer", _address(c.owner_email, c.owner))
        for name, email in attendees.get(c.id, ()):
            if email:
                event.add("attendee", _address(email, name))
        events.append(event)
        if (zone := _tzid(meeting.start)) is not None:
            zones[zone] = min(zones.get(zone, meeting.start.date()), meeting.start.date())
    # The zones' rules from their first meeting on, and for a century: the rhythms run on
    # without an end (icalendar's default stops at 2038). In name order, for stable bytes.
    for zone in sorted(zones):
        first = zones[zone]
        last = dt.date(min(max(first.year, today.year) + ZONE_YEARS, dt.MAXYEAR), 1, 1)
        calendar.add_component(Timezone.from_tzid(zone, first_date=first, last_date=last))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def _tzid(moment: dt.datetime) -> str | None:
    """The IANA name of a meeting's zone; None for UTC, which needs no VTIMEZONE."""
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) and key != "UTC" else None
