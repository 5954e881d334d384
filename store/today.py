"""What needs the lead today, in one list: the Today screen's data.

Composed from the screens' own queries (run together off the UI thread), so a cadence is
"overdue" here exactly when the Cadence screen says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from store import queries
from store.db import Store

if TYPE_CHECKING:
    from store.decisions import Item

# How far ahead personal dates (follow-ups on personal notes) are shown, and how long a
# follow-up that has come stays on the list.
AHEAD_DAYS = 14
FOLLOW_UP_DAYS = 30

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
class TodayItem:
    text: str
    detail: str
    screen: str  # the mode to jump to: roster, cadence, decisions, notes
    record_id: int
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Today:
    sections: tuple[tuple[str, str, tuple[TodayItem, ...]], ...]  # (key, title, items)
    pending: tuple[str, ...] = ()  # sections whose rows are still being read

    def count(self, key: str) -> int:
        return next((len(items) for k, _t, items in self.sections if k == key), 0)

    @property
    def total(self) -> int:
        return sum(len(items) for _k, _t, items in self.sections)


def _meetings_today(
    cadences: list[queries.CadenceRow], people: dict[int, queries.PersonRow],
    now: dt.datetime, today: dt.date,
) -> list[TodayItem]:  # fmt: skip
    items = []
    for cadence in cadences:
        if cadence.paused or cadence.slot is None or not cadence.zone:
            continue
        zone = ZoneInfo(cadence.zone)
        # The cadence's own expected meetings (counted from its start, the kickoff by
        # default) say whether one falls today.
        if not any(expected.day == today for expected in cadence.history):
            continue
        moment = dt.datetime.combine(today, cadence.slot, tzinfo=zone)
        clocks = []
        for person_id in cadence.attendee_ids:
            person = people.get(person_id)
            if person is None:
                continue
            local = moment.astimezone(ZoneInfo(person.timezone))
            outside = not (person.work_start <= local.time() < person.work_end)
            clocks.append(f"{person.name.split(' ')[0]} {local:%H:%M}{' (!)' if outside else ''}")
        items.append(
            TodayItem(
                f"{cadence.name} at {cadence.slot:%H:%M} {cadence.zone}",
                ", ".join(clocks),
                "cadence",
                cadence.id,
                urgent=moment > now and moment - now < dt.timedelta(hours=1),
            )
        )
    return sorted(items, key=lambda item: item.text.split(" at ")[-1])


def notes_due(store: Store, engagement_id: int, today: dt.date) -> list[queries.NoteRow]:
    """The only notes Today's sections can show: follow-ups come lately or coming soon."""
    window = (today - dt.timedelta(days=FOLLOW_UP_DAYS), today + dt.timedelta(days=AHEAD_DAYS))
    return queries.notes(store, engagement_id, follow_up=window)


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
) -> Today:
    """Today from the screens' rows; sections whose rows are not given (None) are pending,
    so a large engagement's Today can be shown a section at a time as its rows are read."""
    given = {
        name
        for name, rows in (
            ("cadences", cadences), ("roster", roster), ("decisions", decisions), ("notes", notes)
        )
        if rows is not None
    }  # fmt: skip
    cadences, roster, decisions, notes = cadences or [], roster or [], decisions or [], notes or []
    people = {person.id: person for person in roster}

    lapsing = [
        TodayItem(c.name, f"{c.status}, due {c.next_due:%a %d %b}" if c.next_due else c.status,
                  "cadence", c.id, urgent=c.status == "lapsed")
        for c in cadences if c.status in ("overdue", "lapsed")
    ]  # fmt: skip
    touch = [
        TodayItem(p.name, f"last contact {_ago(p.last_contact, today)}, target every "
                  f"{p.contact_target} days", "roster", p.id)
        for p in roster if p.losing_touch
    ]  # fmt: skip
    steps = sorted(
        (
            TodayItem(step.text, f"{step.owner or 'nobody'}, due {step.due:%a %d %b}",
                      "roster", step.owner_id, urgent=True)
            for p in roster for step in p.open_steps
            if step.due is not None and step.due < today and step.owner_id is not None
        ),
        key=lambda item: item.detail,
    )  # fmt: skip
    open_decisions = [
        TodayItem(d.title, f"{d.kind} owned by {d.owner or 'nobody'}, due {d.due:%a %d %b}",
                  "decisions", d.id, urgent=True)
        for d in decisions if d.is_open and d.due is not None and d.due < today
    ]  # fmt: skip
    untold = [
        TodayItem(d.title, "still to tell: " + ", ".join(a.name for a in d.audience
                  if a.informed_on is None), "decisions", d.id)
        for d in decisions
        if d.status == "decided" and any(a.informed_on is None for a in d.audience)
    ]  # fmt: skip
    follow_ups = [
        TodayItem(f"{n.person}: {n.text.splitlines()[0]}", f"follow up since {n.follow_up:%a %d %b}",
                  "notes", n.id)
        for n in notes
        if n.follow_up is not None
        and today - dt.timedelta(days=FOLLOW_UP_DAYS) <= n.follow_up <= today
    ]  # fmt: skip
    onboarding = [
        TodayItem(p.name, "joined after the kickoff, not onboarded" if p.late_joiner
                  else "no one-on-one yet", "roster", p.id, urgent=p.late_joiner)
        for p in roster if p.late_joiner or p.first_one_on_one is None
    ]  # fmt: skip
    coming = [
        TodayItem(f"{n.person}: {n.text.splitlines()[0]}", f"{n.follow_up:%a %d %b}", "notes", n.id)
        for n in sorted(notes, key=lambda n: n.follow_up or today)
        if n.kind == "personal" and n.follow_up is not None
        and today < n.follow_up <= today + dt.timedelta(days=AHEAD_DAYS)
    ]  # fmt: skip
    found = {
        "cadences": lapsing,
        "meetings": _meetings_today(cadences, people, now, today),
        "touch": touch,
        "steps": steps,
        "decisions": open_decisions + untold,
        "followups": follow_ups,
        "onboarding": onboarding,
        "dates": coming,
    }
    ready = [key for key, _title in SECTIONS if set(NEEDS[key]) <= given]
    return Today(
        tuple((key, title, tuple(found[key])) for key, title in SECTIONS if key in ready),
        pending=tuple(key for key, _title in SECTIONS if key not in ready),
    )


def _ago(moment: dt.datetime | None, today: dt.date) -> str:
    if moment is None:
        return "never"
    days = (today - moment.date()).days
    return "today" if days <= 0 else f"{days} days ago"
