"""The briefing before a call: who is on it, what time it is for them, what is open with them.

`brief_person` and `brief_cadence` return frozen dataclasses; `briefing_markdown` turns one
into text for a meeting note (the TUI's `y` and `rapport brief NAME` print the same).

Conventions, kept simple so a briefing is the same on every machine for a given `now`:

- "Today" (for overdue next steps and follow-ups that have come) is the date of `now` in UTC;
  the date of a check-in (`raised_on`, dates in the Markdown) is its UTC date too.
- Days since a check-in are calendar days in the lead's zone (store.since), never below 0.
- A skipped check-in did not happen: it is not contact, not an outcome and has no mood.
- A one-on-one is a check-in with the person and at most one other attendee
  (store.queries.ONE_ON_ONE_SIZE), or the first one-on-one noted by hand on the person.

The queries do not grow with the number of attendees: every per-person fact is loaded for all
attendee ids at once (`IN (...)`) and grouped here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from store.db import Store
from store.markdown import escaped, one_line
from store.models import (
    OPEN_STATUSES,
    Audience,
    Cadence,
    CheckIn,
    CheckInStatus,
    Decision,
    NextStep,
    Note,
    Person,
    cadence_attendee,
    checkin_attendee,
)
from store.queries import AD_HOC, ONE_ON_ONE_SIZE
from store.since import ago_text, days_since
from store.timezones import UNKNOWN_ZONE, in_working_hours, local_clock

MOODS_SHOWN = 8
SPARKS = "▁▃▄▆█"  # mood 1 (bad) .. 5 (great)
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class StepBrief:
    id: int
    text: str
    due: dt.date | None
    overdue: bool
    raised_on: dt.date  # the date of the check-in it came out of


@dataclass(frozen=True)
class NoteBrief:
    id: int
    text: str
    kind: str
    pinned: bool
    follow_up: dt.date | None
    on: dt.date
    follow_up_done: dt.date | None = None

    def asks(self, today: dt.date) -> bool:
        """Its follow-up has come and is not done yet: ask about it now."""
        return (
            self.follow_up is not None and self.follow_up_done is None and self.follow_up <= today
        )


@dataclass(frozen=True)
class OutcomeBrief:
    at: dt.datetime
    title: str  # the cadence's name, or "ad-hoc call"
    outcome: str
    mood: int | None


@dataclass(frozen=True)
class AttendeeBrief:
    person_id: int
    key: str
    name: str
    side: str
    role: str
    organisation: str
    timezone: str
    local_time: dt.datetime | None  # now in their zone (aware); None: unknown zone
    in_hours: bool | None  # Mon-Fri and within their work_start..work_end; None: unknown
    days_since_contact: int | None  # since the last check-in they attended (None: never)
    days_since_one_on_one: int | None  # last check-in with them and at most one other
    last_outcome: OutcomeBrief | None  # the last check-in they attended
    open_steps: tuple[StepBrief, ...]  # not done, owned by them, due ascending (None last)
    decisions_owned: tuple[tuple[str, dt.date | None], ...]  # open items they own: (title, due)
    to_tell: tuple[str, ...]  # decided items they are still to be told of
    notes: tuple[NoteBrief, ...]  # follow-ups that have come first, then pinned notes
    moods: tuple[int, ...]  # the last moods recorded with them, oldest first


@dataclass(frozen=True)
class Briefing:
    title: str  # the cadence's name, or the person's
    now: dt.datetime
    last_outcome: OutcomeBrief | None  # a cadence's last check-in; a person's last
    attendees: tuple[AttendeeBrief, ...]


def brief_person(store: Store, engagement_id: int, person_id: int, now: dt.datetime) -> Briefing:
    """The briefing for a call with one person. LookupError if they are not on the engagement."""
    _check_aware(now)
    with store.read() as session:
        found = _attendees(session, engagement_id, [person_id], now)
        if not found:
            raise LookupError("that person is not on this engagement")
        attendee = found[0]
        return Briefing(attendee.name, now, attendee.last_outcome, (attendee,))


def brief_cadence(store: Store, engagement_id: int, cadence_id: int, now: dt.datetime) -> Briefing:
    """The briefing for a cadence's next meeting: its attendees in their order."""
    _check_aware(now)
    with store.read() as session:
        name = session.scalar(
            select(Cadence.name).where(
                Cadence.id == cadence_id, Cadence.engagement_id == engagement_id
            )
        )
        if name is None:
            raise LookupError("that cadence is not on this engagement")
        person_ids = list(
            session.scalars(
                select(cadence_attendee.c.person_id)
                .where(cadence_attendee.c.cadence_id == cadence_id)
                .order_by(cadence_attendee.c.position, cadence_attendee.c.person_id)
            )
        )
        last = session.execute(
            select(CheckIn.at, CheckIn.outcome, CheckIn.mood)
            .where(
                CheckIn.cadence_id == cadence_id,
                CheckIn.status != CheckInStatus.SKIPPED.value,
            )
            .order_by(CheckIn.at.desc(), CheckIn.id.desc())
            .limit(1)
        ).first()
        last_outcome = (
            None if last is None else OutcomeBrief(last.at, name, last.outcome, last.mood)
        )
        attendees = _attendees(session, engagement_id, person_ids, now)
        return Briefing(name, now, last_outcome, attendees)


def _check_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("a briefing needs an aware `now`")


def _attendees(
    session: Session, engagement_id: int, person_ids: Sequence[int], now: dt.datetime
) -> tuple[AttendeeBrief, ...]:
    """Everything about these people, in their order, with a fixed number of queries."""
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.engagement_id == engagement_id, Person.id.in_(person_ids))
        )
    }
    ids = [pid for pid in dict.fromkeys(person_ids) if pid in people]
    if not ids:
        return ()
    today = now.astimezone(dt.UTC).date()
    history = _history(session, ids)
    steps = _open_steps(session, ids, today)
    owned = _decisions_owned(session, engagement_id, ids)
    to_tell = _to_tell(session, engagement_id, ids)
    notes = _notes(session, ids, today)
    briefs = []
    for pid in ids:
        person = people[pid]
        local = local_clock(person.timezone, now)  # None: a zone this machine does not know
        seen = history.get(pid, _History())
        briefs.append(
            AttendeeBrief(
                person_id=pid,
                key=person.key,
                name=person.name,
                side=person.side,
                role=person.role,
                organisation=person.organisation,
                timezone=person.timezone,
                local_time=local,
                in_hours=None
                if local is None
                else in_working_hours(local, person.work_start, person.work_end),
                days_since_contact=days_since(seen.last.at if seen.last else None, now),
                # A first one-on-one noted by hand (from before rapport) is one too: the
                # Roster's onboarding and this never disagree on whether there was one.
                days_since_one_on_one=_fewest(
                    days_since(seen.one_on_one, now), days_since(person.first_one_on_one, now)
                ),
                last_outcome=seen.last,
                open_steps=tuple(steps.get(pid, ())),
                decisions_owned=tuple(owned.get(pid, ())),
                to_tell=tuple(to_tell.get(pid, ())),
                notes=tuple(notes.get(pid, ())),
                moods=tuple(mood for _at, mood in sorted(seen.moods)),
            )
        )
    return tuple(briefs)


def _fewest(*days: int | None) -> int | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


@dataclass
class _History:
    last: OutcomeBrief | None = None
    one_on_one: dt.datetime | None = None
    moods: list[tuple[dt.datetime, int]] = field(default_factory=list)


def _history(session: Session, ids: list[int]) -> dict[int, _History]:
    """Per person: the last check-in, the last one-on-one and the last moods, in one query.

    Their check-ins are numbered newest first three ways (all of them; those with a mood; the
    one-on-ones) and only the rows that some fact needs come back.
    """
    size = (
        select(func.count())
        .select_from(checkin_attendee)
        .where(checkin_attendee.c.checkin_id == CheckIn.id)
        .correlate(CheckIn)
        .scalar_subquery()
    )
    attended = (
        select(
            checkin_attendee.c.person_id,
            CheckIn.id,
            CheckIn.at,
            CheckIn.outcome,
            CheckIn.mood,
            Cadence.name.label("cadence"),
            size.label("size"),
        )
        .join(CheckIn, CheckIn.id == checkin_attendee.c.checkin_id)
        .outerjoin(Cadence, Cadence.id == CheckIn.cadence_id)
        .where(
            # The people are the engagement's, so their check-ins are too: this walks the
            # (person_id, checkin_id) index rather than every check-in of the engagement.
            checkin_attendee.c.person_id.in_(ids),
            CheckIn.status != CheckInStatus.SKIPPED.value,
        )
        .subquery()
    )
    newest = (attended.c.at.desc(), attended.c.id.desc())
    pair = attended.c.size <= ONE_ON_ONE_SIZE
    ranked = select(
        attended,
        func.row_number().over(partition_by=attended.c.person_id, order_by=newest).label("nth"),
        func.row_number()
        .over(partition_by=(attended.c.person_id, attended.c.mood.is_(None)), order_by=newest)
        .label("nth_mood"),
        func.row_number()
        .over(partition_by=(attended.c.person_id, pair), order_by=newest)
        .label("nth_pair"),
    ).subquery()
    wanted = select(ranked).where(
        or_(
            ranked.c.nth == 1,
            and_(ranked.c.mood.is_not(None), ranked.c.nth_mood <= MOODS_SHOWN),
            and_(ranked.c.size <= ONE_ON_ONE_SIZE, ranked.c.nth_pair == 1),
        )
    )
    found: dict[int, _History] = defaultdict(_History)
    for row in session.execute(wanted):
        seen = found[row.person_id]
        if row.nth == 1:
            seen.last = OutcomeBrief(row.at, row.cadence or AD_HOC, row.outcome, row.mood)
        if row.mood is not None and row.nth_mood <= MOODS_SHOWN:
            seen.moods.append((row.at, row.mood))
        if row.size <= ONE_ON_ONE_SIZE and row.nth_pair == 1:
            seen.one_on_one = row.at
    return found


def _open_steps(session: Session, ids: list[int], today: dt.date) -> dict[int, list[StepBrief]]:
    stmt = (
        select(NextStep.id, NextStep.owner_id, NextStep.text, NextStep.due, CheckIn.at)
        .join(CheckIn, CheckIn.id == NextStep.checkin_id)
        .where(NextStep.owner_id.in_(ids), NextStep.done == false())
        .order_by(NextStep.due.is_(None), NextStep.due, CheckIn.at, NextStep.id)
    )
    found: dict[int, list[StepBrief]] = defaultdict(list)
    for step_id, owner_id, text, due, at in session.execute(stmt):
        overdue = due is not None and due < today
        found[owner_id].append(StepBrief(step_id, text, due, overdue, at.date()))
    return found


def _decisions_owned(
    session: Session, engagement_id: int, ids: list[int]
) -> dict[int, list[tuple[str, dt.date | None]]]:
    stmt = (
        select(Decision.owner_id, Decision.title, Decision.due)
        .where(
            Decision.engagement_id == engagement_id,
            Decision.owner_id.in_(ids),
            Decision.status.in_(sorted(OPEN_STATUSES)),
        )
        .order_by(Decision.due.is_(None), Decision.due, Decision.id)
    )
    return _grouped((owner_id, (title, due)) for owner_id, title, due in session.execute(stmt))


def _to_tell(session: Session, engagement_id: int, ids: list[int]) -> dict[int, list[str]]:
    stmt = (
        select(Audience.person_id, Decision.title)
        .join(Decision, Decision.id == Audience.decision_id)
        .where(
            Decision.engagement_id == engagement_id,
            Decision.status == "decided",
            Audience.person_id.in_(ids),
            Audience.informed_on.is_(None),
        )
        .order_by(Decision.decided.is_(None), Decision.decided, Decision.id)
    )
    return _grouped((person_id, title) for person_id, title in session.execute(stmt))


def _notes(session: Session, ids: list[int], today: dt.date) -> dict[int, list[NoteBrief]]:
    """Notes whose follow-up has come (earliest first), then the other pinned ones (newest)."""
    come = and_(Note.follow_up_done.is_(None), Note.follow_up <= today)
    stmt = select(Note).where(Note.person_id.in_(ids), or_(Note.pinned == true(), come))
    found = [
        (n.person_id, NoteBrief(n.id, n.text, n.kind, n.pinned, n.follow_up, n.on,
                                n.follow_up_done))
        for n in session.scalars(stmt)
    ]  # fmt: skip
    found.sort(
        key=lambda pair: (
            (0, pair[1].follow_up.toordinal(), pair[1].id)
            if pair[1].follow_up is not None and pair[1].asks(today)
            else (1, -pair[1].on.toordinal(), -pair[1].id)
        )
    )
    return _grouped(found)


def _grouped(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    found: dict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        found[key].append(value)
    return found


# --- text ---------------------------------------------------------------------------------------


def sparkline(moods: Sequence[int]) -> str:
    """One block per mood, 1 (▁) to 5 (█): a cooling relationship is seen at a glance."""
    return "".join(SPARKS[min(max(mood, 1), 5) - 1] for mood in moods)


def _indented(text: str) -> str:
    """Text escaped (store.markdown); lines after the first are hard line breaks indented to
    stay in their list item."""
    return escaped(text, indent="  ")


def _outcome(outcome: OutcomeBrief) -> str:
    head = f"{one_line(outcome.title)}, {outcome.at.astimezone(dt.UTC):%Y-%m-%d}"
    if outcome.mood is not None:
        head += f", mood {outcome.mood}"
    return f"{head}: {_indented(outcome.outcome) or '(no outcome written)'}"


def _due(due: dt.date | None, today: dt.date) -> str:
    if due is None:
        return ""
    return f" (due {due:%Y-%m-%d}{', overdue' if due < today else ''})"


def _note(note: NoteBrief, today: dt.date) -> str:
    marks = []
    if note.follow_up is not None and note.asks(today):
        marks.append(f"follow up since {note.follow_up:%Y-%m-%d}")
    if note.pinned:
        marks.append("pinned")
    marks.append(f"{note.kind}, {note.on:%Y-%m-%d}")
    return f"- {_indented(note.text)} ({'; '.join(marks)})"


def _local_time(attendee: AttendeeBrief) -> str:
    if attendee.local_time is None:
        return f"{attendee.timezone} ({UNKNOWN_ZONE})"
    hours = "in" if attendee.in_hours else "outside"
    return f"{attendee.local_time:%a %H:%M} {attendee.timezone} ({hours} working hours)"


def _attendee_markdown(attendee: AttendeeBrief, briefing: Briefing, today: dt.date) -> list[str]:
    about = ", ".join(one_line(part) for part in (attendee.role, attendee.side) if part)
    name = one_line(attendee.name)
    out = [
        f"## {name} ({about})" if about else f"## {name}",
        "",
        f"- Local time: {one_line(_local_time(attendee))}",
        f"- Last contact: {ago_text(attendee.days_since_contact)}",
        f"- Last one-on-one: {ago_text(attendee.days_since_one_on_one)}",
    ]
    if attendee.last_outcome is not None and attendee.last_outcome != briefing.last_outcome:
        out.append(f"- Last outcome: {_outcome(attendee.last_outcome)}")
    sections: list[tuple[str, list[str]]] = [
        ("Open next steps:", [f"- {_indented(s.text)}{_due(s.due, today)}" for s in attendee.open_steps]),
        ("Decisions they own:", [f"- {_indented(t)}{_due(d, today)}" for t, d in attendee.decisions_owned]),
        ("Tell them:", [f"- {_indented(title)}" for title in attendee.to_tell]),
        ("Notes:", [_note(note, today) for note in attendee.notes]),
    ]  # fmt: skip
    for heading, lines in sections:
        if lines:
            # A blank line before the list: Python-Markdown needs it, or the list is text.
            out += ["", heading, "", *lines]
    if attendee.moods:
        shown = " ".join(str(mood) for mood in attendee.moods)
        out += ["", f"Mood: {sparkline(attendee.moods)} ({shown}, oldest first)"]
    return out


def briefing_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown for a meeting note; the same text for the same `now`.

    Text from the database is escaped (store.markdown); empty sections are left out.
    """
    now = briefing.now.astimezone(dt.UTC)
    out = [f"# Briefing: {one_line(briefing.title)}", "", f"As of {now:%Y-%m-%d %H:%M} UTC."]
    if briefing.last_outcome is not None:
        out += ["", f"Last time: {_outcome(briefing.last_outcome)}"]
    for attendee in briefing.attendees:
        out += ["", *_attendee_markdown(attendee, briefing, now.date())]
    return "\n".join(out) + "\n"
