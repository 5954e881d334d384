"""A person's rights over what rapport holds about them: see all of it, or have it erased.

`person_export` gathers everything stored about one person (a subject access request) as TOML.
`forget_person` erases them: their row, their notes, their attendance, the decisions they must
be told of, the decision history that names them; what they owned (cadences, next steps,
decisions) stays, without an owner. On SQLite the deleted text is also wiped from the file
itself: `secure_delete` zeroes it as it is deleted, then a WAL checkpoint and `VACUUM` leave
no old copy in the database, its `-wal` or its free pages. Backups made before keep it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from store.db import Store
from store.models import (
    Audience,
    Cadence,
    CheckIn,
    Decision,
    DecisionEvent,
    Engagement,
    NextStep,
    Note,
    Person,
    cadence_attendee,
    checkin_attendee,
)

# Every column that refers to a person, and what erasing them does to it. A test checks this
# against the models, so a new reference to person.id cannot be forgotten here.
ERASED_WITH_THE_PERSON = (
    "note.person_id",
    "checkin_attendee.person_id",
    "cadence_attendee.person_id",
    "decision_audience.person_id",
    "decision_event.person_id",
)
OWNER_CLEARED = (
    "engagement.lead_id",
    "cadence.owner_id",
    "next_step.owner_id",
    "decision.owner_id",
)

# Text from the database printed on a terminal: escape sequences and bidi overrides another
# writer let in are shown as a replacement mark (as tui.format.safe does on screen).
_UNSAFE = {
    code: "\ufffd"
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


class PersonNotFound(LookupError):
    """No such person, or more than one: the message says what to type instead."""


def plain(value: str) -> str:
    """`value` safe to print on one terminal line."""
    return value.translate(_UNSAFE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def find_person(store: Store, engagement_id: int, wanted: str) -> tuple[int, str, str]:
    """(id, key, name) of the person whose key or whole name is `wanted` (case and accents
    ignored). Never a prefix or a first name: what is erased must be named exactly."""
    with store.read() as session:
        people = session.execute(
            select(Person.id, Person.key, Person.name)
            .where(Person.engagement_id == engagement_id)
            .order_by(Person.key)
        ).all()
    for row in people:
        if row.key == wanted.strip():
            return row.id, row.key, row.name
    folded = _fold(wanted)
    named = [row for row in people if folded and _fold(row.name) == folded]
    if len(named) == 1:
        return named[0].id, named[0].key, named[0].name
    shown = repr(wanted.strip()[:80])  # repr escapes control and bidi characters
    if named:
        keys = ", ".join(row.key for row in named)
        raise PersonNotFound(f"{len(named)} people are called {shown}; give a key: {keys}")
    raise PersonNotFound(f"nobody on this engagement has the key or name {shown}")


# --- what is stored about a person --------------------------------------------------------


@dataclass(frozen=True)
class Footprint:
    """How much is stored about one person: what forgetting them removes or changes."""

    person_id: int
    key: str
    name: str
    engagement_key: str
    notes: int = 0
    checkins: int = 0  # check-ins they attended
    cadences: int = 0  # cadences they are an attendee of
    audience: int = 0  # decisions they must be (or were) told of
    events: int = 0  # lines of decision history that name them
    owned: int = 0  # cadences, next steps and decisions they own (kept, owner cleared)
    lead: bool = False  # the engagement's lead
    mentions: dict[str, int] = field(default_factory=dict)  # other texts with their name

    def removed(self) -> str:
        """`4 notes, attendance at 12 check-ins, …` — what erasing them deletes."""
        parts = [
            _count(self.notes, "note", "notes"),
            _count(self.checkins, "check-in attended", "check-ins attended"),
            _count(self.cadences, "cadence membership", "cadence memberships"),
            _count(self.audience, "decision to be told of", "decisions to be told of"),
            _count(self.events, "decision history entry", "decision history entries"),
        ]
        return ", ".join(part for part in parts if part) or "nothing else"

    def unowned(self) -> str:
        """What stays without an owner, or "" when nothing does."""
        things = _count(self.owned, "thing they owned", "things they owned")
        if self.lead:
            things = f"{things} and the engagement's lead" if things else "the engagement's lead"
        return f"{things} will have no owner" if things else ""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}" if n else ""


def _scalar(connection: Connection, statement: Any) -> int:
    return int(connection.execute(statement).scalar_one())


def _footprint(connection: Connection, person_id: int) -> Footprint:
    person = connection.execute(
        select(Person.key, Person.name, Person.engagement_id, Engagement.key.label("engagement"))
        .join(Engagement, Engagement.id == Person.engagement_id)
        .where(Person.id == person_id)
    ).one_or_none()
    if person is None:
        raise PersonNotFound("that person is no longer in the database")

    def count(table: Any, column: Any) -> int:
        return _scalar(
            connection, select(func.count()).select_from(table).where(column == person_id)
        )

    owned = (
        count(Cadence, Cadence.owner_id) + count(NextStep, NextStep.owner_id)
        + count(Decision, Decision.owner_id)
    )  # fmt: skip
    lead = count(Engagement, Engagement.lead_id)
    return Footprint(
        person_id=person_id,
        key=person.key,
        name=person.name,
        engagement_key=person.engagement,
        notes=count(Note, Note.person_id),
        checkins=count(checkin_attendee, checkin_attendee.c.person_id),
        cadences=count(cadence_attendee, cadence_attendee.c.person_id),
        audience=count(Audience, Audience.person_id),
        events=count(DecisionEvent, DecisionEvent.person_id),
        owned=owned,
        lead=bool(lead),
        mentions=_mentions(connection, person_id, person.engagement_id, person.name),
    )


def _mentions(
    connection: Connection, person_id: int, engagement_id: int, name: str
) -> dict[str, int]:
    """Texts of others that hold the person's whole name: erasing cannot tell what to cut."""
    if len(name.strip()) < 3:
        return {}
    pattern = (
        "%"
        + name.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        + "%"
    )

    def like(*columns: Any) -> Any:
        return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))

    found = {
        "check-in outcomes": select(func.count()).select_from(CheckIn).where(
            CheckIn.engagement_id == engagement_id, like(CheckIn.outcome)
        ),
        "next steps": select(func.count()).select_from(NextStep).join(CheckIn).where(
            CheckIn.engagement_id == engagement_id, like(NextStep.text)
        ),
        "decisions": select(func.count()).select_from(Decision).where(
            Decision.engagement_id == engagement_id,
            like(Decision.title, Decision.context, Decision.outcome, Decision.mitigation,
                 Decision.depends_on),
        ),
        "notes about others": select(func.count()).select_from(Note).join(Person).where(
            Person.engagement_id == engagement_id, Note.person_id != person_id, like(Note.text)
        ),
        "other people's details": select(func.count()).select_from(Person).where(
            Person.engagement_id == engagement_id, Person.id != person_id,
            like(Person.responsibilities, Person.role, Person.team),
        ),
    }  # fmt: skip
    counts = {where: _scalar(connection, statement) for where, statement in found.items()}
    return {where: n for where, n in counts.items() if n}


def footprint(store: Store, person_id: int) -> Footprint:
    with store.engine.connect() as connection:
        return _footprint(connection, person_id)


# --- forgetting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    """What `forget_person` did, and whether the file itself is clean of the person's text."""

    footprint: Footprint
    file_wiped: bool  # SQLite: secure_delete, checkpoint and VACUUM all went through
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        f = self.footprint
        lines = [f"Erased {plain(f.name)} ({f.key}): {f.removed()}."]
        if unowned := f.unowned():
            lines.append(f"{unowned[0].upper()}{unowned[1:]}.")
        if self.file_wiped:
            lines.append("Their text was wiped from the database file (VACUUM).")
        lines += list(self.warnings)
        if f.mentions:
            where = ", ".join(f"{place} ({n})" for place, n in f.mentions.items())
            lines.append(
                f"Their name still appears in other texts: {where}; edit those if it must go."
            )
        lines.append("Backups made before now still hold their data.")
        return "\n".join(lines)


def forget_person(store: Store, person_id: int) -> Forgotten:
    """Erase one person in one transaction, then wipe their text from a SQLite file."""
    engine = store.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            # Outside any transaction, on this connection only: deleted cells and freed pages
            # are overwritten with zeros instead of being left in the file.
            before = raw.execute("PRAGMA secure_delete").fetchone()[0]
            raw.execute("PRAGMA secure_delete = ON")
        try:
            connection.execution_options(rapport_write=True)  # BEGIN IMMEDIATE on SQLite
            with connection.begin():
                found = _footprint(connection, person_id)
                _erase(connection, person_id)
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA secure_delete = {int(before)}")
        warnings: list[str] = []
        wiped = False
        if raw is not None:
            wiped = _wipe_file(raw, warnings)
        elif engine.dialect.name == "postgresql":
            warnings.append(
                "The rows are deleted; PostgreSQL removes their old versions at its next VACUUM."
            )
    return Forgotten(found, wiped, tuple(warnings))


def _erase(connection: Connection, person_id: int) -> None:
    # Records that change without being deleted get a new version: a form still open on one
    # of them (in the app) is told it changed instead of writing the person back.
    touched = (
        (Cadence, or_(Cadence.owner_id == person_id, Cadence.id.in_(
            select(cadence_attendee.c.cadence_id).where(cadence_attendee.c.person_id == person_id)
        ))),
        (CheckIn, CheckIn.id.in_(
            select(checkin_attendee.c.checkin_id).where(checkin_attendee.c.person_id == person_id)
        )),
        (Decision, or_(Decision.owner_id == person_id, Decision.id.in_(
            select(Audience.decision_id).where(Audience.person_id == person_id)
        ))),
    )  # fmt: skip
    for model, which in touched:
        version = getattr(model, "version", None)
        if version is not None:
            connection.execute(update(model).where(which).values({version.key: version + 1}))
    for table, column in (
        (Note.__table__, Note.person_id),
        (checkin_attendee, checkin_attendee.c.person_id),
        (cadence_attendee, cadence_attendee.c.person_id),
        (Audience.__table__, Audience.person_id),
        (DecisionEvent.__table__, DecisionEvent.person_id),
    ):
        connection.execute(delete(table).where(column == person_id))
    for model, column in (
        (Engagement, Engagement.lead_id),
        (Cadence, Cadence.owner_id),
        (NextStep, NextStep.owner_id),
        (Decision, Decision.owner_id),
    ):
        connection.execute(update(model).where(column == person_id).values({column.key: None}))
    connection.execute(delete(Person).where(Person.id == person_id))


def _wipe_file(raw: sqlite3.Connection, warnings: list[str]) -> bool:
    """Checkpoint the WAL into the file, rebuild the file (VACUUM), empty the WAL again.

    VACUUM in WAL mode writes the rebuilt pages to the WAL; the last checkpoint moves them
    into the file and truncates the WAL to nothing, so no old page survives in either.
    """
    try:
        busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        raw.execute("VACUUM")
        busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] or busy
    except sqlite3.Error as error:
        warnings.append(
            f"The database file could not be compacted ({error}); their text may stay in "
            "unused parts of it until rapport compacts it. Close other rapport windows and "
            "erase again to be sure."
        )
        return False
    if busy:
        warnings.append(
            "Another rapport has the database open: the old copy of their text stays in its "
            "journal until every rapport window is closed."
        )
        return False
    return True


# --- a subject access request -----------------------------------------------------------------


def person_export(store: Store, person_id: int, now: dt.datetime) -> str:
    """Everything stored about one person, as TOML (see README "Your data")."""
    import tomli_w

    with store.read() as session:
        person = (
            session.execute(select(Person.__table__).where(Person.id == person_id))
            .mappings()
            .one_or_none()
        )
        if person is None:
            raise PersonNotFound("that person is no longer in the database")
        engagement = session.execute(
            select(Engagement.key, Engagement.name, Engagement.lead_id).where(
                Engagement.id == person["engagement_id"]
            )
        ).one()

        doc: dict[str, Any] = {
            "about": f"Everything rapport stores about {person['name']}",
            "exported": now.astimezone(dt.UTC).replace(microsecond=0),
            "engagement": {"key": engagement.key, "name": engagement.name},
            "person": _person_table(person, lead=engagement.lead_id == person_id),
        }

        cadence_rows = session.execute(
            select(Cadence.key, Cadence.name, Cadence.rhythm, Cadence.owner_id,
                   cadence_attendee.c.person_id.is_not(None).label("attends"))
            .outerjoin(cadence_attendee, (cadence_attendee.c.cadence_id == Cadence.id)
                       & (cadence_attendee.c.person_id == person_id))
            .where(Cadence.engagement_id == person["engagement_id"],
                   or_(Cadence.owner_id == person_id, cadence_attendee.c.person_id == person_id))
            .order_by(Cadence.key)
        ).all()  # fmt: skip
        doc["cadences"] = [
            {"key": c.key, "name": c.name, "rhythm": c.rhythm, "attends": bool(c.attends),
             "owns": c.owner_id == person_id}
            for c in cadence_rows
        ]  # fmt: skip

        checkins = session.execute(
            select(CheckIn.at, CheckIn.status, CheckIn.channel, CheckIn.outcome, CheckIn.mood,
                   Cadence.name.label("cadence"))
            .join(checkin_attendee, checkin_attendee.c.checkin_id == CheckIn.id)
            .outerjoin(Cadence, Cadence.id == CheckIn.cadence_id)
            .where(checkin_attendee.c.person_id == person_id)
            .order_by(CheckIn.at, CheckIn.id)
        ).all()  # fmt: skip
        doc["checkins_attended"] = [
            _without_none({"at": c.at, "cadence": c.cadence, "status": c.status,
                           "channel": c.channel, "outcome": c.outcome, "mood": c.mood})
            for c in checkins
        ]  # fmt: skip

        steps = session.execute(
            select(NextStep.text, NextStep.due, NextStep.done, CheckIn.at)
            .join(CheckIn, CheckIn.id == NextStep.checkin_id)
            .where(NextStep.owner_id == person_id)
            .order_by(CheckIn.at, NextStep.id)
        ).all()
        doc["next_steps_owned"] = [
            _without_none({"text": s.text, "due": s.due, "done": s.done, "from_checkin_at": s.at})
            for s in steps
        ]

        told = dict(
            session.execute(
                select(Audience.decision_id, Audience.informed_on).where(
                    Audience.person_id == person_id
                )
            ).all()
        )
        decisions = (
            session.execute(
                select(Decision)
                .where(or_(Decision.owner_id == person_id, Decision.id.in_(list(told))))
                .order_by(Decision.id)
            )
            .scalars()
            .all()
        )
        doc["decisions"] = [
            _without_none({
                "title": d.title, "kind": d.kind, "status": d.status, "raised": d.raised,
                "due": d.due, "decided": d.decided, "outcome": d.outcome,
                "owner": d.owner_id == person_id, "must_be_told": d.id in told,
                "told_on": told.get(d.id),
            })
            for d in decisions
        ]  # fmt: skip

        events = session.execute(
            select(DecisionEvent.at, DecisionEvent.kind, DecisionEvent.text,
                   Decision.title.label("decision"))
            .join(Decision, Decision.id == DecisionEvent.decision_id)
            .where(DecisionEvent.person_id == person_id)
            .order_by(DecisionEvent.at, DecisionEvent.id)
        ).all()  # fmt: skip
        doc["decision_history"] = [
            _without_none({"at": e.at, "decision": e.decision, "kind": e.kind, "text": e.text})
            for e in events
        ]

        notes = session.execute(
            select(Note.on, Note.kind, Note.text, Note.pinned, Note.follow_up, Note.follow_up_done)
            .where(Note.person_id == person_id)
            .order_by(Note.on, Note.id)
        ).all()
        doc["notes"] = [
            _without_none({"on": n.on, "kind": n.kind, "text": n.text, "pinned": n.pinned,
                           "follow_up": n.follow_up, "follow_up_done": n.follow_up_done})
            for n in notes
        ]  # fmt: skip
    return tomli_w.dumps(doc, multiline_strings=True)


def _person_table(person: Any, *, lead: bool) -> dict[str, Any]:
    return _without_none({
        "key": person["key"], "name": person["name"], "side": person["side"],
        "organisation": person["organisation"], "role": person["role"],
        "responsibilities": person["responsibilities"], "team": person["team"],
        "timezone": person["timezone"],
        "hours": f"{person['work_start']:%H:%M}-{person['work_end']:%H:%M}",
        "email": person["email"], "at_kickoff": person["at_kickoff"],
        "onboarded": person["onboarded"], "first_one_on_one": person["first_one_on_one"],
        "role_agreed": person["role_agreed"], "met_in_person": person["met_in_person"],
        "contact_every": person["contact_every"], "engagement_lead": lead,
    })  # fmt: skip


def _without_none(table: dict[str, Any]) -> dict[str, Any]:
    """TOML has no null: an unset value is left out (empty text is kept: it is what is stored)."""
    return {name: value for name, value in table.items() if value is not None}
