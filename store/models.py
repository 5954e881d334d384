"""The engagement's data, as SQLAlchemy 2 typed ORM classes mapped onto store.tables.

Only `store` touches these; screens get frozen rows from `store.queries`. The schema itself
(columns, keys, indexes, caps) is declared once, in store.tables, so that the first screen
can be read with SQLAlchemy Core before this module and `sqlalchemy.orm` are imported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from store import tables
from store.tables import (  # re-exported: the caps and kinds are part of the models' API
    KEY_LEN,
    NAME_LEN,
    OPEN_STATUSES,
    SHORT_LEN,
    STATUSES,
    TEXT_LEN,
    USER_LEN,
    ZONE_LEN,
    Channel,
    CheckInStatus,
    DecisionKind,
    NoteKind,
    Side,
    UTCDateTime,
    cadence_attendee,
    checkin_attendee,
)

__all__ = [
    "KEY_LEN", "NAME_LEN", "OPEN_STATUSES", "SHORT_LEN", "STATUSES", "TEXT_LEN", "USER_LEN",
    "ZONE_LEN", "Audience", "Base", "Cadence", "Channel", "CheckIn", "CheckInStatus",
    "Decision", "DecisionEvent", "DecisionKind", "Engagement", "NextStep", "Note", "NoteKind",
    "Person", "Side", "UTCDateTime", "cadence_attendee", "checkin_attendee",
]  # fmt: skip


class Base(DeclarativeBase):
    metadata = tables.metadata


class Engagement(Base):
    __table__ = tables.engagement

    id: Mapped[int]
    key: Mapped[str]
    name: Mapped[str]
    client: Mapped[str]
    goal: Mapped[str]
    kickoff: Mapped[dt.date | None]
    lead_id: Mapped[int | None]

    people: Mapped[list[Person]] = relationship(
        back_populates="engagement",
        cascade="all, delete-orphan",
        passive_deletes=True,
        foreign_keys="Person.engagement_id",
    )
    cadences: Mapped[list[Cadence]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", passive_deletes=True
    )
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", passive_deletes=True
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", passive_deletes=True
    )


class Person(Base):
    __table__ = tables.person
    __mapper_args__ = {"version_id_col": tables.person.c.version}

    id: Mapped[int]
    version: Mapped[int]
    engagement_id: Mapped[int]
    key: Mapped[str]
    name: Mapped[str]
    side: Mapped[str]
    organisation: Mapped[str]
    role: Mapped[str]
    responsibilities: Mapped[str]
    team: Mapped[str]
    timezone: Mapped[str]
    work_start: Mapped[dt.time]
    work_end: Mapped[dt.time]
    email: Mapped[str]
    at_kickoff: Mapped[bool]
    first_one_on_one: Mapped[dt.date | None]
    met_in_person: Mapped[bool]
    onboarded: Mapped[bool]
    role_agreed: Mapped[bool]
    contact_every: Mapped[int | None]

    engagement: Mapped[Engagement] = relationship(
        back_populates="people", foreign_keys=[tables.person.c.engagement_id]
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Cadence(Base):
    __table__ = tables.cadence
    __mapper_args__ = {"version_id_col": tables.cadence.c.version}

    id: Mapped[int]
    version: Mapped[int]
    engagement_id: Mapped[int]
    key: Mapped[str]
    name: Mapped[str]
    circle: Mapped[str]
    rhythm: Mapped[str]
    slot: Mapped[dt.time | None]
    zone: Mapped[str]
    duration: Mapped[int]
    owner_id: Mapped[int | None]
    since: Mapped[dt.date | None]
    paused: Mapped[bool]

    engagement: Mapped[Engagement] = relationship(back_populates="cadences")
    owner: Mapped[Person | None] = relationship()
    attendees: Mapped[list[Person]] = relationship(
        secondary=cadence_attendee, order_by=cadence_attendee.c.position
    )


class CheckIn(Base):
    __table__ = tables.checkin
    __mapper_args__ = {"version_id_col": tables.checkin.c.version}

    id: Mapped[int]
    version: Mapped[int]
    engagement_id: Mapped[int]
    cadence_id: Mapped[int | None]
    at: Mapped[dt.datetime]
    status: Mapped[str]
    channel: Mapped[str]
    outcome: Mapped[str]
    mood: Mapped[int | None]
    logged_by: Mapped[str]

    engagement: Mapped[Engagement] = relationship(back_populates="checkins")
    cadence: Mapped[Cadence | None] = relationship()
    attendees: Mapped[list[Person]] = relationship(
        secondary=checkin_attendee, order_by=checkin_attendee.c.position
    )
    next_steps: Mapped[list[NextStep]] = relationship(
        back_populates="checkin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="NextStep.id",
    )


class NextStep(Base):
    __table__ = tables.next_step

    id: Mapped[int]
    checkin_id: Mapped[int]
    owner_id: Mapped[int | None]
    text: Mapped[str]
    due: Mapped[dt.date | None]
    done: Mapped[bool]

    checkin: Mapped[CheckIn] = relationship(back_populates="next_steps")
    owner: Mapped[Person | None] = relationship()


class Decision(Base):
    __table__ = tables.decision
    __mapper_args__ = {"version_id_col": tables.decision.c.version}

    id: Mapped[int]
    version: Mapped[int]
    engagement_id: Mapped[int]
    kind: Mapped[str]
    title: Mapped[str]
    context: Mapped[str]
    owner_id: Mapped[int | None]
    raised: Mapped[dt.date | None]
    due: Mapped[dt.date | None]
    status: Mapped[str]
    outcome: Mapped[str]
    decided: Mapped[dt.date | None]
    key: Mapped[str | None]
    cadence_id: Mapped[int | None]
    raised_in_id: Mapped[int | None]
    superseded_by_id: Mapped[int | None]
    probability: Mapped[int | None]
    impact: Mapped[int | None]
    mitigation: Mapped[str]
    depends_on: Mapped[str]
    changed_by: Mapped[str]

    engagement: Mapped[Engagement] = relationship(back_populates="decisions")
    owner: Mapped[Person | None] = relationship(foreign_keys=[tables.decision.c.owner_id])
    audience: Mapped[list[Audience]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Audience.position",
    )


class Audience(Base):
    """One person who must be told of a decision, and when they were (None: not yet)."""

    __table__ = tables.decision_audience

    decision_id: Mapped[int]
    person_id: Mapped[int]
    position: Mapped[int]
    informed_on: Mapped[dt.date | None]
    checkin_id: Mapped[int | None]
    channel: Mapped[str | None]
    informed_by: Mapped[str]

    decision: Mapped[Decision] = relationship(back_populates="audience")
    person: Mapped[Person] = relationship()


class DecisionEvent(Base):
    """One step in a decision's life: raised, discussed, decided, told someone, dropped…"""

    __table__ = tables.decision_event

    id: Mapped[int]
    decision_id: Mapped[int]
    at: Mapped[dt.datetime]
    kind: Mapped[str]
    person_id: Mapped[int | None]
    checkin_id: Mapped[int | None]
    text: Mapped[str]
    made_by: Mapped[str]


class Note(Base):
    __table__ = tables.note
    __mapper_args__ = {"version_id_col": tables.note.c.version}

    id: Mapped[int]
    version: Mapped[int]
    person_id: Mapped[int]
    on: Mapped[dt.date]
    kind: Mapped[str]
    text: Mapped[str]
    pinned: Mapped[bool]
    follow_up: Mapped[dt.date | None]
    follow_up_done: Mapped[dt.date | None]
    author: Mapped[str]
    private: Mapped[bool]

    person: Mapped[Person] = relationship(back_populates="notes")
