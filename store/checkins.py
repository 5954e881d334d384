"""Logging a check-in with everything that came out of it, in one transaction.

The log form and `rapport log` build a `CheckInDraft` from what the lead typed (parsed by
store.logparse) and hand it to `log_checkin`: the check-in, its attendees, next steps, raised
decisions, informed marks and personal notes are written together or not at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update

from store.db import Store
from store.errors import ROW_LOCK, EditError, check_version
from store.fields import FieldError
from store.logparse import (
    Candidate,
    DecisionLine,
    NextStepLine,
    NoteLine,
    PeopleIndex,
    check_happened,
)
from store.occurrences import Schedule, schedules
from store.queries import AD_HOC, cadence_attendees
from store.sharing import Shared
from store.tables import NoteKind, checkin_attendee
from store.tables import cadence as cadence_t
from store.tables import decision as decision_t
from store.tables import decision_audience as audience_t
from store.tables import person as person_t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# What the log form offers is read with Core statements, on the warm-up's way to every
# screen; only the writes below load the ORM (they import the models when they run).
DECISION, AUDIENCE, PERSON, CADENCE = decision_t.c, audience_t.c, person_t.c, cadence_t.c

# A cadence named as a one-on-one ("One-on-one Tyler", "1:1 Priya", "Tyler 1-on-1").
_ONE_ON_ONE = re.compile(r"one[- ]on[- ]one|1[:-]1\b|1[- ]on[- ]1", re.IGNORECASE)


@dataclass(frozen=True)
class CheckInDraft:
    engagement_id: int
    at: dt.datetime
    attendee_ids: tuple[int, ...]
    cadence_id: int | None = None
    status: str = "held"
    channel: str = "video"
    outcome: str = ""
    mood: int | None = None
    next_steps: tuple[NextStepLine, ...] = ()
    decisions_raised: tuple[DecisionLine, ...] = ()
    communicated_ids: tuple[int, ...] = ()
    notes: tuple[NoteLine, ...] = ()
    lead_id: int | None = None


@dataclass(frozen=True)
class LogSummary:
    checkin_id: int
    title: str
    people: int
    next_steps: int
    decisions: int
    informed: int
    notes: int

    def __str__(self) -> str:
        parts = [
            f"Logged {self.title} with {self.people} {_plural(self.people, 'person', 'people')}"
        ]
        for count, noun in (
            (self.next_steps, "next step"),
            (self.decisions, "new decision"),
            (self.informed, "person informed"),
            (self.notes, "note"),
        ):
            if count:
                parts.append(f"{count} {noun if count == 1 else _plural_noun(noun)}")
        return ", ".join(parts)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _plural_noun(noun: str) -> str:
    if noun == "person informed":
        return "people informed"
    return noun + "s"


@dataclass(frozen=True, slots=True)
class LogContext:
    """What the log form needs to know before the lead types anything."""

    people: tuple[Candidate, ...]
    cadences: tuple[tuple[int, str, tuple[int, ...]], ...]  # id, name, attendee ids
    # Open or decided items with someone still to tell: id, title, ids still to tell.
    to_tell: tuple[tuple[int, str, tuple[int, ...]], ...] = field(default=())
    # Every cadence's rhythm and slot: to tell which meeting was just held.
    schedules: tuple[Schedule, ...] = field(default=())
    # (person id, cadence id): each person's one-on-one cadence (see `one_on_ones`).
    one_on_ones: tuple[tuple[int, int], ...] = field(default=())

    @property
    def index(self) -> PeopleIndex:
        return PeopleIndex(self.people)


def log_context(store: Store, engagement_id: int) -> LogContext:
    same = Shared()  # the roster's names and keys: one object for both lists
    with store.connect() as session:
        people = tuple(
            Candidate(pid, same(key), same(name))
            for pid, key, name in session.execute(
                select(PERSON.id, PERSON.key, PERSON.name)
                .where(PERSON.engagement_id == engagement_id)
                .order_by(PERSON.name)
            )
        )
        found = session.execute(
            select(CADENCE.id, CADENCE.name, CADENCE.owner_id, CADENCE.paused)
            .where(CADENCE.engagement_id == engagement_id)
            .order_by(CADENCE.name)
        ).all()
        attendees = cadence_attendees(session, engagement_id, PERSON.id)
        cadences = tuple(
            (c.id, c.name, tuple(pid for (pid,) in attendees.get(c.id, ()))) for c in found
        )
        pairs = one_on_ones(
            (c.id, c.name, c.owner_id, c.paused, people_ids)
            for c, (_id, _name, people_ids) in zip(found, cadences, strict=True)
        )
        timing = tuple(schedules(session, engagement_id))
        # Columns, not entities: an engagement can hold thousands of decisions.
        untold: dict[int, list[int]] = {}
        titles: dict[int, str] = {}
        for decision_id, title, person_id in session.execute(
            select(DECISION.id, DECISION.title, AUDIENCE.person_id)
            .join(audience_t, AUDIENCE.decision_id == DECISION.id)
            .where(
                DECISION.engagement_id == engagement_id,
                DECISION.status.in_(("open", "decided")),
                AUDIENCE.informed_on.is_(None),
            )
            .order_by(DECISION.id, AUDIENCE.position)
        ):
            titles[decision_id] = title
            untold.setdefault(decision_id, []).append(person_id)
        to_tell = tuple((i, titles[i], tuple(people_ids)) for i, people_ids in untold.items())
        return LogContext(people, cadences, to_tell, timing, pairs)


def find_decision(store: Store, engagement_id: int, wanted: str) -> int:
    """The decision (or risk, or dependency) whose key or title is `wanted`, else the one
    whose title holds it, case folded: how `rapport log --told` names one. FieldError names
    an unknown or ambiguous one."""
    folded = " ".join(wanted.split()).casefold()
    with store.connect() as session:
        found = session.execute(
            select(DECISION.id, DECISION.key, DECISION.title)
            .where(DECISION.engagement_id == engagement_id)
            .order_by(DECISION.id)
        ).all()
    by_key = [row for row in found if row.key and row.key.casefold() == folded]
    by_title = [row for row in found if " ".join(row.title.split()).casefold() == folded]
    # Else the one title holding it ("sizing"): most decisions have no key, and their
    # titles are sentences nobody types whole.
    in_title = [row for row in found if folded in " ".join(row.title.split()).casefold()]
    matches = by_key or by_title or in_title
    if len(matches) == 1:
        return int(matches[0].id)
    if not matches:
        raise FieldError("no decision, risk or dependency has that key or title")
    if by_key or by_title:
        keys = ", ".join(row.key or f"(no key, id {row.id})" for row in matches[:5])
        raise FieldError(f"{len(matches)} items have that title; give the key: {keys}")
    titles = "; ".join(repr(row.title) for row in matches[:5])
    raise FieldError(f"{len(matches)} titles hold it, say which: {titles}")


def _check_people(session: Session, engagement_id: int, ids: set[int]) -> None:
    from store.models import Person

    if not ids:
        return
    found = set(
        session.scalars(
            select(Person.id).where(Person.engagement_id == engagement_id, Person.id.in_(ids))
        )
    )
    if found != ids:
        raise EditError("someone named in this check-in is not on the engagement")


def log_checkin(
    store: Store, draft: CheckInDraft, checkin_id: int | None = None, version: int | None = None,
    *, now: dt.datetime | None = None,
) -> LogSummary:  # fmt: skip
    """Write (or rewrite) a check-in and all that came out of it, atomically.

    A check-in later than `now` (default: the clock) by more than a few minutes is refused.
    """
    from store.models import Cadence, CheckIn, Decision, DecisionEvent, Engagement, Note

    if not draft.attendee_ids:
        raise EditError("a check-in needs at least one attendee")
    if draft.mood is not None and not 1 <= draft.mood <= 5:
        raise EditError("mood is 1 to 5")
    try:
        check_happened(draft.at, now or dt.datetime.now(dt.UTC))
    except FieldError as error:
        raise EditError(str(error)) from None
    with store.write() as session:
        named = set(draft.attendee_ids)
        named |= {s.owner_id for s in draft.next_steps if s.owner_id is not None}
        named |= {d.owner_id for d in draft.decisions_raised if d.owner_id is not None}
        named |= {n.person_id for n in draft.notes}
        _check_people(session, draft.engagement_id, named)
        title = f"an {AD_HOC}"
        if draft.cadence_id is not None:
            cadence = session.get(Cadence, draft.cadence_id)
            if cadence is None or cadence.engagement_id != draft.engagement_id:
                raise EditError("that cadence is not on this engagement")
            title = cadence.name

        if checkin_id is None:
            # Who logged it stays with it; someone correcting it later does not become it.
            checkin = CheckIn(engagement_id=draft.engagement_id, logged_by=store.user)
            session.add(checkin)
        else:
            found = session.get(CheckIn, checkin_id, with_for_update=ROW_LOCK)
            if found is None:
                raise EditError("that check-in no longer exists")
            check_version(found, version)
            checkin = found
        checkin.at = draft.at
        checkin.cadence_id = draft.cadence_id
        checkin.status = draft.status
        checkin.channel = draft.channel
        checkin.outcome = draft.outcome
        checkin.mood = draft.mood
        session.flush()
        _keep_attendees(session, checkin.id, draft.attendee_ids)
        _keep_next_steps(session, checkin.id, draft.next_steps)
        day = draft.at.date()
        lead_id = draft.lead_id or session.scalar(
            select(Engagement.lead_id).where(Engagement.id == draft.engagement_id)
        )
        for raised in draft.decisions_raised:
            session.add(
                Decision(engagement_id=draft.engagement_id, title=raised.title,
                         owner_id=raised.owner_id or lead_id, raised=day, status="open",
                         kind="decision", context="", outcome="", raised_in_id=checkin.id,
                         cadence_id=draft.cadence_id, changed_by=store.user)
            )  # fmt: skip
        if draft.communicated_ids:
            known = set(
                session.scalars(
                    select(Decision.id).where(
                        Decision.engagement_id == draft.engagement_id,
                        Decision.id.in_(draft.communicated_ids),
                    )
                )
            )
            if known != set(draft.communicated_ids):
                raise EditError("a communicated item is not on this engagement")
        for decision_id in draft.communicated_ids:
            session.add(DecisionEvent(decision_id=decision_id, at=draft.at, kind="discussed",
                                      checkin_id=checkin.id, text="", made_by=store.user))  # fmt: skip
        informed = _mark_informed(session, draft, checkin.id, day, store.user)
        for note in draft.notes:
            session.add(
                Note(person_id=note.person_id, on=day, kind=NoteKind.PERSONAL.value,
                     text=note.text, pinned=False, author=store.author)
            )  # fmt: skip
        return LogSummary(
            checkin.id, title, len(set(draft.attendee_ids)), len(draft.next_steps),
            len(draft.decisions_raised), informed, len(draft.notes),
        )  # fmt: skip


def _keep_attendees(session: Session, checkin_id: int, attendee_ids: Sequence[int]) -> None:
    """The check-in's attendees become `attendee_ids`, in that order: rows of people who stay
    are kept (their position updated), only those who left are removed."""
    link = checkin_attendee.c
    wanted = {pid: position for position, pid in enumerate(dict.fromkeys(attendee_ids))}
    present = dict(
        session.execute(
            select(link.person_id, link.position).where(link.checkin_id == checkin_id)
        ).all()
    )
    gone = [pid for pid in present if pid not in wanted]
    if gone:
        session.execute(
            delete(checkin_attendee).where(link.checkin_id == checkin_id, link.person_id.in_(gone))
        )
    for pid, position in wanted.items():
        if pid in present and present[pid] != position:
            session.execute(
                update(checkin_attendee)
                .where(link.checkin_id == checkin_id, link.person_id == pid)
                .values(position=position)
            )
    added = [
        {"checkin_id": checkin_id, "person_id": pid, "position": position}
        for pid, position in wanted.items()
        if pid not in present
    ]
    if added:
        session.execute(insert(checkin_attendee), added)


# How alike a changed line's text must be to a step's to be read as an edit of it.
SAME_STEP = 0.6


def _keep_next_steps(session: Session, checkin_id: int, lines: Sequence[NextStepLine]) -> None:
    """Make the check-in's next steps read as `lines`, keeping every step that stays.

    The edit form shows the steps one a line in the order they were made (by id); the lines
    that come back are matched to those steps as a diff of the two lists (difflib), so that
    an edit never un-ticks, re-owns or re-creates a step it does not mean to:

    - a line that reads exactly as a step (text, owner, due) is that step, untouched;
    - within a run of changed lines (between unchanged ones), a line with the same or nearly
      the same text as a step of the run (SAME_STEP) is an edit of that step; a line left
      over at the same place in the run as a step left over is a rewrite of that step. An
      edited step keeps its id and done state and takes the line's text, owner and due;
    - steps left over are deleted (their lines were removed); lines left over are new steps,
      not done, listed after the older ones (steps are listed by id).
    """
    from store.models import NextStep

    steps = list(
        session.scalars(
            select(NextStep)
            .where(NextStep.checkin_id == checkin_id)
            .order_by(NextStep.id)
            .with_for_update(of=NextStep)  # a tick at the same moment waits, then is kept
        )
    )
    was = [(s.text, s.owner_id, s.due) for s in steps]
    wanted = [(line.text, line.owner_id, line.due) for line in lines]
    matcher = SequenceMatcher(None, was, wanted, autojunk=False)
    for op, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if op == "equal":
            continue
        olds = dict(enumerate(steps[old_start:old_end]))
        news = dict(enumerate(lines[new_start:new_end]))
        alike = sorted(
            (
                (-SequenceMatcher(None, step.text, line.text).ratio(), abs(i - j), i, j)
                for i, step in olds.items()
                for j, line in news.items()
            ),
        )
        pairs = []
        for unlike, _distance, i, j in alike:
            if -unlike >= SAME_STEP and i in olds and j in news:
                pairs.append((olds.pop(i), news.pop(j)))
        pairs += [(olds.pop(i), news.pop(i)) for i in list(olds) if i in news]
        for step, line in pairs:
            step.text, step.owner_id, step.due = line.text, line.owner_id, line.due
        for step in olds.values():
            session.delete(step)
        for line in news.values():
            session.add(
                NextStep(checkin_id=checkin_id, owner_id=line.owner_id, text=line.text,
                         due=line.due, done=False)
            )  # fmt: skip


def _mark_informed(
    session: Session, draft: CheckInDraft, checkin_id: int, day: dt.date, user: str
) -> int:
    """Tick off every attendee who must be told of a communicated item; returns how many.

    The rows are locked as they are read: a lead marking the same people at the same moment
    waits, and then finds them told already (PostgreSQL re-checks `informed_on IS NULL` on
    the locked rows), so one mark wins whole and none is counted twice.
    """
    from store.models import Audience, Decision

    if not draft.communicated_ids:
        return 0
    rows = session.scalars(
        select(Audience)
        .join(Decision)
        .where(
            Decision.engagement_id == draft.engagement_id,
            Audience.decision_id.in_(draft.communicated_ids),
            Audience.person_id.in_(draft.attendee_ids),
            Audience.informed_on.is_(None),
        )
        .order_by(Audience.decision_id, Audience.person_id)  # one lock order: no deadlock
        .with_for_update(of=Audience, key_share=True)
    ).all()
    for row in rows:
        row.informed_on = day
        row.checkin_id = checkin_id
        row.informed_by = user
    return len(rows)


def delete_checkin(store: Store, checkin_id: int) -> None:
    from store.models import CheckIn

    with store.write() as session:
        if session.execute(delete(CheckIn).where(CheckIn.id == checkin_id)).rowcount == 0:
            raise EditError("that check-in no longer exists")


def toggle_next_step(store: Store, step_id: int, *, done: bool | None = None) -> bool:
    """Mark a next step done (or not done again); returns the new state. `done`: the state
    wanted (ticking from a list that may be older than the step), instead of the other one."""
    from store.models import NextStep

    with store.write() as session:
        # Locked: two leads ticking at once take turns, and each toggle applies to what the
        # other left, so neither is lost.
        step = session.get(NextStep, step_id, with_for_update=ROW_LOCK)
        if step is None:
            raise EditError("that next step no longer exists")
        step.done = not step.done if done is None else done
        return step.done


def one_on_ones(
    cadences: Iterable[tuple[int, str, int | None, bool, Sequence[int]]],
) -> tuple[tuple[int, int], ...]:
    """(person id, cadence id) for each person's one-on-one: a cadence, not paused, that its
    owner holds with that one person (as the sample's "One-on-one Tyler": Jürgen + Tyler).

    `cadences` are (id, name, owner id, paused, attendee ids). A cadence without an owner is
    left out: nothing says which of its two people holds it. Of two for the same person,
    one named as a one-on-one wins, then the first by name.
    """
    found: dict[int, tuple[bool, str, int]] = {}
    for cadence_id, name, owner_id, paused, attendee_ids in cadences:
        others = set(attendee_ids) - {owner_id}
        if paused or owner_id is None or len(others) != 1:
            continue
        (person_id,) = others
        rank = (not _ONE_ON_ONE.search(name), name.casefold(), cadence_id)
        if person_id not in found or rank < found[person_id]:
            found[person_id] = rank
    return tuple(sorted((pid, rank[2]) for pid, rank in found.items()))


def one_on_one_of(context: LogContext, person_id: int) -> int | None:
    """The cadence of the person's one-on-one, if they have one."""
    return next((cid for pid, cid in context.one_on_ones if pid == person_id), None)
