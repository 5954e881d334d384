"""Engagements in and out as TOML files (docs/toml-format.md): what the command line calls.

Import reads the whole file, checks all of it (store.import_plan) and only then writes, in one
transaction, with bulk inserts. Export lives in store.export_toml and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.export_toml import ExportError, export_engagement
from store.files import write_private  # one home for writing a file whole; exported here
from store.import_plan import Plan, check_document
from store.models import (
    Audience,
    Cadence,
    CheckIn,
    Decision,
    Engagement,
    NextStep,
    Note,
    Person,
    cadence_attendee,
    checkin_attendee,
)
from store.replacement import Replacement, compare, fingerprint
from store.validate import InvalidFile

__all__ = [
    "MAX_FILE_BYTES",
    "ExportError",
    "ImportPreview",
    "ImportSummary",
    "InvalidFile",
    "demo_shift",
    "export_engagement",
    "import_document",
    "import_file",
    "load_sample",
    "parse_toml",
    "preview_file",
    "write_plan",
    "write_private",
]

# Far beyond any real engagement (the sample is 56 KiB); refused before it is read whole.
MAX_FILE_BYTES = 256 * 1024 * 1024
SAMPLE_SOURCE = "sample.toml"
_UTF8_BOM = b"\xef\xbb\xbf"
_AT_LINE = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S)
_AT_END = re.compile(r"^(?P<msg>.*) \(at end of document\)$", re.S)


@dataclass(frozen=True)
class ImportSummary:
    key: str
    name: str
    people: int
    cadences: int
    checkins: int
    next_steps: int
    decisions: int
    notes: int
    replaced: bool = False

    def __str__(self) -> str:
        counts = ", ".join(
            _count(n, one, many)
            for n, one, many in (
                (self.people, "person", "people"),
                (self.cadences, "cadence", "cadences"),
                (self.checkins, "check-in", "check-ins"),
                (self.next_steps, "next step", "next steps"),
                (self.decisions, "decision", "decisions"),
                (self.notes, "note", "notes"),
            )
        )
        replaced = ", replacing the one of the same key" if self.replaced else ""
        return f"engagement {self.key!r} ({self.name}): {counts}{replaced}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- reading ----------------------------------------------------------------------------------


def read_file(path: Path) -> bytes:
    """The file's bytes, or InvalidFile if it cannot be read or is too large to."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
                raise InvalidFile([_too_large(source, info.st_size)])
            # Bounded even when the size lied (a pipe, a file still growing).
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise InvalidFile([f"{source}: is a folder, not a file"]) from None
    except FileNotFoundError:
        raise InvalidFile([f"{source}: no such file"]) from None
    except OSError as error:
        raise InvalidFile([f"{source}: cannot read it: {error.strerror or error}"]) from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFile([_too_large(source, len(data))])
    return data


def _too_large(source: str, size: int) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return f"{source}: too large ({size:,} bytes); rapport reads files up to {limit} MiB"


def parse_toml(data: bytes, source: str) -> dict[str, Any]:
    """Decode UTF-8 and parse TOML, or InvalidFile with `source:line:col` for syntax errors."""
    import tomllib

    if data.startswith(_UTF8_BOM):  # some Windows editors write one; it carries no meaning
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidFile(
            [
                f"{source}: not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
                "save the file as UTF-8"
            ]
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidFile([_syntax_message(source, text, error)]) from None
    except RecursionError:
        raise InvalidFile(
            [f"{source}: arrays or tables are nested too deeply to read; is this an engagement?"]
        ) from None
    except ValueError as error:  # e.g. an integer with more digits than Python will convert
        reason = "a number is too long" if "digits" in str(error) else "not valid TOML"
        raise InvalidFile([f"{source}: cannot read it: {reason}"]) from None


def _syntax_message(source: str, text: str, error: Exception) -> str:
    message = str(error)
    line, col = getattr(error, "lineno", None), getattr(error, "colno", None)
    if line is not None and col is not None:  # Python 3.14+ carries them
        message = getattr(error, "msg", message)
    elif match := _AT_LINE.match(message):
        message, line, col = match["msg"], int(match["line"]), int(match["col"])
    elif match := _AT_END.match(message):
        message = match["msg"]
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
    else:
        return f"{source}: {message}"
    return f"{source}:{line}:{col}: {message}"


# --- importing --------------------------------------------------------------------------------


def import_file(
    store: Store,
    path: Path,
    *,
    replace: bool = False,
    dry_run: bool = False,
    shift_days: int = 0,
) -> ImportSummary:
    source = str(path)
    doc = parse_toml(read_file(path), source)
    return import_document(
        store, doc, source, replace=replace, dry_run=dry_run, shift_days=shift_days
    )


def import_document(
    store: Store,
    doc: dict[str, Any],
    source: str,
    *,
    replace: bool = False,
    dry_run: bool = False,
    shift_days: int = 0,
    now: dt.datetime | None = None,
) -> ImportSummary:
    """Check the whole document, then write it in one transaction (or not at all).

    `now` (default: the clock) is what a check-in must not be later than."""
    plan = check_document(doc, source, shift_days=shift_days, now=now)
    if dry_run:
        return preview_plan(store, plan, source, replace=replace).summary
    return write_plan(store, plan, source, replace=replace)


@dataclass(frozen=True)
class ImportPreview:
    plan: Plan
    summary: ImportSummary
    replacement: Replacement | None  # None: no engagement has the file's key yet


def preview_file(store: Store, path: Path, *, replace: bool = False) -> ImportPreview:
    """The file checked whole, and what importing it would replace; nothing is written."""
    source = str(path)
    plan = check_document(parse_toml(read_file(path), source), source)
    return preview_plan(store, plan, source, replace=replace)


def preview_plan(store: Store, plan: Plan, source: str, *, replace: bool) -> ImportPreview:
    key = plan.engagement["key"]
    with store.read() as session:
        existing = _existing(session, key)
        _refuse_existing(source, key, existing is not None, replace)
        replacement = None if existing is None else compare(session, existing, plan)
    return ImportPreview(plan, _summary(plan, replaced=existing is not None), replacement)


def write_plan(
    store: Store, plan: Plan, source: str, *, replace: bool, expected: str | None = None
) -> ImportSummary:
    """Write a checked plan in one transaction. With `expected` (a preview's fingerprint),
    refuse if the engagement it replaces changed since it was previewed."""
    key = plan.engagement["key"]
    with store.write() as session:
        # Checked inside the write transaction so that no other writer can slip in between.
        existing = _existing(session, key)
        _refuse_existing(source, key, existing is not None, replace)
        if existing is not None:
            if expected is not None and fingerprint(session, existing) != expected:
                raise InvalidFile(
                    [
                        f"{source}: the engagement {key!r} changed in the database since it "
                        "was compared with the file; nothing was replaced, run the import again"
                    ]
                )
            # The database's ON DELETE CASCADE takes everything of the old engagement with it.
            session.execute(delete(Engagement).where(Engagement.id == existing))
        _insert(session, plan)
    return _summary(plan, replaced=existing is not None)


def _existing(session: Session, key: str) -> int | None:
    return session.scalar(select(Engagement.id).where(Engagement.key == key))


def _refuse_existing(source: str, key: str, exists: bool, replace: bool) -> None:
    if exists and not replace:
        raise InvalidFile(
            [
                f"{source}: engagement.key: an engagement with the key {key!r} is already in "
                "the database; import with --replace to swap it for this file"
            ]
        )


def _summary(plan: Plan, *, replaced: bool) -> ImportSummary:
    return ImportSummary(
        key=plan.engagement["key"],
        name=plan.engagement["name"],
        people=len(plan.people),
        cadences=len(plan.cadences),
        checkins=len(plan.checkins),
        next_steps=plan.next_step_count,
        decisions=len(plan.decisions),
        notes=len(plan.notes),
        replaced=replaced,
    )


def _insert_in_order(
    session: Session, model: type, rows: list[dict[str, Any]], engagement_id: int
) -> list[int]:
    """Bulk insert rows of a new engagement; their ids in the order of `rows`."""
    if not rows:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        # SQLAlchemy keeps RETURNING in order on SQLite only by inserting row by row (no
        # sentinel); a plain executemany is several times faster. SQLite gives each new row
        # the next rowid, and the engagement is new, so its rows by id are these, in order.
        session.execute(insert(table), rows)
        return list(
            session.scalars(
                select(table.c.id)
                .where(table.c.engagement_id == engagement_id)
                .order_by(table.c.id)
            )
        )
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _insert_rows(session: Session, target: Any, rows: list[dict[str, Any]]) -> None:
    # Core, not the ORM: ORM bulk insert drops None values and so splits rows whose None
    # fields differ into separate statements (one per row in the worst case, 5x slower).
    if rows:  # an executemany with no rows would insert one row of defaults
        session.execute(insert(getattr(target, "__table__", target)), rows)


def _insert(session: Session, plan: Plan) -> None:
    engagement_id: int = session.execute(
        insert(Engagement.__table__).values(**plan.engagement).returning(Engagement.id)
    ).scalar_one()
    people = [{"engagement_id": engagement_id, **person} for person in plan.people]
    person_ids = dict(
        zip(
            (p["key"] for p in plan.people),
            _insert_in_order(session, Person, people, engagement_id),
            strict=True,
        )
    )
    if plan.lead is not None:
        session.execute(
            update(Engagement.__table__)
            .where(Engagement.id == engagement_id)
            .values(lead_id=person_ids[plan.lead])
        )

    cadence_rows = [
        {"engagement_id": engagement_id, "owner_id": person_ids.get(owner or ""), **row}
        for row, owner, _ in plan.cadences
    ]
    cadence_ids = _insert_in_order(session, Cadence, cadence_rows, engagement_id)
    _insert_rows(
        session,
        cadence_attendee,
        [
            {"cadence_id": cadence_id, "person_id": person_ids[person], "position": position}
            for cadence_id, (_, _, attendees) in zip(cadence_ids, plan.cadences, strict=True)
            for position, person in enumerate(attendees)
        ],
    )
    cadence_by_key = dict(
        zip((row["key"] for row, _, _ in plan.cadences), cadence_ids, strict=True)
    )

    checkin_rows = [
        {
            "engagement_id": engagement_id,
            "cadence_id": cadence_by_key.get(checkin.cadence or ""),
            **checkin.row,
        }
        for checkin in plan.checkins
    ]
    checkin_ids = _insert_in_order(session, CheckIn, checkin_rows, engagement_id)
    pairs = list(zip(checkin_ids, plan.checkins, strict=True))
    _insert_rows(
        session,
        checkin_attendee,
        [
            {"checkin_id": checkin_id, "person_id": person_ids[person], "position": position}
            for checkin_id, checkin in pairs
            for position, person in enumerate(checkin.attendees)
        ],
    )
    _insert_rows(
        session,
        NextStep,
        [
            {"checkin_id": checkin_id, "owner_id": person_ids.get(owner or ""), **step}
            for checkin_id, checkin in pairs
            for step, owner in checkin.next_steps
        ],
    )

    decision_rows = [
        {"engagement_id": engagement_id, "owner_id": person_ids.get(d.owner or ""),
         "cadence_id": cadence_by_key.get(d.cadence or ""), **d.row}
        for d in plan.decisions
    ]  # fmt: skip
    decision_ids = _insert_in_order(session, Decision, decision_rows, engagement_id)
    decision_by_key = {
        d.row["key"]: decision_id
        for decision_id, d in zip(decision_ids, plan.decisions, strict=True)
        if d.row.get("key")
    }
    for decision_id, d in zip(decision_ids, plan.decisions, strict=True):
        if d.superseded_by is not None:
            session.execute(
                update(Decision.__table__)
                .where(Decision.id == decision_id)
                .values(superseded_by_id=decision_by_key[d.superseded_by])
            )
    _insert_rows(
        session,
        Audience,
        [
            {
                "decision_id": decision_id,
                "person_id": person_ids[person],
                "position": position,
                "informed_on": informed_on,
            }
            for decision_id, decision in zip(decision_ids, plan.decisions, strict=True)
            for position, (person, informed_on) in enumerate(decision.audience)
        ],
    )
    _insert_rows(
        session,
        Note,
        [{"person_id": person_ids[person], **note} for note, person in plan.notes],
    )


def load_sample(
    store: Store, today: dt.date | None = None, now: dt.datetime | None = None
) -> ImportSummary:
    """Import the shipped sample with its dates moved so that its `as_of` falls on `today`.

    Given `now`, the shift is one day less when a moved check-in would otherwise lie in the
    future (the sample logs calls late on its `as_of` day; early in the morning they have
    not happened yet).
    """
    from importlib.resources import files

    data = (files("store") / "sample.toml").read_bytes()
    doc = parse_toml(data, SAMPLE_SOURCE)
    if now is not None and today is None:
        today = now.astimezone().date()
    shift = demo_shift(doc, today or dt.date.today())
    if now is not None:
        moments = [c["at"] for c in doc.get("checkins", ()) if isinstance(c.get("at"), dt.datetime)]
        while moments and max(moments) + dt.timedelta(days=shift) > now:
            shift -= 7
    if now is None:
        # Only a day was given: the sample is as of that day, so its calls have happened by
        # the end of that day anywhere (UTC+14 is the last to see it end).
        now = dt.datetime.combine(today or dt.date.today(), dt.time(), dt.UTC) + dt.timedelta(
            days=1, hours=14
        )
    return import_document(store, doc, SAMPLE_SOURCE, shift_days=shift, now=now)


def demo_shift(doc: dict[str, Any], today: dt.date) -> int:
    """Days to move a file's dates so that its `as_of` is today or at most 6 days before.

    Whole weeks only: a weekly Tuesday meeting must stay on a Tuesday, or every rhythm in
    the demo would look missed. 0 without a (valid) as_of.
    """
    as_of = doc.get("as_of")
    if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime):
        days = (today - as_of).days
        return days - days % 7
    return 0
