"""Create, change and delete what the screens edit, each in one write transaction.

Values arrive already checked (store.fields); references arrive as ids of the same engagement.
This module loads the ORM: screens import it when they save, not to show their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import ROW_LOCK, check_version

# Re-exported: they live in store.errors so that store.db can raise them too.
from store.errors import ConflictError as ConflictError
from store.errors import EditError as EditError
from store.models import Audience, Cadence, Decision, Engagement, Note, Person, cadence_attendee

T = TypeVar("T")


@dataclass(frozen=True)
class EngagementValues:
    key: str
    name: str
    client: str = ""
    goal: str = ""
    kickoff: dt.date | None = None


@dataclass(frozen=True)
class PersonValues:
    key: str
    name: str
    side: str
    timezone: str
    organisation: str = ""
    role: str = ""
    responsibilities: str = ""
    team: str = ""
    work_start: dt.time = dt.time(9)
    work_end: dt.time = dt.time(17)
    email: str = ""
    at_kickoff: bool = False
    first_one_on_one: dt.date | None = None
    met_in_person: bool = False
    onboarded: bool = False
    role_agreed: bool = False
    contact_every: int | None = None


@dataclass(frozen=True)
class CadenceValues:
    key: str
    name: str
    rhythm: str
    circle: str = ""
    slot: dt.time | None = None
    zone: str = ""
    duration: int = 30
    owner_id: int | None = None
    attendee_ids: tuple[int, ...] = ()
    since: dt.date | None = None
    paused: bool = False


@dataclass(frozen=True)
class DecisionValues:
    title: str
    kind: str = "decision"
    status: str = "open"
    context: str = ""
    owner_id: int | None = None
    raised: dt.date | None = None
    due: dt.date | None = None
    outcome: str = ""
    decided: dt.date | None = None
    must_inform_ids: tuple[int, ...] = ()
    cadence_id: int | None = None
    probability: int | None = None
    impact: int | None = None
    mitigation: str = ""
    depends_on: str = ""


@dataclass(frozen=True)
class NoteValues:
    person_id: int
    on: dt.date
    text: str
    kind: str = "personal"
    pinned: bool = False
    follow_up: dt.date | None = None
    private: bool = False  # readable by its author only (enforced by PostgreSQL)


def _get(session: Session, model: type[T], record_id: int, *, lock: bool = False) -> T:
    found = session.get(model, record_id, with_for_update=ROW_LOCK if lock else None)
    if found is None:
        raise EditError(f"that {model.__name__.lower()} no longer exists")
    return found


def _key_taken(
    session: Session, model: type, engagement_id: int, key: str, own: int | None
) -> bool:
    stmt = select(func.count()).where(model.engagement_id == engagement_id, model.key == key)
    if own is not None:
        stmt = stmt.where(model.id != own)
    return bool(session.scalar(stmt))


def save_engagement(
    store: Store, values: EngagementValues, engagement_id: int | None = None
) -> int:
    with store.write() as session:
        taken = select(func.count()).where(Engagement.key == values.key)
        if engagement_id is not None:
            taken = taken.where(Engagement.id != engagement_id)
        if session.scalar(taken):
            raise EditError(f"an engagement with key {values.key!r} exists already")
        if engagement_id is None:
            engagement = Engagement(**asdict(values))
            session.add(engagement)
        else:
            engagement = _get(session, Engagement, engagement_id, lock=True)
            for name, value in asdict(values).items():
                setattr(engagement, name, value)
        session.flush()
        return engagement.id


def save_person(
    store: Store, engagement_id: int, values: PersonValues, person_id: int | None = None,
    version: int | None = None,
) -> int:  # fmt: skip
    with store.write() as session:
        if _key_taken(session, Person, engagement_id, values.key, person_id):
            raise EditError(f"someone has the key {values.key!r} already")
        if person_id is None:
            person = Person(engagement_id=engagement_id, **asdict(values))
            session.add(person)
        else:
            person = _get(session, Person, person_id, lock=True)
            check_version(person, version)
            for name, value in asdict(values).items():
                setattr(person, name, value)
        session.flush()
        return person.id


def _people(session: Session, engagement_id: int, ids: tuple[int, ...]) -> list[Person]:
    if not ids:
        return []
    found = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.engagement_id == engagement_id, Person.id.in_(ids))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise EditError("a chosen person is not on this engagement")
    return [found[i] for i in ids]


def save_cadence(
    store: Store, engagement_id: int, values: CadenceValues, cadence_id: int | None = None,
    version: int | None = None,
) -> int:  # fmt: skip
    with store.write() as session:
        if _key_taken(session, Cadence, engagement_id, values.key, cadence_id):
            raise EditError(f"a cadence with key {values.key!r} exists already")
        fields = asdict(values)
        attendee_ids = fields.pop("attendee_ids")
        if cadence_id is None:
            cadence = Cadence(engagement_id=engagement_id, **fields)
            session.add(cadence)
        else:
            cadence = _get(session, Cadence, cadence_id, lock=True)
            check_version(cadence, version)
            for name, value in fields.items():
                setattr(cadence, name, value)
        session.flush()
        # The attendee order is the user's (it is how the briefing lists them), so the
        # link rows are written with their positions rather than through the relationship.
        people = _people(session, engagement_id, tuple(attendee_ids))
        session.execute(delete(cadence_attendee).where(cadence_attendee.c.cadence_id == cadence.id))
        if people:
            session.execute(
                insert(cadence_attendee),
                [
                    {"cadence_id": cadence.id, "person_id": p.id, "position": position}
                    for position, p in enumerate(people)
                ],
            )
        session.expire(cadence, ["attendees"])
        return cadence.id


def save_decision(
    store: Store, engagement_id: int, values: DecisionValues, decision_id: int | None = None,
    version: int | None = None,
) -> int:  # fmt: skip
    with store.write() as session:
        fields = asdict(values)
        inform_ids = tuple(fields.pop("must_inform_ids"))
        if decision_id is None:
            decision = Decision(engagement_id=engagement_id, **fields)
            session.add(decision)
        else:
            decision = _get(session, Decision, decision_id, lock=True)
            check_version(decision, version)
            for name, value in fields.items():
                setattr(decision, name, value)
        decision.changed_by = store.user
        # Keep the informed dates of people who stay on the list.
        known = {a.person_id: a for a in decision.audience}
        people = _people(session, engagement_id, inform_ids)
        decision.audience = [
            known.get(p.id) or Audience(person_id=p.id, informed_on=None) for p in people
        ]
        for position, audience in enumerate(decision.audience):
            audience.position = position
        session.flush()
        return decision.id


def save_note(
    store: Store, values: NoteValues, note_id: int | None = None, version: int | None = None
) -> int:
    with store.write() as session:
        _get(session, Person, values.person_id)
        if note_id is None:
            note = Note(**asdict(values), author=store.author)
            session.add(note)
        else:
            note = _get(session, Note, note_id, lock=True)
            check_version(note, version)
            if values.private and not note.private and note.author != store.author:
                if note.author:  # on PostgreSQL the notes policy would refuse it anyway
                    raise EditError(f"only its author, {note.author}, can make this note private")
                note.author = store.author  # nobody's yet: whoever makes it private owns it
            if values.follow_up != note.follow_up:
                note.follow_up_done = None  # a new follow-up date is a new follow-up, not done
            for name, value in asdict(values).items():
                setattr(note, name, value)
        session.flush()
        return note.id


def mark_follow_up(store: Store, note_id: int, done_on: dt.date | None) -> None:
    """Mark a note's follow-up done on `done_on`, or (None) still to do again. The note keeps
    its follow-up date either way: that it was followed up stays in its history."""
    with store.write() as session:
        # Locked, like ticking a step: two leads marking at once take turns.
        note = _get(session, Note, note_id, lock=True)
        if note.follow_up is None:
            raise EditError("this note has no follow-up")
        note.follow_up_done = done_on


def delete_record(store: Store, model: type, record_id: int) -> None:
    """Delete one engagement, person, cadence, decision or note; what hangs on it goes too."""
    with store.write() as session:
        result = session.execute(delete(model).where(model.id == record_id))
        if result.rowcount == 0:
            raise EditError(f"that {model.__name__.lower()} no longer exists")


def delete_person(store: Store, person_id: int) -> None:
    delete_record(store, Person, person_id)


def delete_cadence(store: Store, cadence_id: int) -> None:
    delete_record(store, Cadence, cadence_id)


def delete_decision(store: Store, decision_id: int) -> None:
    delete_record(store, Decision, decision_id)


def delete_note(store: Store, note_id: int) -> None:
    delete_record(store, Note, note_id)


def delete_engagement(store: Store, engagement_id: int) -> None:
    delete_record(store, Engagement, engagement_id)
