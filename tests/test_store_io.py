"""TOML import and export on real databases, SQLite and PostgreSQL: round trips, rules, atomicity."""

from __future__ import annotations

import datetime as dt
import re
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from backends import dump
from conftest import SAMPLE
from sqlalchemy import event, text

from store.db import Store
from store.io_toml import (
    MAX_FILE_BYTES,
    ExportError,
    ImportSummary,
    InvalidFile,
    demo_shift,
    export_engagement,
    import_document,
    import_file,
    load_sample,
    write_private,
)

UTC = dt.UTC


class _Delete:
    """Marks a key to remove; its repr is stable so test ids match across xdist workers."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def team() -> dict[str, Any]:
    """A small engagement that uses every field, each with a value other than its default.

    `at` is in UTC and `informed` follows `must_inform`, so its export parses back equal.
    """
    return {
        "schema_version": 1,
        "engagement": {
            "key": "trail",
            "name": "Trailhead US",
            "client": "Trailhead Outdoor Inc.",
            "goal": "US shop live for spring.\nRun by the US team on their own.",
            "kickoff": dt.date(2026, 9, 28),
        },
        "people": [
            {
                "key": "jonas",
                "name": "Jonas Brandt",
                "side": "ours",
                "organisation": "Nordlicht Digital",
                "role": "Engagement lead",
                "responsibilities": "Delivery,\tsteering\nand budget",
                "team": "Core",
                "timezone": "Europe/Berlin",
                "hours": "08:30-17:30",
                "email": "jonas@nordlicht.example",
                "at_kickoff": True,
                "first_one_on_one": dt.date(2026, 10, 1),
                "role_agreed": True,
                "met_in_person": True,
                "contact_every": 10,
            },
            {"key": "dana", "name": "Dana Whitfield", "side": "client", "timezone": "America/Denver", "onboarded": True},
            {"key": "ines", "name": "Inês Carvalho", "side": "partner", "timezone": "Europe/Lisbon"},
        ],
        "cadences": [
            {
                "key": "weekly",
                "name": "Weekly status",
                "circle": "Core + US leads",
                "rhythm": "weekly on tue",
                "slot": "16:00",
                "zone": "Europe/Berlin",
                "duration": 45,
                "owner": "jonas",
                "attendees": ["jonas", "ines", "dana"],
                "since": dt.date(2026, 10, 6),
            },
            {"key": "sponsor", "name": "Sponsor check-in", "rhythm": "every 2 weeks on thu", "paused": True},
        ],
        "checkins": [
            {
                "at": dt.datetime(2026, 10, 13, 14, 0, tzinfo=UTC),
                "cadence": "weekly",
                "attendees": ["dana", "jonas"],
                "channel": "phone",
                "outcome": 'Tax engine "still open".\nShortlist \\ two vendors.',
                "mood": 4,
                "next_steps": [
                    {"text": "Send the shortlist", "owner": "ines", "due": dt.date(2026, 10, 16), "done": True},
                    {"text": "Book the Avalara demo"},
                ],
            },
            # Earlier than the one above and with nobody listed: file order and [] both survive.
            {
                "at": dt.datetime(2026, 10, 6, 9, 15, 30, 250000, tzinfo=UTC),
                "attendees": [],
                "status": "skipped",
            },
        ],
        "decisions": [
            {
                "kind": "risk",
                "title": "Black Friday code freeze",
                "context": "The group freezes all releases from 16 Nov.",
                "owner": "dana",
                "raised": dt.date(2026, 10, 1),
                "due": dt.date(2026, 10, 20),
                "status": "mitigated",
                "outcome": "Go-live moved to January.",
                "decided": dt.date(2026, 10, 14),
                "must_inform": ["ines", "jonas", "dana"],
                "informed": {"ines": dt.date(2026, 10, 15), "dana": dt.date(2026, 10, 14)},
            },
            {"title": "Use Avalara for US sales tax"},
        ],
        "notes": [
            {
                "person": "dana",
                "on": dt.date(2026, 10, 7),
                "kind": "professional",
                "text": "Wants a one-page summary before every call.",
                "pinned": True,
                "follow_up": dt.date(2026, 10, 13),
                "follow_up_done": dt.date(2026, 10, 14),
            },
            {"person": "ines", "on": dt.date(2026, 10, 9), "text": "Prefers Slack over email"},
        ],
    }  # fmt: skip


def write(folder: Path, doc: dict[str, Any], name: str = "team.toml") -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def problems(store: Store, path: Path, **options: Any) -> list[str]:
    with pytest.raises(InvalidFile) as refused:
        import_file(store, path, **options)
    return refused.value.messages


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with DELETE remove) the value at a place written like `people[1].timezone`.

    One past the end of a list appends.
    """
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    target: Any = doc
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    elif isinstance(target, list) and parts[-1] == len(target):
        target.append(value)
    else:
        target[parts[-1]] = value


# --- round trips ------------------------------------------------------------------------------


def test_sample_export_import_export_is_byte_identical(
    store: Store, tmp_path: Path, new_target: Callable[..., str]
) -> None:
    import_file(store, SAMPLE)
    first = export_engagement(store, None)
    exported = tmp_path / "export.toml"
    exported.write_text(first, encoding="utf-8")
    again = Store.open(new_target())
    try:
        import_file(again, exported)
        assert export_engagement(again, None) == first
    finally:
        again.close()
    assert first.startswith("schema_version = 1\n\n[engagement]\n")
    assert "as_of" not in first


def test_sample_export_keeps_every_moment_and_order(store: Store) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    import_file(store, SAMPLE)
    exported = tomllib.loads(export_engagement(store, None))
    # Same instants (aware datetimes compare as moments), now written in UTC.
    assert [c["at"] for c in exported["checkins"]] == [c["at"] for c in sample["checkins"]]
    assert {c["at"].utcoffset() for c in exported["checkins"]} == {dt.timedelta(0)}
    assert [c["attendees"] for c in exported["checkins"]] == [
        c["attendees"] for c in sample["checkins"]
    ]
    assert [p["name"] for p in exported["people"]] == [p["name"] for p in sample["people"]]
    assert [d.get("informed", {}) for d in exported["decisions"]] == [
        d.get("informed", {}) for d in sample["decisions"]
    ]
    assert [n["text"] for n in exported["notes"]] == [n["text"] for n in sample["notes"]]


def test_export_gives_back_exactly_what_was_imported(store: Store, tmp_path: Path) -> None:
    """Every field set to a non-default value survives; defaults are left out of the file."""
    doc = team()
    import_file(store, write(tmp_path, doc))
    exported = export_engagement(store, "trail")
    assert tomllib.loads(exported) == doc
    assert "[[checkins.next_steps]]" in exported
    assert "[decisions.informed]" in exported
    assert "attendees = []" in exported  # required, so written even when empty
    assert "at = 2026-10-06T09:15:30.250000Z" in exported


def test_import_of_defaults_exports_without_them(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["people"][1].update(hours="09:00-17:00", at_kickoff=False, role="")
    doc["people"][2].update(onboarded=False, role_agreed=False)
    doc["cadences"][0].update(paused=False)
    doc["checkins"][0].update(status="held")
    doc["checkins"][1].update(channel="video", outcome="", next_steps=[])
    doc["checkins"][0]["next_steps"][1].update(done=False)
    doc["cadences"][1].update(duration=30, circle="", attendees=[])
    doc["decisions"][1].update(kind="decision", status="open", must_inform=[], informed={})
    doc["notes"][1].update(kind="personal", pinned=False)
    import_file(store, write(tmp_path, doc))
    exported = tomllib.loads(export_engagement(store, None))
    assert exported == team()


def test_health_fields_are_stored_and_exported(store: Store, tmp_path: Path) -> None:
    from store import queries

    import_file(store, write(tmp_path, team()))
    (engagement,) = queries.engagements(store)
    people = {p.key: p for p in queries.roster(store, engagement.id, dt.date(2026, 11, 20))}
    assert (people["jonas"].role_agreed, people["jonas"].contact_every) == (True, 10)
    assert (people["dana"].onboarded, people["dana"].contact_every) == (True, None)
    assert (people["ines"].onboarded, people["ines"].role_agreed) == (False, False)
    cadences = {c.key: c for c in queries.cadences(store, engagement.id, dt.date(2026, 11, 20))}
    assert (cadences["weekly"].since, cadences["weekly"].paused) == (dt.date(2026, 10, 6), False)
    assert (cadences["sponsor"].since, cadences["sponsor"].paused) == (None, True)
    exported = export_engagement(store, None)
    for line in ("onboarded = true", "role_agreed = true", "contact_every = 10",
                 "since = 2026-10-06", "paused = true"):  # fmt: skip
        assert exported.count(f"\n{line}\n") == 1, line
    # In the documented order: onboarding facts, then the target; a cadence's start, then pause.
    jonas = exported[exported.index('key = "jonas"') :].split("\n\n")[0]
    assert jonas.index("at_kickoff") < jonas.index("first_one_on_one") < jonas.index("role_agreed")
    assert jonas.index("met_in_person") < jonas.index("contact_every")


def test_health_fields_round_trip_byte_identical(
    store: Store, tmp_path: Path, new_target: Callable[..., str]
) -> None:
    import_file(store, write(tmp_path, team()))
    first = export_engagement(store, None)
    again = Store.open(new_target())
    try:
        import_file(again, write(tmp_path, tomllib.loads(first), "again.toml"))
        assert export_engagement(again, None) == first
    finally:
        again.close()


def test_health_fields_at_their_defaults_are_left_out(store: Store, tmp_path: Path) -> None:
    doc = team()
    for person in doc["people"]:
        person.update(onboarded=False, role_agreed=False)
        person.pop("contact_every", None)
    for cadence in doc["cadences"]:
        cadence.update(paused=False)
        cadence.pop("since", None)
    import_file(store, write(tmp_path, doc))
    exported = export_engagement(store, None)
    for name in ("onboarded", "role_agreed", "contact_every", "since", "paused"):
        assert f"\n{name} = " not in exported, name


def test_moments_are_stored_in_utc(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["checkins"][0]["at"] = dt.datetime(
        2026, 10, 13, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))
    )
    import_file(store, write(tmp_path, doc))
    with store.read() as session:
        stored = session.execute(text("SELECT at FROM checkin ORDER BY id")).scalars().first()
    assert str(stored).startswith("2026-10-13 14:00:00")
    assert "at = 2026-10-13T14:00:00Z" in export_engagement(store, None)


def test_unicode_text_is_kept_exactly(store: Store, tmp_path: Path) -> None:
    names = ["Jürgen Müller", "Zoë Hartmann", "山田太郎", "محمد الأحمد", "דנה כהן", "Ana 🏔️ Ruiz"]
    doc = team()
    for person, name in zip(doc["people"], names, strict=False):
        person["name"] = name
    doc["people"] += [
        {"key": f"p{i}", "name": name, "side": "client", "timezone": "Asia/Tokyo"}
        for i, name in enumerate(names[3:])
    ]
    doc["notes"][0]["text"] = "Zo\u0065\u0308 said: «ça va» — 東京で会いましょう 🎉"
    import_file(store, write(tmp_path, doc))
    with store.read() as session:
        stored = list(session.execute(text("SELECT name FROM person ORDER BY id")).scalars())
        note = session.execute(text("SELECT text FROM note ORDER BY id")).scalars().first()
    assert stored == names[:3] + names[3:]
    # Decomposed ë (e + combining diaeresis) is stored composed (NFC), everything else as is.
    assert note == "Zo\u00eb said: «ça va» — 東京で会いましょう 🎉"
    exported = export_engagement(store, None)
    for name in names:
        assert f'name = "{name}"' in exported


# --- the rules --------------------------------------------------------------------------------

AWARE = dt.datetime(2026, 10, 6, 14, 0, tzinfo=UTC)
NAIVE = dt.datetime(2026, 10, 6, 14, 0)

# (place to change, new value, place the message names, words in the message)
RULES: list[tuple[str, Any, str, str]] = [
    ("schema_version", DELETE, "schema_version", "missing; write schema_version = 1"),
    ("schema_version", 2, "schema_version", "this rapport reads version 1"),
    ("schema_version", True, "schema_version", "must be an integer, not a boolean"),
    ("schema_version", "1", "schema_version", "must be an integer, not a string"),
    ("schema_version", 0, "schema_version", "0 is not a version; use 1"),
    ("as_of", AWARE, "as_of", "must be a date (YYYY-MM-DD), not a date-time"),
    # Unknown keys, at every level.
    ("peple", [], "peple", "unknown key (did you mean 'people'?)"),
    ("engagement.colour", "red", "engagement.colour", "unknown key"),
    ("people[1].nickname", "D", "people[1].nickname", "unknown key"),
    ("cadences[0].room", "Oslo", "cadences[0].room", "unknown key"),
    ("checkins[0].moood", 3, "checkins[0].moood", "unknown key (did you mean 'mood'?)"),
    ("checkins[0].next_steps[0].prio", 1, "checkins[0].next_steps[0].prio", "unknown key"),
    ("decisions[0].informed_by", "x", "decisions[0].informed_by", "did you mean 'informed'?"),
    ("notes[0].tags", ["x"], "notes[0].tags", "unknown key"),
    # Strict types.
    ("checkins[0].mood", True, "checkins[0].mood", "must be an integer, not a boolean"),
    ("checkins[0].mood", 4.0, "checkins[0].mood", "must be an integer, not a float"),
    ("checkins[0].mood", 6, "checkins[0].mood", "6 is out of range; use 1 to 5"),
    ("checkins[0].mood", 0, "checkins[0].mood", "use 1 to 5"),
    ("cadences[0].duration", 0, "cadences[0].duration", "use 1 to 1440"),
    ("cadences[0].duration", 1441, "cadences[0].duration", "use 1 to 1440"),
    ("cadences[0].duration", True, "cadences[0].duration", "not a boolean"),
    ("people[0].at_kickoff", "yes", "people[0].at_kickoff", "must be true or false"),
    ("people[0].met_in_person", 1, "people[0].met_in_person", "must be true or false"),
    ("people[1].onboarded", "yes", "people[1].onboarded", "must be true or false, not a string"),
    ("people[0].role_agreed", 1, "people[0].role_agreed", "must be true or false, not an integer"),
    ("people[0].contact_every", 0, "people[0].contact_every", "0 is out of range; use 1 to 365"),
    ("people[0].contact_every", 366, "people[0].contact_every", "366 is out of range; use 1 to 365"),
    ("people[0].contact_every", -14, "people[0].contact_every", "use 1 to 365"),
    ("people[0].contact_every", 14.5, "people[0].contact_every", "must be an integer, not a float"),
    ("people[0].contact_every", "14", "people[0].contact_every", "must be an integer, not a string"),
    ("people[0].contact_every", True, "people[0].contact_every", "not a boolean"),
    ("cadences[0].since", AWARE, "cadences[0].since", "must be a date (YYYY-MM-DD), not a date-time"),
    ("cadences[0].since", "2026-10-06", "cadences[0].since", "not a string"),
    ("cadences[0].since", dt.time(9), "cadences[0].since", "not a time"),
    ("cadences[1].paused", "no", "cadences[1].paused", "must be true or false, not a string"),
    ("cadences[1].paused", 0, "cadences[1].paused", "must be true or false, not an integer"),
    ("people[0].name", 42, "people[0].name", "must be a string, not an integer"),
    ("checkins[0].at", dt.date(2026, 10, 6), "checkins[0].at", "not a date"),
    ("checkins[0].at", NAIVE, "checkins[0].at", "needs an offset"),
    ("checkins[0].at", "2026-10-06T14:00:00Z", "checkins[0].at", "not a string"),
    ("engagement.kickoff", AWARE, "engagement.kickoff", "not a date-time"),
    ("people[0].first_one_on_one", NAIVE, "people[0].first_one_on_one", "not a local date-time"),
    ("notes[0].follow_up", dt.time(9), "notes[0].follow_up", "not a time"),
    ("notes[1].follow_up_done", dt.date(2026, 10, 9), "notes[1].follow_up_done", "no follow_up"),
    ("decisions[0].informed.ines", AWARE, "decisions[0].informed.ines", "not a date-time"),
    ("decisions[0].informed", ["ines"], "decisions[0].informed", "must be a table"),
    ("engagement", DELETE, "engagement", "missing; it is required"),
    ("engagement", "trail", "engagement", "must be a table, not a string"),
    ("people", {"key": "x"}, "people", "must be an array of tables ([[people]])"),
    ("people[1]", "dana", "people[1]", "must be a table, not a string"),
    ("checkins[0].next_steps", {"text": "x"}, "checkins[0].next_steps", "[[checkins.next_steps]]"),
    # Time zones: a known IANA name, never a path.
    ("people[1].timezone", "Mars/Olympus", "people[1].timezone", "unknown time zone 'Mars/Olympus'"),
    ("people[1].timezone", "../../../../etc/passwd", "people[1].timezone", "unknown time zone"),
    ("people[1].timezone", "/usr/share/zoneinfo/UTC", "people[1].timezone", "unknown time zone"),
    ("people[1].timezone", "x" * 65, "people[1].timezone", "a time zone has at most 64"),
    ("cadences[0].zone", "Europe/Berln", "cadences[0].zone", "unknown time zone"),
    # Text: controls, escapes and bidi tricks refused; lengths capped with the limit named.
    ("people[0].name", "Jonas\x1b[31m", "people[0].name", "control character (U+001B)"),
    ("people[0].name", "Jo\x00nas", "people[0].name", "control character (U+0000)"),
    ("people[0].role", "Lead\x85", "people[0].role", "control character (U+0085)"),
    ("people[0].role", "Lead\x9b31m", "people[0].role", "control character (U+009B)"),
    ("people[0].email", "a\x7f@x", "people[0].email", "control character (U+007F)"),
    ("people[0].name", "Jonas\nBrandt", "people[0].name", "control character (U+000A)"),
    ("people[0].team", "Core\tTeam", "people[0].team", "control character (U+0009)"),
    ("checkins[0].outcome", "ok\r\nthen", "checkins[0].outcome", "control character (U+000D)"),
    ("decisions[0].context", "see \x1b]8;;http://x\x07", "decisions[0].context", "U+001B"),
    ("notes[0].text", "txt.exe\u202egnp", "notes[0].text", "bidi control character (U+202E)"),
    ("checkins[0].outcome", "a\u2066b\u2069", "checkins[0].outcome", "bidi control character (U+2066)"),
    ("engagement.name", "x\u202a", "engagement.name", "bidi control character (U+202A)"),
    ("people[0].name", "x" * 201, "people[0].name", "201 characters long; the limit is 200"),
    ("people[0].role", "x" * 201, "people[0].role", "the limit is 200"),
    ("checkins[0].outcome", "x" * 20_001, "checkins[0].outcome", "the limit is 20000"),
    ("people[0].name", "   ", "people[0].name", "must not be empty"),
    ("checkins[0].next_steps[1].text", "", "checkins[0].next_steps[1].text", "must not be empty"),
    # Keys: their form, their length, unique in their list.
    ("engagement.key", "Trail US", "engagement.key", "'Trail US' is not a key"),
    ("people[1].key", "-dana", "people[1].key", "is not a key"),
    ("people[1].key", "d" * 41, "people[1].key", "a key has at most 40"),
    ("people[3]", {"key": "jonas", "name": "J. B.", "side": "ours", "timezone": "UTC"}, "people[3].key", "'jonas' is already the key of people[0]"),
    ("cadences[1].key", "weekly", "cadences[1].key", "already the key of cadences[0]"),
    # References must name something in the file.
    ("cadences[0].owner", "jonass", "cadences[0].owner", "no person has the key 'jonass' (did you mean 'jonas'?)"),
    ("cadences[0].attendees", ["jonas", "zed"], "cadences[0].attendees[1]", "no person has the key 'zed'"),
    ("cadences[0].attendees", ["jonas", "jonas"], "cadences[0].attendees[1]", "'jonas' is listed twice"),
    ("checkins[0].cadence", "daily", "checkins[0].cadence", "no cadence has the key 'daily'"),
    ("checkins[0].attendees", DELETE, "checkins[0].attendees", "missing; it is required"),
    ("checkins[0].attendees", "dana", "checkins[0].attendees", "must be an array of keys, not a string"),
    ("checkins[0].attendees", ["dana", 7], "checkins[0].attendees[1]", "not an integer"),
    ("checkins[0].next_steps[0].owner", "tyler", "checkins[0].next_steps[0].owner", "no person"),
    ("decisions[0].owner", "tyler", "decisions[0].owner", "no person has the key 'tyler'"),
    ("decisions[0].must_inform", ["ines", "jonas", "dana", "tyler"], "decisions[0].must_inform[3]", "no person"),
    ("decisions[0].informed.tyler", dt.date(2026, 10, 14), "decisions[0].informed.tyler", "no person"),
    ("decisions[1].informed", {"jonas": dt.date(2026, 10, 14)}, "decisions[1].informed.jonas", "'jonas' is not in must_inform"),
    ("notes[0].person", "tyler", "notes[0].person", "no person has the key 'tyler'"),
    # Choices, statuses by kind.
    ("people[1].side", "vendor", "people[1].side", "'vendor' is not one of: ours, client, partner"),
    ("checkins[0].status", "cancelled", "checkins[0].status", "is not one of: held, skipped, moved"),
    ("checkins[0].channel", "zoom", "checkins[0].channel", "is not one of: video, phone, on-site, chat"),
    ("decisions[0].kind", "issue", "decisions[0].kind", "is not one of: decision, risk, dependency"),
    ("decisions[0].status", "decided", "decisions[0].status", "'decided' is not a status of a risk; use open, mitigated, happened, closed"),
    ("decisions[1].status", "late", "decisions[1].status", "not a status of a decision; use open, decided, dropped"),
    ("decisions[1].status", 1, "decisions[1].status", "must be a string, not an integer"),
    ("notes[0].kind", "private", "notes[0].kind", "is not one of: personal, professional"),
    # Hours, slots, rhythms.
    ("people[0].hours", "17:00-09:00", "people[0].hours", "end before they start"),
    ("people[0].hours", "09:00-09:00", "people[0].hours", "end before they start"),
    ("people[0].hours", "9 to 5", "people[0].hours", "write HH:MM-HH:MM"),
    ("people[0].hours", "09:00-25:00", "people[0].hours", "not a time of day"),
    ("cadences[0].slot", "4pm", "cadences[0].slot", "write HH:MM"),
    ("cadences[1].slot", "09:30", "cadences[1].zone", "required when slot is given"),
    ("cadences[0].rhythm", "fortnightly", "cadences[0].rhythm", "unknown rhythm 'fortnightly'"),
    ("cadences[0].rhythm", "every 60 weeks on mon", "cadences[0].rhythm", "N from 1 to 52"),
    ("cadences[0].rhythm", "weekly on tues", "cadences[0].rhythm", "unknown day 'tues'"),
    # Required fields.
    ("engagement.name", DELETE, "engagement.name", "missing; it is required"),
    ("people[1].side", DELETE, "people[1].side", "missing; it is required"),
    ("people[1].timezone", DELETE, "people[1].timezone", "missing; it is required"),
    ("cadences[0].rhythm", DELETE, "cadences[0].rhythm", "missing; it is required"),
    ("checkins[0].at", DELETE, "checkins[0].at", "missing; it is required"),
    ("checkins[0].next_steps[0].text", DELETE, "checkins[0].next_steps[0].text", "missing"),
    ("decisions[0].title", DELETE, "decisions[0].title", "missing; it is required"),
    ("notes[0].on", DELETE, "notes[0].on", "missing; it is required"),
    ("notes[0].person", DELETE, "notes[0].person", "missing; it is required"),
]  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store holding the sample, shared by the rule cases: none of them may change it."""
    store = Store.open(str(tmp_path_factory.mktemp("rules") / "rules.db"))
    import_file(store, SAMPLE)
    yield store
    store.close()


@pytest.mark.parametrize(
    ("place", "value", "named", "words"), RULES, ids=[f"{r[0]}={r[1]!r}"[:60] for r in RULES]
)
def test_each_rule_is_enforced_with_its_place(
    loaded: Store, tmp_path: Path, place: str, value: Any, named: str, words: str
) -> None:
    doc = team()
    set_path(doc, place, value)
    path = write(tmp_path, doc)
    before = dump(loaded)
    messages = problems(loaded, path)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{path}: {named}: "), messages[0]
    assert words in messages[0]
    assert dump(loaded) == before


def test_the_unchanged_team_is_valid(store: Store, tmp_path: Path) -> None:
    """The rule cases above start from this file: it must pass, or they prove nothing."""
    summary = import_file(store, write(tmp_path, team()))
    assert summary == ImportSummary("trail", "Trailhead US", 3, 2, 2, 2, 2, 2)


def test_tabs_and_line_breaks_are_kept_in_long_text(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["checkins"][0]["outcome"] = "Agenda:\n\t1. tax\n\t2. payments\n"
    import_file(store, write(tmp_path, doc))
    with store.read() as session:
        outcome = session.execute(text("SELECT outcome FROM checkin ORDER BY id")).scalars().first()
    assert outcome == "Agenda:\n\t1. tax\n\t2. payments\n"


def test_a_newer_schema_version_is_the_only_message(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["schema_version"] = 2
    doc["people"][0]["pronouns"] = "he/him"  # a version-2 field: not worth a message of its own
    path = write(tmp_path, doc)
    assert problems(store, path) == [
        f"{path}: schema_version: the file is version 2; this rapport reads version 1 — "
        "update rapport to import it"
    ]


def test_all_problems_are_reported_at_once(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["people"][1]["timezone"] = "Mars/Olympus"
    doc["checkins"][0]["mood"] = True
    doc["notes"][1]["person"] = "tyler"
    doc["decisions"][0]["status"] = "decided"
    doc["engagement"]["colour"] = "red"
    path = write(tmp_path, doc)
    messages = problems(store, path)
    assert [m.split(": ")[1] for m in messages] == [
        "engagement.colour",
        "people[1].timezone",
        "checkins[0].mood",
        "decisions[0].status",
        "notes[1].person",
    ]
    assert all(m.startswith(f"{path}: ") for m in messages)
    assert str(InvalidFile(messages)) == "\n".join(messages)


def test_a_flood_of_problems_is_cut_short(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["notes"] = [{"person": "nobody", "on": dt.date(2026, 1, 1), "text": "x"}] * 600
    messages = problems(store, write(tmp_path, doc))
    assert len(messages) == 501
    assert messages[-1].endswith(": … and 100 more problems")


# --- reading the file -------------------------------------------------------------------------


def test_syntax_errors_name_file_line_and_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('schema_version = 1\n[engagement]\nkey = \nname = "x"\n', encoding="utf-8")
    assert problems(store, path) == [f"{path}:3:7: Invalid value"]
    path.write_text('schema_version = 1\n[engagement]\nname = "unfinished', encoding="utf-8")
    assert problems(store, path) == [f"{path}:3:19: Unterminated string"]


@pytest.mark.parametrize(
    "content",
    [
        "a = " + "[" * 5000 + "]" * 5000,
        "a = " + "{b = " * 3000 + "1" + "}" * 3000,
    ],
    ids=["arrays", "inline-tables"],
)
def test_deep_nesting_is_a_clean_error(store: Store, tmp_path: Path, content: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(content, encoding="utf-8")
    assert problems(store, path) == [
        f"{path}: arrays or tables are nested too deeply to read; is this an engagement?"
    ]


def test_an_absurdly_long_number_is_a_clean_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "digits.toml"
    path.write_text("schema_version = 1" + "0" * 5000, encoding="utf-8")
    assert problems(store, path) == [f"{path}: cannot read it: a number is too long"]


def test_not_utf8_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes("schema_version = 1\n# Müller\n".encode("latin-1"))
    assert problems(store, path) == [
        f"{path}: not UTF-8 text (byte 0xfc on line 2); save the file as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_accepted(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + tomli_w.dumps(team()).encode())
    assert import_file(store, path).people == 3


def test_a_file_over_the_cap_is_refused_before_reading(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk, no time
    assert problems(store, path) == [
        f"{path}: too large ({MAX_FILE_BYTES + 1:,} bytes); rapport reads files up to 256 MiB"
    ]


def test_missing_files_and_folders_are_refused(store: Store, tmp_path: Path) -> None:
    assert problems(store, tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such file"]
    assert problems(store, tmp_path) == [f"{tmp_path}: is a folder, not a file"]


# --- writing: atomic, replace, dry run --------------------------------------------------------


def test_an_existing_key_is_refused_without_replace(store: Store, tmp_path: Path) -> None:
    import_file(store, write(tmp_path, team()))
    before = dump(store)
    changed = team()
    changed["engagement"]["name"] = "Trailhead, second try"
    path = write(tmp_path, changed, "again.toml")
    assert problems(store, path) == [
        f"{path}: engagement.key: an engagement with the key 'trail' is already in the "
        "database; import with --replace to swap it for this file"
    ]
    assert dump(store) == before


def test_replace_swaps_the_engagement_and_leaves_others_alone(store: Store, tmp_path: Path) -> None:
    import_file(store, SAMPLE)
    import_file(store, write(tmp_path, team()))
    sample_export = export_engagement(store, "bergwerk-us")
    smaller = team()
    smaller["people"] = smaller["people"][:2]
    smaller["cadences"][0]["attendees"] = ["jonas", "dana"]
    smaller["checkins"][0]["next_steps"][0]["owner"] = "dana"
    smaller["decisions"][0]["must_inform"] = ["jonas", "dana"]
    del smaller["decisions"][0]["informed"]
    smaller["notes"] = smaller["notes"][:1]
    summary = import_file(store, write(tmp_path, smaller, "smaller.toml"), replace=True)
    assert summary.replaced
    assert str(summary).endswith("replacing the one of the same key")
    assert tomllib.loads(export_engagement(store, "trail")) == smaller
    assert export_engagement(store, "bergwerk-us") == sample_export
    with store.read() as session:
        engagements = session.execute(text("SELECT count(*) FROM engagement")).scalar()
        # Nothing of the old one is left behind: no orphans in any table.
        ines = session.execute(text("SELECT count(*) FROM person WHERE key = 'ines'")).scalar()
    assert engagements == 2
    assert ines == 1  # the sample's Inês, not the replaced team's


REFUSE_NOTES = {
    "sqlite": [
        "CREATE TRIGGER refuse_notes BEFORE INSERT ON note "
        "BEGIN SELECT RAISE(ABORT, 'notes refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_notes() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION 'notes refused'; END $$",
        "CREATE TRIGGER refuse_notes BEFORE INSERT ON note "
        "FOR EACH ROW EXECUTE FUNCTION refuse_notes()",
    ],
}


def test_a_failure_while_writing_rolls_back_the_replace(
    store: Store, tmp_path: Path, backend: str
) -> None:
    """The delete of the old engagement and the inserts are one transaction."""
    path = write(tmp_path, team())
    import_file(store, path)
    with store.write() as session:
        # A real failure inside the database, late in the import (notes come last).
        for statement in REFUSE_NOTES[backend]:
            session.execute(text(statement))
    before = dump(store)
    with pytest.raises(Exception, match="notes refused"):
        import_file(store, path, replace=True)
    assert dump(store) == before


def test_bad_input_leaves_the_database_unchanged(store: Store, tmp_path: Path) -> None:
    import_file(store, SAMPLE)
    before = dump(store)
    doc = team()
    doc["notes"][1]["person"] = "tyler"  # the very last thing checked
    problems(store, write(tmp_path, doc))
    problems(store, write(tmp_path, doc), replace=True)
    broken = tmp_path / "broken.toml"
    broken.write_text("schema_version = 1\n[engagement\n", encoding="utf-8")
    problems(store, broken)
    assert dump(store) == before


def test_dry_run_checks_everything_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, team())
    before = dump(store)
    summary = import_file(store, path, dry_run=True)
    assert summary == ImportSummary("trail", "Trailhead US", 3, 2, 2, 2, 2, 2)
    assert dump(store) == before
    import_file(store, path)
    after_import = dump(store)
    # The existing-key check runs on a dry run too; with replace it reports the swap.
    assert "already in the database" in problems(store, path, dry_run=True)[0]
    assert import_file(store, path, dry_run=True, replace=True).replaced
    assert dump(store) == after_import


def test_summary_reads_well() -> None:
    summary = ImportSummary("trailhead-us", "Trailhead US shop rollout", 15, 7, 38, 25, 12, 30)
    assert str(summary) == (
        "engagement 'trailhead-us' (Trailhead US shop rollout): 15 people, 7 cadences, "
        "38 check-ins, 25 next steps, 12 decisions, 30 notes"
    )
    assert str(ImportSummary("a", "A", 1, 1, 1, 1, 1, 1)).endswith(
        "1 person, 1 cadence, 1 check-in, 1 next step, 1 decision, 1 note"
    )


def test_import_document_takes_a_parsed_file(store: Store) -> None:
    summary = import_document(store, team(), "in-memory")
    assert summary.checkins == 2
    doc = team()
    doc["people"][0]["side"] = "us"
    with pytest.raises(InvalidFile) as refused:
        import_document(store, doc, "in-memory")
    assert refused.value.messages[0].startswith("in-memory: people[0].side: ")


# --- the sample and --demo --------------------------------------------------------------------


def test_load_sample_moves_every_date_by_whole_weeks(store: Store) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    as_of = sample["as_of"]
    load_sample(store, today=as_of + dt.timedelta(days=10))  # 10 days later: moved by 7
    week = dt.timedelta(days=7)
    exported = tomllib.loads(export_engagement(store, None))
    latest = max(c["at"] for c in sample["checkins"])
    moved = max(c["at"] for c in exported["checkins"])
    assert moved == latest + week
    assert moved.weekday() == latest.weekday()  # a Tuesday weekly stays on Tuesdays
    assert exported["engagement"]["kickoff"] == sample["engagement"]["kickoff"] + week
    first_note = sample["notes"][0]["on"]
    assert exported["notes"][0]["on"] == first_note + week
    informed = sample["decisions"][0]["informed"]
    assert exported["decisions"][0]["informed"] == {k: v + week for k, v in informed.items()}


def test_the_demo_never_puts_a_check_in_in_the_future(store: Store) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    # Early in the morning, ten days after as_of: the sample's last calls of its as_of day
    # (in the afternoon) must not appear as "in 6 hours".
    now = dt.datetime.combine(sample["as_of"] + dt.timedelta(days=10), dt.time(0, 30), UTC)
    load_sample(store, now=now)
    exported = tomllib.loads(export_engagement(store, None))
    latest = max(c["at"] for c in exported["checkins"])
    assert latest <= now
    assert latest > now - dt.timedelta(days=7)


def test_load_sample_on_its_own_day_changes_nothing(
    store: Store, tmp_path: Path, new_target: Callable[..., str]
) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    load_sample(store, today=sample["as_of"])
    other = Store.open(new_target())
    try:
        import_file(other, SAMPLE)
        assert export_engagement(store, None) == export_engagement(other, None)
    finally:
        other.close()


def test_load_sample_moves_a_cadences_since_too(store: Store) -> None:
    sample = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    since = {c["key"]: c["since"] for c in sample["cadences"] if "since" in c}
    assert since, "the sample should show a cadence that started after the kickoff"
    load_sample(store, today=sample["as_of"] + dt.timedelta(days=14))
    exported = tomllib.loads(export_engagement(store, None))
    assert {c["key"]: c["since"] for c in exported["cadences"] if "since" in c} == {
        key: day + dt.timedelta(days=14) for key, day in since.items()
    }


def test_the_demo_shift_comes_from_as_of_only() -> None:
    today = dt.date(2027, 1, 10)
    # Whole weeks, so meetings keep their weekdays: 51 days -> 49, -10 -> -14.
    assert demo_shift({"as_of": dt.date(2026, 11, 20)}, today) == 49
    assert demo_shift({"as_of": dt.date(2027, 1, 20)}, today) == -14
    assert demo_shift({}, today) == 0
    assert demo_shift({"as_of": dt.datetime(2026, 11, 20, tzinfo=UTC)}, today) == 0


def test_moments_beyond_utc_are_refused(store: Store, tmp_path: Path) -> None:
    doc = team()
    plus_one = dt.timezone(dt.timedelta(hours=1))
    doc["checkins"][0]["at"] = dt.datetime(1, 1, 1, 0, 30, tzinfo=plus_one)
    path = write(tmp_path, doc)
    assert problems(store, path) == [
        f"{path}: checkins[0].at: is out of range once converted to UTC"
    ]


def test_a_check_in_in_the_future_is_refused_naming_file_and_field(
    store: Store, tmp_path: Path
) -> None:
    doc = team()
    doc["checkins"][1]["at"] = dt.datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    path = write(tmp_path, doc)
    with pytest.raises(InvalidFile) as refused:
        import_document(store, doc, str(path), now=dt.datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    assert refused.value.messages == [
        f"{path}: checkins[1].at: 2026-11-20 11:00 UTC is in the future: a check-in is a "
        "meeting that happened (plan a coming one as a cadence)"
    ]
    from store import queries

    assert queries.engagements(store) == []
    # Without a `now`, the clock's: a check-in a month from now is refused as well.
    later = (dt.datetime.now(UTC) + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    doc["checkins"][1]["at"] = later
    (said,) = problems(store, write(tmp_path, doc))
    assert said.startswith(f"{path}: checkins[1].at: {later:%Y-%m-%d %H:%M} UTC is in the future")


def test_shifting_past_the_calendar_is_an_error(store: Store, tmp_path: Path) -> None:
    doc = team()
    doc["engagement"]["kickoff"] = dt.date(9999, 12, 1)
    with pytest.raises(InvalidFile) as refused:
        # Its check-ins, moved 60 days, are still in the past of this `now`.
        import_document(
            store, doc, "far.toml", shift_days=60, now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        )
    assert refused.value.messages == [
        "far.toml: engagement.kickoff: moved by 60 days it leaves the calendar"
    ]


# --- export -----------------------------------------------------------------------------------


def test_export_needs_a_choice_among_several(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no engagement in the database"):
        export_engagement(store, None)
    import_file(store, SAMPLE)
    import_file(store, write(tmp_path, team()))
    with pytest.raises(ExportError) as several:
        export_engagement(store, None)
    assert str(several.value) == (
        "the database holds 2 engagements; choose one with --engagement KEY: bergwerk-us, trail"
    )
    with pytest.raises(ExportError) as unknown:
        export_engagement(store, "trial")
    assert str(unknown.value) == (
        "no engagement has the key 'trial'; the database holds: bergwerk-us, trail"
    )
    assert tomllib.loads(export_engagement(store, "trail")) == team()


def count_statements(store: Store) -> list[str]:
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_import_and_export_cost_a_fixed_number_of_statements(store: Store, tmp_path: Path) -> None:
    """Bulk inserts and set-based reads: ten times the rows, the same number of statements."""

    def grown(times: int, key: str) -> dict[str, Any]:
        doc = team()
        doc["engagement"]["key"] = key
        doc["checkins"] = [c | {"attendees": ["dana"]} for c in doc["checkins"] * times]
        doc["notes"] = doc["notes"] * times
        doc["decisions"] = doc["decisions"] * times
        return doc

    statements = count_statements(store)
    counts = []
    for times, key in ((1, "small"), (10, "large")):
        statements.clear()
        import_file(store, write(tmp_path, grown(times, key), f"{key}.toml"))
        imported = len(statements)
        statements.clear()
        export_engagement(store, key)
        counts.append((imported, len(statements)))
    assert counts[0] == counts[1]
    assert counts[0][1] <= 12


# --- private files ----------------------------------------------------------------------------


def test_write_private_creates_the_file_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "export.toml"
    write_private(path, "schema_version = 1\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "schema_version = 1\n"


def test_write_private_makes_an_existing_file_private(tmp_path: Path) -> None:
    path = tmp_path / "export.toml"
    path.write_text("much longer old content that must not survive\n" * 10, encoding="utf-8")
    path.chmod(0o644)
    write_private(path, 'schema_version = 1\nname = "Zoë"\n')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == 'schema_version = 1\nname = "Zoë"\n'


# --- decisions: home cadence, risk, dependency, supersede -------------------------------------


def decision_doc() -> dict[str, Any]:
    doc = team()
    doc["decisions"] = [
        {"title": "Go-live 12 Nov", "key": "golive-nov", "status": "decided",
         "decided": dt.date(2026, 10, 1), "superseded_by": "golive-jan", "cadence": "weekly"},
        {"title": "Go-live 19 Jan", "key": "golive-jan", "status": "decided",
         "decided": dt.date(2026, 11, 4)},
        {"kind": "risk", "title": "Tax nexus", "probability": 3, "impact": 5,
         "mitigation": "Register first."},
        {"kind": "dependency", "title": "Sandbox", "depends_on": "Ridgeline"},
    ]  # fmt: skip
    return doc


def test_decision_fields_round_trip_byte_identical(
    store: Store, tmp_path: Path, new_target: Callable[..., str]
) -> None:
    from store import decisions, queries

    import_file(store, write(tmp_path, decision_doc()))
    first = export_engagement(store, None)
    other = Store.open(new_target())
    try:
        import_file(other, write(tmp_path, tomllib.loads(first), "first.toml"))
        assert export_engagement(other, None) == first
    finally:
        other.close()
    (engagement,) = queries.engagements(store)
    items = {i.title: i for i in decisions.items(store, engagement.id, dt.date(2026, 11, 20))}
    assert items["Go-live 12 Nov"].superseded_by == (items["Go-live 19 Jan"].id, "Go-live 19 Jan")
    assert items["Go-live 12 Nov"].cadence != ""
    assert items["Tax nexus"].score == 15
    assert items["Sandbox"].depends_on == "Ridgeline"


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        ("decisions[2].probability", 6, "decisions[2].probability: "),
        ("decisions[2].impact", "high", "decisions[2].impact: "),
        ("decisions[0].superseded_by", "golive-dec", "no decision has the key 'golive-dec'"),
        ("decisions[0].cadence", "weekley", "no cadence has the key 'weekley'"),
        ("decisions[1].key", "golive-nov", "is already the key of decisions[0]"),
    ],
)
def test_bad_decision_fields_are_refused(
    store: Store, tmp_path: Path, place: str, value: Any, message: str
) -> None:
    doc = decision_doc()
    set_path(doc, place, value)
    before = dump(store)
    found = problems(store, write(tmp_path, doc))
    assert any(message in line for line in found), found
    assert dump(store) == before
