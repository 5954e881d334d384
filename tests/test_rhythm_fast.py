"""Daily and weekly rhythms are counted by arithmetic (store.rhythm._weekly), not by rrule:
they must give exactly the days rrule gives, for every form and any start and end."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from store.rhythm import Rhythm, parse_rhythm

PHRASES = (
    "weekdays",
    "weekly on tue",
    "weekly on mon,fri",
    "weekly on sun",
    "weekly on sat,sun,wed",
    "every 2 weeks on thu",
    "every 3 weeks on mon,thu",
    "every 52 weeks on sun",
    "every 1 day",
    "every 3 days",
    "every 14 days",
    "monthly on day 31",
    "monthly on first wed",
    "monthly on last fri",
)


def by_rrule(rhythm: Rhythm, start: dt.date, until: dt.date) -> list[dt.date]:
    return [moment.date() for moment in rhythm.rule(start, until)]


def next_by_rrule(rhythm: Rhythm, day: dt.date, anchor: dt.date) -> dt.date | None:
    rule = rhythm.rule(min(anchor, day))
    moment = rule.after(dt.datetime.combine(day, dt.time()), inc=True)
    return None if moment is None else moment.date()


@pytest.mark.parametrize("phrase", PHRASES)
def test_occurrences_are_rrules_days(phrase: str) -> None:
    rhythm = parse_rhythm(phrase)
    chance = random.Random(phrase)
    base = dt.date(2023, 1, 1)
    for _ in range(150):
        start = base + dt.timedelta(days=chance.randrange(0, 900))
        until = start + dt.timedelta(days=chance.randrange(-10, 800))
        assert rhythm.occurrences(start, until) == by_rrule(rhythm, start, until), (start, until)


@pytest.mark.parametrize("phrase", PHRASES)
def test_next_meeting_is_rrules(phrase: str) -> None:
    rhythm = parse_rhythm(phrase)
    chance = random.Random(phrase + "next")
    base = dt.date(2023, 1, 1)
    for _ in range(150):
        anchor = base + dt.timedelta(days=chance.randrange(0, 900))
        day = anchor + dt.timedelta(days=chance.randrange(-30, 400))
        assert rhythm.next_on_or_after(day, anchor) == next_by_rrule(rhythm, day, anchor), (
            day,
            anchor,
        )


@pytest.mark.parametrize("phrase", PHRASES)
def test_meetings_between_two_days_are_rrules(phrase: str) -> None:
    """`between` skips the years before `first`: it must still count from the anchor."""
    rhythm = parse_rhythm(phrase)
    chance = random.Random(phrase + "between")
    base = dt.date(2023, 1, 1)
    for _ in range(150):
        anchor = base + dt.timedelta(days=chance.randrange(0, 900))
        first = anchor + dt.timedelta(days=chance.randrange(-30, 900))
        last = first + dt.timedelta(days=chance.randrange(-3, 40))
        expected = [day for day in by_rrule(rhythm, anchor, last) if day >= first]
        assert rhythm.between(anchor, first, last) == expected, (anchor, first, last)
