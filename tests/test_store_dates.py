"""Dates outside 1970 to 100 years ahead: refused on the way in, harmless if already stored.

A database written before the range check (or by another writer, on PostgreSQL) may hold a
kickoff of 9999-12-31 or 0001-01-01; every reading of the rhythm must still work, and fast.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FIXED_NOW, SAMPLE_TODAY
from sqlalchemy import text

from store import queries
from store.briefing import brief_cadence
from store.db import Store
from store.fields import EARLIEST_DATE, FieldError, check_date, parse_date
from store.ics import cadences_ics
from store.rhythm import Rhythm, parse_rhythm
from store.timezones import cadence_warnings
from store.today import today_items


def stored(store: Store, kickoff: dt.date, since: dt.date | None = None) -> int:
    """Writes the dates as another writer could, past the checks; the engagement's id."""
    with store.write() as session:
        session.execute(text("UPDATE engagement SET kickoff = :k"), {"k": kickoff})
        session.execute(text("UPDATE cadence SET since = :s"), {"s": since})
    (engagement,) = queries.engagements(store)
    return engagement.id


@pytest.mark.parametrize("kickoff", [dt.date(9999, 12, 31), dt.date(1, 1, 1)])
def test_every_reading_of_the_rhythm_survives_a_stored_extreme_kickoff(
    sample_store: Store, kickoff: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = stored(sample_store, kickoff)
    counted: list[int] = []  # how many meeting days each count produced
    occurrences = Rhythm.occurrences

    def counting(self: Rhythm, start: dt.date, until: dt.date) -> list[dt.date]:
        found = occurrences(self, start, until)
        counted.append(len(found))
        return found

    monkeypatch.setattr(Rhythm, "occurrences", counting)
    rows = queries.cadences(sample_store, eng, SAMPLE_TODAY)
    assert len(rows) == 9
    daily = next(row for row in rows if row.key == "daily")
    assert b"BEGIN:VCALENDAR" in cadences_ics(sample_store, eng, SAMPLE_TODAY)
    assert brief_cadence(sample_store, eng, daily.id, FIXED_NOW).attendees
    cadence_warnings(sample_store, eng, SAMPLE_TODAY)
    today_items(sample_store, eng, FIXED_NOW, SAMPLE_TODAY)
    # Every weekday since the year 1 is 530,000 days, counted for each cadence (seconds);
    # since 1970 at most some 15,000.
    assert counted and max(counted) < 16_000


def test_a_start_before_1970_counts_the_same_meetings_from_1970_on() -> None:
    start, until = dt.date(1960, 3, 2), dt.date(1971, 6, 30)
    for phrase in ("weekdays", "every 2 weeks on thu", "every 3 days", "monthly on first wed"):
        rhythm = parse_rhythm(phrase)
        every = [moment.date() for moment in rhythm.rule(start, until)]
        found = rhythm.occurrences(start, until)
        # The meetings from shortly before 1970 on, exactly as counted from 1960.
        assert found == every[len(every) - len(found) :], phrase
        assert found[0] <= min(day for day in every if day >= EARLIEST_DATE) < found[-1]
        assert found[0] >= EARLIEST_DATE - dt.timedelta(days=31), phrase
        assert rhythm.next_on_or_after(dt.date(1971, 1, 1), start) == next(
            day for day in every if day >= dt.date(1971, 1, 1)
        )


def test_a_meeting_beyond_the_calendar_is_no_next_one() -> None:
    weekly = parse_rhythm("weekly on fri")
    assert weekly.next_on_or_after(dt.date(9999, 12, 31), dt.date(9999, 12, 31)) is None
    monthly = parse_rhythm("monthly on day 15")
    assert monthly.next_on_or_after(dt.date(9999, 12, 20), dt.date(9999, 12, 20)) is None


@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01", "1969-12-31"])
def test_the_forms_refuse_a_date_outside_the_range(typed: str) -> None:
    with pytest.raises(FieldError, match=f"{typed} is outside the dates rapport keeps"):
        parse_date(typed)


def test_the_range_is_1970_to_100_years_from_today() -> None:
    today = dt.date(2026, 11, 20)
    assert check_date(dt.date(1970, 1, 1), today) == dt.date(1970, 1, 1)
    assert check_date(dt.date(2126, 11, 20), today) == dt.date(2126, 11, 20)
    with pytest.raises(FieldError):
        check_date(dt.date(2126, 11, 21), today)
    assert check_date(dt.date(2128, 2, 28), dt.date(2028, 2, 29)) == dt.date(2128, 2, 28)
