"""Working hours across time zones: the overlap finder and the daylight-saving warning.

Every moment is compared in UTC; each person's working hours are placed on their own local
dates with zoneinfo, so daylight saving is right per date (Europe and the US switch on different
Sundays in March and October/November, and for those weeks the ocean is an hour narrower).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from store.db import Store
from store.fields import NOT_ZONES, known_timezones
from store.rhythm import RhythmError, parse_rhythm
from store.tables import cadence as cadence_t
from store.tables import cadence_attendee
from store.tables import engagement as engagement_t
from store.tables import person as person_t

# Core columns: the Cadence screen's warnings and the overlap finder read without the ORM.
CADENCE, ENGAGEMENT, PERSON = cadence_t.c, engagement_t.c, person_t.c

WEEKEND = (5, 6)  # Saturday, Sunday: local to each person
MAX_DATES_SHOWN = 5


@dataclass(frozen=True)
class Hours:
    """A person's working hours, in their own zone."""

    person_id: int
    name: str
    timezone: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Cost:
    """What a slot costs one person: when it is for them, and how much of it is outside hours."""

    person_id: int
    name: str
    local_start: dt.datetime
    minutes_outside: int


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, UTC
    end: dt.datetime
    minutes_outside: int  # summed over everyone
    paying: tuple[Cost, ...]  # only those for whom some of the slot is outside their hours


@dataclass(frozen=True, slots=True)
class DstWarning:
    day: dt.date  # the meeting's date, in the cadence's zone
    names: tuple[str, ...]
    local_times: tuple[str, ...]  # "09:00 America/Los_Angeles", one per name


# --- a zone's name, and what the clock says there ------------------------------------------------

UNKNOWN_ZONE = "unknown zone"  # shown next to a name that zone_for does not know


@cache
def zone_for(name: str) -> ZoneInfo | None:
    """The zone a stored name stands for; None when this machine knows no such zone.

    The one place a name becomes a zone. A name can be unknown here although it was checked
    when it was stored: an older version, a hand edit, or a tz database that dropped it. The
    policy for such a name: show it with UNKNOWN_ZONE and compute nothing from it (no local
    time, never "outside working hours"). An empty name is UTC (a slot given without a zone).
    """
    if not name:
        return ZoneInfo("UTC")
    if name in NOT_ZONES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "../x", a folder, unreadable
        return None


def local_clock(name: str, now: dt.datetime) -> dt.datetime | None:
    """`now` on the clock of zone `name`; None for a zone this machine does not know."""
    zone = zone_for(name)
    return None if zone is None else now.astimezone(zone)


def in_working_hours(local: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Whether a moment on someone's own clock is on a weekday, within their hours."""
    return local.weekday() not in WEEKEND and start <= local.time().replace(tzinfo=None) < end


def _zone(name: str) -> ZoneInfo:
    """For the computations below, which callers give known zones only (see `_known`)."""
    zone = zone_for(name)
    if zone is None:
        raise ZoneInfoNotFoundError(name)
    return zone


def _known(people: Sequence[Hours]) -> list[Hours]:
    # Someone whose zone is unknown has no working hours one could place: they are left out
    # of what a slot costs (rather than counted as always outside them).
    return [person for person in people if zone_for(person.timezone) is not None]


def _working_spans(
    hours: Hours, start: dt.datetime, end: dt.datetime, *, around: int = 1
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The person's working intervals (in UTC) on their local dates around [start, end)."""
    zone = _zone(hours.timezone)
    day = start.astimezone(zone).date() - dt.timedelta(days=around)
    last = end.astimezone(zone).date() + dt.timedelta(days=around - 1)
    spans = []
    while day <= last:
        if day.weekday() not in WEEKEND:
            begin = dt.datetime.combine(day, hours.start, zone)
            close_day = day if hours.end > hours.start else day + dt.timedelta(days=1)
            close = dt.datetime.combine(close_day, hours.end, zone)
            spans.append((begin.astimezone(dt.UTC), close.astimezone(dt.UTC)))
        day += dt.timedelta(days=1)
    return spans


def _minutes_away(hours: Hours, start: dt.datetime, end: dt.datetime) -> int:
    """How far [start, end) lies from the person's nearest working hours (0: it touches them)."""
    gaps = [
        max(begin - end, start - close, dt.timedelta())
        for begin, close in _working_spans(hours, start, end, around=3)  # spans a weekend
    ]
    return round(min(gaps).total_seconds() / 60) if gaps else 0


def minutes_outside(hours: Hours, start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of [start, end) outside the person's working hours; weekends count whole."""
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    inside = dt.timedelta()
    for begin, close in _working_spans(hours, start, end):
        overlap = min(end, close) - max(start, begin)
        if overlap > dt.timedelta():
            inside += overlap
    return round((end - start - inside).total_seconds() / 60)


def _cost(hours: Hours, start: dt.datetime, end: dt.datetime) -> Cost:
    local = start.astimezone(_zone(hours.timezone))
    return Cost(hours.person_id, hours.name, local, minutes_outside(hours, start, end))


def _window_end(after: dt.datetime, days: int) -> dt.datetime:
    """Midnight UTC after the `days`-th weekday following `after`'s UTC date."""
    day = after.astimezone(dt.UTC).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() not in WEEKEND:
            counted += 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)


def find_slots(
    people: Sequence[Hours],
    after: dt.datetime,
    duration: int = 30,
    days: int = 5,
    step: int = 30,
    limit: int = 10,
) -> list[Slot]:
    """The best `limit` slots starting from `after` over the next `days` working days.

    Candidates start every `step` minutes on the UTC clock (:00, :30 for 30). Ranked by the
    minutes outside working hours summed over everyone, then by how many people pay, then by
    how far from their hours it falls for them (07:30 beats Sunday night), then by time.
    No people: no slots.
    """
    people = _known(people)
    if not people or duration <= 0 or step <= 0:
        return []
    after = after.astimezone(dt.UTC)
    midnight = dt.datetime.combine(after.date(), dt.time(), dt.UTC)
    steps_in = -(-(after - midnight) // dt.timedelta(minutes=step))  # rounded up
    start = midnight + steps_in * dt.timedelta(minutes=step)
    stop = _window_end(after, days)
    length = dt.timedelta(minutes=duration)
    ranked: list[tuple[int, int, int, dt.datetime, Slot]] = []
    while start + length <= stop:
        end = start + length
        costs = [(person, _cost(person, start, end)) for person in people]
        paying = tuple(cost for _, cost in costs if cost.minutes_outside)
        total = sum(cost.minutes_outside for cost in paying)
        away = sum(_minutes_away(p, start, end) for p, cost in costs if cost.minutes_outside)
        ranked.append((total, len(paying), away, start, Slot(start, end, total, paying)))
        start += dt.timedelta(minutes=step)
    ranked.sort(key=lambda item: item[:4])
    return [item[4] for item in ranked[:limit]]


def meeting_start(day: dt.date, slot: dt.time, zone: str) -> dt.datetime:
    """The meeting's moment in UTC; a slot in a spring-forward gap moves on as zoneinfo does."""
    return dt.datetime.combine(day, slot, _zone(zone)).astimezone(dt.UTC)


def slot_warnings(
    rhythm: str,
    slot: dt.time,
    zone: str,
    duration: int,
    attendees: Sequence[Hours],
    today: dt.date,
    weeks: int = 8,
    start: dt.date | None = None,
) -> list[DstWarning]:
    """Meeting dates in [today, today + weeks) where the usual slot is outside someone's hours.

    The rhythm counts from `start` (default: today). Raises RhythmError for a bad phrase.
    """
    parsed = parse_rhythm(rhythm)
    if zone_for(zone) is None:
        return []  # when the meeting is for anyone cannot be known
    attendees = _known(attendees)
    last = today + dt.timedelta(weeks=weeks, days=-1)
    days = [day for day in parsed.occurrences(start or today, last) if day >= today]
    length = dt.timedelta(minutes=duration)
    warnings = []
    for day in days:
        begin = meeting_start(day, slot, zone)
        outside = [
            (p, cost)
            for p in attendees
            if (cost := _cost(p, begin, begin + length)).minutes_outside
        ]
        if outside:
            names = tuple(p.name for p, _ in outside)
            times = tuple(f"{cost.local_start:%H:%M} {p.timezone}" for p, cost in outside)
            warnings.append(DstWarning(day, names, times))
    return warnings


def summarize(warnings: Sequence[DstWarning]) -> str:
    """One short line: "outside hours for Tyler Brooks on 27 Oct, 03 Nov; Dana … on 03 Nov"."""
    by_name: dict[str, list[dt.date]] = {}
    for warning in sorted(warnings, key=lambda w: w.day):
        for name in warning.names:
            by_name.setdefault(name, []).append(warning.day)
    if not by_name:
        return ""
    parts = []
    for name, days in by_name.items():
        shown = ", ".join(f"{day:%d %b}" for day in days[:MAX_DATES_SHOWN])
        more = len(days) - MAX_DATES_SHOWN
        parts.append(f"{name} on {shown}" + (f" +{more} more" if more > 0 else ""))
    return "outside hours for " + "; ".join(parts)


# --- reading the store ------------------------------------------------------------------------

_HOURS_COLUMNS = (PERSON.id, PERSON.name, PERSON.timezone, PERSON.work_start, PERSON.work_end)


def people_hours(
    store: Store, engagement_id: int, person_ids: Sequence[int] | None = None
) -> list[Hours]:
    """Working hours of the engagement's people (all, or those given, in the order given)."""
    stmt = select(*_HOURS_COLUMNS).where(PERSON.engagement_id == engagement_id)
    if person_ids is not None:
        stmt = stmt.where(PERSON.id.in_(person_ids))
    with store.connect() as session:
        found = {row[0]: Hours(*row) for row in session.execute(stmt.order_by(PERSON.name))}
    if person_ids is None:
        return list(found.values())
    return [found[pid] for pid in dict.fromkeys(person_ids) if pid in found]


def _cadence_people(store: Store, cadence_ids: Sequence[int]) -> dict[int, list[Hours]]:
    """{cadence id: attendees' hours in their order} in one query."""
    link = cadence_attendee.c
    stmt = (
        select(link.cadence_id, *_HOURS_COLUMNS)
        .join(person_t, PERSON.id == link.person_id)
        .where(link.cadence_id.in_(cadence_ids))
        .order_by(link.cadence_id, link.position)
    )
    people: dict[int, list[Hours]] = {cid: [] for cid in cadence_ids}
    with store.connect() as session:
        for cadence_id, *row in session.execute(stmt):
            people[cadence_id].append(Hours(*row))
    return people


def overlap_for_people(
    store: Store,
    engagement_id: int,
    person_ids: Sequence[int],
    after: dt.datetime,
    duration: int = 30,
) -> list[Slot]:
    return find_slots(people_hours(store, engagement_id, person_ids), after, duration)


def overlap_for_cadence(
    store: Store, engagement_id: int, cadence_id: int, after: dt.datetime
) -> list[Slot]:
    """The best slots for a cadence's attendees (and its owner), for its duration."""
    with store.connect() as session:
        found = session.execute(
            select(CADENCE.duration, CADENCE.owner_id).where(
                CADENCE.id == cadence_id, CADENCE.engagement_id == engagement_id
            )
        ).first()
    if found is None:
        return []
    duration, owner_id = found
    people = _cadence_people(store, [cadence_id])[cadence_id]
    if owner_id is not None and all(p.person_id != owner_id for p in people):
        people += people_hours(store, engagement_id, [owner_id])
    return find_slots(people, after, duration)


def cadence_warnings(
    store: Store, engagement_id: int, today: dt.date, weeks: int = 8
) -> dict[int, list[DstWarning]]:
    """{cadence id: warnings} for the cadences whose slot is outside someone's hours soon.

    Only cadences with a slot and a zone that are not paused; the rhythm counts from the
    cadence's start (store.occurrences.cadence_start), as on the Cadence screen. Cadences
    without warnings are left out.
    """
    from store.occurrences import schedules

    with store.connect() as session:
        cadences = [c for c in schedules(session, engagement_id) if c.zone and not c.paused]
    if not cadences:
        return {}
    people = _cadence_people(store, [c.cadence_id for c in cadences])
    found: dict[int, list[DstWarning]] = {}
    for c in cadences:
        if c.slot is None:
            continue
        try:
            warnings = slot_warnings(
                c.rhythm, c.slot, c.zone, c.duration, people[c.cadence_id], today, weeks,
                start=c.start(today),
            )  # fmt: skip
        except RhythmError:
            continue
        if warnings:
            found[c.cadence_id] = warnings
    return found


# --- the lead's own zone ----------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    """The lead's own zone (TZ, else the machine's), for the wall-clock times they type.

    A zone that cannot be used (`TZ=UTC+5`, a path outside the zone folders, a damaged
    /etc/localtime) is UTC instead, and local_zone_warning() says why: never a crash.
    """
    return _local_zone(os.environ.get("TZ", ""))[0]


def local_zone_warning() -> str:
    """One line on why local_zone() is UTC rather than the lead's zone; '' when it is theirs."""
    return _local_zone(os.environ.get("TZ", ""))[1]


@cache
def _local_zone(tz: str) -> tuple[ZoneInfo, str]:
    utc = ZoneInfo("UTC")
    if tz:
        # POSIX allows a leading ":"; a path is accepted only inside the zone folders, so
        # TZ can name a zone but not make rapport read some other file.
        name = tz.removeprefix(":")
        if os.path.isabs(name):
            name = _zone_key(name)
        if name in known_timezones():
            return ZoneInfo(name), ""
        return utc, (
            f"TZ={tz!r} is no time zone rapport knows; times are taken as UTC "
            "(set TZ to an IANA name like Europe/Berlin)"
        )
    from tzlocal import get_localzone

    try:
        zone = get_localzone()
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        return utc, f"the machine's time zone cannot be read ({type(error).__name__}); using UTC"
    return (zone, "") if isinstance(zone, ZoneInfo) else (utc, "")


def _zone_key(path: str) -> str:
    """The zone name of a file inside one of the zone folders ('' for any other path)."""
    import zoneinfo

    real = os.path.realpath(path)
    for folder in zoneinfo.TZPATH:
        root = os.path.realpath(folder)
        if real.startswith(root + os.sep):
            return os.path.relpath(real, root)
    return ""
