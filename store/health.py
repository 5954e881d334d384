"""How well the routine holds: a cadence's health, contact targets, onboarding completeness.

Pure functions over plain values (no session, no UI): store.queries loads what they need in a
few set-based queries and hands it over, so the rules here are tested at their edges with fixed
dates and nothing else.

Health is computed from what was logged, never from calendar invites. The rhythm's recurrence
rule (store.rhythm, on dateutil) says which days a meeting was expected; each logged check-in
covers one of them; what is left over before today was missed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from store.rhythm import RhythmError, parse_rhythm
from store.tables import CheckInStatus, Side
from store.timezones import zone_for

# Marks of an expected meeting.
HELD = "held"
SKIPPED = "skipped"  # did not happen, on purpose: the reason is kept, and it is no lapse
MISSED = "missed"  # an expected day before today with nothing logged
UPCOMING = "upcoming"  # today's meeting, nothing logged yet

# Statuses of a cadence, from good to bad, then the two that expect nothing.
ON_TRACK = "on track"
DUE = "due"
OVERDUE = "overdue"
LAPSED = "lapsed"
PAUSED = "paused"
NO_RHYTHM = "no rhythm"
STATUSES = (ON_TRACK, DUE, OVERDUE, LAPSED, PAUSED, NO_RHYTHM)

HISTORY_LENGTH = 12
# Two expected meetings in a row missed: the rhythm has lapsed.
LAPSE_AFTER = 2

SPONSOR_WORDS = ("sponsor",)  # a role containing one of these (any case) is a sponsor's
SPONSOR_DAYS = 14
CONTACT_DAYS: dict[str, int] = {Side.CLIENT: 21, Side.PARTNER: 21, Side.OURS: 30}
OTHER_DAYS = 30  # a side rapport does not know (never in a checked database)


@dataclass(frozen=True, slots=True)
class Expected:
    """One meeting the rhythm expected, and what became of it."""

    day: dt.date
    mark: str  # held | skipped | missed | upcoming (today's, not yet logged)
    reason: str = ""  # for skipped: the first line of the skipped check-in's outcome


@dataclass(frozen=True, slots=True)
class CadenceHealth:
    last_held: dt.datetime | None
    next_due: dt.date | None
    drift: float | None  # days since last held ÷ the rhythm's interval; None if never held
    status: str  # on track | due | overdue | lapsed | paused | no rhythm
    history: tuple[Expected, ...]  # the last 12 expected meetings up to today, oldest first


def zone_of(zone: str) -> dt.tzinfo:
    """The zone a cadence's check-ins are counted into days in: its own, else UTC.

    A zone this machine does not know (store.timezones.zone_for) still needs some calendar
    to count meetings by; UTC at least moves no day by more than the zone's offset.
    """
    return zone_for(zone) or dt.UTC


def local_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The calendar day of a moment in `zone`; a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).date()


def cadence_health(
    rhythm: str,
    start: dt.date,
    paused: bool,
    checkins: Sequence[tuple[dt.datetime, str, str]],
    zone: str,
    today: dt.date,
) -> CadenceHealth:
    """The health of one cadence on `today`.

    `checkins` are the cadence's logged check-ins as (at, status, outcome), `at` UTC-aware;
    their days are taken in the cadence's `zone` (UTC when empty). `start` is where the
    rhythm counts from (store.occurrences.cadence_start).

    - Expected meetings are the rhythm's days from `start` on. Each check-in dated from
      `start` to today covers the expected meeting whose window [its day, the next expected
      day) holds the check-in's date, so a meeting moved a day late still counts; one before
      the first expected day covers the first. Held and moved mark it held, skipped marks it
      skipped with the reason; held wins over skipped in the same window. An expected day
      before today with nothing is missed, today's with nothing is upcoming. Check-ins before
      `start` (or after today) cover nothing, but still count as last held.
    - `last_held`: the latest held or moved check-in. `drift`: whole days from its date to
      today ÷ the rhythm's interval in days (0.0 the day it was held, 1.0 one interval on).
    - `next_due`: the first expected day after the last meeting that was held or skipped (the
      first expected day on or after `start` if none was). It lies before today exactly when
      a meeting has been missed since: the cadence has been overdue since that day.
    - `status`: "paused" for a paused cadence (nothing is expected: no next due, no history,
      never lapsed); else "no rhythm" when the rhythm cannot be read (no drift either); else
      "lapsed" when the last two expected meetings up to today were both missed (today's
      counts once it is logged; a skipped one breaks the run) after the rhythm had started,
      i.e. after one was held or skipped (a cadence never held is "overdue", not lapsed);
      else "overdue" when `next_due` is before today, "due" when it is today, "on track" when
      it is later. A cadence that starts today is therefore due or on track, never overdue.
    """
    tz = zone_of(zone)
    held_at = [at for at, status, _ in checkins if status != CheckInStatus.SKIPPED]
    last_held = max(held_at, default=None)
    try:
        parsed = parse_rhythm(rhythm)
    except RhythmError:
        return CadenceHealth(last_held, None, None, PAUSED if paused else NO_RHYTHM, ())
    drift = None
    if last_held is not None:
        drift = max(0, (today - local_day(last_held, tz)).days) / parsed.interval_days
    if paused:
        return CadenceHealth(last_held, None, drift, PAUSED, ())

    expected = parsed.occurrences(start, today) if start <= today else []
    after = parsed.next_on_or_after(max(start, today + dt.timedelta(days=1)), start)
    days = expected + ([after] if after is not None else [])

    marks: dict[int, tuple[str, str]] = {}
    for at, status, outcome in checkins:
        day = local_day(at, tz)
        if not days or day < start or day > today:
            continue
        index = max(0, bisect.bisect_right(days, day) - 1)
        if status == CheckInStatus.SKIPPED:
            if index not in marks or marks[index][0] == SKIPPED and not marks[index][1]:
                marks[index] = (SKIPPED, _first_line(outcome))
        else:
            marks[index] = (HELD, "")

    if not marks:
        due = days[0] if days else None
    elif (following := max(marks) + 1) < len(days):
        due = days[following]
    else:
        due = parsed.next_on_or_after(days[-1] + dt.timedelta(days=1), start)

    meetings = [
        Expected(day, *marks.get(index, (UPCOMING if day == today else MISSED, "")))
        for index, day in enumerate(expected)
    ]
    logged = [meeting.mark for meeting in meetings if meeting.mark != UPCOMING]
    lapsed = bool(marks) and logged[-LAPSE_AFTER:] == [MISSED] * LAPSE_AFTER
    if lapsed:
        status = LAPSED
    elif due is None:
        status = NO_RHYTHM
    elif due < today:
        status = OVERDUE
    elif due == today:
        status = DUE
    else:
        status = ON_TRACK
    return CadenceHealth(last_held, due, drift, status, tuple(meetings[-HISTORY_LENGTH:]))


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def is_sponsor(role: str) -> bool:
    folded = role.casefold()
    return any(word in folded for word in SPONSOR_WORDS)


def default_contact_days(side: str, role: str) -> int:
    """How often to be in touch with someone, by default: a sponsor (any side) every 14 days,
    other client and partner people every 21, our own team every 30."""
    if is_sponsor(role):
        return SPONSOR_DAYS
    return CONTACT_DAYS.get(side, OTHER_DAYS)


def losing_touch(
    last_contact: dt.datetime | None, every_days: int, today: dt.date, since: dt.date | None
) -> bool:
    """Past their contact target: more than `every_days` calendar days since the last
    contact, counted in the lead's zone as every "N days ago" is (store.since), on the target
    day itself not yet. Someone never contacted counts from `since` (the kickoff); without
    one there is nothing to count from, so not losing touch."""
    if last_contact is not None:
        from store.since import lead_day

        counted_from = lead_day(last_contact) if last_contact.tzinfo else last_contact.date()
    elif since is not None:
        counted_from = since
    else:
        return False
    return (today - counted_from).days > every_days


def known_onboarding(
    first_one_on_one: dt.date | None,
    met_in_person: bool,
    first_logged: dt.datetime | None,
    met_on_site: bool,
) -> tuple[dt.date | None, bool]:
    """The first one-on-one and "met in person" as known: the facts noted by hand (from before
    rapport) or proven by the check-ins logged since (a one-on-one held, an on-site
    meeting), whichever is earlier. A logged moment counts by its day in the lead's zone."""
    from store.since import lead_day

    logged = None if first_logged is None else lead_day(first_logged)
    known = [day for day in (first_one_on_one, logged) if day is not None]
    return (min(known) if known else None), met_in_person or met_on_site


def onboarding_score(
    at_kickoff: bool,
    onboarded: bool,
    first_one_on_one: dt.date | None,
    role_agreed: bool,
    met_in_person: bool,
) -> int:
    """The x of an x/4: at the kickoff (or onboarded later), first one-on-one held, role and
    responsibilities agreed, met in person."""
    return sum((at_kickoff or onboarded, first_one_on_one is not None, role_agreed, met_in_person))


def late_joiner(at_kickoff: bool, onboarded: bool) -> bool:
    """Joined after the kickoff and not onboarded since: someone who should stand out."""
    return not at_kickoff and not onboarded
