"""What `rapport import --replace` would remove or change, told before anything is written.

The engagement in the database is read back through its own TOML export and checked like any
file, so both sides are compared as the same `Plan`: a person or cadence by its key, a decision
by its key (else its title), a check-in by its moment and cadence, a note by its person, day,
kind and author. Notes are named by person and day only: their text may be private.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from store.import_plan import Plan, check_document
from store.text import visible
from store.validate import InvalidFile

if TYPE_CHECKING:
    from store.db import Store

NEWEST_SHOWN = 3  # of each kind that only the database holds
_TITLE_LEN = 50


@dataclass(frozen=True)
class KindChange:
    kind: str  # plural: "people", "check-ins"
    removed: int
    added: int
    changed: int


@dataclass(frozen=True)
class OnlyInDatabase:
    kind: str  # "check-in", "decision", "risk", "note"…
    on: dt.date | dt.datetime | None
    title: str


@dataclass(frozen=True)
class Replacement:
    key: str
    kinds: tuple[KindChange, ...]
    engagement_changed: bool  # its name, client, goal, kickoff or lead
    only_in_database: tuple[OnlyInDatabase, ...]  # newest first, a few of each kind
    comparable: bool  # False: the database's copy holds what an import refuses
    fingerprint: str  # of the engagement as compared, to notice a change before the write

    @property
    def loses_data(self) -> bool:
        return self.engagement_changed or any(k.removed or k.changed for k in self.kinds)

    def lines(self) -> list[str]:
        """What replacing does, for a person at a terminal (database text made visible)."""
        out = [f"Replacing engagement {self.key!r} in the database:"]
        if not self.comparable:
            out.append(
                "  its stored copy holds values an import would refuse, so it cannot be "
                "compared: every record in it counts as removed"
            )
        if self.engagement_changed:
            out.append("  engagement details: changed")
        for k in self.kinds:
            parts = [f"{n} {what}" for n, what in
                     ((k.removed, "removed"), (k.added, "added"), (k.changed, "changed")) if n]  # fmt: skip
            out.append(f"  {k.kind}: {', '.join(parts) if parts else 'unchanged'}")
        if self.only_in_database:
            out.append("Only in the database (newest first), gone after the replace:")
            for item in self.only_in_database:
                out.append(f"  {item.kind} {_when(item.on)}  {visible(item.title)}")
        return out


def _when(on: dt.date | dt.datetime | None) -> str:
    if on is None:
        return "(no date)"
    if isinstance(on, dt.datetime):
        return f"{on.astimezone():%Y-%m-%d %H:%M}"
    return on.isoformat()


def fingerprint(session: Session, engagement_id: int) -> str:
    """A digest of everything the engagement holds (its TOML export)."""
    return hashlib.sha256(_exported(session, engagement_id).encode("utf-8")).hexdigest()


def _exported(session: Session, engagement_id: int) -> str:
    from store.export_toml import engagement_toml

    return engagement_toml(session, engagement_id)


def compare(session: Session, engagement_id: int, incoming: Plan) -> Replacement:
    """What replacing the engagement `engagement_id` by `incoming` removes, adds and changes."""
    import tomllib

    text = _exported(session, engagement_id)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = tomllib.loads(text)
    try:
        # Text that no file may hold (written with plain SQL) is compared made visible: it
        # differs from anything a file can bring, as it should, and checks like a file's.
        current = check_document(_visible(doc), "the database")
    except InvalidFile:
        return _uncomparable(incoming, doc, digest)
    return Replacement(
        key=incoming.engagement["key"],
        kinds=tuple(
            _change(kind, records(current), records(incoming)) for kind, records in _RECORDS.items()
        ),
        engagement_changed=(current.engagement, current.lead)
        != (incoming.engagement, incoming.lead),
        only_in_database=_newest_removed(current, incoming),
        comparable=True,
        fingerprint=digest,
    )


def _visible(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {name: _visible(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_visible(item) for item in value]
    return value


def _uncomparable(incoming: Plan, doc: dict[str, Any], digest: str) -> Replacement:
    sizes = {"people": "people", "cadences": "cadences", "check-ins": "checkins",
             "decisions": "decisions", "notes": "notes"}  # fmt: skip
    kinds = tuple(
        KindChange(kind, len(doc.get(table, [])), len(records(incoming)), 0)
        for (kind, records), table in zip(_RECORDS.items(), sizes.values(), strict=True)
    )
    return Replacement(incoming.engagement["key"], kinds, True, (), False, digest)


# --- records: (identity, content) pairs of one kind ---------------------------------------------

Record = tuple[Hashable, tuple[Any, ...]]


def _row(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted(row.items(), key=lambda item: item[0]))


def _people(plan: Plan) -> list[Record]:
    return [(p["key"], _row(p)) for p in plan.people]


def _cadences(plan: Plan) -> list[Record]:
    return [(c["key"], (_row(c), owner, tuple(who))) for c, owner, who in plan.cadences]


def _checkins(plan: Plan) -> list[Record]:
    return [
        ((c.row["at"], c.cadence),
         (_row(c.row), tuple(c.attendees), tuple((_row(s), o) for s, o in c.next_steps)))
        for c in plan.checkins
    ]  # fmt: skip


def _decisions(plan: Plan) -> list[Record]:
    return [
        (d.row.get("key") or ("", d.row["title"]),
         (_row(d.row), d.owner, tuple(d.audience), d.cadence, d.superseded_by))
        for d in plan.decisions
    ]  # fmt: skip


def _notes(plan: Plan) -> list[Record]:
    return [((person, n["on"], n["kind"], n["author"]), (_row(n),)) for n, person in plan.notes]


_RECORDS: dict[str, Callable[[Plan], list[Record]]] = {
    "people": _people,
    "cadences": _cadences,
    "check-ins": _checkins,
    "decisions": _decisions,
    "notes": _notes,
}


def _grouped(found: Iterable[Record]) -> dict[Hashable, list[Any]]:
    groups: dict[Hashable, list[Any]] = defaultdict(list)
    for identity, content in found:
        groups[identity].append(content)
    return groups


def _change(kind: str, before: list[Record], after: list[Record]) -> KindChange:
    old, new = _grouped(before), _grouped(after)
    removed = added = changed = 0
    for identity in old.keys() | new.keys():
        was, now = old.get(identity, []), new.get(identity, [])
        # Records of one identity pair up in file order; what is left over came or went.
        changed += sum(a != b for a, b in zip(was, now, strict=False))
        removed += max(0, len(was) - len(now))
        added += max(0, len(now) - len(was))
    return KindChange(kind, removed, added, changed)


def _only_in(before: list[Record], after: list[Record], items: list[Any]) -> list[Any]:
    """The `items` (in step with `before`) whose identity `after` holds fewer times."""
    left = {identity: len(contents) for identity, contents in _grouped(after).items()}
    seen: dict[Hashable, int] = defaultdict(int)
    gone = []
    for (identity, _), item in zip(before, items, strict=True):
        seen[identity] += 1
        if seen[identity] > left.get(identity, 0):
            gone.append(item)
    return gone


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _TITLE_LEN else line[: _TITLE_LEN - 1] + "…"


def _newest_removed(current: Plan, incoming: Plan) -> tuple[OnlyInDatabase, ...]:
    names = {p["key"]: p["name"] for p in current.people}
    cadences = {c["key"]: c["name"] for c, _, _ in current.cadences}

    def checkin_title(c: Any) -> str:
        if c.cadence is not None:
            return cadences.get(c.cadence, c.cadence)
        return "with " + ", ".join(names.get(k, k) for k in c.attendees) if c.attendees else ""

    found: list[OnlyInDatabase] = []
    checkins = _only_in(_checkins(current), _checkins(incoming), current.checkins)
    found += _newest([OnlyInDatabase("check-in", c.row["at"], _short(checkin_title(c)))
                      for c in checkins])  # fmt: skip
    decisions = _only_in(_decisions(current), _decisions(incoming), current.decisions)
    found += _newest([
        OnlyInDatabase(d.row["kind"], d.row.get("decided") or d.row.get("raised"),
                       _short(d.row["title"]))
        for d in decisions
    ])  # fmt: skip
    notes = _only_in(_notes(current), _notes(incoming), current.notes)
    found += _newest([
        OnlyInDatabase("private note" if n["private"] else "note", n["on"],
                       f"on {_short(names.get(person, person))}")
        for n, person in notes
    ])  # fmt: skip
    return tuple(found)


def _newest(items: list[OnlyInDatabase]) -> list[OnlyInDatabase]:
    def moment(item: OnlyInDatabase) -> dt.datetime:
        on = item.on
        if isinstance(on, dt.datetime):
            return on
        return dt.datetime.combine(on or dt.date.min, dt.time.max, tzinfo=dt.UTC)

    return sorted(items, key=moment, reverse=True)[:NEWEST_SHOWN]


# --- the copy taken before a replace ----------------------------------------------------------


def backup_before_replace(store: Store, key: str, *, now: dt.datetime | None = None) -> Path:
    """Keep what a replace deletes. A SQLite file gets an automatic backup (store.backup);
    a server database, whose backups are its own tools', a private TOML export of the
    engagement in the user's data folder. Returns where it wrote."""
    from store.backup import automatic_backup, revision_of

    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(url.database)
        return automatic_backup(db, revision_of(db), now=now)

    from store.export_toml import export_engagement
    from store.io_toml import write_private
    from store.target import default_db_path

    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = default_db_path().parent / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{key}.before-replace-{stamp}.toml"
    write_private(path, export_engagement(store, key))
    return path
