"""Cadence health, contact targets and onboarding at their edges, with fixed dates.

The unit tests call store.health directly; the last ones go through store.queries on real
SQLite files (the `team` fixture and the sample).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import pytest
from conftest import SAMPLE_TODAY
from sqlalchemy import event

from store import edits, queries
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.health import (
    HISTORY_LENGTH,
    SPONSOR_WORDS,
    CadenceHealth,
    Expected,
    cadence_health,
    default_contact_days,
    late_joiner,
    losing_touch,
    onboarding_score,
)
from store.occurrences import cadence_start

UTC = dt.UTC
D = dt.date
CheckIns = Sequence[tuple[dt.datetime, str, str]]


def noon(day: dt.date, status: str = "held", outcome: str = "") -> tuple[dt.datetime, str, str]:
    """A check-in at 12:00 UTC on `day`: the same calendar day in every zone used here."""
    return (dt.datetime.combine(day, dt.time(12), UTC), status, outcome)


def local(moment: str, zone: str, status: str = "held") -> tuple[dt.datetime, str, str]:
    """A check-in at a local wall-clock time in `zone`, handed over in UTC as the store does."""
    wall = dt.datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone))
    return (wall.astimezone(UTC), status, "")


def health(
    rhythm: str,
    start: dt.date,
    today: dt.date,
    checkins: CheckIns = (),
    *,
    zone: str = "",
    paused: bool = False,
) -> CadenceHealth:
    return cadence_health(rhythm, start, paused, checkins, zone, today)


def marks(result: CadenceHealth) -> list[tuple[dt.date, str]]:
    return [(meeting.day, meeting.mark) for meeting in result.history]


# --- which days are expected ------------------------------------------------------------------


def test_monthly_on_day_31_has_no_meeting_in_months_without_one() -> None:
    # dateutil's rrule skips months without a 31st; the Jan meeting's window then runs to 31 Mar,
    # so a call on 28 Feb covers January's meeting, held late.
    result = health("monthly on day 31", D(2027, 1, 1), D(2027, 4, 15), [noon(D(2027, 2, 28))])
    assert marks(result) == [(D(2027, 1, 31), "held"), (D(2027, 3, 31), "missed")]
    assert result.next_due == D(2027, 3, 31)
    assert result.status == "overdue"


def test_monthly_on_day_29_meets_on_the_leap_day() -> None:
    result = health("monthly on day 29", D(2028, 1, 1), D(2028, 2, 29), [noon(D(2028, 1, 29))])
    assert marks(result) == [(D(2028, 1, 29), "held"), (D(2028, 2, 29), "upcoming")]
    assert (result.next_due, result.status) == (D(2028, 2, 29), "due")
    # In 2027, a common year, February has no 29th: from January straight to March.
    common = health("monthly on day 29", D(2027, 1, 1), D(2027, 3, 29), [noon(D(2027, 1, 29))])
    assert [day for day, _ in marks(common)] == [D(2027, 1, 29), D(2027, 3, 29)]
    assert common.status == "due"


def test_weekly_across_the_leap_day() -> None:
    # Tue 22 Feb 2028 held; the next Tuesday is the 29th.
    result = health("weekly on tue", D(2028, 2, 1), D(2028, 3, 1), [noon(D(2028, 2, 22))])
    assert result.next_due == D(2028, 2, 29)
    assert marks(result)[-2:] == [(D(2028, 2, 22), "held"), (D(2028, 2, 29), "missed")]
    assert result.status == "overdue"
    assert result.drift == pytest.approx(8 / 7)  # 22 Feb to 1 Mar is 8 days in a leap year


def test_monthly_on_last_friday() -> None:
    result = health("monthly on last fri", D(2026, 9, 28), D(2026, 11, 20), [noon(D(2026, 10, 30))])
    assert marks(result) == [(D(2026, 10, 30), "held")]
    assert (result.next_due, result.status) == (D(2026, 11, 27), "on track")
    assert result.drift == pytest.approx(21 / 30.4)
    # On the day itself, the last Friday of November is due; a day later it is overdue.
    assert health("monthly on last fri", D(2026, 9, 28), D(2026, 11, 27),
                  [noon(D(2026, 10, 30))]).status == "due"  # fmt: skip
    assert health("monthly on last fri", D(2026, 9, 28), D(2026, 11, 28),
                  [noon(D(2026, 10, 30))]).status == "overdue"  # fmt: skip


def test_weekdays_skip_the_weekend() -> None:
    # Held Fri 13 Nov; on Mon 16 Nov the next stand-up is today, not overdue since Saturday.
    result = health("weekdays", D(2026, 11, 9), D(2026, 11, 16), [noon(D(2026, 11, 13))])
    assert marks(result)[-2:] == [(D(2026, 11, 13), "held"), (D(2026, 11, 16), "upcoming")]
    assert (result.next_due, result.status) == (D(2026, 11, 16), "due")
    assert result.drift == pytest.approx(3 / 1.4)  # 3 days, interval 7/5 days


def test_a_weekend_call_covers_fridays_stand_up() -> None:
    result = health("weekdays", D(2026, 11, 9), D(2026, 11, 16), [noon(D(2026, 11, 14))])
    assert (D(2026, 11, 13), "held") in marks(result)
    assert result.next_due == D(2026, 11, 16)


def test_every_two_weeks_counts_from_the_start_week() -> None:
    kickoff = health("every 2 weeks on thu", D(2026, 9, 28), D(2026, 11, 20))
    assert [day for day, _ in marks(kickoff)] == [
        D(2026, 10, 1), D(2026, 10, 15), D(2026, 10, 29), D(2026, 11, 12),
    ]  # fmt: skip
    later = health("every 2 weeks on thu", D(2026, 10, 5), D(2026, 11, 20))
    assert [day for day, _ in marks(later)] == [
        D(2026, 10, 8), D(2026, 10, 22), D(2026, 11, 5), D(2026, 11, 19),
    ]  # fmt: skip
    # Weeks run Monday to Sunday: from a Friday, that week's Thursday is gone and the next
    # meeting is in two weeks' time.
    friday = health("every 2 weeks on thu", D(2026, 10, 2), D(2026, 10, 10))
    assert (friday.next_due, friday.status, friday.history) == (D(2026, 10, 15), "on track", ())


def test_every_n_days() -> None:
    result = health("every 3 days", D(2026, 11, 1), D(2026, 11, 10), [noon(D(2026, 11, 7))])
    assert [day for day, _ in marks(result)] == [D(2026, 11, d) for d in (1, 4, 7, 10)]
    assert (result.next_due, result.status) == (D(2026, 11, 10), "due")
    assert result.drift == pytest.approx(1.0)


# --- time zones: the local date of a check-in -------------------------------------------------

# "weekly on sun,mon": Sunday's window is one day long, so a check-in dated a day off in either
# direction covers another meeting and leaves the switch Sunday missed.
SWITCHES = [
    # Europe/Berlin: last Sunday of October (CEST to CET) and of March (CET to CEST).
    ("Europe/Berlin", "2026-10-25T00:30", D(2026, 10, 25)),
    ("Europe/Berlin", "2027-03-28T00:30", D(2027, 3, 28)),
    ("Europe/Berlin", "2026-10-25T23:30", D(2026, 10, 25)),
    # America/New_York: first Sunday of November (EDT to EST), second of March (EST to EDT).
    ("America/New_York", "2026-11-01T00:30", D(2026, 11, 1)),
    ("America/New_York", "2026-11-01T23:30", D(2026, 11, 1)),
    ("America/New_York", "2027-03-14T00:30", D(2027, 3, 14)),
    ("America/New_York", "2027-03-14T23:30", D(2027, 3, 14)),
]


@pytest.mark.parametrize(
    ("zone", "wall", "sunday"), SWITCHES, ids=[f"{z} {w}" for z, w, _ in SWITCHES]
)
def test_a_check_in_on_a_dst_switch_day_lands_on_its_local_date(
    zone: str, wall: str, sunday: dt.date
) -> None:
    checkin = local(wall, zone)
    today = sunday + dt.timedelta(days=3)
    result = health("weekly on sun,mon", sunday - dt.timedelta(days=7), today, [checkin], zone=zone)
    assert (sunday, "held") in marks(result)
    assert result.next_due == sunday + dt.timedelta(days=1)
    assert result.last_held == checkin[0]


def test_the_utc_date_would_be_wrong_on_those_days() -> None:
    """Why the zone matters: 00:30 in Berlin is the evening before in UTC, 23:30 in New York
    the morning after; without a zone (UTC) the same check-ins cover other meetings."""
    berlin = local("2026-10-25T00:30", "Europe/Berlin")
    assert berlin[0].date() == D(2026, 10, 24)
    result = health("weekly on sun,mon", D(2026, 10, 18), D(2026, 10, 28), [berlin])
    assert (D(2026, 10, 19), "held") in marks(result)  # Saturday: Monday the 19th's window
    assert (D(2026, 10, 25), "missed") in marks(result)
    new_york = local("2027-03-14T23:30", "America/New_York")
    assert new_york[0].date() == D(2027, 3, 15)
    result = health("weekly on sun,mon", D(2027, 3, 7), D(2027, 3, 17), [new_york])
    assert (D(2027, 3, 14), "missed") in marks(result)


def test_the_25_hour_switch_day_is_still_one_day() -> None:
    # 25 Oct 2026 in Berlin has 25 hours: 23:59 is still that Sunday.
    late = local("2026-10-25T23:59", "Europe/Berlin")
    result = health("weekdays", D(2026, 10, 19), D(2026, 10, 27), [late], zone="Europe/Berlin")
    assert (D(2026, 10, 23), "held") in marks(result)  # Sunday is in Friday's window
    assert result.drift == pytest.approx(2 / 1.4)


def test_an_unknown_or_empty_zone_falls_back_to_utc() -> None:
    checkin = (dt.datetime(2026, 11, 17, 23, 30, tzinfo=UTC), "held", "")
    for zone in ("", "Mars/Olympus"):
        result = health("weekly on tue", D(2026, 11, 1), D(2026, 11, 20), [checkin], zone=zone)
        assert (D(2026, 11, 17), "held") in marks(result)


# --- the start, today, paused --------------------------------------------------------------------


def test_where_the_rhythm_starts() -> None:
    today = D(2026, 11, 20)
    assert cadence_start(D(2026, 10, 5), D(2026, 9, 28), D(2026, 9, 1), today) == D(2026, 10, 5)
    assert cadence_start(None, D(2026, 9, 28), D(2026, 9, 1), today) == D(2026, 9, 28)
    assert cadence_start(None, None, D(2026, 9, 1), today) == D(2026, 9, 1)
    assert cadence_start(None, None, None, today) == today


def test_a_cadence_created_today_is_due_or_on_track_never_overdue() -> None:
    tuesday, friday = D(2026, 11, 17), D(2026, 11, 20)
    due = health("weekly on tue", tuesday, tuesday)
    assert (due.status, due.next_due, marks(due)) == ("due", tuesday, [(tuesday, "upcoming")])
    ahead = health("weekly on tue", friday, friday)
    assert (ahead.status, ahead.next_due, ahead.history) == ("on track", D(2026, 11, 24), ())
    assert due.drift is None and due.last_held is None
    for rhythm in ("weekdays", "monthly on first wed", "every 2 weeks on fri", "every 1 day"):
        assert health(rhythm, friday, friday).status in ("due", "on track")


def test_check_ins_before_the_start_cover_nothing_but_count_as_last_held() -> None:
    # Restarted today with a new rhythm: the old calls say when it last happened, not that
    # today's meeting took place.
    today = D(2026, 11, 17)
    old = noon(D(2026, 11, 3))
    result = health("weekly on tue", today, today, [old])
    assert (result.status, marks(result)) == ("due", [(today, "upcoming")])
    assert result.last_held == old[0]
    assert result.drift == pytest.approx(2.0)


def test_a_start_in_the_future_expects_nothing_yet() -> None:
    result = health("weekly on tue", D(2026, 12, 1), D(2026, 11, 20))
    assert (result.status, result.next_due, result.history) == ("on track", D(2026, 12, 1), ())


def test_a_check_in_before_the_first_expected_day_covers_the_first() -> None:
    # Kickoff on Monday; the first sponsor call (due Thursday) happened on Tuesday.
    result = health("every 2 weeks on thu", D(2026, 9, 28), D(2026, 10, 5), [noon(D(2026, 9, 29))])
    assert marks(result) == [(D(2026, 10, 1), "held")]
    assert (result.next_due, result.status) == (D(2026, 10, 15), "on track")


def test_a_paused_cadence_expects_nothing_and_never_lapses() -> None:
    checkin = noon(D(2026, 9, 1))
    result = health("weekdays", D(2026, 9, 1), D(2026, 11, 20), [checkin], paused=True)
    assert result.status == "paused"
    assert (result.next_due, result.history) == (None, ())
    # The facts stay true: when it last happened, and how long ago that is.
    assert result.last_held == checkin[0]
    assert result.drift == pytest.approx(80 / 1.4)


def test_an_unreadable_rhythm_has_no_health() -> None:
    result = health("fortnightly", D(2026, 9, 1), D(2026, 11, 20), [noon(D(2026, 11, 2))])
    assert (result.status, result.next_due, result.drift, result.history) == (
        "no rhythm", None, None, (),
    )  # fmt: skip
    assert result.last_held is not None
    # Paused comes first: it expects nothing, whatever its rhythm says.
    assert health("fortnightly", D(2026, 9, 1), D(2026, 11, 20), paused=True).status == "paused"


# --- held, moved, skipped, missed; lapsed ------------------------------------------------------

START = D(2026, 11, 3)  # a Tuesday: "weekly on tue" expects 3, 10, 17, 24 Nov …


def test_a_meeting_moved_a_day_late_counts_as_held() -> None:
    result = health("weekly on tue", START, D(2026, 11, 13), [noon(D(2026, 11, 11), "moved")])
    assert marks(result) == [(D(2026, 11, 3), "missed"), (D(2026, 11, 10), "held")]
    assert (result.next_due, result.status) == (D(2026, 11, 17), "on track")
    assert result.last_held == noon(D(2026, 11, 11))[0]


def test_skipped_with_a_reason_is_not_missed() -> None:
    checkins = [
        noon(D(2026, 11, 3)),
        noon(D(2026, 11, 10), "skipped", "Client holiday\nVeterans Day, most of them off"),
    ]
    result = health("weekly on tue", START, D(2026, 11, 13), checkins)
    assert result.history == (
        Expected(D(2026, 11, 3), "held"),
        Expected(D(2026, 11, 10), "skipped", "Client holiday"),
    )
    assert (result.next_due, result.status) == (D(2026, 11, 17), "on track")
    # Last held is still the 3rd: a skipped meeting did not happen.
    assert result.last_held == checkins[0][0]
    assert result.drift == pytest.approx(10 / 7)


def test_skipped_then_missed_is_overdue_not_lapsed() -> None:
    checkins = [noon(D(2026, 11, 3)), noon(D(2026, 11, 10), "skipped", "client holiday")]
    result = health("weekly on tue", START, D(2026, 11, 20), checkins)
    assert [mark for _, mark in marks(result)] == ["held", "skipped", "missed"]
    assert (result.next_due, result.status) == (D(2026, 11, 17), "overdue")


def test_missed_then_skipped_is_not_lapsed() -> None:
    checkins = [noon(D(2026, 11, 3)), noon(D(2026, 11, 17), "skipped", "")]
    result = health("weekly on tue", START, D(2026, 11, 20), checkins)
    assert [mark for _, mark in marks(result)] == ["held", "missed", "skipped"]
    # After the skipped one, the next is ahead: a skip is handled, whatever came before.
    assert (result.next_due, result.status) == (D(2026, 11, 24), "on track")


def test_two_missed_in_a_row_is_lapsed() -> None:
    result = health("weekly on tue", START, D(2026, 11, 20), [noon(D(2026, 11, 3))])
    assert [mark for _, mark in marks(result)] == ["held", "missed", "missed"]
    assert result.status == "lapsed"
    assert result.next_due == D(2026, 11, 10)  # overdue since the first one missed
    assert result.drift == pytest.approx(17 / 7)


def test_one_missed_and_todays_still_to_come_is_overdue_not_lapsed() -> None:
    result = health("weekly on tue", START, D(2026, 11, 17), [noon(D(2026, 11, 3))])
    assert [mark for _, mark in marks(result)] == ["held", "missed", "upcoming"]
    assert result.status == "overdue"


def test_holding_todays_meeting_ends_a_lapse() -> None:
    checkins = [noon(D(2026, 11, 3)), noon(D(2026, 11, 24))]
    result = health("weekly on tue", START, D(2026, 11, 24), checkins)
    assert [mark for _, mark in marks(result)] == ["held", "missed", "missed", "held"]
    assert (result.status, result.next_due, result.drift) == ("on track", D(2026, 12, 1), 0.0)


def test_a_cadence_never_held_is_overdue_not_lapsed() -> None:
    # Nothing ever started, so nothing lapsed: it has been overdue since its first day.
    result = health("weekly on tue", D(2026, 9, 28), D(2026, 11, 20))
    assert (result.status, result.next_due, result.last_held, result.drift) == (
        "overdue", D(2026, 9, 29), None, None,
    )  # fmt: skip
    assert {mark for _, mark in marks(result)} == {"missed"}


def test_held_wins_over_skipped_in_the_same_window() -> None:
    for order in (1, -1):
        checkins = [noon(D(2026, 11, 10), "skipped", "rescheduled"), noon(D(2026, 11, 12))]
        result = health("weekly on tue", D(2026, 11, 10), D(2026, 11, 13), checkins[::order])
        assert result.history == (Expected(D(2026, 11, 10), "held"),)


def test_a_skipped_meeting_keeps_the_first_reason_given() -> None:
    checkins = [
        noon(D(2026, 11, 10), "skipped", ""),
        noon(D(2026, 11, 10), "skipped", "\n  Thanksgiving week \n"),
        noon(D(2026, 11, 11), "skipped", "later note"),
    ]
    result = health("weekly on tue", D(2026, 11, 10), D(2026, 11, 13), checkins)
    assert result.history == (Expected(D(2026, 11, 10), "skipped", "Thanksgiving week"),)


def test_check_ins_after_today_cover_nothing() -> None:
    result = health("weekly on tue", START, D(2026, 11, 12), [noon(D(2026, 11, 17))])
    assert [mark for _, mark in marks(result)] == ["missed", "missed"]
    assert result.status == "overdue"  # never held up to today


# --- drift and history -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rhythm", "held", "today", "drift"),
    [
        ("weekly on tue", D(2026, 11, 17), D(2026, 11, 17), 0.0),
        ("weekly on tue", D(2026, 11, 17), D(2026, 11, 20), 3 / 7),
        ("weekly on mon,thu", D(2026, 11, 16), D(2026, 11, 23), 7 / 3.5),
        ("every 2 weeks on thu", D(2026, 11, 5), D(2026, 11, 19), 1.0),
        ("monthly on first wed", D(2026, 10, 7), D(2026, 11, 20), 44 / 30.4),
        ("every 10 days", D(2026, 11, 1), D(2026, 11, 26), 2.5),
    ],
)
def test_drift_is_days_since_held_over_the_interval(
    rhythm: str, held: dt.date, today: dt.date, drift: float
) -> None:
    result = health(rhythm, D(2026, 9, 28), today, [noon(held)])
    assert result.drift == pytest.approx(drift)


def test_history_is_the_last_twelve_expected_meetings_oldest_first() -> None:
    held = [noon(D(2026, 11, 20)), noon(D(2026, 11, 16)), noon(D(2026, 11, 13))]
    skipped = noon(D(2026, 11, 11), "skipped", "Veterans Day")
    result = health("weekdays", D(2026, 9, 28), D(2026, 11, 23), [*held, skipped])
    assert len(result.history) == HISTORY_LENGTH
    days = [meeting.day for meeting in result.history]
    assert days == sorted(days)
    assert (days[0], days[-1]) == (D(2026, 11, 6), D(2026, 11, 23))
    assert "".join(meeting.mark[0] for meeting in result.history) == "mmmsmhhmmmhu"
    assert result.history[3].reason == "Veterans Day"
    # Friday's stand-up was held and today's is still to come: due, not lapsed or overdue.
    assert (result.status, result.next_due) == ("due", D(2026, 11, 23))


def test_history_is_shorter_when_fewer_meetings_were_expected() -> None:
    result = health("monthly on first wed", D(2026, 9, 28), D(2026, 11, 20))
    assert [day for day, _ in marks(result)] == [D(2026, 10, 7), D(2026, 11, 4)]


# --- next due ----------------------------------------------------------------------------------


def test_next_due_is_the_first_expected_day_after_the_last_handled_meeting() -> None:
    rhythm = "weekly on tue"
    today = D(2026, 11, 20)
    # Nothing handled: the first expected day on or after the start.
    assert health(rhythm, START, today).next_due == D(2026, 11, 3)
    # Held on the 3rd, nothing since: due since the 10th.
    assert health(rhythm, START, today, [noon(D(2026, 11, 3))]).next_due == D(2026, 11, 10)
    # Skipped on the 17th: the next one, even though the 10th was missed.
    skipped = [noon(D(2026, 11, 3)), noon(D(2026, 11, 17), "skipped", "")]
    assert health(rhythm, START, today, skipped).next_due == D(2026, 11, 24)
    # Held today: the next one after today.
    assert health(rhythm, START, D(2026, 11, 17), [noon(D(2026, 11, 17))]).next_due == D(
        2026, 11, 24
    )


# --- contact targets and onboarding ------------------------------------------------------------


def test_default_contact_days_by_side_and_role() -> None:
    assert "sponsor" in SPONSOR_WORDS
    assert default_contact_days("client", "VP E-commerce, project sponsor") == 14
    assert default_contact_days("client", "Executive SPONSOR") == 14
    assert default_contact_days("ours", "Sponsor on our side") == 14
    assert default_contact_days("client", "Head of operations") == 21
    assert default_contact_days("partner", "Account manager") == 21
    assert default_contact_days("ours", "Engagement lead") == 30
    assert default_contact_days("ours", "") == 30


def test_losing_touch_is_past_the_target() -> None:
    today = D(2026, 11, 20)
    kickoff = D(2026, 9, 28)

    def ago(days: int, hour: int = 12) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour), UTC)

    assert not losing_touch(ago(14), 14, today, kickoff)  # on the target day: not yet
    assert losing_touch(ago(15), 14, today, kickoff)
    assert not losing_touch(ago(0), 14, today, kickoff)
    # A moment late in the evening of another zone is judged by its UTC date.
    late = dt.datetime(2026, 11, 5, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert late.astimezone(UTC).date() == D(2026, 11, 6)
    assert not losing_touch(late, 14, today, kickoff)
    # Never contacted: counted from the kickoff (53 days ago).
    assert losing_touch(None, 30, today, kickoff)
    assert not losing_touch(None, 60, today, kickoff)
    assert not losing_touch(None, 14, today, None)  # nothing to count from
    assert not losing_touch(None, 14, today, D(2026, 12, 1))  # kickoff still ahead


@pytest.mark.parametrize(
    ("at_kickoff", "onboarded", "first", "role_agreed", "met", "score"),
    [
        (False, False, None, False, False, 0),
        (True, False, None, False, False, 1),
        (False, True, None, False, False, 1),
        (True, True, None, False, False, 1),  # at kickoff and onboarded: one step, not two
        (True, False, D(2026, 10, 1), False, False, 2),
        (True, False, D(2026, 10, 1), True, False, 3),
        (False, True, D(2026, 10, 1), True, True, 4),
        (False, False, D(2026, 10, 1), True, True, 3),
    ],
)
def test_onboarding_score(
    at_kickoff: bool, onboarded: bool, first: dt.date | None, role_agreed: bool, met: bool,
    score: int,
) -> None:  # fmt: skip
    assert onboarding_score(at_kickoff, onboarded, first, role_agreed, met) == score


def test_late_joiners_are_those_neither_at_kickoff_nor_onboarded() -> None:
    assert late_joiner(False, False)
    assert not late_joiner(True, False)
    assert not late_joiner(False, True)


# --- through the screens' queries ---------------------------------------------------------------


def engagement_id(store: Store) -> int:
    (engagement,) = queries.engagements(store)
    return engagement.id


def test_the_samples_sponsor_check_in_is_overdue(sample_store: Store) -> None:
    rows = {
        c.key: c for c in queries.cadences(sample_store, engagement_id(sample_store), SAMPLE_TODAY)
    }
    sponsor = rows["sponsor"]
    # Every 2 weeks on Thursday from the kickoff (Mon 28 Sep): held 1, 15, 29 Oct, not on 12 Nov.
    assert marks_of(sponsor.history) == [
        (D(2026, 10, 1), "held"), (D(2026, 10, 15), "held"), (D(2026, 10, 29), "held"),
        (D(2026, 11, 12), "missed"),
    ]  # fmt: skip
    assert (sponsor.status, sponsor.next_due) == ("overdue", D(2026, 11, 12))
    assert sponsor.drift == pytest.approx(22 / 14)
    assert (sponsor.paused, sponsor.since) == (False, None)
    # The daily is logged only when something happened, but today's was: on track.
    daily = rows["daily"]
    assert len(daily.history) == HISTORY_LENGTH
    assert daily.history[-1] == Expected(SAMPLE_TODAY, "held")
    assert (daily.status, daily.next_due, daily.drift) == ("on track", D(2026, 11, 23), 0.0)
    # The fulfilment sync started on 8 Oct (its `since`), so 1 Oct was never expected of it.
    fulfilment = rows["fulfilment"]
    assert fulfilment.since == D(2026, 10, 8)
    assert fulfilment.history[0] == Expected(D(2026, 10, 8), "held")
    assert {e.mark for e in fulfilment.history} == {"held"}
    # Tyler's first one-on-one came two weeks late: the first expected one is missed.
    assert rows["one-on-one-tyler"].history[0] == Expected(D(2026, 9, 28), "missed")
    assert {c.status for c in rows.values()} <= {"on track", "due", "overdue", "lapsed"}


def marks_of(history: tuple[Expected, ...]) -> list[tuple[dt.date, str]]:
    return [(e.day, e.mark) for e in history]


def test_the_samples_roster_shows_targets_touch_and_onboarding(sample_store: Store) -> None:
    people = {
        p.key: p for p in queries.roster(sample_store, engagement_id(sample_store), SAMPLE_TODAY)
    }
    dana = people["dana"]
    assert (dana.contact_every, dana.contact_target, dana.losing_touch) == (None, 14, False)
    assert (people["andreas"].contact_every, people["andreas"].contact_target) == (35, 35)
    assert people["tyler"].contact_target == 21
    assert people["kevin"].contact_target == 21
    assert people["juergen"].contact_target == 30
    # Sam was last on a call on 9 Oct: 42 days, past his 21.
    assert [key for key, p in people.items() if p.losing_touch] == ["sam"]
    # Luis and Amber joined after the kickoff and were not onboarded; Lukas was.
    assert sorted(key for key, p in people.items() if p.late_joiner) == ["amber", "luis"]
    assert (people["luis"].onboarding, people["amber"].onboarding) == (0, 0)
    lukas = people["lukas"]
    assert (lukas.at_kickoff, lukas.onboarded, lukas.role_agreed, lukas.onboarding) == (
        False, True, True, 4,
    )  # fmt: skip
    assert people["dana"].onboarding == 3  # kickoff, one-on-one, role agreed; never met


def test_a_skipped_weekly_shows_its_reason_and_a_paused_one_pauses(
    store: Store, team: dict[str, int]
) -> None:
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=dt.datetime(2026, 11, 10, 15, tzinfo=UTC),
            cadence_id=team["weekly"], status="skipped", attendee_ids=(team["jonas"],),
            outcome="Client holiday",
        ),
    )  # fmt: skip
    (weekly,) = queries.cadences(store, team["eng"], D(2026, 11, 20))
    # Kickoff Mon 28 Sep; only 17 Nov was held before.
    assert weekly.history[-2:] == (
        Expected(D(2026, 11, 10), "skipped", "Client holiday"),
        Expected(D(2026, 11, 17), "held"),
    )
    assert (weekly.status, weekly.next_due) == ("on track", D(2026, 11, 24))
    assert weekly.drift == pytest.approx(3 / 7)
    assert weekly.last_held == dt.datetime(2026, 11, 17, 15, tzinfo=UTC)

    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(key="weekly", name="Weekly status", rhythm="weekly on tue",
                            zone="Europe/Berlin", paused=True, since=D(2026, 11, 1)),
        team["weekly"],
    )  # fmt: skip
    (weekly,) = queries.cadences(store, team["eng"], D(2026, 12, 31))
    assert (weekly.status, weekly.paused, weekly.since) == ("paused", True, D(2026, 11, 1))
    assert (weekly.next_due, weekly.history) == (None, ())


def test_a_cadence_added_today_is_due_or_on_track(store: Store, team: dict[str, int]) -> None:
    today = D(2026, 11, 20)  # a Friday
    for key, rhythm in (("fri", "weekly on fri"), ("mon", "weekly on mon")):
        edits.save_cadence(
            store, team["eng"],
            edits.CadenceValues(key=key, name=key, rhythm=rhythm, since=today),
        )  # fmt: skip
    rows = {c.key: c for c in queries.cadences(store, team["eng"], today)}
    assert (rows["fri"].status, rows["fri"].next_due) == ("due", today)
    assert (rows["mon"].status, rows["mon"].next_due) == ("on track", D(2026, 11, 23))


def test_roster_contact_target_and_losing_touch_on_the_team(
    store: Store, team: dict[str, int]
) -> None:
    today = D(2026, 11, 20)
    edits.save_person(
        store, team["eng"],
        edits.PersonValues(key="ines", name="Inês Carvalho", side="partner",
                           timezone="Europe/Lisbon", contact_every=90, onboarded=True),
        team["ines"],
    )  # fmt: skip
    people = {p.key: p for p in queries.roster(store, team["eng"], today)}
    # Dana was on the weekly on 17 Nov; Inês never, but her target is 90 days from 28 Sep.
    assert (people["dana"].contact_target, people["dana"].losing_touch) == (21, False)
    assert (people["ines"].contact_every, people["ines"].losing_touch) == (90, False)
    assert (people["ines"].onboarded, people["ines"].late_joiner) == (True, False)
    # His check-in with Dana alone was a one-on-one: the one onboarding fact he has.
    assert (people["jonas"].late_joiner, people["jonas"].onboarding) == (True, 1)
    # A month on, Dana is past her 21 days.
    later = {p.key: p for p in queries.roster(store, team["eng"], today + dt.timedelta(days=30))}
    assert later["dana"].losing_touch
    # roster() still works without a date (today's local date).
    assert {p.key for p in queries.roster(store, team["eng"])} == set(people)


def test_cadence_health_costs_a_fixed_number_of_statements(
    store: Store, team: dict[str, int]
) -> None:
    """One query for every check-in of the engagement, grouped in Python: no query per cadence."""
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    queries.cadences(store, team["eng"], D(2026, 11, 20))
    one = len(statements)
    for index in range(5):
        cadence = edits.save_cadence(
            store, team["eng"],
            edits.CadenceValues(key=f"c{index}", name=f"C{index}", rhythm="weekdays",
                                zone="America/New_York", attendee_ids=(team["dana"],)),
        )  # fmt: skip
        log_checkin(
            store,
            CheckInDraft(engagement_id=team["eng"], at=dt.datetime(2026, 11, 18, 15, tzinfo=UTC),
                         cadence_id=cadence, attendee_ids=(team["dana"],)),
        )  # fmt: skip
    statements.clear()
    rows = queries.cadences(store, team["eng"], D(2026, 11, 20))
    assert len(rows) == 6
    assert len(statements) == one


def test_a_first_page_of_the_roster_is_the_same_people_with_the_same_figures(
    sample_store: Store,
) -> None:
    (engagement,) = queries.engagements(sample_store)
    everyone = queries.roster(sample_store, engagement.id, SAMPLE_TODAY)
    for size in (1, 5, len(everyone), len(everyone) + 3):
        page = queries.roster(sample_store, engagement.id, SAMPLE_TODAY, limit=size)
        # Last contact, open steps, losing touch: each computed for the page alone.
        assert page == everyone[:size]
    assert any(person.open_steps for person in everyone[:8])
    assert any(person.last_contact for person in everyone[:5])


def test_the_roster_of_some_people_is_their_rows_of_the_whole_roster(
    sample_store: Store,
) -> None:
    (engagement,) = queries.engagements(sample_store)
    everyone = queries.roster(sample_store, engagement.id, SAMPLE_TODAY)
    some = [everyone[3], everyone[6], everyone[12]]
    found = queries.roster(
        sample_store, engagement.id, SAMPLE_TODAY, people=[person.id for person in some]
    )
    assert found == some
    assert queries.roster(sample_store, engagement.id, SAMPLE_TODAY, people=[]) == []
