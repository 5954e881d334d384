"""The short forms typed after a call: times, due dates, owners, notes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from store.fields import FieldError
from store.logparse import (
    Candidate,
    PeopleIndex,
    parse_decision,
    parse_due,
    parse_next_step,
    parse_note,
    parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Fri 20 Nov 2026, 11:30 in Berlin.
NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
PEOPLE = PeopleIndex(
    [
        Candidate(1, "dana", "Dana Whitfield"),
        Candidate(2, "ines", "Inês Carvalho"),
        Candidate(3, "tyler", "Tyler Brooks"),
        Candidate(4, "tessa", "Tessa Brooks"),
        Candidate(5, "jurgen", "Jürgen Müller"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("now", (2026, 11, 20, 11, 30)),
        ("", (2026, 11, 20, 11, 30)),
        ("10:45", (2026, 11, 20, 10, 45)),
        ("11:40", (2026, 11, 20, 11, 40)),  # ten minutes ahead: a call logged as it ends
        ("9", (2026, 11, 20, 9, 0)),
        ("yesterday 16:00", (2026, 11, 19, 16, 0)),
        ("Yesterday  16:00", (2026, 11, 19, 16, 0)),
        ("tue 9:15", (2026, 11, 17, 9, 15)),
        ("fri 8:00", (2026, 11, 20, 8, 0)),  # today is a Friday
        ("2026-11-18 17:05", (2026, 11, 18, 17, 5)),
        ("2026-11-18T17:05", (2026, 11, 18, 17, 5)),
    ],
)
def test_when_in_the_leads_zone(typed: str, local: tuple[int, ...]) -> None:
    moment = parse_when(typed, NOW, BERLIN)
    assert moment.astimezone(BERLIN).timetuple()[:5] == local


@pytest.mark.parametrize("typed", ["14:30", "2027-05-01 10:00", "2026-11-20T11:41+01:00"])
def test_when_in_the_future_is_refused(typed: str) -> None:
    with pytest.raises(FieldError, match="is in the future: a check-in is a meeting that happened"):
        parse_when(typed, NOW, BERLIN)


def test_when_with_an_offset_is_taken_as_written() -> None:
    moment = parse_when("2026-11-18T09:00-07:00", NOW, BERLIN)
    assert moment == dt.datetime(2026, 11, 18, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("25:00", "not a time of day"),
        ("yesterday", "has no time"),
        ("2026-11-18", "has no time"),
        ("2026-02-30 10:00", "is not a time"),
        ("last week sometime", "is not a time"),
        ("2026-03-29 02:30", "does not exist in Europe/Berlin"),  # DST gap
    ],
)
def test_when_refuses_what_does_not_parse(typed: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        parse_when(typed, NOW, BERLIN)


@pytest.mark.parametrize(
    ("typed", "due"),
    [
        ("2026-12-04", dt.date(2026, 12, 4)),
        ("fri", dt.date(2026, 11, 27)),  # on a Friday, "by fri" is next week's
        ("Monday", dt.date(2026, 11, 23)),
        ("tomorrow", dt.date(2026, 11, 21)),
        ("today", TODAY),
        ("in 3 days", dt.date(2026, 11, 23)),
        ("+10d", dt.date(2026, 11, 30)),
        ("next week", dt.date(2026, 11, 27)),
    ],
)
def test_due_dates(typed: str, due: dt.date) -> None:
    assert parse_due(typed, TODAY) == due


def test_due_refuses_a_day_that_does_not_exist() -> None:
    with pytest.raises(FieldError, match="'2026-02-30' is not a date"):
        parse_due("2026-02-30", TODAY)


@pytest.mark.parametrize(
    ("typed", "found"),
    [("dana", 1), ("Dana Whitfield", 1), ("ines", 2), ("Inês", 2), ("jürgen", 5),
     ("jurgen", 5), ("tyler", 3), ("Tessa B", 4)],
)  # fmt: skip
def test_people_by_key_name_first_name_or_prefix(typed: str, found: int) -> None:
    assert PEOPLE.find(typed).id == found


def test_an_ambiguous_or_unknown_name_says_so() -> None:
    with pytest.raises(FieldError, match="could be Tyler Brooks, Tessa Brooks"):
        PEOPLE.find("t")
    with pytest.raises(FieldError, match="nobody called 'Zed' is on this engagement"):
        PEOPLE.find("Zed")


def test_next_step_with_owner_and_due() -> None:
    step = parse_next_step("Dana: send the tax shortlist by fri", PEOPLE, TODAY)
    assert (step.owner_id, step.text, step.due) == (
        1,
        "send the tax shortlist",
        dt.date(2026, 11, 27),
    )


def test_next_step_without_owner_or_due() -> None:
    step = parse_next_step("Book the Denver trip", PEOPLE, TODAY)
    assert (step.owner_id, step.text, step.due) == (None, "Book the Denver trip", None)


def test_next_step_with_an_unknown_owner_is_refused() -> None:
    with pytest.raises(FieldError, match="nobody called 'Zed'"):
        parse_next_step("Zed: call the bank", PEOPLE, TODAY)


def test_next_step_with_a_bad_due_date_is_refused() -> None:
    with pytest.raises(FieldError, match="'2026-13-01' is not a date"):
        parse_next_step("Dana: send it by 2026-13-01", PEOPLE, TODAY)


def test_a_sentence_with_a_colon_is_text_not_an_owner() -> None:
    step = parse_next_step("Open question for the steering committee: who signs", PEOPLE, TODAY)
    assert step.owner_id is None
    assert step.text.startswith("Open question")


def test_note_needs_a_known_name() -> None:
    note = parse_note("Tyler: ran Chicago in 3:41, proud of it", PEOPLE)
    assert (note.person_id, note.text) == (3, "ran Chicago in 3:41, proud of it")
    with pytest.raises(FieldError, match="needs a name first"):
        parse_note("ran Chicago in record time", PEOPLE)
    with pytest.raises(FieldError, match="a note starts with a name"):
        parse_note("ran Chicago in 3:41", PEOPLE)


def test_decision_owner_is_optional() -> None:
    assert parse_decision("Ines: pick the PSP", PEOPLE).owner_id == 2
    assert parse_decision("Freeze scope for MVP", PEOPLE).owner_id is None
