"""What the screens show, as frozen rows: no ORM object ever leaves `store`.

Reads of columns select from the Core tables (store.tables) on a Core connection, so the
first screen (the engagements, a page of the roster, Today's notes) is up before the ORM is
imported; the few that load ORM objects import the models when they run.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Row, Select, case, func, select

from store import health
from store.db import Store
from store.health import Expected
from store.occurrences import cadence_start, checkin_day
from store.sharing import Shared
from store.tables import Channel, CheckInStatus, UTCDateTime, cadence_attendee, checkin_attendee
from store.tables import cadence as cadence_t
from store.tables import checkin as checkin_t
from store.tables import engagement as engagement_t
from store.tables import next_step as next_step_t
from store.tables import note as note_t
from store.tables import person as person_t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

AD_HOC = "ad-hoc call"
# Rows fetched at a time by the reads of a whole engagement (yield_per): the ORM otherwise
# holds every row of the result at once while the list is built from them.
STREAM_ROWS = 1000
# A skipped meeting was logged but did not happen: it is no contact and no "last held".
HAPPENED = checkin_t.c.status != CheckInStatus.SKIPPED.value


@dataclass(frozen=True, slots=True)
class EngagementRow:
    id: int
    key: str
    name: str
    client: str
    goal: str
    kickoff: dt.date | None


@dataclass(frozen=True, slots=True)
class StepRow:
    id: int
    text: str
    owner_id: int | None
    owner: str
    due: dt.date | None
    done: bool
    checkin_id: int
    raised_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    key: str
    name: str
    side: str
    organisation: str
    role: str
    responsibilities: str
    team: str
    timezone: str
    work_start: dt.time
    work_end: dt.time
    email: str
    at_kickoff: bool
    first_one_on_one: dt.date | None
    met_in_person: bool
    last_contact: dt.datetime | None
    open_steps: tuple[StepRow, ...] = ()
    onboarded: bool = False
    role_agreed: bool = False
    contact_every: int | None = None  # as stored; None: the default for their side and role
    contact_target: int = 30  # in effect: contact_every, or the default
    losing_touch: bool = False  # past their contact target
    onboarding: int = 0  # the x of x/4 (store.health.onboarding_score)
    late_joiner: bool = False  # not at the kickoff and not onboarded since
    version: int = 0  # what an edit starts from (optimistic locking)
    # The onboarding facts as known: the stored ones (noted by hand, from before rapport)
    # or proven by a logged check-in (store.health.known_onboarding).
    first_one_on_one_known: dt.date | None = None
    met_in_person_known: bool = False


@dataclass(frozen=True, slots=True)
class CadenceRow:
    id: int
    key: str
    name: str
    circle: str
    rhythm: str
    slot: dt.time | None
    zone: str
    duration: int
    owner_id: int | None
    owner: str
    attendee_ids: tuple[int, ...]
    attendees: tuple[str, ...]
    last_held: dt.datetime | None
    next_due: dt.date | None
    status: str  # on track | due | overdue | lapsed | paused | no rhythm
    open_steps: tuple[StepRow, ...] = ()
    drift: float | None = None  # days since last held ÷ the rhythm's interval
    history: tuple[Expected, ...] = ()  # the last 12 expected meetings, oldest first
    paused: bool = False
    since: dt.date | None = None  # as stored; None: the rhythm counts from the kickoff
    version: int = 0


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    person_id: int
    person: str
    on: dt.date
    kind: str
    text: str
    pinned: bool
    follow_up: dt.date | None
    version: int = 0
    author: str = ""  # who wrote it ("" when not known)
    private: bool = False  # readable by its author only
    follow_up_done: dt.date | None = None  # when the follow-up was done; None: still to do

    @property
    def follow_up_open(self) -> bool:
        """A follow-up that is set and not done yet."""
        return self.follow_up is not None and self.follow_up_done is None


@dataclass(frozen=True, slots=True)
class CheckInRow:
    id: int
    at: dt.datetime
    cadence: str
    status: str
    channel: str
    outcome: str
    mood: int | None
    attendees: tuple[str, ...]
    logged_by: str = ""  # the lead who logged it ("" when not known)


def engagements(store: Store) -> list[EngagementRow]:
    e = engagement_t.c
    with store.connect() as connection:
        rows = connection.execute(
            select(e.id, e.key, e.name, e.client, e.goal, e.kickoff).order_by(e.name, e.id)
        )
        return [EngagementRow(*row) for row in rows]


def _last_contacts(
    session: Connection | Session, engagement_id: int, people: Sequence[int] | None = None
) -> dict[int, dt.datetime]:
    """Last contact per person: everyone's (one pass over the engagement's check-ins), or
    only `people`'s (through the attendee index: cheap for a page of a long roster)."""
    stmt = (
        select(checkin_attendee.c.person_id, func.max(checkin_t.c.at))
        .join(checkin_t, checkin_t.c.id == checkin_attendee.c.checkin_id)
        .where(checkin_t.c.engagement_id == engagement_id, HAPPENED)
        .group_by(checkin_attendee.c.person_id)
    )
    if people is not None:
        stmt = stmt.where(checkin_attendee.c.person_id.in_(people))
    at_type = checkin_t.c.at.type
    # func.max loses the column type on SQLite, so the UTC conversion is applied by hand.
    return {
        person_id: at_type.process_result_value(_as_datetime(at), None)
        for person_id, at in session.execute(stmt).all()
    }


# A one-on-one is a check-in with the person and at most one other (the lead): the rule the
# Roster's onboarding, Today and the briefing's "last one-on-one" share.
ONE_ON_ONE_SIZE = 2


def checkin_size() -> Any:
    """How many attended the (correlated) check-in: compare with ONE_ON_ONE_SIZE."""
    others = checkin_attendee.alias("others")
    return (
        select(func.count())
        .select_from(others)
        .where(others.c.checkin_id == checkin_t.c.id)
        .correlate(checkin_t)
        .scalar_subquery()
    )


def _proven_onboarding(
    session: Connection | Session, engagement_id: int, people: Sequence[int] | None = None
) -> dict[int, tuple[dt.datetime | None, bool]]:
    """Per person, what logged check-ins prove: their first one-on-one (its moment) and
    whether they were met on-site; people with neither are left out."""
    checkin = checkin_t.c
    on_site = checkin.channel == Channel.ON_SITE.value
    stmt = (
        select(
            checkin_attendee.c.person_id,
            func.min(case((checkin_size() <= ONE_ON_ONE_SIZE, checkin.at))),
            func.max(case((on_site, 1), else_=0)),
        )
        .join(checkin_t, checkin.id == checkin_attendee.c.checkin_id)
        .where(checkin.engagement_id == engagement_id, HAPPENED)
        .group_by(checkin_attendee.c.person_id)
    )
    if people is not None:
        stmt = stmt.where(checkin_attendee.c.person_id.in_(people))
    at_type = UTCDateTime()  # the column's own type, which func.min loses on SQLite
    found: dict[int, tuple[dt.datetime | None, bool]] = {}
    for person_id, first, met in session.execute(stmt).all():
        if first is not None or met:
            moment = (
                None if first is None else at_type.process_result_value(_as_datetime(first), None)
            )
            found[person_id] = (moment, bool(met))
    return found


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


StepQuery = Select[tuple[int, str, int | None, str | None, dt.date | None, bool, int, dt.datetime]]


def _steps_query(engagement_id: int | None) -> StepQuery:
    """Next steps with when they were raised and their owner's name: the engagement's, or
    (None) any, for a query that narrows them otherwise."""
    # Columns, not entities: building ORM objects costs more than the query at 100k rows.
    owner, step, checkin = person_t.alias("owner"), next_step_t.c, checkin_t.c
    stmt = (
        select(
            step.id, step.text, step.owner_id, owner.c.name, step.due, step.done,
            step.checkin_id, checkin.at,
        )
        .join(checkin_t, checkin.id == step.checkin_id)
        .outerjoin(owner, owner.c.id == step.owner_id)
    )  # fmt: skip
    return stmt if engagement_id is None else stmt.where(checkin.engagement_id == engagement_id)


def _step_rows(
    session: Connection | Session, stmt: StepQuery, same: Shared | None = None
) -> list[StepRow]:
    same = same or Shared()
    return [
        StepRow(
            step_id,
            text,
            same(owner_id),
            same(name or ""),
            same(due),
            done,
            same(checkin_id),
            same(at),
        )
        for step_id, text, owner_id, name, due, done, checkin_id, at in session.execute(stmt).all()
    ]


def _open_steps(
    session: Connection | Session,
    engagement_id: int,
    owners: Sequence[int] | None = None,
    same: Shared | None = None,
) -> list[StepRow]:
    """Every open next step of the engagement (of `owners` only, if given), soonest due
    first (undated last)."""
    # The owners are the engagement's people, so their steps are its steps; without the
    # engagement condition SQLite finds them by owner instead of reading every check-in.
    stmt = (
        _steps_query(engagement_id if owners is None else None)
        .where(next_step_t.c.done.is_(False))
        .order_by(next_step_t.c.due.is_(None), next_step_t.c.due, next_step_t.c.id)
    )
    if owners is not None:
        stmt = stmt.where(next_step_t.c.owner_id.in_(owners))
    return _step_rows(session, stmt, same)


# The person columns the roster reads (by attribute, as it would an ORM object).
PERSON_COLUMNS = tuple(
    person_t.c[name]
    for name in (
        "id", "key", "name", "side", "organisation", "role", "responsibilities", "team",
        "timezone", "work_start", "work_end", "email", "at_kickoff", "first_one_on_one",
        "met_in_person", "onboarded", "role_agreed", "contact_every", "version",
    )
)  # fmt: skip


def roster(
    store: Store,
    engagement_id: int,
    today: dt.date | None = None,
    *,
    limit: int | None = None,
    people: Sequence[int] | None = None,
) -> list[PersonRow]:
    """Everyone on the engagement by name; or the first `limit`, or only `people` (a page
    costs the same however long the roster is). Contact targets are judged on `today`
    (default: the local date now)."""
    if today is None:
        from store.since import lead_day

        today = lead_day(dt.datetime.now(dt.UTC))
    person = person_t.c
    with store.connect() as session:
        kickoff = _kickoff(session, engagement_id)
        stmt = select(*PERSON_COLUMNS).where(person.engagement_id == engagement_id)
        if people is not None:
            stmt = stmt.where(person.id.in_(people))
        stmt = stmt.order_by(person.name, person.id).limit(limit)
        page = None
        if limit is not None or people is not None:
            found: Iterable[Any] = session.execute(stmt).all()
            page = [p.id for p in found]
        last = _last_contacts(session, engagement_id, page)
        proven = _proven_onboarding(session, engagement_id, page)
        same = Shared()
        steps: dict[int, list[StepRow]] = {}
        for step in _open_steps(session, engagement_id, page, same):
            if step.owner_id is not None:
                steps.setdefault(step.owner_id, []).append(step)
        if page is None:  # everyone: streamed, not held as rows while the list is built
            found = session.execute(stmt.execution_options(yield_per=STREAM_ROWS))
        rows = []
        # Unpacked, not read by attribute: at 5,000 people the attribute lookups on result
        # rows were a third of this loop.
        for person in found:
            (
                person_id, key, name, side, organisation, role, responsibilities, team,
                timezone, work_start, work_end, email, at_kickoff, first_one_on_one,
                met_in_person, onboarded, role_agreed, contact_every, version,
            ) = person  # fmt: skip
            target = contact_every or health.default_contact_days(side, role)
            contact = last.get(person_id)
            first_known, met_known = health.known_onboarding(
                first_one_on_one, met_in_person, *proven.get(person_id, (None, False))
            )
            rows.append(
                PersonRow(
                    person_id, same(key), same(name), same(side), same(organisation), same(role),
                    same(responsibilities), same(team), same(timezone), same(work_start),
                    same(work_end), email, at_kickoff, same(first_one_on_one), met_in_person,
                    contact, tuple(steps.get(person_id, ())), onboarded, role_agreed,
                    contact_every, target,
                    health.losing_touch(contact, target, today, kickoff),
                    health.onboarding_score(
                        at_kickoff, onboarded, first_known, role_agreed, met_known
                    ),
                    health.late_joiner(at_kickoff, onboarded),
                    version, same(first_known), met_known,
                )
            )  # fmt: skip
        return rows


def _kickoff(session: Connection | Session, engagement_id: int) -> dt.date | None:
    return session.scalar(select(engagement_t.c.kickoff).where(engagement_t.c.id == engagement_id))


def cadence_attendees(
    session: Connection | Session, engagement_id: int, *columns: ColumnElement[Any]
) -> dict[int, list[tuple[Any, ...]]]:
    """Each of the engagement's cadences' attendees in their order: the given person
    columns for each (a cadence nobody attends is left out)."""
    link = cadence_attendee.c
    found: dict[int, list[tuple[Any, ...]]] = {}
    for cadence_id, *values in session.execute(
        select(link.cadence_id, *columns)
        .join(person_t, person_t.c.id == link.person_id)
        .join(cadence_t, cadence_t.c.id == link.cadence_id)
        .where(cadence_t.c.engagement_id == engagement_id)
        .order_by(link.cadence_id, link.position)
    ):
        found.setdefault(cadence_id, []).append(tuple(values))
    return found


def cadences(store: Store, engagement_id: int, today: dt.date) -> list[CadenceRow]:
    """Every cadence by name with its health on `today` (store.health.cadence_health)."""
    cadence, person, checkin = cadence_t.c, person_t.c, checkin_t.c
    owner = person_t.alias("owner")
    with store.connect() as session:
        kickoff = _kickoff(session, engagement_id)
        found = session.execute(
            select(
                cadence.id, cadence.key, cadence.name, cadence.circle, cadence.rhythm,
                cadence.slot, cadence.zone, cadence.duration, cadence.owner_id,
                owner.c.name.label("owner_name"),
                cadence.paused, cadence.since, cadence.version,
            )
            .outerjoin(owner, owner.c.id == cadence.owner_id)
            .where(cadence.engagement_id == engagement_id)
            .order_by(cadence.name)
        ).all()  # fmt: skip
        by_id = {c.id: c for c in found}
        attendees = cadence_attendees(session, engagement_id, person.id, person.name)
        open_steps = _open_steps(session, engagement_id)
        step_checkins = {step.checkin_id for step in open_steps}
        # Every check-in of every cadence in one query, a cadence at a time: its health is
        # judged as soon as its check-ins are read, so they are never all held at once. Only
        # a skipped one's outcome is needed (its reason), so long outcomes are not loaded.
        reason = case((checkin.status == CheckInStatus.SKIPPED.value, checkin.outcome), else_="")
        checkin_cadence: dict[int, int] = {}
        healths: dict[int, health.CadenceHealth] = {}
        stmt = (
            select(checkin.id, checkin.cadence_id, checkin.at, checkin.status, reason)
            .where(checkin.engagement_id == engagement_id, checkin.cadence_id.is_not(None))
            .order_by(checkin.cadence_id, checkin.at, checkin.id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        same = Shared()
        for cadence_id, group in groupby(session.execute(stmt), key=itemgetter(1)):
            checkins = []
            for checkin_id, _cadence_id, at, status, outcome in group:
                if checkin_id in step_checkins:
                    checkin_cadence[checkin_id] = cadence_id
                checkins.append((at, same(status), outcome or ""))
            if (cadence := by_id.get(cadence_id)) is not None:
                healths[cadence_id] = _cadence_health(cadence, checkins, kickoff, today)
        steps: dict[int, list[StepRow]] = {}
        for step in open_steps:
            if (cadence_id := checkin_cadence.get(step.checkin_id)) is not None:
                steps.setdefault(cadence_id, []).append(step)
        rows = []
        for c in found:
            h = healths.get(c.id) or _cadence_health(c, [], kickoff, today)
            people = attendees.get(c.id, ())
            rows.append(
                CadenceRow(
                    c.id, c.key, c.name, c.circle, c.rhythm, c.slot, c.zone, c.duration,
                    c.owner_id, c.owner_name or "",
                    tuple(pid for pid, _name in people), tuple(name for _pid, name in people),
                    h.last_held, h.next_due, h.status, tuple(steps.get(c.id, ())),
                    drift=h.drift, history=h.history, paused=c.paused, since=c.since,
                    version=c.version,
                )
            )  # fmt: skip
        return rows


def _cadence_health(
    cadence: Row[Any],  # a row of `cadences`: its rhythm, zone, since and paused
    checkins: list[tuple[dt.datetime, str, str]],
    kickoff: dt.date | None,
    today: dt.date,
) -> health.CadenceHealth:
    first = checkin_day(checkins[0][0], cadence.zone) if checkins else None
    start = cadence_start(cadence.since, kickoff, first, today)
    return health.cadence_health(
        cadence.rhythm, start, cadence.paused, checkins, cadence.zone, today
    )


def _note_columns() -> tuple[ColumnElement[Any], ...]:
    note, person = note_t.c, person_t.c
    return (
        note.id, note.person_id, person.name, note.on, note.kind, note.text,
        note.pinned, note.follow_up, note.version, note.author, note.private,
        note.follow_up_done,
    )  # fmt: skip


def _note_rows(rows: Iterable[Row[Any]]) -> list[NoteRow]:
    same = Shared()
    return [
        NoteRow(note_id, same(person_id), same(name), same(on), same(kind), text, pinned,
                same(follow_up), version, same(author), private, same(done))
        for note_id, person_id, name, on, kind, text, pinned, follow_up, version, author,
        private, done in rows
    ]  # fmt: skip


# The order of the Notes list: pinned first, newest first.
def _note_order() -> tuple[ColumnElement[Any], ...]:
    note = note_t.c
    return (note.pinned.desc(), note.on.desc(), note.id.desc())


def notes(
    store: Store, engagement_id: int, *, follow_up_until: dt.date | None = None
) -> list[NoteRow]:
    """The engagement's notes, pinned first, newest first; or only those with a follow-up
    not done yet and due by `follow_up_until` (included): the few Today can show, in a
    fraction of the time all of them take."""
    note, person = note_t.c, person_t.c
    with store.connect() as session:
        stmt = (
            select(*_note_columns())
            .join(person_t, person.id == note.person_id)
            .order_by(*_note_order())
            .execution_options(yield_per=STREAM_ROWS)
        )
        if follow_up_until is None:
            stmt = stmt.where(person.engagement_id == engagement_id)
        else:
            # The open follow-ups first (one range of ix_note_follow_up), then their people:
            # "+ 0" keeps the planner from starting at the engagement's people (without
            # statistics SQLite does), which at 5,000 people and 25,000 notes took 20 ms
            # instead of 1.
            stmt = stmt.where(
                note.follow_up_done.is_(None),
                note.follow_up <= follow_up_until,
                person.engagement_id + 0 == engagement_id,
            )
        return _note_rows(session.execute(stmt))


@dataclass(frozen=True, slots=True)
class NoteOrder:
    """The engagement's notes in the order `notes` gives them, as ids and the ids of the
    people they are about: what the Notes list holds, reading the rows it shows a page at
    a time (`notes_by_id`). At 25,000 notes the rows themselves are megabytes."""

    ids: array[int]
    person_ids: array[int]


def note_order(store: Store, engagement_id: int) -> NoteOrder:
    note, person = note_t.c, person_t.c
    ids, person_ids = array("q"), array("q")
    with store.connect() as connection:
        rows = connection.execute(
            select(note.id, note.person_id)
            .join(person_t, person.id == note.person_id)
            .where(person.engagement_id == engagement_id)
            .order_by(*_note_order())
            .execution_options(yield_per=STREAM_ROWS)
        )
        for note_id, person_id in rows:
            ids.append(note_id)
            person_ids.append(person_id)
    return NoteOrder(ids, person_ids)


def notes_by_id(store: Store, ids: Collection[int]) -> dict[int, NoteRow]:
    """These notes, by id; a note deleted meanwhile is missing."""
    if not ids:
        return {}
    note, person = note_t.c, person_t.c
    with store.connect() as connection:
        rows = connection.execute(
            select(*_note_columns())
            .join(person_t, person.id == note.person_id)
            .where(note.id.in_(list(ids)))
        )
        return {row.id: row for row in _note_rows(rows)}


def notes_matching(store: Store, engagement_id: int, needle: str) -> set[int]:
    """The ids of the engagement's notes whose person, kind or text contain `needle`,
    ignoring case (the Notes list's `/`, done by the database instead of over every note's
    text held in memory)."""
    note, person = note_t.c, person_t.c
    haystack = person.name + " " + note.kind + " " + note.text
    if needle.isascii() and store.engine.dialect.name == "sqlite":
        # SQLite's own LIKE ignores the case of ASCII letters, and an ASCII needle matches
        # nothing else: 10 ms at 25,000 notes, against 60 through Python's lower() per row
        # (which takes the GIL from the UI thread on every row).
        found = haystack.contains(needle, autoescape=True)
    else:
        found = func.lower(haystack).contains(needle.lower(), autoescape=True)
    with store.connect() as connection:
        return set(
            connection.scalars(
                select(note.id)
                .join(person_t, person.id == note.person_id)
                .where(person.engagement_id == engagement_id, found)
            )
        )


def recent_checkins(
    store: Store, *, cadence_id: int | None = None, person_id: int | None = None, limit: int = 5
) -> list[CheckInRow]:
    """The last few check-ins of a cadence or with a person, newest first."""
    checkin, cadence, link, person = checkin_t.c, cadence_t.c, checkin_attendee.c, person_t.c
    with store.connect() as session:
        stmt = select(
            checkin.id, checkin.at, cadence.name, checkin.status, checkin.channel,
            checkin.outcome, checkin.mood, checkin.logged_by,
        ).outerjoin(cadence_t, cadence.id == checkin.cadence_id)  # fmt: skip
        if cadence_id is not None:
            stmt = stmt.where(checkin.cadence_id == cadence_id)
        if person_id is not None:
            stmt = stmt.join(checkin_attendee, link.checkin_id == checkin.id).where(
                link.person_id == person_id
            )
        stmt = stmt.order_by(checkin.at.desc(), checkin.id.desc()).limit(limit)
        found = session.execute(stmt).all()
        names: dict[int, list[str]] = {}
        for checkin_id, name in session.execute(
            select(link.checkin_id, person.name)
            .join(person_t, person.id == link.person_id)
            .where(link.checkin_id.in_([c.id for c in found]))
            .order_by(link.checkin_id, link.position)
        ):
            names.setdefault(checkin_id, []).append(name)
        return [
            CheckInRow(
                c.id, c.at, c.name or AD_HOC, c.status, c.channel, c.outcome, c.mood,
                tuple(names.get(c.id, ())), c.logged_by,
            )
            for c in found
        ]  # fmt: skip


def person_cadences(store: Store, person_id: int) -> list[str]:
    with store.connect() as session:
        stmt = (
            select(cadence_t.c.name)
            .join(cadence_attendee, cadence_attendee.c.cadence_id == cadence_t.c.id)
            .where(cadence_attendee.c.person_id == person_id)
            .order_by(cadence_t.c.name)
        )
        return list(session.scalars(stmt))


def has_data(store: Store) -> bool:
    with store.connect() as session:
        return session.scalar(select(func.count()).select_from(engagement_t)) != 0


def people_choices(store: Store, engagement_id: int) -> list[tuple[str, int]]:
    """(name, id) of everyone on the engagement, for pickers in forms."""
    person = person_t.c
    with store.connect() as session:
        stmt = (
            select(person.name, person.id)
            .where(person.engagement_id == engagement_id)
            .order_by(person.name)
        )
        return [(name, person_id) for name, person_id in session.execute(stmt)]


@dataclass(frozen=True)
class CheckInEdit:
    """A logged check-in as the log form shows it for editing."""

    id: int
    at: dt.datetime
    cadence_id: int | None
    attendee_ids: tuple[int, ...]
    status: str
    channel: str
    outcome: str
    mood: int | None
    next_steps: str  # one per line, in the form the log form parses
    version: int = 0


def checkin_for_edit(store: Store, checkin_id: int) -> CheckInEdit | None:
    from sqlalchemy.orm import selectinload

    from store.models import CheckIn, NextStep

    with store.read() as session:
        checkin = session.scalar(
            select(CheckIn)
            .where(CheckIn.id == checkin_id)
            .options(
                selectinload(CheckIn.attendees),
                selectinload(CheckIn.next_steps).selectinload(NextStep.owner),
            )
        )
        if checkin is None:
            return None
        lines = []
        for step in checkin.next_steps:
            owner = f"{step.owner.key}: " if step.owner else ""
            due = f" by {step.due.isoformat()}" if step.due else ""
            lines.append(f"{owner}{step.text}{due}")
        return CheckInEdit(
            checkin.id, checkin.at, checkin.cadence_id, tuple(p.id for p in checkin.attendees),
            checkin.status, checkin.channel, checkin.outcome, checkin.mood, "\n".join(lines),
            checkin.version,
        )  # fmt: skip


def steps_of(
    store: Store, engagement_id: int, *, cadence_id: int | None = None,
    person_id: int | None = None,
) -> list[StepRow]:  # fmt: skip
    """Next steps from a cadence's check-ins, or owned by a person: open first, newest first."""
    step, checkin = next_step_t.c, checkin_t.c
    with store.connect() as session:
        stmt = _steps_query(engagement_id)
        if cadence_id is not None:
            stmt = stmt.where(checkin.cadence_id == cadence_id)
        if person_id is not None:
            stmt = stmt.where(step.owner_id == person_id)
        return _step_rows(session, stmt.order_by(step.done, checkin.at.desc(), step.id))
