"""One engagement out as TOML (docs/toml-format.md), the same bytes every time.

A handful of set-based queries (one per table, no lazy loading), keys in the documented order,
optional values left out when they hold their default: export → import → export is identical.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import Store
from store.import_plan import SCHEMA_VERSION
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
from store.validate import key_part

_NOTHING_TO_ESCAPE = re.compile(r'[^"\\\x00-\x1f\x7f]*\Z')


class ExportError(Exception):
    """Nothing to export, or no telling which engagement: the message says what to do."""


def engagement_id_for(store: Store, key: str | None) -> int:
    """The engagement to export: `key`, or the only one; ExportError says what to do otherwise.

    Every export (TOML, --ics, --decisions-md, --person) chooses through this one function.
    """
    with store.read() as session:
        return _choose(session, key)


def _choose(session: Session, key: str | None) -> int:
    rows = session.execute(select(Engagement.key, Engagement.id).order_by(Engagement.key))
    found: dict[str, int] = dict(rows.all())
    if not found:
        raise ExportError("there is no engagement in the database to export")
    if key is None:
        if len(found) > 1:
            raise ExportError(
                f"the database holds {len(found)} engagements; choose one with "
                f"--engagement KEY: {', '.join(found)}"
            )
        return next(iter(found.values()))
    if key not in found:
        raise ExportError(
            f"no engagement has the key {key!r}; the database holds: {', '.join(found)}"
        )
    return found[key]


def export_engagement(store: Store, key: str | None) -> str:
    """One engagement as TOML text: the keys in the documented order, defaults left out."""
    with store.read() as session:
        return _Exporter(session, _choose(session, key)).text()


def engagement_toml(session: Session, engagement_id: int) -> str:
    """The export of one engagement, read in the caller's transaction."""
    return _Exporter(session, engagement_id).text()


class _Exporter:
    """Reads one engagement with one query per table (no lazy loading) and writes it out."""

    def __init__(self, session: Session, engagement_id: int) -> None:
        self.session = session
        self.engagement = self._rows(
            select(Engagement.__table__).where(Engagement.id == engagement_id)
        )[0]
        self.id = self.engagement["id"]
        self.people = self._rows(
            select(Person.__table__).where(Person.engagement_id == self.id).order_by(Person.id)
        )
        self.person_key = {p["id"]: p["key"] for p in self.people}

    def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in self.session.execute(statement).mappings()]

    def _grouped(self, statement: Any, by: str, value: str) -> dict[int, list[Any]]:
        """{parent id: [values in order]} from rows of (by, value)."""
        groups: dict[int, list[Any]] = defaultdict(list)
        for row in self.session.execute(statement).mappings():
            groups[row[by]].append(row[value])
        return groups

    def _attendees(self, parent: Any, model: Any) -> dict[int, list[Any]]:
        """{cadence or check-in id: [person ids in their order]} for the whole engagement."""
        link = parent.table.c
        return self._grouped(
            select(parent, link.person_id)
            .join(model, model.id == parent)
            .where(model.engagement_id == self.id)
            .order_by(parent, link.position),
            parent.name,
            "person_id",
        )

    def text(self) -> str:
        e = self.engagement
        out = [f"schema_version = {SCHEMA_VERSION}"]
        _section(out, "[engagement]", [
            ("key", e["key"]), ("name", e["name"]), ("client", e["client"]),
            ("goal", e["goal"]), ("kickoff", e["kickoff"]),
            ("lead", self.person_key.get(e["lead_id"])),
        ])  # fmt: skip
        for p in self.people:
            work = f"{p['work_start']:%H:%M}-{p['work_end']:%H:%M}"
            _section(out, "[[people]]", [
                ("key", p["key"]), ("name", p["name"]), ("side", p["side"]),
                ("organisation", p["organisation"]), ("role", p["role"]),
                ("responsibilities", p["responsibilities"]), ("team", p["team"]),
                ("timezone", p["timezone"]), ("hours", None if work == "09:00-17:00" else work),
                ("email", p["email"]), ("at_kickoff", p["at_kickoff"]),
                ("onboarded", p["onboarded"]), ("first_one_on_one", p["first_one_on_one"]),
                ("role_agreed", p["role_agreed"]), ("met_in_person", p["met_in_person"]),
                ("contact_every", p["contact_every"]),
            ])  # fmt: skip
        self._cadences(out)
        self._checkins(out)
        self._decisions(out)
        self._notes(out)
        return "\n".join(out) + "\n"

    def _keys(self, ids: list[int]) -> list[str]:
        return [self.person_key[i] for i in ids]

    def _owner(self, owner_id: int | None) -> str | None:
        return None if owner_id is None else self.person_key.get(owner_id)

    def _cadences(self, out: list[str]) -> None:
        cadences = self._rows(
            select(Cadence.__table__).where(Cadence.engagement_id == self.id).order_by(Cadence.id)
        )
        self.cadence_key = {c["id"]: c["key"] for c in cadences}
        attendees = self._attendees(cadence_attendee.c.cadence_id, Cadence)
        for c in cadences:
            _section(out, "[[cadences]]", [
                ("key", c["key"]), ("name", c["name"]), ("circle", c["circle"]),
                ("rhythm", c["rhythm"]), ("slot", None if c["slot"] is None else f"{c['slot']:%H:%M}"),
                ("zone", c["zone"]), ("duration", None if c["duration"] == 30 else c["duration"]),
                ("owner", self._owner(c["owner_id"])), ("attendees", self._keys(attendees[c["id"]])),
                ("since", c["since"]), ("paused", c["paused"]),
            ])  # fmt: skip

    def _checkins(self, out: list[str]) -> None:
        checkins = self._rows(
            select(CheckIn.__table__).where(CheckIn.engagement_id == self.id).order_by(CheckIn.id)
        )
        attendees = self._attendees(checkin_attendee.c.checkin_id, CheckIn)
        steps: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for step in self._rows(
            select(NextStep.__table__)
            .join(CheckIn, CheckIn.id == NextStep.checkin_id)
            .where(CheckIn.engagement_id == self.id)
            .order_by(NextStep.id)
        ):
            steps[step["checkin_id"]].append(step)
        for c in checkins:
            channel = None if c["channel"] == "video" else c["channel"]
            _section(out, "[[checkins]]", [
                ("at", c["at"]), ("cadence", self.cadence_key.get(c["cadence_id"])),
                ("attendees", self._keys(attendees[c["id"]])),
                ("status", None if c["status"] == "held" else c["status"]), ("channel", channel), ("outcome", c["outcome"]), ("mood", c["mood"]),
                ("logged_by", c["logged_by"]),
            ], keep="attendees")  # fmt: skip
            for s in steps[c["id"]]:
                _section(out, "[[checkins.next_steps]]", [
                    ("text", s["text"]), ("owner", self._owner(s["owner_id"])),
                    ("due", s["due"]), ("done", s["done"]),
                ])  # fmt: skip

    def _decisions(self, out: list[str]) -> None:
        decisions = self._rows(
            select(Decision.__table__)
            .where(Decision.engagement_id == self.id)
            .order_by(Decision.id)
        )
        audience: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in self._rows(
            select(Audience.__table__)
            .join(Decision, Decision.id == Audience.decision_id)
            .where(Decision.engagement_id == self.id)
            .order_by(Audience.decision_id, Audience.position)
        ):
            audience[row["decision_id"]].append(row)
        decision_key = {d["id"]: d["key"] for d in decisions if d["key"]}
        for d in decisions:
            told = audience[d["id"]]
            _section(out, "[[decisions]]", [
                ("kind", None if d["kind"] == "decision" else d["kind"]), ("title", d["title"]),
                ("context", d["context"]), ("owner", self._owner(d["owner_id"])),
                ("raised", d["raised"]), ("due", d["due"]),
                ("status", None if d["status"] == "open" else d["status"]),
                ("outcome", d["outcome"]), ("decided", d["decided"]),
                ("must_inform", self._keys([a["person_id"] for a in told])),
                ("key", d["key"]), ("cadence", self.cadence_key.get(d["cadence_id"])),
                ("probability", d["probability"]), ("impact", d["impact"]),
                ("mitigation", d["mitigation"]), ("depends_on", d["depends_on"]),
                ("superseded_by", decision_key.get(d["superseded_by_id"])),
                ("changed_by", d["changed_by"]),
            ])  # fmt: skip
            informed = [
                (self.person_key[a["person_id"]], a["informed_on"])
                for a in told
                if a["informed_on"] is not None
            ]
            if informed:
                _section(out, "[decisions.informed]", informed)

    def _notes(self, out: list[str]) -> None:
        notes = self._rows(
            select(Note.__table__)
            .join(Person, Person.id == Note.person_id)
            .where(Person.engagement_id == self.id)
            .order_by(Note.id)
        )
        for n in notes:
            _section(out, "[[notes]]", [
                ("person", self.person_key[n["person_id"]]), ("on", n["on"]),
                ("kind", None if n["kind"] == "personal" else n["kind"]), ("text", n["text"]),
                ("pinned", n["pinned"]), ("follow_up", n["follow_up"]),
                ("follow_up_done", n["follow_up_done"]), ("author", n["author"]), ("private", n["private"]),
            ])  # fmt: skip


def _section(out: list[str], header: str, pairs: list[tuple[str, Any]], *, keep: str = "") -> None:
    """A table header and its values; `keep` names a required key written even when empty."""
    out.append("")
    out.append(header)
    for name, value in pairs:
        # None, "", [] and False are the defaults of every optional field: leave them out.
        empty = value is None or value is False or (isinstance(value, str | list) and not value)
        if empty and name != keep:
            continue
        out.append(f"{key_part(name)} = {_literal(value)}")


def toml_escaped(toml: str) -> str:
    """TOML text (from tomli_w or `_literal`) with every hidden character `\\u`-escaped.

    tomli_w escapes only C0 controls and writes U+009B (a terminal's CSI), U+202E or U+200B
    raw, so `cat export.toml` could drive the terminal and an editor would hide them. Such
    characters can only stand inside basic strings (tomli_w writes no literal strings), where
    `\\uXXXX` means the very same character: parsed back, the data is unchanged.
    """
    if toml.isprintable():
        return toml
    return "".join(
        char
        if char.isprintable() or char in "\n\t" or unicodedata.category(char) == "Zs"
        else (f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        for char in toml
    )


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if value.isprintable() and _NOTHING_TO_ESCAPE.match(value):
            return f'"{value}"'  # most strings: what tomli_w would write, 10x faster
        import tomli_w

        from store.fields import importable

        value = importable(value)
        # tomli_w does the escaping; strings with line breaks become readable """ blocks.
        return toml_escaped(tomli_w.dumps({"v": value}, multiline_strings=True)[len("v = ") : -1])
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
