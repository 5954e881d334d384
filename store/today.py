"""What needs the lead today, in one list: the Today screen's data.

Composed from the screens' own queries (run together off the UI thread), so a cadence is
"overdue" here exactly when the Cadence screen says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from store import queries, since
from store.db import Store
from store.timezones import UNKNOWN_ZONE, in_working_hours, local_clock, zone_for

if TYPE_CHECKING:
    from store.decisions import Item

# How far ahead personal dates (follow-ups on personal notes) are shown. A follow-up that has
# come stays on the list until it is marked done (`x`), however long ago it came.
AHEAD_DAYS = 14

SECTIONS = (
    ("cadences", "Cadences overdue or lapsed"),
    ("meetings", "Meetings today"),
    ("touch", "Losing touch"),
    ("steps", "Next steps overdue"),
    ("decisions", "Decisions overdue or not yet told"),
    ("followups", "Follow-ups due"),
    ("onboarding", "Not yet onboarded"),
    ("dates", "Coming up"),
)


@dataclass(frozen=True, slots=True)
class About:
    """Whom or what a Today line is about: its briefing (`b`) and check-ins (`h`)."""

    name: str
    person_id: int | None = None
    cadence_id: int | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    """What `x` on a Today line marks done: a next step or a note's follow-up."""

    kind: Literal["step", "follow_up"]
    id: int


@dataclass(frozen=True, slots=True)
class TodayItem:
    text: str
    detail: str
    screen: str  # the mode to jump to: roster, cadence, decisions, notes
    record_id: int
    urgent: bool = False
    about: About | None = None
    tick: Tick | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    items: tuple[TodayItem, ...]  # the first `shown` of them (see compose)
    total: int  # how many there are


@dataclass(frozen=True, slots=True)
class Today:
    sections: tuple[Section, ...]
    pending: tuple[str, ...] = ()  # sections whose rows are still being read

    def count(self, key: str) -> int:
        return next((section.total for section in self.sections if section.key == key), 0)

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)


def _meetings_today(
    cadences: list[queries.CadenceRow], people: dict[int, queries.PersonRow],
    now: dt.datetime, today: dt.date,
) -> list[TodayItem]:  # fmt: skip
    items = []
    for cadence in cadences:
        if cadence.paused or cadence.slot is None or not cadence.zone:
            continue
        zone = zone_for(cadence.zone)
        # The cadence's own expected meetings (counted from its start, the kickoff by
        # default) say whether one falls today.
        if not any(expected.day == today for expected in cadence.history):
            continue
        if zone is None:  # when it is for anyone cannot be known here: say so, guess nothing
            text = f"{cadence.name} at {cadence.slot:%H:%M} {cadence.zone} ({UNKNOWN_ZONE})"
            items.append(TodayItem(text=text, detail="", screen="cadence", record_id=cadence.id))
            continue
        moment = dt.datetime.combine(today, cadence.slot, tzinfo=zone)
        clocks = []
        for person_id in cadence.attendee_ids:
            person = people.get(person_id)
            if person is None:
                continue
            first = person.name.split(" ")[0]
            local = local_clock(person.timezone, moment)
            if local is None:
                clocks.append(f"{first} {UNKNOWN_ZONE}")
                continue
            outside = not in_working_hours(local, person.work_start, person.work_end)
            clocks.append(f"{first} {local:%H:%M}{' (!)' if outside else ''}")
        items.append(
            TodayItem(
                f"{cadence.name} at {cadence.slot:%H:%M} {cadence.zone}",
                ", ".join(clocks),
                "cadence",
                cadence.id,
                urgent=moment > now and moment - now < dt.timedelta(hours=1),
                about=About(cadence.name, cadence_id=cadence.id),
            )
        )
    return sorted(items, key=lambda item: item.text.split(" at ")[-1])


def notes_due(store: Store, engagement_id: int, today: dt.date) -> list[queries.NoteRow]:
    """The only notes Today's sections can show: follow-ups not done, come or coming soon."""
    return queries.notes(
        store, engagement_id, follow_up_until=today + dt.timedelta(days=AHEAD_DAYS)
    )


def today_items(store: Store, engagement_id: int, now: dt.datetime, today: dt.date) -> Today:
    from store.decisions import items as decision_items

    return compose(
        now, today,
        cadences=queries.cadences(store, engagement_id, today),
        roster=queries.roster(store, engagement_id, today),
        decisions=decision_items(store, engagement_id, today),
        notes=notes_due(store, engagement_id, today),
    )  # fmt: skip


# Which rows each section is made of; a section waits until they are all read.
NEEDS = {
    "cadences": ("cadences",),
    "meetings": ("cadences", "roster"),
    "touch": ("roster",),
    "steps": ("roster",),
    "decisions": ("decisions",),
    "followups": ("notes",),
    "onboarding": ("roster",),
    "dates": ("notes",),
}


def compose(
    now: dt.datetime,
    today: dt.date,
    *,
    cadences: list[queries.CadenceRow] | None = None,
    roster: list[queries.PersonRow] | None = None,
    decisions: list[Item] | None = None,
    notes: list[queries.NoteRow] | None = None,
    shown: int | None = None,
) -> Today:
    """Today from the screens' rows; sections whose rows are not given (None) are pending,
    so a large engagement's Today can be shown a section at a time as its rows are read.
    `shown`: how many of each section's items are written out (default: all); every
    section still counts them all."""
    given = {
        name
        for name, rows in (
            ("cadences", cadences), ("roster", roster), ("decisions", decisions), ("notes", notes)
        )
        if rows is not None
    }  # fmt: skip
    cadences, roster, decisions, notes = cadences or [], roster or [], decisions or [], notes or []
    people = {person.id: person for person in roster}

    # Each section is its records, in order, and how one reads: only the `shown` first are
    # written out (at 5,000 people "losing touch" alone is thousands, of which a screen
    # shows a few dozen; writing them all took most of 50 ms and 2 MB at L).
    steps = sorted(
        (
            step for p in roster for step in p.open_steps
            if step.due is not None and step.due < today and step.owner_id is not None
        ),
        key=lambda step: (step.owner or "nobody", step.due, step.text),
    )  # fmt: skip
    coming = sorted(
        (
            n for n in notes
            if n.kind == "personal" and n.follow_up is not None and n.follow_up_open
            and today < n.follow_up <= today + dt.timedelta(days=AHEAD_DAYS)
        ),
        key=lambda n: n.follow_up or today,
    )  # fmt: skip
    made: dict[str, tuple[Sequence[Any], Callable[[Any], TodayItem]]] = {
        "cadences": (
            [c for c in cadences if c.status in ("overdue", "lapsed")],
            lambda c: TodayItem(
                c.name, f"{c.status}, due {c.next_due:%a %d %b}" if c.next_due else c.status,
                "cadence", c.id, urgent=c.status == "lapsed",
                about=About(c.name, cadence_id=c.id),
            ),
        ),
        "meetings": (_meetings_today(cadences, people, now, today), lambda item: item),
        "touch": (
            [p for p in roster if p.losing_touch],
            lambda p: TodayItem(
                p.name,
                f"last contact {since.ago(p.last_contact, now)}, target every {p.contact_target} days",
                "roster", p.id, about=About(p.name, person_id=p.id),
            ),
        ),
        "steps": (
            steps,
            lambda step: TodayItem(
                step.text, f"{step.owner or 'nobody'}, due {step.due:%a %d %b}", "roster",
                step.owner_id, urgent=True, about=About(step.owner, person_id=step.owner_id),
                tick=Tick("step", step.id),
            ),
        ),
        "decisions": (
            [d for d in decisions if d.is_open and d.due is not None and d.due < today]
            + [
                d for d in decisions
                if d.status == "decided" and any(a.informed_on is None for a in d.audience)
            ],
            lambda d: (
                TodayItem(
                    d.title, f"{d.kind} owned by {d.owner or 'nobody'}, due {d.due:%a %d %b}",
                    "decisions", d.id, urgent=True, about=_decision_about(d),
                )
                if d.is_open
                else TodayItem(
                    d.title,
                    "still to tell: "
                    + ", ".join(a.name for a in d.audience if a.informed_on is None),
                    "decisions", d.id, about=_decision_about(d),
                )
            ),
        ),
        "followups": (
            [n for n in notes if n.follow_up is not None and n.follow_up_open
             and n.follow_up <= today],
            lambda n: TodayItem(
                f"{n.person}: {n.text.splitlines()[0]}", f"follow up since {n.follow_up:%a %d %b}",
                "notes", n.id, about=About(n.person, person_id=n.person_id),
                tick=Tick("follow_up", n.id),
            ),
        ),
        "onboarding": (
            [p for p in roster if p.late_joiner or p.first_one_on_one_known is None],
            lambda p: TodayItem(
                p.name,
                "joined after the kickoff, not onboarded" if p.late_joiner
                else "no one-on-one yet",
                "roster", p.id, urgent=p.late_joiner, about=About(p.name, person_id=p.id),
            ),
        ),
        "dates": (
            coming,
            lambda n: TodayItem(
                f"{n.person}: {n.text.splitlines()[0]}", f"{n.follow_up:%a %d %b}", "notes", n.id,
                about=About(n.person, person_id=n.person_id), tick=Tick("follow_up", n.id),
            ),
        ),
    }  # fmt: skip
    ready = [key for key, _title in SECTIONS if set(NEEDS[key]) <= given]
    sections = []
    for key, title in SECTIONS:
        if key in ready:
            records, item = made[key]
            written = records if shown is None else records[:shown]
            sections.append(Section(key, title, tuple(map(item, written)), len(records)))
    return Today(
        tuple(sections), pending=tuple(key for key, _title in SECTIONS if key not in ready)
    )


def _decision_about(decision: Item) -> About | None:
    # The circle that discusses it, else whoever owns it.
    if decision.cadence_id is not None:
        return About(decision.cadence, cadence_id=decision.cadence_id)
    if decision.owner_id is not None:
        return About(decision.owner, person_id=decision.owner_id)
    return None
