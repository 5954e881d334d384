"""The schema in SQLAlchemy Core: every table, its columns, keys and indexes, and the caps
and kinds of values they hold.

The ORM classes (store.models) are mapped onto these tables. The reads that put the first
screen up use the tables alone, so the app paints before `sqlalchemy.orm` is imported (it
costs as much as Textual itself to import, and the mappers as much again to configure).
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


metadata = MetaData(naming_convention=NAMING)


def _version() -> Column[int]:
    # Optimistic locking: an edit states the version it started from (store.edits).
    return Column("version", Integer, nullable=False, default=1, server_default=text("1"))


engagement = Table(
    "engagement",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(KEY_LEN), nullable=False, unique=True),
    Column("name", String(NAME_LEN), nullable=False),
    Column("client", String(NAME_LEN), nullable=False, default=""),
    Column("goal", Text, nullable=False, default=""),
    Column("kickoff", Date),
    # The lead using rapport: decisions raised without an owner are theirs. Person and
    # engagement refer to each other, so this key is created after both tables.
    Column("lead_id", ForeignKey("person.id", ondelete="SET NULL", use_alter=True)),
)

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    _version(),
    Column(
        "engagement_id",
        ForeignKey("engagement.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key", String(KEY_LEN), nullable=False),
    Column("name", String(NAME_LEN), nullable=False),
    Column("side", String(10), nullable=False),
    Column("organisation", String(SHORT_LEN), nullable=False, default=""),
    Column("role", String(SHORT_LEN), nullable=False, default=""),
    Column("responsibilities", Text, nullable=False, default=""),
    Column("team", String(SHORT_LEN), nullable=False, default=""),
    Column("timezone", String(ZONE_LEN), nullable=False),
    Column("work_start", Time, nullable=False, default=dt.time(9)),
    Column("work_end", Time, nullable=False, default=dt.time(17)),
    Column("email", String(SHORT_LEN), nullable=False, default=""),
    Column("at_kickoff", Boolean, nullable=False, default=False),
    Column("first_one_on_one", Date),
    Column("met_in_person", Boolean, nullable=False, default=False),
    # Joined after the kickoff and was onboarded all the same.
    Column("onboarded", Boolean, nullable=False, default=False, server_default=false()),
    Column("role_agreed", Boolean, nullable=False, default=False, server_default=false()),
    # How often to be in touch; None: the default for their side and role.
    Column("contact_every", Integer),
    UniqueConstraint("engagement_id", "key"),
)

cadence = Table(
    "cadence",
    metadata,
    Column("id", Integer, primary_key=True),
    _version(),
    Column(
        "engagement_id",
        ForeignKey("engagement.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key", String(KEY_LEN), nullable=False),
    Column("name", String(NAME_LEN), nullable=False),
    Column("circle", String(SHORT_LEN), nullable=False, default=""),
    Column("rhythm", String(SHORT_LEN), nullable=False),
    Column("slot", Time),
    Column("zone", String(ZONE_LEN), nullable=False, default=""),
    Column("duration", Integer, nullable=False, default=30),
    Column("owner_id", ForeignKey("person.id", ondelete="SET NULL"), index=True),
    # The rhythm counts from here (None: the engagement's kickoff); paused ones expect nothing.
    Column("since", Date),
    Column("paused", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("engagement_id", "key"),
)

cadence_attendee = Table(
    "cadence_attendee",
    metadata,
    Column("cadence_id", ForeignKey("cadence.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_cadence_attendee_person", "person_id"),
)

checkin = Table(
    "checkin",
    metadata,
    Column("id", Integer, primary_key=True),
    _version(),
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), nullable=False),
    Column("cadence_id", ForeignKey("cadence.id", ondelete="SET NULL")),
    Column("at", UTCDateTime, nullable=False),
    Column(
        "status",
        String(10),
        nullable=False,
        default=CheckInStatus.HELD.value,
        server_default=CheckInStatus.HELD.value,
    ),
    Column("channel", String(10), nullable=False, default=Channel.VIDEO.value),
    Column("outcome", Text, nullable=False, default=""),
    Column("mood", Integer),
    # The lead who logged it ("" when not known: imported, or from before revision 0007).
    Column("logged_by", String(USER_LEN), nullable=False, default="", server_default=""),
    Index("ix_checkin_engagement_at", "engagement_id", "at"),
    Index("ix_checkin_cadence_at", "cadence_id", "at"),
)

checkin_attendee = Table(
    "checkin_attendee",
    metadata,
    Column("checkin_id", ForeignKey("checkin.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    # Last contact per person is the Roster's hottest aggregate: person first.
    Index("ix_checkin_attendee_person", "person_id", "checkin_id"),
)

next_step = Table(
    "next_step",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checkin_id", ForeignKey("checkin.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("owner_id", ForeignKey("person.id", ondelete="SET NULL"), index=True),
    Column("text", Text, nullable=False),
    Column("due", Date),
    Column("done", Boolean, nullable=False, default=False),
)

decision = Table(
    "decision",
    metadata,
    Column("id", Integer, primary_key=True),
    _version(),
    Column("engagement_id", ForeignKey("engagement.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(12), nullable=False, default=DecisionKind.DECISION.value),
    Column("title", String(NAME_LEN), nullable=False),
    Column("context", Text, nullable=False, default=""),
    Column("owner_id", ForeignKey("person.id", ondelete="SET NULL"), index=True),
    Column("raised", Date),
    Column("due", Date),
    Column("status", String(12), nullable=False, default="open"),
    Column("outcome", Text, nullable=False, default=""),
    Column("decided", Date),
    # Optional: a stable key, so a file can say which decision supersedes which.
    Column("key", String(KEY_LEN)),
    # The circle that discusses it: "stale" is measured against this cadence's rhythm.
    Column("cadence_id", ForeignKey("cadence.id", ondelete="SET NULL"), index=True),
    Column("raised_in_id", ForeignKey("checkin.id", ondelete="SET NULL"), index=True),
    Column("superseded_by_id", ForeignKey("decision.id", ondelete="SET NULL"), index=True),
    # Risks: probability and impact 1-5 (their product is the score) and the mitigation.
    Column("probability", Integer),
    Column("impact", Integer),
    Column("mitigation", Text, nullable=False, default="", server_default=""),
    # Dependencies: on whom or what (a person, a team, another party).
    Column("depends_on", String(SHORT_LEN), nullable=False, default="", server_default=""),
    # The lead who last changed it (raised it, edited it, moved it); "" when not known.
    Column("changed_by", String(USER_LEN), nullable=False, default="", server_default=""),
    Index("ix_decision_engagement_due", "engagement_id", "due"),
)

# One person who must be told of a decision, and when they were (None: not yet).
decision_audience = Table(
    "decision_audience",
    metadata,
    Column("decision_id", ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("position", Integer, nullable=False, default=0),
    Column("informed_on", Date),
    # Where they were told, when it happened in a logged check-in.
    Column("checkin_id", ForeignKey("checkin.id", ondelete="SET NULL"), index=True),
    Column("channel", String(10)),
    # The lead who marked them told; "" while not told, or when not known.
    Column("informed_by", String(USER_LEN), nullable=False, default="", server_default=""),
)

# One step in a decision's life: raised, discussed, decided, told someone, dropped…
decision_event = Table(
    "decision_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", ForeignKey("decision.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("person_id", ForeignKey("person.id", ondelete="SET NULL"), index=True),
    Column("checkin_id", ForeignKey("checkin.id", ondelete="SET NULL"), index=True),
    Column("text", Text, nullable=False, default=""),
    # The lead who took this step; "" when not known.
    Column("made_by", String(USER_LEN), nullable=False, default="", server_default=""),
    Index("ix_decision_event_decision_at", "decision_id", "at"),
)

note = Table(
    "note",
    metadata,
    Column("id", Integer, primary_key=True),
    _version(),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("on", Date, nullable=False),
    Column("kind", String(14), nullable=False, default=NoteKind.PERSONAL.value),
    Column("text", Text, nullable=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("follow_up", Date),
    # When the follow-up was done: kept, so the note still says it was followed up.
    Column("follow_up_done", Date),
    # Who wrote it: on PostgreSQL their database role, which row-level security compares with
    # `current_user` (store.postgres); "" when not known.
    Column("author", String(USER_LEN), nullable=False, default="", server_default=""),
    # Readable by its author only. On PostgreSQL the database enforces it; a SQLite file has
    # one reader anyway.
    Column("private", Boolean, nullable=False, default=False, server_default=false()),
    # For Today, which reads only the open follow-ups (done IS NULL) up to a day.
    Index("ix_note_follow_up", "follow_up_done", "follow_up"),
)
