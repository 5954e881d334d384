"""A cadence's rhythm: a short phrase ("weekly on tue") turned into a recurrence rule.

The phrase is what people write in the TOML file and the form; dateutil's rrule does the
calendar arithmetic (month ends, leap years, nth weekdays).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, rrule, weekday

from store.fields import EARLIEST_DATE

DAYS: dict[str, weekday] = {
    "mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU,
}  # fmt: skip
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
            "fourth": 4, "4th": 4, "last": -1}  # fmt: skip

_WEEKDAYS = re.compile(r"^weekdays$")
_WEEKLY = re.compile(r"^weekly on (?P<days>[a-z,]+)$")
_EVERY_WEEKS = re.compile(r"^every (?P<n>\d{1,2}) weeks on (?P<days>[a-z,]+)$")
_MONTHLY_NTH = re.compile(r"^monthly on (?P<ord>\w+) (?P<day>[a-z]{3})$")
_MONTHLY_DAY = re.compile(r"^monthly on day (?P<dom>\d{1,2})$")
_EVERY_DAYS = re.compile(r"^every (?P<n>\d{1,3}) days?$")

EXAMPLES = (
    "weekdays",
    "weekly on tue",
    "every 2 weeks on thu",
    "monthly on first wed",
    "monthly on day 15",
    "every 3 days",
)


class RhythmError(ValueError):
    pass


@dataclass(frozen=True)
class Rhythm:
    """A parsed rhythm; `interval_days` is the typical gap between two meetings."""

    text: str
    freq: int
    interval: int
    byweekday: tuple[weekday, ...] | None = None
    bymonthday: int | None = None

    @property
    def interval_days(self) -> float:
        if self.freq == DAILY:
            return float(self.interval)
        if self.freq == WEEKLY:
            per_week = len(self.byweekday or ()) or 1
            return 7.0 * self.interval / per_week
        return 30.4 * self.interval

    @property
    def _plain_weekly(self) -> bool:
        """Weekly on plain weekdays (no "first wed"): counted by arithmetic, not rrule."""
        return (
            self.freq == WEEKLY
            and bool(self.byweekday)
            and all(day.n is None for day in self.byweekday or ())
        )

    def _counted_from(self, start: dt.date) -> dt.date:
        """`start`, or a later day within one period before EARLIEST_DATE that counts the
        same meetings from there on.

        A kickoff stored before dates were checked (0001-01-01) would have every meeting
        since the year 1 counted; rapport keeps nothing that early anyway.
        """
        if start >= EARLIEST_DATE:
            return start
        if self.freq == MONTHLY:  # every month: the same days from any month's first on
            return (EARLIEST_DATE - dt.timedelta(days=1)).replace(day=1)
        period = self.interval * (7 if self.freq == WEEKLY else 1)
        periods = (EARLIEST_DATE - start).days // period
        return start + dt.timedelta(days=periods * period)

    def occurrences(self, start: dt.date, until: dt.date) -> list[dt.date]:
        """Meeting days from `start` to `until`, both included."""
        start = self._counted_from(start)
        if self.freq == DAILY:
            step = self.interval
            return [start + dt.timedelta(days=n) for n in range(0, (until - start).days + 1, step)]
        if self._plain_weekly:
            weekdays = sorted({d.weekday for d in self.byweekday or ()})
            return _weekly(start, until, self.interval, weekdays)
        return [moment.date() for moment in self.rule(start, until)]

    def between(self, anchor: dt.date, first: dt.date, last: dt.date) -> list[dt.date]:
        """Meeting days from `first` to `last` (both included) of the rhythm counted from
        `anchor`: what `occurrences(anchor, last)` holds from `first` on, without counting
        the years before `first` (`l` asks this of every cadence on a keypress)."""
        start = anchor
        if first > anchor:
            if self.freq == DAILY:
                start = anchor + dt.timedelta(
                    days=(first - anchor).days // self.interval * self.interval
                )
            elif self.freq == WEEKLY:
                # Whole counted periods on, to a Monday: every weekday of that week counts.
                monday = anchor - dt.timedelta(days=anchor.weekday())
                weeks = (first - monday).days // 7 // self.interval * self.interval
                if weeks:
                    start = monday + dt.timedelta(weeks=weeks)
            elif self.interval == 1 and (first.year, first.month) > (anchor.year, anchor.month):
                start = first.replace(day=1)  # a monthly rhythm repeats every month
        return [day for day in self.occurrences(start, last) if day >= first]

    def next_on_or_after(self, day: dt.date, anchor: dt.date) -> dt.date | None:
        """The first meeting day on or after `day`, counting intervals from `anchor`.

        None when there is none before the calendar ends (a date stored in 9999).
        """
        anchor = self._counted_from(anchor)
        try:
            return self._next_on_or_after(max(day, EARLIEST_DATE), anchor)
        except (OverflowError, ValueError):  # ValueError: rrule's "year 10000 is out of range"
            return None

    def _next_on_or_after(self, day: dt.date, anchor: dt.date) -> dt.date | None:
        if self.freq == DAILY or self._plain_weekly:
            # A meeting lies within one period of `day`: `interval` days, or the next counted
            # week, at most `interval` weeks and six days on.
            window = self.interval if self.freq == DAILY else 7 * self.interval + 7
            found = self.occurrences(min(anchor, day), day + dt.timedelta(days=window))
            return found[bisect.bisect_left(found, day)]
        moment = self.rule(min(anchor, day)).after(dt.datetime.combine(day, dt.time()), inc=True)
        return None if moment is None else moment.date()

    def rule(self, start: dt.date, until: dt.date | None = None) -> rrule:
        """dateutil's rrule of this rhythm from `start` (to `until`, both included): how
        monthly rhythms are counted, and what the arithmetic for the others must equal."""
        return rrule(
            self.freq,
            interval=self.interval,
            dtstart=dt.datetime.combine(start, dt.time()),
            until=None if until is None else dt.datetime.combine(until, dt.time()),
            byweekday=self.byweekday,
            bymonthday=self.bymonthday,
        )


def _weekly(start: dt.date, until: dt.date, interval: int, weekdays: list[int]) -> list[dt.date]:
    """What rrule(WEEKLY, interval, byweekday, dtstart=start) gives up to `until` (weeks start
    on Monday, the first is start's), by arithmetic: at a few hundred meetings per cadence
    and hundreds of cadences, rrule's general iteration was most of the Cadence screen's read.
    tests/test_rhythm_fast.py holds them equal to rrule."""
    found = []
    week = start - dt.timedelta(days=start.weekday())
    step = dt.timedelta(weeks=interval)
    while week <= until:
        for offset in weekdays:
            day = week + dt.timedelta(days=offset)
            if start <= day <= until:
                found.append(day)
        week += step
    return found


def _days(text: str) -> tuple[weekday, ...]:
    names = text.split(",")
    unknown = [name for name in names if name not in DAYS]
    if unknown or not names:
        raise RhythmError(f"unknown day {unknown[0]!r}; use mon, tue, wed, thu, fri, sat, sun")
    return tuple(DAYS[name] for name in dict.fromkeys(names))


def parse_rhythm(text: str) -> Rhythm:
    """Parse a rhythm phrase, or raise RhythmError saying which forms exist."""
    phrase = " ".join(text.lower().split())
    if _WEEKDAYS.match(phrase):
        return Rhythm(phrase, WEEKLY, 1, (MO, TU, WE, TH, FR))
    if m := _WEEKLY.match(phrase):
        return Rhythm(phrase, WEEKLY, 1, _days(m["days"]))
    if m := _EVERY_WEEKS.match(phrase):
        n = int(m["n"])
        if not 1 <= n <= 52:
            raise RhythmError("every N weeks needs N from 1 to 52")
        return Rhythm(phrase, WEEKLY, n, _days(m["days"]))
    if m := _MONTHLY_DAY.match(phrase):
        dom = int(m["dom"])
        if not 1 <= dom <= 31:
            raise RhythmError("monthly on day N needs N from 1 to 31")
        return Rhythm(phrase, MONTHLY, 1, None, dom)
    if m := _MONTHLY_NTH.match(phrase):
        if m["ord"] not in ORDINALS:
            raise RhythmError(f"unknown ordinal {m['ord']!r}; use first, second, third, last")
        (day,) = _days(m["day"])
        return Rhythm(phrase, MONTHLY, 1, (day(ORDINALS[m["ord"]]),))
    if m := _EVERY_DAYS.match(phrase):
        n = int(m["n"])
        if not 1 <= n <= 365:
            raise RhythmError("every N days needs N from 1 to 365")
        return Rhythm(phrase, DAILY, n)
    raise RhythmError(f"unknown rhythm {text!r}; write e.g. " + ", ".join(map(repr, EXAMPLES)))
