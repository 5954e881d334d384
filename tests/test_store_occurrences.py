"""A cadence's start and meetings (store.occurrences): the one rule health, the slot warnings,
the .ics export and the log form's prefill share."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from store import edits, queries
from store.checkins import CheckInDraft, log_checkin, one_on_ones
from store.db import Store
from store.occurrences import Schedule, just_held
from store.timezones import cadence_warnings

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
KICKOFF = dt.date(2026, 9, 28)  # a Monday


def cadence(
    cadence_id: int, name: str, rhythm: str, slot: dt.time, zone: str, duration: int = 30,
    *, paused: bool = False, since: dt.date | None = None,
) -> Schedule:  # fmt: skip
    return Schedule(
        cadence_id=cadence_id, name=name, rhythm=rhythm, slot=slot, zone=zone,
        duration=duration, paused=paused, since=since, kickoff=KICKOFF, first_checkin=None,
    )  # fmt: skip


# The sample's week, in short: a daily at 09:30 Berlin, the weekly status on Tuesdays at 17:00
# Berlin, a fortnightly sponsor check-in on Thursdays at 10:00 New York (from the kickoff week:
# Thu 01 Oct, 15 Oct, 29 Oct, 12 Nov, 26 Nov).
DAILY = cadence(1, "Daily stand-up", "weekdays", dt.time(9, 30), "Europe/Berlin", 15)
WEEKLY = cadence(2, "Weekly status", "weekly on tue", dt.time(17), "Europe/Berlin", 45)
SPONSOR = cadence(3, "Sponsor check-in", "every 2 weeks on thu", dt.time(10), "America/New_York")
WEEK = (DAILY, WEEKLY, SPONSOR)


def at(moment: str, zone: ZoneInfo = BERLIN) -> dt.datetime:
    return dt.datetime.fromisoformat(moment).replace(tzinfo=zone)


def held(schedules: tuple[Schedule, ...], now: dt.datetime) -> str | None:
    meeting = just_held(schedules, now)
    return None if meeting is None else meeting.label(BERLIN)


def test_a_wednesday_afternoon_is_no_thursday_meeting() -> None:
    # 10:00 in New York, the sponsor check-in's slot, but a Wednesday: nothing was held.
    assert held(WEEK, at("2026-11-25 16:00")) is None
    # The daily ended ten minutes ago.
    assert held(WEEK, at("2026-11-25 09:55")) == "Daily stand-up, Wed 25 Nov 09:30"


def test_the_meeting_under_way_wins_then_the_one_that_ended_last() -> None:
    assert held(WEEK, at("2026-11-24 17:10")) == "Weekly status, Tue 24 Nov 17:00"
    assert held(WEEK, at("2026-11-24 17:45")) == "Weekly status, Tue 24 Nov 17:00"
    assert held(WEEK, at("2026-11-24 19:45")) == "Weekly status, Tue 24 Nov 17:00"
    # Two hours after it ended, it is no longer the meeting just held.
    assert held(WEEK, at("2026-11-24 19:46")) is None
    # The daily under way beats yesterday evening's weekly, which ended long ago anyway;
    # and a short meeting under way beats a longer one that started earlier.
    late = cadence(4, "Late review", "weekly on tue", dt.time(9), "Europe/Berlin", 90)
    assert held((*WEEK, late), at("2026-11-24 09:35")) == "Daily stand-up, Tue 24 Nov 09:30"


def test_a_fortnightly_meeting_is_held_only_in_its_weeks() -> None:
    # Thu 26 Nov is one of its weeks, Thu 19 Nov is not (the daily ended hours before).
    assert held(WEEK, at("2026-11-26 16:20")) == "Sponsor check-in, Thu 26 Nov 16:00"
    assert held(WEEK, at("2026-11-19 16:20")) is None


def test_each_cadence_in_its_own_zone_and_across_midnight() -> None:
    # 16:00 in Berlin is 10:00 in New York in November; 15:00 in Berlin in late October,
    # when Europe has switched and the US has not.
    assert held(WEEK, at("2026-11-12 10:10", NEW_YORK)) == "Sponsor check-in, Thu 12 Nov 16:00"
    assert held(WEEK, at("2026-10-29 10:10", NEW_YORK)) == "Sponsor check-in, Thu 29 Oct 15:00"
    night = cadence(5, "Night shift", "weekly on mon", dt.time(23, 30), "Europe/Berlin", 60)
    assert held((night,), at("2026-11-24 00:15")) == "Night shift, Mon 23 Nov 23:30"


def test_paused_cadences_are_never_the_meeting_just_held() -> None:
    paused = cadence(1, "Daily stand-up", "weekdays", dt.time(9, 30), "Europe/Berlin", paused=True)
    assert held((paused,), at("2026-11-25 09:40")) is None


def test_a_meeting_before_its_cadence_starts_was_not_held() -> None:
    later = cadence(
        6, "Ops sync", "weekdays", dt.time(9), "Europe/Berlin", since=dt.date(2026, 12, 1)
    )
    assert held((later,), at("2026-11-25 09:40")) is None
    assert held((later,), at("2026-12-01 09:40")) == "Ops sync, Tue 01 Dec 09:00"


def test_one_on_ones_are_a_cadence_its_owner_holds_with_one_person() -> None:
    lead, tyler, dana, priya = 1, 2, 3, 4
    found = one_on_ones([
        (10, "One-on-one Tyler", lead, False, (lead, tyler)),
        (11, "Weekly status", lead, False, (lead, tyler, dana)),
        (12, "Sponsor check-in", lead, False, (lead, dana)),
        (13, "Dana 1:1", lead, False, (dana, lead)),  # named a one-on-one: it wins for Dana
        (14, "One-on-one Priya", lead, True, (lead, priya)),  # paused
        (15, "Pair", None, False, (tyler, priya)),  # nobody holds it
    ])  # fmt: skip
    assert found == ((tyler, 10), (dana, 13))


def test_slot_warnings_count_from_the_first_checkin_as_health_does(store: Store) -> None:
    """Without a kickoff or a start of its own, a fortnightly cadence counts from its first
    check-in on the Cadence screen: its warnings must fall on those weeks, not the others."""
    eng = edits.save_engagement(store, edits.EngagementValues(key="solo", name="Solo"))
    ana = edits.save_person(
        store, eng,
        edits.PersonValues(key="ana", name="Ana Lima", side="client", timezone="Asia/Tokyo"),
    )  # fmt: skip
    sponsor = edits.save_cadence(
        store, eng,
        edits.CadenceValues(
            key="sponsor", name="Sponsor check-in", rhythm="every 2 weeks on thu",
            slot=dt.time(10), zone="America/New_York", attendee_ids=(ana,),
        ),
    )  # fmt: skip
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=eng, at=dt.datetime(2026, 11, 5, 15, tzinfo=dt.UTC),
            attendee_ids=(ana,), cadence_id=sponsor,
        ),
    )  # fmt: skip
    today = dt.date(2026, 11, 27)  # counted from today, its weeks would be 26 Nov, 10 Dec, …
    (row,) = queries.cadences(store, eng, today)
    assert row.next_due == dt.date(2026, 11, 19)  # overdue: due Thu 19 Nov, not held
    warned = [w.day for w in cadence_warnings(store, eng, today, weeks=4)[sponsor]]
    # 10:00 in New York is midnight in Tokyo, outside Ana's hours at every meeting.
    assert warned == [dt.date(2026, 12, 3), dt.date(2026, 12, 17)]
