"""Overlap finder and daylight-saving warnings: fixed clocks, real zones, both continents.

Europe leaves summer time on 2026-10-25 and enters it on 2027-03-28; the US leaves it on
2026-11-01 and enters it on 2027-03-14. In the weeks between, Köln and Seattle are 8 hours
apart instead of 9.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sqlalchemy import select

from store import edits
from store.db import Store
from store.models import Cadence, Person
from store.timezones import (
    DstWarning,
    Hours,
    cadence_warnings,
    find_slots,
    meeting_start,
    minutes_outside,
    overlap_for_cadence,
    overlap_for_people,
    people_hours,
    slot_warnings,
    summarize,
)

KOELN = Hours(1, "Jonas Brandt", "Europe/Berlin", dt.time(9), dt.time(17, 30))
SEATTLE = Hours(2, "Priya Raman", "America/Los_Angeles", dt.time(8), dt.time(17))


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def starts(slots: list) -> list[str]:
    return [f"{slot.start:%a %d %H:%M}" for slot in slots]


def sunday_night(day: str) -> dt.datetime:
    """22:00 UTC on the Sunday before a week: the window is that Monday to Friday."""
    return utc(f"{day}T22:00")


# --- find_slots ---------------------------------------------------------------------------------


def test_winter_week_the_one_shared_half_hour_is_16_utc() -> None:
    # Köln 09:00-17:30 CET is 08:00-16:30 UTC; Seattle 08:00-17:00 PST is 16:00-01:00 UTC.
    slots = find_slots([KOELN, SEATTLE], sunday_night("2026-11-08"))
    assert starts(slots[:5]) == [f"{d} 16:00" for d in ("Mon 09", "Tue 10", "Wed 11", "Thu 12", "Fri 13")]  # fmt: skip
    assert all(slot.minutes_outside == 0 and slot.paying == () for slot in slots[:5])
    assert slots[0].end == utc("2026-11-09T16:30")
    # Then the half hours either side, each paid by one person, named.
    sixth, seventh = slots[5], slots[6]
    assert (sixth.start, sixth.minutes_outside) == (utc("2026-11-09T15:30"), 30)
    assert [(c.name, f"{c.local_start:%H:%M %Z}", c.minutes_outside) for c in sixth.paying] == [
        ("Priya Raman", "07:30 PST", 30)
    ]
    assert (seventh.start, [c.name for c in seventh.paying]) == (
        utc("2026-11-09T16:30"),
        ["Jonas Brandt"],
    )
    assert f"{seventh.paying[0].local_start:%H:%M %Z}" == "17:30 CET"


def test_summer_week_the_shared_half_hour_is_15_utc() -> None:
    slots = find_slots([KOELN, SEATTLE], sunday_night("2026-10-18"), limit=5)
    assert starts(slots) == ["Mon 19 15:00", "Tue 20 15:00", "Wed 21 15:00", "Thu 22 15:00", "Fri 23 15:00"]  # fmt: skip


def test_week_after_europe_switched_has_three_free_half_hours_then_one() -> None:
    # 26-30 Oct 2026: Köln is on CET (08:00-16:30 UTC), Seattle still on PDT (15:00-24:00 UTC).
    gap = find_slots([KOELN, SEATTLE], sunday_night("2026-10-25"))
    assert starts(gap) == [
        "Mon 26 15:00", "Mon 26 15:30", "Mon 26 16:00",
        "Tue 27 15:00", "Tue 27 15:30", "Tue 27 16:00",
        "Wed 28 15:00", "Wed 28 15:30", "Wed 28 16:00",
        "Thu 29 15:00",
    ]  # fmt: skip
    assert all(slot.minutes_outside == 0 for slot in gap)
    # 2-6 Nov 2026: the US switched back too; one free half hour a day, an hour later.
    after = find_slots([KOELN, SEATTLE], sunday_night("2026-11-01"), limit=5)
    assert starts(after) == ["Mon 02 16:00", "Tue 03 16:00", "Wed 04 16:00", "Thu 05 16:00", "Fri 06 16:00"]  # fmt: skip


def test_an_hour_long_meeting_fits_only_in_the_gap_week() -> None:
    gap = find_slots([KOELN, SEATTLE], sunday_night("2026-10-25"), duration=60, limit=2)
    assert [(s.start, s.end, s.minutes_outside) for s in gap] == [
        (utc("2026-10-26T15:00"), utc("2026-10-26T16:00"), 0),
        (utc("2026-10-26T15:30"), utc("2026-10-26T16:30"), 0),
    ]
    best = find_slots([KOELN, SEATTLE], sunday_night("2026-11-01"), duration=60)[0]
    assert best.start == utc("2026-11-02T15:30")
    assert [(c.name, f"{c.local_start:%a %H:%M}", c.minutes_outside) for c in best.paying] == [
        ("Priya Raman", "Mon 07:30", 30)
    ]


def test_march_the_us_switches_first() -> None:
    people = [KOELN, SEATTLE]
    before = find_slots(people, sunday_night("2027-03-07"), limit=5)
    assert starts(before) == ["Mon 08 16:00", "Tue 09 16:00", "Wed 10 16:00", "Thu 11 16:00", "Fri 12 16:00"]  # fmt: skip
    for sunday in ("2027-03-14", "2027-03-21"):  # the two weeks between the switches
        gap = find_slots(people, sunday_night(sunday), limit=3)
        assert [f"{s.start:%H:%M}" for s in gap] == ["15:00", "15:30", "16:00"], sunday
        assert all(s.minutes_outside == 0 for s in gap)
    both_summer = find_slots(people, sunday_night("2027-03-28"), limit=5)
    assert starts(both_summer) == ["Mon 29 15:00", "Tue 30 15:00", "Wed 31 15:00", "Thu 01 15:00", "Fri 02 15:00"]  # fmt: skip


def test_a_window_across_the_us_switch_uses_each_days_offset() -> None:
    # From Friday 30 Oct (gap) into the week of 2 Nov (both on winter time).
    slots = find_slots([KOELN, SEATTLE], utc("2026-10-30T12:00"), limit=4)
    assert starts(slots) == ["Fri 30 15:00", "Fri 30 15:30", "Fri 30 16:00", "Mon 02 16:00"]


def test_weekend_days_are_never_free() -> None:
    slots = find_slots([KOELN, SEATTLE], utc("2026-11-13T12:00"), limit=1000)
    saturday_16 = next(s for s in slots if s.start == utc("2026-11-14T16:00"))
    # The same half hour is free on a weekday; on Saturday both pay all of it.
    assert saturday_16.minutes_outside == 60
    assert [c.name for c in saturday_16.paying] == ["Jonas Brandt", "Priya Raman"]
    # Saturday for both from 08:00 UTC (midnight in Seattle) to 23:00 UTC (midnight in Köln).
    weekend = [s for s in slots if utc("2026-11-14T08:00") <= s.start < utc("2026-11-14T23:00")]
    assert len(weekend) == 30
    assert weekend and all(s.minutes_outside == 60 for s in weekend)
    # Friday 15:30 in Seattle is Saturday 00:00 in Köln: the weekend is each person's own.
    assert minutes_outside(SEATTLE, utc("2026-11-13T23:30"), utc("2026-11-14T00:00")) == 0
    assert minutes_outside(KOELN, utc("2026-11-13T23:30"), utc("2026-11-14T00:00")) == 30


def test_partly_outside_counts_the_minutes_outside() -> None:
    # 16:00-17:00 UTC in November: 17:00-18:00 in Köln, of which 17:30-18:00 is outside.
    assert minutes_outside(KOELN, utc("2026-11-10T16:00"), utc("2026-11-10T17:00")) == 30
    assert minutes_outside(SEATTLE, utc("2026-11-10T16:00"), utc("2026-11-10T17:00")) == 0


def test_equal_cost_prefers_the_slot_nearer_to_working_hours() -> None:
    slots = find_slots([KOELN, SEATTLE], sunday_night("2026-10-18"), limit=1000)
    order = [s.start for s in slots]
    # Monday 07:00 UTC is Sunday midnight in Seattle; 14:30 UTC is 07:30 there. Both cost
    # Priya 30 minutes, but the one just before her day comes first though it is later.
    night, morning = utc("2026-10-19T07:00"), utc("2026-10-19T14:30")
    for start in (night, morning):
        slot = slots[order.index(start)]
        assert (slot.minutes_outside, [c.name for c in slot.paying]) == (30, ["Priya Raman"])
    assert order.index(morning) < order.index(night)
    assert order.index(morning) == 5  # right after the five free slots


def test_slots_start_after_the_clock_on_the_half_hour() -> None:
    slots = find_slots([KOELN, SEATTLE], utc("2026-11-10T15:41"), limit=1000)
    first = min(s.start for s in slots)
    assert first == utc("2026-11-10T16:00")
    assert all(s.start.minute in (0, 30) and s.start.tzinfo is dt.UTC for s in slots)
    # Five weekdays after Tuesday: through Tuesday of next week, never beyond.
    assert max(s.end for s in slots) == utc("2026-11-18T00:00")


def test_no_people_no_slots() -> None:
    assert find_slots([], utc("2026-11-10T12:00")) == []


# --- slot_warnings and summarize ----------------------------------------------------------------


def test_berlin_17_is_fine_for_seattle_also_between_the_switches() -> None:
    # 17:00 Köln is 08:00 in Seattle in summer and winter alike; between the switches the
    # ocean is an hour narrower and it is 09:00 there, later, not earlier.
    for today in (dt.date(2026, 10, 1), dt.date(2027, 3, 1)):
        assert slot_warnings("weekly on tue", dt.time(17), "Europe/Berlin", 30, [KOELN, SEATTLE], today) == []  # fmt: skip
    seattle = meeting_start(dt.date(2026, 10, 27), dt.time(17), "Europe/Berlin")
    assert f"{seattle.astimezone(dt.timezone(dt.timedelta(hours=-7))):%H:%M}" == "09:00"


def test_berlin_16_warns_for_seattle_except_between_the_switches() -> None:
    autumn = slot_warnings(
        "weekly on tue", dt.time(16), "Europe/Berlin", 30, [KOELN, SEATTLE], dt.date(2026, 10, 1)
    )
    tuesdays = [dt.date(2026, 10, 6) + dt.timedelta(weeks=n) for n in range(8)]
    assert [w.day for w in autumn] == [d for d in tuesdays if d != dt.date(2026, 10, 27)]
    assert {(w.names, w.local_times) for w in autumn} == {
        (("Priya Raman",), ("07:00 America/Los_Angeles",))
    }
    spring = slot_warnings(
        "weekly on tue", dt.time(16), "Europe/Berlin", 30, [KOELN, SEATTLE], dt.date(2027, 3, 1)
    )
    assert [f"{w.day:%d %b}" for w in spring] == ["02 Mar", "09 Mar", "30 Mar", "06 Apr", "13 Apr", "20 Apr"]  # fmt: skip


def test_seattle_anchored_slot_moves_in_berlin_between_the_switches() -> None:
    # 08:30 in Seattle is 17:30 in Köln, but 16:30 in the week of 26 Oct: an attendee whose day
    # ends at 17:00 is out every week except that one.
    early = Hours(3, "Mehmet Yılmaz", "Europe/Berlin", dt.time(8), dt.time(17))
    found = slot_warnings(
        "weekly on thu", dt.time(8, 30), "America/Los_Angeles", 30, [SEATTLE, early],
        dt.date(2026, 10, 19), weeks=3,
    )  # fmt: skip
    assert found == [
        DstWarning(dt.date(2026, 10, 22), ("Mehmet Yılmaz",), ("17:30 Europe/Berlin",)),
        DstWarning(dt.date(2026, 11, 5), ("Mehmet Yılmaz",), ("17:30 Europe/Berlin",)),
    ]


def test_outside_on_every_date_warns_on_every_date() -> None:
    franziska = Hours(4, "Franziska Weiß", "Europe/Berlin", dt.time(8), dt.time(16, 30))
    people = [KOELN, franziska]
    half_hour = slot_warnings("weekly on tue", dt.time(17), "Europe/Berlin", 30, people, dt.date(2026, 11, 20))  # fmt: skip
    assert len(half_hour) == 8
    assert {(w.names, w.local_times) for w in half_hour} == {
        (("Franziska Weiß",), ("17:00 Europe/Berlin",))
    }
    # 45 minutes from 17:00 run past Jonas's 17:30 as well.
    longer = slot_warnings("weekly on tue", dt.time(17), "Europe/Berlin", 45, people, dt.date(2026, 11, 20))  # fmt: skip
    assert {w.names for w in longer} == {("Jonas Brandt", "Franziska Weiß")}


def test_a_slot_in_the_spring_forward_gap_moves_on() -> None:
    assert meeting_start(dt.date(2027, 3, 28), dt.time(2, 30), "Europe/Berlin") == utc(
        "2027-03-28T01:30"
    )
    sunday = slot_warnings(
        "weekly on sun", dt.time(2, 30), "Europe/Berlin", 30, [KOELN], dt.date(2027, 3, 20), weeks=2
    )  # fmt: skip
    assert [(w.day, w.local_times) for w in sunday] == [
        (dt.date(2027, 3, 21), ("02:30 Europe/Berlin",)),
        (dt.date(2027, 3, 28), ("03:30 Europe/Berlin",)),
    ]


def test_the_rhythm_counts_from_its_start() -> None:
    late = Hours(5, "Tyler Brooks", "America/Denver", dt.time(9), dt.time(17, 30))
    found = slot_warnings(
        "every 2 weeks on thu", dt.time(16), "Europe/Berlin", 30, [late],
        dt.date(2026, 11, 20), weeks=4, start=dt.date(2026, 10, 1),
    )  # fmt: skip
    assert [w.day for w in found] == [dt.date(2026, 11, 26), dt.date(2026, 12, 10)]
    shifted = slot_warnings(
        "every 2 weeks on thu", dt.time(16), "Europe/Berlin", 30, [late],
        dt.date(2026, 11, 20), weeks=4, start=dt.date(2026, 10, 8),
    )  # fmt: skip
    assert [w.day for w in shifted] == [dt.date(2026, 12, 3), dt.date(2026, 12, 17)]


def test_summarize_groups_by_person_with_dates_in_order() -> None:
    days = [dt.date(2027, 3, 2) + dt.timedelta(weeks=n) for n in range(7)]
    warnings = [DstWarning(d, ("Tyler Brooks",), ("08:00 America/Denver",)) for d in days]
    warnings.insert(0, DstWarning(days[1], ("Tyler Brooks", "Dana Whitfield"), ("", "")))
    del warnings[2]  # the plain one for days[1]: the joint one stands for it
    assert summarize(list(reversed(warnings))) == (
        "outside hours for Tyler Brooks on 02 Mar, 09 Mar, 16 Mar, 23 Mar, 30 Mar +2 more; "
        "Dana Whitfield on 09 Mar"
    )
    assert summarize(warnings[:1]) == "outside hours for Tyler Brooks on 09 Mar; Dana Whitfield on 09 Mar"  # fmt: skip
    assert summarize([]) == ""


# --- reading the store ---------------------------------------------------------------------------


def test_people_hours_in_the_order_asked(store: Store, team: dict[str, int]) -> None:
    hours = people_hours(store, team["eng"], [team["ines"], team["dana"], 99_999])
    assert hours == [
        Hours(team["ines"], "Inês Carvalho", "Europe/Lisbon", dt.time(9), dt.time(17)),
        Hours(team["dana"], "Dana Whitfield", "America/Denver", dt.time(9), dt.time(17)),
    ]
    assert [h.name for h in people_hours(store, team["eng"])] == [
        "Dana Whitfield", "Inês Carvalho", "Jonas Brandt",
    ]  # fmt: skip
    assert people_hours(store, team["eng"] + 1) == []


def test_overlap_for_a_cadence_uses_its_attendees(store: Store, team: dict[str, int]) -> None:
    # Weekly status: Jonas in Berlin and Dana in Denver, both 09:00-17:00, share no hour in
    # November (08:00-16:00 UTC and 16:00-24:00 UTC): someone always pays.
    slots = overlap_for_cadence(store, team["eng"], team["weekly"], utc("2026-11-20T10:30"))
    assert len(slots) == 10
    best = slots[0]
    assert (best.start, best.end, best.minutes_outside) == (
        utc("2026-11-20T15:30"),
        utc("2026-11-20T16:00"),
        30,
    )
    assert [(c.person_id, f"{c.local_start:%H:%M}") for c in best.paying] == [(team["dana"], "08:30")]  # fmt: skip
    assert slots[1].start == utc("2026-11-20T16:00")
    assert [c.person_id for c in slots[1].paying] == [team["jonas"]]
    assert overlap_for_cadence(store, team["eng"], 99_999, utc("2026-11-20T10:30")) == []


def test_overlap_for_a_cadence_takes_its_duration(store: Store, team: dict[str, int]) -> None:
    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(
            key="weekly", name="Weekly status", rhythm="weekly on tue", circle="Core",
            slot=dt.time(16), zone="Europe/Berlin", owner_id=team["jonas"], duration=60,
            attendee_ids=(team["jonas"], team["dana"]),
        ),
        team["weekly"],
    )  # fmt: skip
    slots = overlap_for_cadence(store, team["eng"], team["weekly"], utc("2026-11-20T10:30"))
    assert all(s.end - s.start == dt.timedelta(hours=1) for s in slots)
    assert slots[0].minutes_outside == 60


def test_overlap_for_marked_people(store: Store, team: dict[str, int]) -> None:
    # Dana (Denver) and Inês (Lisbon, on UTC in winter) share 16:00-17:00 UTC.
    slots = overlap_for_people(
        store, team["eng"], [team["dana"], team["ines"]], utc("2026-11-20T10:30")
    )
    assert starts(slots[:4]) == ["Fri 20 16:00", "Fri 20 16:30", "Mon 23 16:00", "Mon 23 16:30"]
    assert all(s.minutes_outside == 0 for s in slots[:4])


def test_cadence_warnings_for_the_team(store: Store, team: dict[str, int]) -> None:
    # Weekly status, Tuesdays 16:00 in Berlin: 08:00 in Denver, before Dana's 09:00 start,
    # except on 27 Oct, when Europe has switched and the US not yet (09:00 there).
    found = cadence_warnings(store, team["eng"], dt.date(2026, 10, 1))
    assert list(found) == [team["weekly"]]
    assert [w.day.isoformat() for w in found[team["weekly"]]] == [
        "2026-10-06", "2026-10-13", "2026-10-20",
        "2026-11-03", "2026-11-10", "2026-11-17", "2026-11-24",
    ]  # fmt: skip
    assert found[team["weekly"]][0] == DstWarning(
        dt.date(2026, 10, 6), ("Dana Whitfield",), ("08:00 America/Denver",)
    )


def test_cadence_warnings_leave_out_paused_and_slotless(store: Store, team: dict[str, int]) -> None:
    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(key="ad-hoc", name="Ad hoc", rhythm="weekdays", attendee_ids=(team["dana"],)),
    )  # fmt: skip
    with store.write() as session:
        session.get(Cadence, team["weekly"]).paused = True
    assert cadence_warnings(store, team["eng"], dt.date(2026, 10, 1)) == {}


def test_cadence_warnings_count_from_since(store: Store, team: dict[str, int]) -> None:
    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(
            key="fortnight", name="Fortnightly", rhythm="every 2 weeks on tue", slot=dt.time(16),
            zone="Europe/Berlin", attendee_ids=(team["dana"],), since=dt.date(2026, 11, 10),
        ),
    )  # fmt: skip
    found = cadence_warnings(store, team["eng"], dt.date(2026, 11, 1), weeks=4)
    fortnight = next(cid for cid in found if cid != team["weekly"])
    assert [w.day for w in found[fortnight]] == [dt.date(2026, 11, 10), dt.date(2026, 11, 24)]


def test_the_sample_weekly_warns_for_early_leavers_not_for_the_us(sample_store: Store) -> None:
    with sample_store.read() as session:
        weekly = session.scalar(select(Cadence.id).where(Cadence.key == "weekly"))
        engagement = session.scalar(select(Person.engagement_id).limit(1))
    found = cadence_warnings(sample_store, engagement, dt.date(2026, 10, 1))
    names = {name for w in found[weekly] for name in w.names}
    # 17:00-17:45 in Köln: past Franziska's 16:30 and Mehmet's 16:00; for Dana, Tyler and
    # Priya it is morning on every date, between the switches an hour later.
    assert names == {"Franziska Weiß", "Mehmet Yılmaz"}
    assert len(found[weekly]) == 8
    assert summarize(found[weekly]).startswith("outside hours for Franziska Weiß on 06 Oct, 13 Oct")


def test_timezones_and_ics_never_import_the_ui() -> None:
    probe = (
        "import sys, store.timezones, store.ics\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
