"""The short forms a lead types right after a call, turned into values.

`14:30`, `yesterday 16:00`, `by fri`, `Dana: send the shortlist by 2026-12-04`, `Tyler: ran
the marathon in 3:41` — parsed here once, for the log form and for `rapport log` alike.
Every parser raises FieldError with a message that says what would have worked.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from store.fields import FieldError, check_date, check_text
from store.tables import NAME_LEN, TEXT_LEN

WEEKDAYS = {
    name: index
    for index, names in enumerate(
        (("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
         ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
         ("sun", "sunday"))
    )
    for name in names
}  # fmt: skip
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")
_IN_DAYS = re.compile(r"^(?:in |\+)(\d{1,3}) ?(?:d|days?)$")
_BY = re.compile(r"^(?P<text>.*\S)\s+by\s+(?P<due>[^\s].*)$", re.IGNORECASE)
_OWNER = re.compile(r"^(?P<owner>[^:\n]{1,60}?)\s*:\s*(?P<text>.+)$", re.DOTALL)


def _clock(text: str) -> dt.time:
    match = _CLOCK.match(text)
    if not match:
        raise FieldError(f"{text!r} is not a time; write HH:MM")
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        raise FieldError(f"{text!r} is not a time of day")
    return dt.time(hour, minute)


def local_moment(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time in a zone; one that the clocks skip (DST) does not exist."""
    moment = dt.datetime.combine(day, clock, tzinfo=zone)
    try:
        round_trip = moment.astimezone(dt.UTC).astimezone(zone)
    except OverflowError:
        raise FieldError(f"{day} {clock:%H:%M} is outside the calendar rapport can store") from None
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise FieldError(
            f"{day} {clock:%H:%M} does not exist in {zone.key}: the clocks skip that hour"
        )
    return moment


def _last_weekday(today: dt.date, weekday: int) -> dt.date:
    """The most recent such weekday, today included (for when a call happened)."""
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7)


# A check-in is a meeting that happened. A few minutes ahead of the clock is allowed (a call
# logged as it ends, a clock a little off); a planned meeting is a cadence, not a check-in.
FUTURE_SLACK = dt.timedelta(minutes=10)


def check_happened(at: dt.datetime, now: dt.datetime) -> None:
    """Refuse a check-in more than FUTURE_SLACK after `now`: the one rule for the log form,
    `rapport log`, the import and the store's own write."""
    if at > now + FUTURE_SLACK:
        raise FieldError(
            f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC is in the future: a check-in is a "
            "meeting that happened (plan a coming one as a cadence)"
        )


def parse_when(text: str, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """When a call happened: `now`, `14:30`, `yesterday 16:00`, `tue 9:00`, ISO date-time.

    Wall-clock times are in `zone` (the lead's own); the result is aware and in UTC, as the
    store keeps it (a moment that has no UTC year, like 0001-01-01 00:00+05:00, is refused).
    A moment in the future is refused (check_happened).
    """
    moment = _parse_when(text, now, zone)
    try:
        moment = check_date(moment.astimezone(dt.UTC), now.date())
    except OverflowError:
        raise FieldError(f"{text.strip()!r} is outside the calendar rapport can store") from None
    check_happened(moment, now)
    return moment


def _parse_when(text: str, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    phrase = " ".join(text.strip().lower().split())
    local_now = now.astimezone(zone)
    if phrase in ("", "now"):
        return now
    try:
        parsed = dt.datetime.fromisoformat(phrase.upper().replace(" ", "T", 1))
    except ValueError:
        parsed = None
    if parsed is not None:
        if parsed.tzinfo is not None:
            return parsed
        if len(phrase) == 10:  # a bare date: the call's time of day is not known
            raise FieldError(f"{text!r} has no time; write e.g. {phrase} 14:30")
        return local_moment(parsed.date(), parsed.time(), zone)
    words = phrase.split(" ")
    day_word, clock_word = (words + [""])[:2] if len(words) <= 2 else ("", "")
    if len(words) == 1 and _CLOCK.match(day_word):
        day, clock_text = local_now.date(), day_word
    elif day_word in ("today", "yesterday") or day_word in WEEKDAYS:
        if day_word == "today":
            day = local_now.date()
        elif day_word == "yesterday":
            day = local_now.date() - dt.timedelta(days=1)
        else:
            day = _last_weekday(local_now.date(), WEEKDAYS[day_word])
        clock_text = clock_word
        if not clock_text:
            raise FieldError(f"{text!r} has no time; write e.g. {day_word} 14:30")
    else:
        raise FieldError(
            f"{text!r} is not a time; write now, 14:30, yesterday 16:00, tue 9:00 "
            "or 2026-11-19 16:00"
        )
    return local_moment(day, _clock(clock_text), zone)


def parse_due(text: str, today: dt.date) -> dt.date:
    """A due date: ISO, `today`, `tomorrow`, a weekday (the next one), `in 3 days`, `next week`."""
    return check_date(_parse_due(text, today), today)


def _parse_due(text: str, today: dt.date) -> dt.date:
    phrase = " ".join(text.strip().lower().split())
    try:
        return dt.date.fromisoformat(phrase)
    except ValueError:
        pass
    if phrase == "today":
        return today
    if phrase == "tomorrow":
        return today + dt.timedelta(days=1)
    if phrase == "next week":
        return today + dt.timedelta(days=7)
    if phrase in WEEKDAYS:
        ahead = (WEEKDAYS[phrase] - today.weekday()) % 7 or 7
        return today + dt.timedelta(days=ahead)
    if match := _IN_DAYS.match(phrase):
        return today + dt.timedelta(days=int(match[1]))
    raise FieldError(
        f"{text!r} is not a date; write 2026-12-04, fri, tomorrow, in 3 days or next week"
    )


@dataclass(frozen=True)
class Candidate:
    id: int
    key: str
    name: str


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so `ines` finds Inês."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class PeopleIndex:
    """Finds people by key, full name, first name or a unique name prefix."""

    def __init__(self, people: Iterable[Candidate]) -> None:
        self.people = list(people)
        # Folded once, not on every lookup: thousands of people, a lookup per typed name.
        self._folded = [(p, _fold(p.name)) for p in self.people]

    def find(self, text: str) -> Candidate:
        wanted = _fold(text)
        if not wanted:
            raise FieldError("a name is missing")
        for rule in (
            lambda p, name: p.key == wanted,
            lambda p, name: name == wanted,
            lambda p, name: name.split(" ")[0] == wanted,
            lambda p, name: name.startswith(wanted),
        ):
            found = [p for p, name in self._folded if rule(p, name)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = ", ".join(p.name for p in found[:5])
                raise FieldError(f"{text.strip()!r} could be {names}: type more of the name")
        raise FieldError(f"nobody called {text.strip()!r} is on this engagement")

    def names(self) -> list[str]:
        return [p.name for p in self.people]

    def labels(self) -> dict[int, str]:
        """How to write each person so that `find` finds them: their name, or their key when
        someone else has the same name (an engagement of thousands has a few)."""
        counts = Counter(name for _p, name in self._folded)
        return {p.id: p.name if counts[name] == 1 else p.key for p, name in self._folded}


@dataclass(frozen=True)
class NextStepLine:
    text: str
    owner_id: int | None
    due: dt.date | None


@dataclass(frozen=True)
class NoteLine:
    person_id: int
    text: str


@dataclass(frozen=True)
class DecisionLine:
    title: str
    owner_id: int | None


def _split_owner(line: str, people: PeopleIndex) -> tuple[int | None, str]:
    match = _OWNER.match(line)
    # A colon after a short prefix means "owner: text"; a sentence with a colon later on
    # ("Agreed: go-live moves") is taken as text only when the prefix is not a name.
    if match and len(match["owner"].split()) <= 4:
        try:
            return people.find(match["owner"]).id, match["text"].strip()
        except FieldError:
            if len(match["owner"].split()) <= 2:
                raise
    return None, line


def parse_next_step(line: str, people: PeopleIndex, today: dt.date) -> NextStepLine:
    """`[owner:] text [by DATE]`."""
    owner_id, rest = _split_owner(line.strip(), people)
    due = None
    if match := _BY.match(rest):
        try:
            due = parse_due(match["due"], today)
            rest = match["text"]
        except FieldError:
            # "by" that is not followed by a date is part of the text ("stand by me")
            if len(match["due"].split()) <= 2:
                raise
    return NextStepLine(check_text(rest, limit=TEXT_LEN, required=True), owner_id, due)


def parse_note(line: str, people: PeopleIndex) -> NoteLine:
    """`Name: what to remember` — the name is required."""
    match = _OWNER.match(line.strip())
    if not match:
        raise FieldError(f"{line.strip()!r} needs a name first: Name: what to remember")
    try:
        person = people.find(match["owner"])
    except FieldError as error:
        raise FieldError(f"{error}; a note starts with a name: Name: what to remember") from None
    return NoteLine(person.id, check_text(match["text"].strip(), limit=TEXT_LEN, required=True))


def parse_decision(line: str, people: PeopleIndex) -> DecisionLine:
    """`[owner:] title` — without an owner, the lead owns it."""
    owner_id, title = _split_owner(line.strip(), people)
    return DecisionLine(check_text(title, limit=NAME_LEN, required=True), owner_id)


def lines_of(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with their 1-based numbers (errors name the line)."""
    return [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
