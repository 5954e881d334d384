"""What the screens show, as frozen rows: no ORM object ever leaves `store`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from store.db import Store
from store.models import (
    OPEN_STATUSES,
    Audience,
    Cadence,
    CheckIn,
    CheckInStatus,
    Decision,
    Engagement,
    NextStep,
    Note,
    Person,
    cadence_attendee,
    checkin_attendee,
)
from store.rhythm import RhythmError, parse_rhythm

AD_HOC = "ad-hoc call"
# A skipped meeting was logged but did not happen: it is no contact and no "last held".
HAPPENED = CheckIn.status != CheckInStatus.SKIPPED.value


@dataclass(frozen=True)
class EngagementRow:
    id: int
    key: str
    name: str
    client: str
    goal: str
    kickoff: dt.date | None


@dataclass(frozen=True)
class StepRow:
    id: int
    text: str
    owner_id: int | None
    owner: str
    due: dt.date | None
    done: bool
    checkin_id: int
    raised_at: dt.datetime


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    status: str
    open_steps: tuple[StepRow, ...] = ()


@dataclass(frozen=True)
class InformRow:
    person_id: int
    name: str
    informed_on: dt.date | None


@dataclass(frozen=True)
class DecisionRow:
    id: int
    kind: str
    title: str
    context: str
    owner_id: int | None
    owner: str
    raised: dt.date | None
    due: dt.date | None
    status: str
    outcome: str
    decided: dt.date | None
    audience: tuple[InformRow, ...]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def informed(self) -> int:
        return sum(1 for row in self.audience if row.informed_on is not None)


@dataclass(frozen=True)
class NoteRow:
    id: int
    person_id: int
    person: str
    on: dt.date
    kind: str
    text: str
    pinned: bool
    follow_up: dt.date | None


@dataclass(frozen=True)
class CheckInRow:
    id: int
    at: dt.datetime
    cadence: str
    status: str
    channel: str
    outcome: str
    mood: int | None
    attendees: tuple[str, ...]


def engagements(store: Store) -> list[EngagementRow]:
    with store.read() as session:
        rows = session.scalars(select(Engagement).order_by(Engagement.name, Engagement.id))
        return [EngagementRow(e.id, e.key, e.name, e.client, e.goal, e.kickoff) for e in rows]


def _last_contacts(session: Session, engagement_id: int) -> dict[int, dt.datetime]:
    stmt = (
        select(checkin_attendee.c.person_id, func.max(CheckIn.at))
        .join(CheckIn, CheckIn.id == checkin_attendee.c.checkin_id)
        .where(CheckIn.engagement_id == engagement_id, HAPPENED)
        .group_by(checkin_attendee.c.person_id)
    )
    at_type = CheckIn.__table__.c.at.type
    # func.max loses the column type on SQLite, so the UTC conversion is applied by hand.
    return {
        person_id: at_type.process_result_value(_as_datetime(at), None)
        for person_id, at in session.execute(stmt)
    }


def _as_datetime(value: dt.datetime | str) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


StepQuery = Select[tuple[NextStep, dt.datetime, str | None]]


def _steps_query(engagement_id: int) -> StepQuery:
    owner = aliased(Person)
    return (
        select(NextStep, CheckIn.at, owner.name)
        .join(CheckIn, CheckIn.id == NextStep.checkin_id)
        .outerjoin(owner, owner.id == NextStep.owner_id)
        .where(CheckIn.engagement_id == engagement_id)
    )


def _step_rows(session: Session, stmt: StepQuery) -> list[StepRow]:
    return [
        StepRow(step.id, step.text, step.owner_id, name or "", step.due, step.done,
                step.checkin_id, at)
        for step, at, name in session.execute(stmt)
    ]  # fmt: skip


def _open_steps(session: Session, engagement_id: int) -> list[StepRow]:
    """Every open next step of the engagement, soonest due first (undated last)."""
    stmt = (
        _steps_query(engagement_id)
        .where(NextStep.done.is_(False))
        .order_by(NextStep.due.is_(None), NextStep.due, NextStep.id)
    )
    return _step_rows(session, stmt)


def roster(store: Store, engagement_id: int) -> list[PersonRow]:
    with store.read() as session:
        last = _last_contacts(session, engagement_id)
        steps: dict[int, list[StepRow]] = {}
        for step in _open_steps(session, engagement_id):
            if step.owner_id is not None:
                steps.setdefault(step.owner_id, []).append(step)
        people = session.scalars(
            select(Person).where(Person.engagement_id == engagement_id).order_by(Person.name)
        )
        return [
            PersonRow(
                p.id, p.key, p.name, p.side, p.organisation, p.role, p.responsibilities,
                p.team, p.timezone, p.work_start, p.work_end, p.email, p.at_kickoff,
                p.first_one_on_one, p.met_in_person, last.get(p.id),
                tuple(steps.get(p.id, ())),
            )
            for p in people
        ]  # fmt: skip


def cadence_status(next_due: dt.date | None, today: dt.date) -> str:
    if next_due is None:
        return "no rhythm"
    if next_due > today:
        return "on track"
    if next_due == today:
        return "due"
    return "overdue"


def next_due(
    rhythm_text: str, last_held: dt.date | None, anchor: dt.date | None, today: dt.date
) -> dt.date | None:
    """The first expected meeting after the last one held (or since the anchor)."""
    try:
        rhythm = parse_rhythm(rhythm_text)
    except RhythmError:
        return None
    start = anchor or today
    if last_held is None:
        return rhythm.next_on_or_after(start, start)
    return rhythm.next_on_or_after(last_held + dt.timedelta(days=1), min(start, last_held))


def local_date(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(zone)).date() if zone else moment.date()


def cadences(store: Store, engagement_id: int, today: dt.date) -> list[CadenceRow]:
    with store.read() as session:
        kickoff = session.scalar(select(Engagement.kickoff).where(Engagement.id == engagement_id))
        last_stmt = (
            select(CheckIn.cadence_id, func.max(CheckIn.at))
            .where(
                CheckIn.engagement_id == engagement_id, CheckIn.cadence_id.is_not(None), HAPPENED
            )
            .group_by(CheckIn.cadence_id)
        )
        at_type = CheckIn.__table__.c.at.type
        last = {
            cid: at_type.process_result_value(_as_datetime(at), None)
            for cid, at in session.execute(last_stmt)
        }
        found = session.scalars(
            select(Cadence)
            .where(Cadence.engagement_id == engagement_id)
            .options(selectinload(Cadence.attendees), selectinload(Cadence.owner))
            .order_by(Cadence.name)
        )
        checkin_cadence = dict(
            session.execute(
                select(CheckIn.id, CheckIn.cadence_id).where(
                    CheckIn.engagement_id == engagement_id, CheckIn.cadence_id.is_not(None)
                )
            ).all()
        )
        steps: dict[int, list[StepRow]] = {}
        for step in _open_steps(session, engagement_id):
            if (cadence_id := checkin_cadence.get(step.checkin_id)) is not None:
                steps.setdefault(cadence_id, []).append(step)
        rows = []
        for c in found:
            held = last.get(c.id)
            due = next_due(c.rhythm, local_date(held, c.zone) if held else None, kickoff, today)
            rows.append(
                CadenceRow(
                    c.id, c.key, c.name, c.circle, c.rhythm, c.slot, c.zone, c.duration,
                    c.owner_id, c.owner.name if c.owner else "",
                    tuple(p.id for p in c.attendees), tuple(p.name for p in c.attendees),
                    held, due, cadence_status(due, today), tuple(steps.get(c.id, ())),
                )
            )  # fmt: skip
        return rows


def decisions(store: Store, engagement_id: int) -> list[DecisionRow]:
    with store.read() as session:
        found = session.scalars(
            select(Decision)
            .where(Decision.engagement_id == engagement_id)
            .options(
                selectinload(Decision.owner),
                selectinload(Decision.audience).selectinload(Audience.person),
            )
            .order_by(Decision.due.is_(None), Decision.due, Decision.id)
        )
        return [
            DecisionRow(
                d.id, d.kind, d.title, d.context, d.owner_id,
                d.owner.name if d.owner else "", d.raised, d.due, d.status, d.outcome,
                d.decided,
                tuple(InformRow(a.person_id, a.person.name, a.informed_on) for a in d.audience),
            )
            for d in found
        ]  # fmt: skip


def notes(store: Store, engagement_id: int) -> list[NoteRow]:
    with store.read() as session:
        stmt = (
            select(Note, Person.name)
            .join(Person, Person.id == Note.person_id)
            .where(Person.engagement_id == engagement_id)
            .order_by(Note.pinned.desc(), Note.on.desc(), Note.id.desc())
        )
        return [
            NoteRow(n.id, n.person_id, name, n.on, n.kind, n.text, n.pinned, n.follow_up)
            for n, name in session.execute(stmt)
        ]


def recent_checkins(
    store: Store, *, cadence_id: int | None = None, person_id: int | None = None, limit: int = 5
) -> list[CheckInRow]:
    """The last few check-ins of a cadence or with a person, newest first."""
    with store.read() as session:
        stmt = select(CheckIn).options(
            selectinload(CheckIn.attendees), selectinload(CheckIn.cadence)
        )
        if cadence_id is not None:
            stmt = stmt.where(CheckIn.cadence_id == cadence_id)
        if person_id is not None:
            stmt = stmt.join(checkin_attendee).where(checkin_attendee.c.person_id == person_id)
        stmt = stmt.order_by(CheckIn.at.desc()).limit(limit)
        return [
            CheckInRow(
                c.id, c.at, c.cadence.name if c.cadence else AD_HOC, c.status, c.channel,
                c.outcome,
                c.mood, tuple(p.name for p in c.attendees),
            )
            for c in session.scalars(stmt)
        ]  # fmt: skip


def person_cadences(store: Store, person_id: int) -> list[str]:
    with store.read() as session:
        stmt = (
            select(Cadence.name)
            .join(cadence_attendee, cadence_attendee.c.cadence_id == Cadence.id)
            .where(cadence_attendee.c.person_id == person_id)
            .order_by(Cadence.name)
        )
        return list(session.scalars(stmt))


def has_data(store: Store) -> bool:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Engagement)) != 0


def people_choices(store: Store, engagement_id: int) -> list[tuple[str, int]]:
    """(name, id) of everyone on the engagement, for pickers in forms."""
    with store.read() as session:
        stmt = (
            select(Person.name, Person.id)
            .where(Person.engagement_id == engagement_id)
            .order_by(Person.name)
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


def checkin_for_edit(store: Store, checkin_id: int) -> CheckInEdit | None:
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
        )  # fmt: skip


def steps_of(
    store: Store, engagement_id: int, *, cadence_id: int | None = None,
    person_id: int | None = None,
) -> list[StepRow]:  # fmt: skip
    """Next steps from a cadence's check-ins, or owned by a person: open first, newest first."""
    with store.read() as session:
        stmt = _steps_query(engagement_id)
        if cadence_id is not None:
            stmt = stmt.where(CheckIn.cadence_id == cadence_id)
        if person_id is not None:
            stmt = stmt.where(NextStep.owner_id == person_id)
        return _step_rows(session, stmt.order_by(NextStep.done, CheckIn.at.desc(), NextStep.id))
