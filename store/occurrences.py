"""A cadence's meetings in time: where its rhythm counts from, and when each meeting is.

The one home of both rules. The Cadence screen's health, the slot warnings, the .ics export
and the log form's guess at the meeting just held all count a cadence from `cadence_start`
and place its meetings with `meetings`; when they each had their own start date, the
calendar put a fortnightly meeting in the other week from the Cadence screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from store.health import local_day, zone_of
from store.rhythm import RhythmError, parse_rhythm
from store.tables import cadence as cadence_t
from store.tables import checkin as checkin_t
from store.tables import engagement as engagement_t
from store.timezones import zone_for

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

# How long after a meeting ended `l` still takes it for the one just held.
JUST_HELD = dt.timedelta(hours=2)


def cadence_start(
    since: dt.date | None, kickoff: dt.date | None, first_checkin: dt.date | None, today: dt.date
) -> dt.date:
    """Where a cadence's rhythm counts from: its `since`, the kickoff, its first check-in, today."""
    return since or kickoff or first_checkin or today


def checkin_day(at: dt.datetime, zone: str) -> dt.date:
    """The day of a check-in in its cadence's zone (UTC when it has none): the day that
    counts, as the first check-in, for `cadence_start`."""
    return local_day(at, zone_of(zone))


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting a cadence's rhythm expects, at its slot in the cadence's zone."""

    cadence_id: int
    name: str
    start: dt.datetime  # aware, in the cadence's zone
    end: dt.datetime

    def label(self, zone: dt.tzinfo) -> str:
        """ "Weekly status, Tue 01 Dec 17:00", its start told in `zone` (the lead's)."""
        return f"{self.name}, {self.start.astimezone(zone):%a %d %b %H:%M}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """What places a cadence's meetings: its rhythm and slot, and what its start comes from."""

    cadence_id: int
    name: str
    rhythm: str
    slot: dt.time | None
    zone: str
    duration: int  # minutes
    paused: bool
    since: dt.date | None
    kickoff: dt.date | None
    first_checkin: dt.date | None  # in the cadence's zone

    def start(self, today: dt.date) -> dt.date:
        return cadence_start(self.since, self.kickoff, self.first_checkin, today)

    def meetings(self, first: dt.date, last: dt.date, today: dt.date) -> list[Meeting]:
        """Its meetings on the days from `first` to `last` (both included), counted from its
        start as of `today`; none without a slot or a rhythm that reads."""
        if self.slot is None:
            return []
        try:
            rhythm = parse_rhythm(self.rhythm)
        except RhythmError:
            return []
        start = self.start(today)
        zone = zone_of(self.zone)
        length = dt.timedelta(minutes=self.duration)
        found = []
        for day in rhythm.between(start, max(first, start), last) if start <= last else []:
            begin = dt.datetime.combine(day, self.slot, zone)
            found.append(Meeting(self.cadence_id, self.name, begin, begin + length))
        return found

    def first_meeting(self, today: dt.date) -> Meeting | None:
        """The first meeting on or after its start: where a calendar's series begins."""
        if self.slot is None:
            return None
        try:
            rhythm = parse_rhythm(self.rhythm)
        except RhythmError:
            return None
        start = self.start(today)
        day = rhythm.next_on_or_after(start, start)
        if day is None:
            return None
        begin = dt.datetime.combine(day, self.slot, zone_of(self.zone))
        return Meeting(
            self.cadence_id, self.name, begin, begin + dt.timedelta(minutes=self.duration)
        )


def just_held(schedules: Iterable[Schedule], now: dt.datetime) -> Meeting | None:
    """The meeting `l` means: one under way now (the latest to start), else the one that
    ended most recently, no more than `JUST_HELD` ago. Paused cadences expect none."""
    under_way: list[Meeting] = []
    ended: list[Meeting] = []
    for schedule in schedules:
        if schedule.paused or (schedule.zone and zone_for(schedule.zone) is None):
            continue  # (a slot in a zone this machine does not know is at no known time)
        local = now.astimezone(zone_of(schedule.zone))
        # A meeting under way or just ended began at most a day (and its length) ago.
        first = local.date() - dt.timedelta(days=2)
        for meeting in schedule.meetings(first, local.date(), local.date()):
            if meeting.start <= now < meeting.end:
                under_way.append(meeting)
            elif meeting.end <= now <= meeting.end + JUST_HELD:
                ended.append(meeting)
    if under_way:
        return max(under_way, key=lambda m: (m.start, m.name))
    return max(ended, key=lambda m: (m.end, m.name), default=None)


def schedules(
    session: Connection | Session, engagement_id: int, cadence_ids: Sequence[int] | None = None
) -> list[Schedule]:
    """The engagement's cadences (all, or those given) as schedules, by name."""
    cadence, checkin = cadence_t.c, checkin_t.c
    kickoff = session.scalar(
        select(engagement_t.c.kickoff).where(engagement_t.c.id == engagement_id)
    )
    stmt = select(
        cadence.id, cadence.name, cadence.rhythm, cadence.slot, cadence.zone,
        cadence.duration, cadence.paused, cadence.since,
    ).where(cadence.engagement_id == engagement_id)  # fmt: skip
    if cadence_ids is not None:
        stmt = stmt.where(cadence.id.in_(cadence_ids))
    found = session.execute(stmt.order_by(cadence.name, cadence.id)).all()
    firsts = dict(
        session.execute(
            select(checkin.cadence_id, func.min(checkin.at))
            .where(checkin.engagement_id == engagement_id, checkin.cadence_id.is_not(None))
            .group_by(checkin.cadence_id)
        ).all()
    )
    return [
        Schedule(
            cadence_id=c.id, name=c.name, rhythm=c.rhythm, slot=c.slot, zone=c.zone,
            duration=c.duration, paused=c.paused, since=c.since, kickoff=kickoff,
            first_checkin=None if (at := firsts.get(c.id)) is None else checkin_day(at, c.zone),
        )
        for c in found
    ]  # fmt: skip
