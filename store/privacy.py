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
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field  # Mention has a `field`
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
from store.text import visible_line

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


class PersonNotFound(LookupError):
    """No such person, or more than one: the message says what to type instead."""


def plain(value: str) -> str:
    """`value` safe to print on one terminal line."""
    return visible_line(value)


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
    mentions: tuple[Mention, ...] = ()  # other texts that name them (first, last name, key)

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
        mentions=_mentions(connection, person_id, person.engagement_id, person.key, person.name),
    )


@dataclass(frozen=True)
class Mention:
    """One text of someone else's record that names the person: where, and a short excerpt."""

    record: str  # "check-in of 2026-10-13", "note about Dana Whitfield of 2026-10-07"
    field: str  # the field of that record: "outcome", "responsibilities"
    excerpt: str  # a few words around the first mention, safe for the terminal
    table: Any = dataclass_field(repr=False, compare=False, default=None)  # --redact-mentions
    record_id: int = dataclass_field(repr=False, compare=False, default=0)

    def __str__(self) -> str:
        return f"{self.record}, {self.field}: {self.excerpt}"


ERASED = "[erased]"
EXCERPT_WORDS = 40  # characters either side of a mention
_WORD = re.compile(r"\w+")


def mention_terms(key: str, name: str) -> frozenset[str]:
    """What names the person in a text, folded: each word of their name and their key.

    Lower-case name words ("van", "de") are particles, not names: they would match everywhere.
    """
    words = [word for word in _WORD.findall(name) if not word[:1].islower()]
    words += [part for part in re.split(r"[-_]", key) if len(part) >= 3]
    return frozenset(_fold(word) for word in words if len(word) >= 2)


def mention_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Where `text` names the person: runs of matching words ("Tyler Brooks" is one run)."""
    spans: list[tuple[int, int]] = []
    for word in _WORD.finditer(text):
        if _fold(word[0]) not in terms:
            continue
        if spans and not text[spans[-1][1] : word.start()].strip():
            spans[-1] = (spans[-1][0], word.end())
        else:
            spans.append((word.start(), word.end()))
    return spans


def redacted(text: str, terms: frozenset[str]) -> str:
    """`text` with every mention of the person replaced by "[erased]"."""
    for start, end in reversed(mention_spans(text, terms)):
        text = text[:start] + ERASED + text[end:]
    return text


def _excerpt(text: str, start: int, end: int) -> str:
    before = text[max(0, start - EXCERPT_WORDS) : start]
    after = text[end : end + EXCERPT_WORDS]
    shown = f"{'…' if start > EXCERPT_WORDS else ''}{before}{text[start:end]}{after}"
    shown += "…" if end + EXCERPT_WORDS < len(text) else ""
    return repr(" ".join(plain(shown).split()))


def _texts(connection: Connection, person_id: int, engagement_id: int) -> list[tuple[Any, ...]]:
    """(table, record id, record label, {field: text}) for every text of the engagement that
    is not the person's own (theirs is erased with them)."""
    found: list[tuple[Any, ...]] = []

    def add(table: Any, statement: Any, label: Any, fields: tuple[str, ...]) -> None:
        for row in connection.execute(statement):
            texts = {name: getattr(row, name) for name in fields}
            found.append((table, row.id, label(row), texts))

    engagement = Engagement.__table__
    add(
        engagement,
        select(Engagement.id, Engagement.name, Engagement.goal).where(
            Engagement.id == engagement_id
        ),
        lambda r: "the engagement",
        ("name", "goal"),
    )
    add(
        Person.__table__,
        select(
            Person.id,
            Person.name,
            Person.role,
            Person.responsibilities,
            Person.team,
            Person.organisation,
        ).where(Person.engagement_id == engagement_id, Person.id != person_id),
        lambda r: f"{r.name}'s details",
        ("role", "responsibilities", "team", "organisation"),
    )
    add(
        Cadence.__table__,
        select(Cadence.id, Cadence.key, Cadence.name, Cadence.circle).where(
            Cadence.engagement_id == engagement_id
        ),
        lambda r: f"cadence {r.key}",
        ("name", "circle"),
    )
    add(
        CheckIn.__table__,
        select(CheckIn.id, CheckIn.at, CheckIn.outcome).where(
            CheckIn.engagement_id == engagement_id
        ),
        lambda r: f"check-in of {_day(r.at)}",
        ("outcome",),
    )
    add(
        NextStep.__table__,
        select(NextStep.id, NextStep.text, CheckIn.at)
        .join(CheckIn)
        .where(CheckIn.engagement_id == engagement_id),
        lambda r: f"next step of the check-in of {_day(r.at)}",
        ("text",),
    )
    add(
        Decision.__table__,
        select(
            Decision.id,
            Decision.title,
            Decision.context,
            Decision.outcome,
            Decision.mitigation,
            Decision.depends_on,
        ).where(Decision.engagement_id == engagement_id),
        lambda r: f"decision {r.id}",
        ("title", "context", "outcome", "mitigation", "depends_on"),
    )
    add(
        DecisionEvent.__table__,
        select(DecisionEvent.id, DecisionEvent.text, DecisionEvent.decision_id)
        .join(Decision)
        .where(
            Decision.engagement_id == engagement_id,
            or_(DecisionEvent.person_id.is_(None), DecisionEvent.person_id != person_id),
        ),
        lambda r: f"history of decision {r.decision_id}",
        ("text",),
    )
    add(
        Note.__table__,
        select(Note.id, Note.text, Note.on, Person.name)
        .join(Person)
        .where(Person.engagement_id == engagement_id, Note.person_id != person_id),
        lambda r: f"note about {r.name} of {_day(r.on)}",
        ("text",),
    )
    return found  # fmt: skip


def _day(value: Any) -> str:
    """A stored date or moment as YYYY-MM-DD (SQLite hands some back as text)."""
    return str(value)[:10]


def _mentions(
    connection: Connection, person_id: int, engagement_id: int, key: str, name: str
) -> tuple[Mention, ...]:
    """Every text of others that names the person, by first name, last name or key (case and
    accents folded): what erasing them alone would leave behind."""
    terms = mention_terms(key, name)
    found = []
    for table, record_id, label, texts in _texts(connection, person_id, engagement_id):
        for name_of_field, text in texts.items():
            if text and (spans := mention_spans(text, terms)):
                excerpt = _excerpt(text, *spans[0])
                found.append(Mention(plain(label), name_of_field, excerpt, table, record_id))
    return tuple(found)


def _redact(connection: Connection, mentions: tuple[Mention, ...], terms: frozenset[str]) -> None:
    """Replace the person's name by "[erased]" in each mentioning text, a new version each."""
    fields: dict[tuple[Any, int], set[str]] = {}
    for mention in mentions:
        fields.setdefault((mention.table, mention.record_id), set()).add(mention.field)
    for (table, record_id), names in fields.items():
        columns = [table.c[name] for name in sorted(names)]
        current = connection.execute(select(*columns).where(table.c.id == record_id)).one()
        values: dict[str, Any] = {
            column.key: redacted(text, terms) for column, text in zip(columns, current, strict=True)
        }
        if "version" in table.c:
            values["version"] = table.c.version + 1
        connection.execute(update(table).where(table.c.id == record_id).values(values))


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
    redacted: bool = False  # the mentions in others' texts were replaced by "[erased]"

    def __str__(self) -> str:
        f = self.footprint
        lines = [f"Erased {plain(f.name)} ({f.key}): {f.removed()}."]
        if unowned := f.unowned():
            lines.append(f"{unowned[0].upper()}{unowned[1:]}.")
        if f.mentions and self.redacted:
            lines.append(f"Their name was replaced with {ERASED} in {mention_count(f)}.")
        elif f.mentions:
            lines.append(
                f"Their name still appears in {mention_count(f)}: edit those, or erase with "
                "--redact-mentions, if it must go."
            )
        if self.file_wiped:
            lines.append("Their text was wiped from the database file (VACUUM).")
        lines += list(self.warnings)
        lines.append("Backups made before now still hold their data.")
        return "\n".join(lines)


def mention_count(found: Footprint) -> str:
    """ "3 other texts" (a record with two mentioning fields counts twice)."""
    return _count(len(found.mentions), "other text", "other texts")


def forget_person(store: Store, person_id: int, *, redact_mentions: bool = False) -> Forgotten:
    """Erase one person in one transaction, then wipe their text from a SQLite file.

    With `redact_mentions`, their name is replaced by "[erased]" in the texts of others that
    mention them (Footprint.mentions), in the same transaction.
    """
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
                if redact_mentions:
                    _redact(connection, found.mentions, mention_terms(found.key, found.name))
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
    return Forgotten(found, wiped, tuple(warnings), redacted=redact_mentions)


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
        # The wiped pages wait in the -wal; until they are copied over the old ones, the
        # main file itself still holds the person's text.
        warnings.append(
            "Another rapport has the database open, so the wiped copy could not be written "
            "back yet: their text stays in the database file itself until every rapport "
            "window is closed."
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
    from store.export_toml import toml_escaped

    return toml_escaped(tomli_w.dumps(doc, multiline_strings=True))


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
