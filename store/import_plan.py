"""An engagement file checked as a whole: every table, every reference, all problems at once.

`check_document` never touches the database: it turns the document tomllib gave into a `Plan`
of column values, references still as keys, or raises InvalidFile naming every problem found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from store.fields import FieldError
from store.logparse import check_happened
from store.models import (
    NAME_LEN,
    SHORT_LEN,
    STATUSES,
    TEXT_LEN,
    USER_LEN,
    Channel,
    CheckInStatus,
    DecisionKind,
    NoteKind,
    Side,
)
from store.validate import (
    BAD,
    Field,
    InvalidFile,
    Problems,
    array_of_tables,
    boolean,
    choice,
    clock,
    day,
    email,
    hours,
    integer,
    join,
    key,
    kind_of,
    moment,
    number,
    reference,
    references,
    rhythm,
    shown,
    suggestion,
    table,
    text,
    timezone,
)

SCHEMA_VERSION = 1


@dataclass
class CheckInPlan:
    row: dict[str, Any]
    cadence: str | None
    attendees: list[str]
    next_steps: list[tuple[dict[str, Any], str | None]]  # (row, owner key)


@dataclass
class DecisionPlan:
    row: dict[str, Any]
    owner: str | None
    audience: list[tuple[str, dt.date | None]]  # (person key, informed on), in must_inform order
    cadence: str | None = None  # home cadence key
    superseded_by: str | None = None  # another decision's key


@dataclass
class Plan:
    engagement: dict[str, Any]
    lead: str | None = None  # person key
    people: list[dict[str, Any]] = field(default_factory=list)
    cadences: list[tuple[dict[str, Any], str | None, list[str]]] = field(default_factory=list)
    checkins: list[CheckInPlan] = field(default_factory=list)
    decisions: list[DecisionPlan] = field(default_factory=list)
    notes: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    @property
    def next_step_count(self) -> int:
        return sum(len(checkin.next_steps) for checkin in self.checkins)


def _top_fields() -> dict[str, Field]:
    return {
        "schema_version": Field(lambda v: v),  # checked on its own, before everything else
        "as_of": Field(day(0)),
        "engagement": Field(lambda v: v, required=True),
        "people": Field(lambda v: v),
        "cadences": Field(lambda v: v),
        "checkins": Field(lambda v: v),
        "decisions": Field(lambda v: v),
        "notes": Field(lambda v: v),
    }


def _engagement_fields(shift: int) -> dict[str, Field]:
    return {
        "key": Field(key, required=True),
        "name": Field(text(NAME_LEN, required=True), required=True),
        "client": Field(text(NAME_LEN), default=""),
        "goal": Field(text(TEXT_LEN, multiline=True), default=""),
        "kickoff": Field(day(shift)),
        "lead": Field(reference),
    }


def _person_fields(shift: int) -> dict[str, Field]:
    return {
        "key": Field(key, required=True),
        "name": Field(text(NAME_LEN, required=True), required=True),
        "side": Field(choice(Side), required=True),
        "organisation": Field(text(SHORT_LEN), default=""),
        "role": Field(text(SHORT_LEN), default=""),
        "responsibilities": Field(text(TEXT_LEN, multiline=True), default=""),
        "team": Field(text(SHORT_LEN), default=""),
        "timezone": Field(timezone, required=True),
        "hours": Field(hours, default=(dt.time(9), dt.time(17))),
        "email": Field(email, default=""),
        "at_kickoff": Field(boolean, default=False),
        "onboarded": Field(boolean, default=False),
        "first_one_on_one": Field(day(shift)),
        "role_agreed": Field(boolean, default=False),
        "met_in_person": Field(boolean, default=False),
        "contact_every": Field(integer(1, 365)),
    }


def _cadence_fields(shift: int) -> dict[str, Field]:
    return {
        "key": Field(key, required=True),
        "name": Field(text(NAME_LEN, required=True), required=True),
        "circle": Field(text(SHORT_LEN), default=""),
        "rhythm": Field(rhythm, required=True),
        "slot": Field(clock),
        "zone": Field(timezone, default=""),
        "duration": Field(integer(1, 1440), default=30),
        "owner": Field(reference),
        "attendees": Field(references, default=[]),
        "since": Field(day(shift)),
        "paused": Field(boolean, default=False),
    }


def _checkin_fields(shift: int) -> dict[str, Field]:
    return {
        "at": Field(moment(shift), required=True),
        "cadence": Field(reference),
        "attendees": Field(references, required=True),
        # Not in docs/toml-format.md yet: without it an export would turn skipped into held.
        "status": Field(choice(CheckInStatus), default=CheckInStatus.HELD.value),
        "channel": Field(choice(Channel), default=Channel.VIDEO.value),
        "outcome": Field(text(TEXT_LEN, multiline=True), default=""),
        "mood": Field(integer(1, 5)),
        "next_steps": Field(lambda v: v, default=[]),
        "logged_by": Field(text(USER_LEN), default=""),  # the lead who logged it
    }


def _next_step_fields(shift: int) -> dict[str, Field]:
    return {
        "text": Field(text(TEXT_LEN, multiline=True, required=True), required=True),
        "owner": Field(reference),
        "due": Field(day(shift)),
        "done": Field(boolean, default=False),
    }


def _decision_fields(shift: int) -> dict[str, Field]:
    return {
        "kind": Field(choice(DecisionKind), default=DecisionKind.DECISION.value),
        "title": Field(text(NAME_LEN, required=True), required=True),
        "context": Field(text(TEXT_LEN, multiline=True), default=""),
        "owner": Field(reference),
        "raised": Field(day(shift)),
        "due": Field(day(shift)),
        "status": Field(lambda v: v),  # depends on the kind: checked with it below
        "outcome": Field(text(TEXT_LEN, multiline=True), default=""),
        "decided": Field(day(shift)),
        "must_inform": Field(references, default=[]),
        "informed": Field(lambda v: v, default={}),
        "key": Field(key),
        "cadence": Field(reference),
        "probability": Field(integer(1, 5)),
        "impact": Field(integer(1, 5)),
        "mitigation": Field(text(TEXT_LEN, multiline=True), default=""),
        "depends_on": Field(text(SHORT_LEN), default=""),
        "superseded_by": Field(reference),
        "changed_by": Field(text(USER_LEN), default=""),  # the lead who last changed it
    }


def _note_fields(shift: int) -> dict[str, Field]:
    return {
        "person": Field(reference, required=True),
        "on": Field(day(shift), required=True),
        "kind": Field(choice(NoteKind), default=NoteKind.PERSONAL.value),
        "text": Field(text(TEXT_LEN, multiline=True, required=True), required=True),
        "pinned": Field(boolean, default=False),
        "follow_up": Field(day(shift)),
        "follow_up_done": Field(day(shift)),
        "author": Field(text(USER_LEN), default=""),
        "private": Field(boolean, default=False),
    }


def check_schema_version(doc: dict[str, Any], problems: Problems) -> bool:
    """False when the file is of a version this rapport cannot read at all."""
    if "schema_version" not in doc:
        problems.add(
            "schema_version",
            f"missing; write schema_version = {SCHEMA_VERSION} at the top of the file",
        )
        return True
    version = doc["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        problems.add("schema_version", f"must be an integer, not {kind_of(version)}")
        return True
    if version > SCHEMA_VERSION:
        problems.add(
            "schema_version",
            f"the file is version {number(version)}; this rapport reads version {SCHEMA_VERSION} — "
            "update rapport to import it",
        )
        return False
    if version < SCHEMA_VERSION:
        problems.add("schema_version", f"{number(version)} is not a version; use {SCHEMA_VERSION}")
    return True


class _Refs:
    """Known keys of one list (people or cadences), and the checks that a reference names one.

    While the list itself is broken (an entry that is no table, a key that is no key), a
    reference that names nothing is not reported: it may name the broken entry, and one
    problem would come back as dozens. It is checked again once the list is fixed.
    """

    def __init__(self, noun: str, problems: Problems) -> None:
        self.noun = noun
        self.problems = problems
        self.places: dict[str, str] = {}
        self.complete = True

    def define(self, value: Any, item: str) -> None:
        """Record the key of `item` (a place like people[2]); a second use is an error."""
        if value is BAD:
            self.complete = False
            return
        if value in self.places:
            self.problems.add(
                join(item, "key"), f"{shown(value)} is already the key of {self.places[value]}"
            )
        else:
            self.places[value] = item

    def one(self, value: Any, path: str) -> str | None:
        if value is None or value is BAD:
            return None
        if value not in self.places:
            if not self.complete:
                return None
            hint = suggestion(value, self.places, self.problems)
            self.problems.add(path, f"no {self.noun} has the key {shown(value)}{hint}")
            return None
        return value

    def many(self, values: Any, path: str) -> list[str]:
        if values is BAD:
            return []
        found: list[str] = []
        seen: set[str] = set()
        for index, value in enumerate(values):
            where = f"{path}[{index}]"
            if not isinstance(value, str):
                self.problems.add(where, f"must be a string (a key), not {kind_of(value)}")
            elif value in seen:
                self.problems.add(where, f"{shown(value)} is listed twice")
            elif self.one(value, where) is not None:
                seen.add(value)
                found.append(value)
        return found


def check_document(
    doc: dict[str, Any], source: str, *, shift_days: int = 0, now: dt.datetime | None = None
) -> Plan:
    """The clean plan of a parsed file, or InvalidFile naming every problem in it.

    A check-in later than `now` (default: the clock) by more than a few minutes is refused.
    """
    now = now or dt.datetime.now(dt.UTC)
    problems = Problems(source)
    if not check_schema_version(doc, problems):
        # A newer format's other keys would all look wrong; the version is the one thing to say.
        raise InvalidFile(problems.all())
    shift = shift_days
    top = table(doc, "", _top_fields(), problems) or {}
    engagement = None
    if top.get("engagement") is not BAD:
        engagement = table(top["engagement"], "engagement", _engagement_fields(shift), problems)
    people_refs = _Refs("person", problems)
    cadence_refs = _Refs("cadence", problems)
    plan = Plan(engagement=engagement or {})

    # People and cadences first, whatever their place in the file: the rest refers to them.
    fields = _person_fields(shift)
    people_refs.complete = isinstance(doc.get("people", []), list)
    for index, raw in enumerate(array_of_tables(doc, "people", problems)):
        path = f"people[{index}]"
        person = table(raw, path, fields, problems)
        if person is None:
            people_refs.complete = False
        else:
            people_refs.define(person["key"], path)
            work = person.pop("hours")
            person["work_start"], person["work_end"] = (BAD, BAD) if work is BAD else work
            plan.people.append(person)

    if engagement is not None:
        plan.lead = people_refs.one(engagement.pop("lead"), "engagement.lead")

    fields = _cadence_fields(shift)
    cadence_refs.complete = isinstance(doc.get("cadences", []), list)
    for index, raw in enumerate(array_of_tables(doc, "cadences", problems)):
        path = f"cadences[{index}]"
        cadence = table(raw, path, fields, problems)
        if cadence is None:
            cadence_refs.complete = False
            continue
        cadence_refs.define(cadence["key"], path)
        owner = people_refs.one(cadence.pop("owner"), join(path, "owner"))
        attendees = people_refs.many(cadence.pop("attendees"), join(path, "attendees"))
        if cadence["slot"] not in (None, BAD) and not cadence["zone"]:
            problems.add(join(path, "zone"), "missing; it is required when slot is given")
        plan.cadences.append((cadence, owner, attendees))

    fields = _checkin_fields(shift)
    step_fields = _next_step_fields(shift)
    for index, raw in enumerate(array_of_tables(doc, "checkins", problems)):
        path = f"checkins[{index}]"
        checkin = table(raw, path, fields, problems)
        if checkin is None:
            continue
        if isinstance(checkin["at"], dt.datetime):
            try:
                check_happened(checkin["at"], now)
            except FieldError as error:
                problems.add(join(path, "at"), str(error))
        cadence_key = cadence_refs.one(checkin.pop("cadence"), join(path, "cadence"))
        attendees = people_refs.many(checkin.pop("attendees"), join(path, "attendees"))
        steps: list[tuple[dict[str, Any], str | None]] = []
        for step_index, step_raw in enumerate(
            array_of_tables(checkin, "next_steps", problems, path)
        ):
            step_path = f"{path}.next_steps[{step_index}]"
            step = table(step_raw, step_path, step_fields, problems)
            if step is not None:
                owner = people_refs.one(step.pop("owner"), join(step_path, "owner"))
                steps.append((step, owner))
        del checkin["next_steps"]
        plan.checkins.append(CheckInPlan(checkin, cadence_key, attendees, steps))

    fields = _decision_fields(shift)
    decision_refs = _Refs("decision", problems)
    superseding: list[tuple[DecisionPlan, Any, str]] = []
    for index, raw in enumerate(array_of_tables(doc, "decisions", problems)):
        path = f"decisions[{index}]"
        decision = table(raw, path, fields, problems)
        if decision is None:
            decision_refs.complete = False
            continue
        if decision["key"] is not None:
            decision_refs.define(decision["key"], path)
        home = cadence_refs.one(decision.pop("cadence"), join(path, "cadence"))
        later = decision.pop("superseded_by")
        item = _decision(decision, path, people_refs, problems, shift)
        item.cadence = home
        plan.decisions.append(item)
        superseding.append((item, later, join(path, "superseded_by")))
    # A decision may be superseded by one further down the file: resolved once all are known.
    for item, later, where in superseding:
        item.superseded_by = decision_refs.one(later, where)

    fields = _note_fields(shift)
    for index, raw in enumerate(array_of_tables(doc, "notes", problems)):
        path = f"notes[{index}]"
        note = table(raw, path, fields, problems)
        if note is not None:
            person = people_refs.one(note.pop("person"), join(path, "person"))
            if note.get("follow_up_done") is not None and note.get("follow_up") is None:
                problems.add(join(path, "follow_up_done"), "done, but the note has no follow_up")
            plan.notes.append((note, person or ""))

    if problems:
        raise InvalidFile(problems.all())
    return plan


def _decision(
    decision: dict[str, Any], path: str, people: _Refs, problems: Problems, shift: int
) -> DecisionPlan:
    kind = decision["kind"]
    status = decision["status"]
    if status is None:
        decision["status"] = "open"
    elif not isinstance(status, str):
        problems.add(join(path, "status"), f"must be a string, not {kind_of(status)}")
    elif kind is not BAD and status not in STATUSES[DecisionKind(kind)]:
        allowed = ", ".join(STATUSES[DecisionKind(kind)])
        problems.add(
            join(path, "status"), f"{shown(status)} is not a status of a {kind}; use {allowed}"
        )
    owner = people.one(decision.pop("owner"), join(path, "owner"))
    must_inform = people.many(decision.pop("must_inform"), join(path, "must_inform"))

    informed: dict[str, dt.date] = {}
    raw_informed = decision.pop("informed")
    informed_path = join(path, "informed")
    if not isinstance(raw_informed, dict):
        problems.add(informed_path, f"must be a table of key = date, not {kind_of(raw_informed)}")
    else:
        listed = set(must_inform)
        to_day = day(shift)
        for person_key, when in raw_informed.items():
            where = join(informed_path, person_key)
            if people.one(person_key, where) is None:
                continue
            if person_key not in listed:
                problems.add(where, f"{shown(person_key)} is not in must_inform")
                continue
            try:
                informed[person_key] = to_day(when)
            except FieldError as error:
                problems.add(where, str(error))
    audience = [(person_key, informed.get(person_key)) for person_key in must_inform]
    return DecisionPlan(decision, owner, audience)
