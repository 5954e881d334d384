"""The engagement's data, as SQLAlchemy 2 typed ORM classes.

Only `store` touches these; screens get frozen rows from `store.queries`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Field caps, shared by the import, the forms and the database columns.
KEY_LEN = 40
NAME_LEN = 200
SHORT_LEN = 200
TEXT_LEN = 20_000
ZONE_LEN = 64
# Who made a change: a lead's name, or on PostgreSQL their role (at most 63 bytes there).
USER_LEN = 64


class Side(StrEnum):
    OURS = "ours"
    CLIENT = "client"
    PARTNER = "partner"


class Channel(StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    ON_SITE = "on-site"
    CHAT = "chat"


class CheckInStatus(StrEnum):
    HELD = "held"
    SKIPPED = "skipped"  # did not happen, on purpose (the reason goes in the outcome)
    MOVED = "moved"  # happened at another time than the usual slot


class DecisionKind(StrEnum):
    DECISION = "decision"
    RISK = "risk"
    DEPENDENCY = "dependency"


# Statuses that each kind may take; the first is where an item starts.
STATUSES: dict[DecisionKind, tuple[str, ...]] = {
    DecisionKind.DECISION: ("open", "decided", "dropped"),
    DecisionKind.RISK: ("open", "mitigated", "happened", "closed"),
    DecisionKind.DEPENDENCY: ("open", "delivered", "late"),
}
OPEN_STATUSES = frozenset({"open", "late"})


class NoteKind(StrEnum):
    PERSONAL = "personal"
    PROFESSIONAL = "professional"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware.

    SQLite drops the offset of an aware datetime; PostgreSQL's `timestamp` would too. Keeping
    naive UTC in the column and converting at this edge makes both behave alike.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


cadence_attendee = Table(
    "cadence_attendee",
    Base.metadata,
    Column("cadence_id", ForeignKey("cadence.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_cadence_attendee_person", "person_id"),
)

checkin_attendee = Table(
    "checkin_attendee",
    Base.metadata,
    Column("checkin_id", ForeignKey("checkin.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    # Last contact per person is the Roster's hottest aggregate: person first.
    Index("ix_checkin_attendee_person", "person_id", "checkin_id"),
)


class Engagement(Base):
    __tablename__ = "engagement"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    client: Mapped[str] = mapped_column(String(NAME_LEN), default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    kickoff: Mapped[dt.date | None] = mapped_column(Date)
    # The lead using rapport: decisions raised without an owner are theirs. Person and
    # engagement refer to each other, so this key is created after both tables.
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL", use_alter=True)
    )

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
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("engagement_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking: an edit states the version it started from (store.edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    side: Mapped[str] = mapped_column(String(10))
    organisation: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    role: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    responsibilities: Mapped[str] = mapped_column(Text, default="")
    team: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    timezone: Mapped[str] = mapped_column(String(ZONE_LEN))
    work_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(9))
    work_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(17))
    email: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    at_kickoff: Mapped[bool] = mapped_column(Boolean, default=False)
    first_one_on_one: Mapped[dt.date | None] = mapped_column(Date)
    met_in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    # Joined after the kickoff and was onboarded all the same.
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    role_agreed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How often to be in touch; None: the default for their side and role.
    contact_every: Mapped[int | None] = mapped_column(Integer)

    engagement: Mapped[Engagement] = relationship(
        back_populates="people", foreign_keys=[engagement_id]
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Cadence(Base):
    __tablename__ = "cadence"
    __table_args__ = (UniqueConstraint("engagement_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking: an edit states the version it started from (store.edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagement.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    circle: Mapped[str] = mapped_column(String(SHORT_LEN), default="")
    rhythm: Mapped[str] = mapped_column(String(SHORT_LEN))
    slot: Mapped[dt.time | None] = mapped_column(Time)
    zone: Mapped[str] = mapped_column(String(ZONE_LEN), default="")
    duration: Mapped[int] = mapped_column(Integer, default=30)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # The rhythm counts from here (None: the engagement's kickoff); paused ones expect nothing.
    since: Mapped[dt.date | None] = mapped_column(Date)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    engagement: Mapped[Engagement] = relationship(back_populates="cadences")
    owner: Mapped[Person | None] = relationship()
    attendees: Mapped[list[Person]] = relationship(
        secondary=cadence_attendee, order_by=cadence_attendee.c.position
    )


class CheckIn(Base):
    __tablename__ = "checkin"
    __table_args__ = (
        Index("ix_checkin_engagement_at", "engagement_id", "at"),
        Index("ix_checkin_cadence_at", "cadence_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking: an edit states the version it started from (store.edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id", ondelete="CASCADE"))
    cadence_id: Mapped[int | None] = mapped_column(ForeignKey("cadence.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(10), default=CheckInStatus.HELD.value, server_default=CheckInStatus.HELD.value
    )
    channel: Mapped[str] = mapped_column(String(10), default=Channel.VIDEO.value)
    outcome: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[int | None] = mapped_column(Integer)
    # The lead who logged it ("" when not known: imported, or from before revision 0007).
    logged_by: Mapped[str] = mapped_column(String(USER_LEN), default="", server_default="")

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
    __tablename__ = "next_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkin.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)

    checkin: Mapped[CheckIn] = relationship(back_populates="next_steps")
    owner: Mapped[Person | None] = relationship()


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_engagement_due", "engagement_id", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking: an edit states the version it started from (store.edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12), default=DecisionKind.DECISION.value)
    title: Mapped[str] = mapped_column(String(NAME_LEN))
    context: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    raised: Mapped[dt.date | None] = mapped_column(Date)
    due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    outcome: Mapped[str] = mapped_column(Text, default="")
    decided: Mapped[dt.date | None] = mapped_column(Date)
    # Optional: a stable key, so a file can say which decision supersedes which.
    key: Mapped[str | None] = mapped_column(String(KEY_LEN))
    # The circle that discusses it: "stale" is measured against this cadence's rhythm.
    cadence_id: Mapped[int | None] = mapped_column(
        ForeignKey("cadence.id", ondelete="SET NULL"), index=True
    )
    raised_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkin.id", ondelete="SET NULL"), index=True
    )
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    # Risks: probability and impact 1-5 (their product is the score) and the mitigation.
    probability: Mapped[int | None] = mapped_column(Integer)
    impact: Mapped[int | None] = mapped_column(Integer)
    mitigation: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Dependencies: on whom or what (a person, a team, another party).
    depends_on: Mapped[str] = mapped_column(String(SHORT_LEN), default="", server_default="")
    # The lead who last changed it (raised it, edited it, moved it); "" when not known.
    changed_by: Mapped[str] = mapped_column(String(USER_LEN), default="", server_default="")

    engagement: Mapped[Engagement] = relationship(back_populates="decisions")
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    audience: Mapped[list[Audience]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Audience.position",
    )


class Audience(Base):
    """One person who must be told of a decision, and when they were (None: not yet)."""

    __tablename__ = "decision_audience"

    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    informed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where they were told, when it happened in a logged check-in.
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkin.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str | None] = mapped_column(String(10))
    # The lead who marked them told; "" while not told, or when not known.
    informed_by: Mapped[str] = mapped_column(String(USER_LEN), default="", server_default="")

    decision: Mapped[Decision] = relationship(back_populates="audience")
    person: Mapped[Person] = relationship()


class DecisionEvent(Base):
    """One step in a decision's life: raised, discussed, decided, told someone, dropped…"""

    __tablename__ = "decision_event"
    __table_args__ = (Index("ix_decision_event_decision_at", "decision_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkin.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    # The lead who took this step; "" when not known.
    made_by: Mapped[str] = mapped_column(String(USER_LEN), default="", server_default="")


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic locking: an edit states the version it started from (store.edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(14), default=NoteKind.PERSONAL.value)
    text: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up: Mapped[dt.date | None] = mapped_column(Date)
    # Who wrote it: on PostgreSQL their database role, which row-level security compares with
    # `current_user` (store.postgres); "" when not known.
    author: Mapped[str] = mapped_column(String(USER_LEN), default="", server_default="")
    # Readable by its author only. On PostgreSQL the database enforces it; a SQLite file has
    # one reader anyway.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    person: Mapped[Person] = relationship(back_populates="notes")
