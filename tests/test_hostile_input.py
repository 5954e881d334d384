"""Hostile input through the command line: each bad value is refused with a clear line naming
the file (or option) and the place, exit code 1, no traceback, nothing raw sent to the terminal,
and the database byte for byte as it was. Legitimate Unicode goes in and out exactly."""

from __future__ import annotations

import copy
import datetime as dt
import re
import sqlite3
import sys
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w
from sqlalchemy import select

from store import io_toml
from store.db import Store
from store.fields import BIDI_CONTROLS
from store.io_toml import MAX_FILE_BYTES
from store.models import CheckIn, Decision, Note
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main


class _Delete:
    """Marks a key to remove; its repr is stable so test ids match across xdist workers."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()
BIG = 20 * 1024 * 1024  # "a single 20 MB string"


def base() -> dict[str, Any]:
    """A small engagement that sets every capped field, so each can be made too long."""
    return {
        "schema_version": 1,
        "engagement": {
            "key": "hostile", "name": "Hostile input", "client": "Client Inc.",
            "goal": "Refuse what is bad.", "kickoff": dt.date(2026, 9, 28), "lead": "jonas",
        },
        "people": [
            {
                "key": "jonas", "name": "Jonas Brandt", "side": "ours", "organisation": "Nordlicht",
                "role": "Lead", "responsibilities": "Delivery", "team": "Core",
                "timezone": "Europe/Berlin", "hours": "08:30-17:30", "email": "j@example.com",
                "contact_every": 14,
            },
            {"key": "dana", "name": "Dana Whitfield", "side": "client", "timezone": "America/Denver"},
        ],
        "cadences": [
            {
                "key": "weekly", "name": "Weekly status", "circle": "Core", "rhythm": "weekly on tue",
                "slot": "16:00", "zone": "Europe/Berlin", "duration": 45, "owner": "jonas",
                "attendees": ["jonas", "dana"],
            },
        ],
        "checkins": [
            {
                "at": dt.datetime(2026, 10, 13, 14, 0, tzinfo=dt.UTC), "cadence": "weekly",
                "attendees": ["dana", "jonas"], "outcome": "Shortlist agreed.", "mood": 4,
                "next_steps": [{"text": "Send the shortlist", "owner": "dana"}],
            },
        ],
        "decisions": [
            {
                "kind": "risk", "key": "freeze", "title": "Black Friday code freeze",
                "context": "No releases from 16 Nov.", "owner": "dana", "outcome": "Moved.",
                "mitigation": "Go live in January.", "depends_on": "Group IT", "probability": 3,
                "impact": 4, "must_inform": ["jonas"], "informed": {"jonas": dt.date(2026, 10, 2)},
            },
        ],
        "notes": [{"person": "dana", "on": dt.date(2026, 10, 7), "text": "Runs marathons."}],
    }  # fmt: skip


def set_path(doc: dict[str, Any], place: str, value: Any) -> None:
    """Set (or with DELETE remove) the value at a place like `people[1].timezone`."""
    parts = [int(i) if i else n for n, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", place)]
    target: Any = doc
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    elif isinstance(target, list) and parts[-1] == len(target):
        target.append(value)
    else:
        target[parts[-1]] = value


def image(db: Path) -> bytes:
    """The database file's bytes once every committed change is in it (WAL checkpointed)."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.read_bytes()


def harmless(text: str) -> bool:
    """Nothing in `text` that a terminal would act on: no control (but newline), no bidi."""
    return not any(
        (unicodedata.category(c) == "Cc" and c != "\n") or c in BIDI_CONTROLS for c in text
    )


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """One database holding the base engagement, and its bytes: no case may change them."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.db"
    source = folder / "base.toml"
    source.write_text(tomli_w.dumps(base()), encoding="utf-8")
    assert main(["--db", str(db), "import", str(source)]) == EXIT_OK
    yield db, image(db)


def refused(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], *argv: str | Path
) -> list[str]:
    """Run `rapport --db DB ARGV…`; assert a clean refusal that changed nothing; the lines."""
    db, before = target
    # As Python's own stderr does, write what cannot be encoded (a lone surrogate) escaped.
    sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    code = main(["--db", str(db), *map(str, argv)])
    out, err = capsys.readouterr()
    assert (code, out) == (EXIT_BAD_INPUT, ""), err
    assert err and "Traceback" not in err
    assert harmless(err), repr(err[:300])
    assert image(db) == before
    return err.splitlines()


def import_refused(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], path: Path
) -> list[str]:
    lines = refused(capsys, target, "import", path)
    assert all(line.startswith(f"{path}:") for line in lines), lines
    assert all(len(line) < 400 for line in lines), [len(line) for line in lines]
    return lines


def written(folder: Path, doc: dict[str, Any]) -> Path:
    path = folder / "bad.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


# --- bad values in a well-formed file ---------------------------------------------------------

C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]
CONTROLS = [*C0, "\x7f", *C1]
ESCAPES = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;owned\x07",  # set the window title
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # a hyperlink
    "\x1b[6n",  # ask the terminal to answer (into the input)
    "\x9b31m",  # CSI as one C1 character
    "\x1bP+q544e\x1b\\",  # a device control string
]

# (place, value, words in the message) for each capped field: one past the limit.
LENGTHS = [
    ("engagement.key", "k" * 41, "a key has at most 40"),
    ("engagement.name", "x" * 201, "201 characters long; the limit is 200"),
    ("engagement.client", "x" * 201, "the limit is 200"),
    ("engagement.goal", "x" * 20_001, "20001 characters long; the limit is 20000"),
    ("people[0].key", "k" * 41, "a key has at most 40"),
    ("people[0].name", "x" * 201, "the limit is 200"),
    ("people[0].organisation", "x" * 201, "the limit is 200"),
    ("people[0].role", "x" * 201, "the limit is 200"),
    ("people[0].responsibilities", "x" * 20_001, "the limit is 20000"),
    ("people[0].team", "x" * 201, "the limit is 200"),
    ("people[0].email", "x" * 189 + "@example.com", "the limit is 200"),
    ("people[0].timezone", "Europe/" + "x" * 58, "a time zone has at most 64"),
    ("people[0].hours", "08:30" + " " * 20 + "-17:30", "is not working hours"),
    ("cadences[0].key", "k" * 41, "a key has at most 40"),
    ("cadences[0].name", "x" * 201, "the limit is 200"),
    ("cadences[0].circle", "x" * 201, "the limit is 200"),
    ("cadences[0].rhythm", "weekly on tue" + " " * 190, "the limit is 200"),
    ("cadences[0].slot", "0" * 21, "is not a time"),
    ("cadences[0].zone", "x" * 65, "a time zone has at most 64"),
    ("checkins[0].outcome", "x" * 20_001, "the limit is 20000"),
    ("checkins[0].next_steps[0].text", "x" * 20_001, "the limit is 20000"),
    ("decisions[0].key", "k" * 41, "a key has at most 40"),
    ("decisions[0].title", "x" * 201, "the limit is 200"),
    ("decisions[0].context", "x" * 20_001, "the limit is 20000"),
    ("decisions[0].outcome", "x" * 20_001, "the limit is 20000"),
    ("decisions[0].mitigation", "x" * 20_001, "the limit is 20000"),
    ("decisions[0].depends_on", "x" * 201, "the limit is 200"),
    ("notes[0].text", "x" * 20_001, "the limit is 20000"),
]

# (place, value, words): numbers that overflow, wrong types, dates and zones that do not exist.
VALUES = [
    ("checkins[0].mood", 10**30, "1000000000000000000000000000000 is out of range; use 1 to 5"),
    ("checkins[0].mood", -1, "-1 is out of range; use 1 to 5"),
    ("checkins[0].mood", 2**63, "9223372036854775808 is out of range"),
    ("checkins[0].mood", -(2**63) - 1, "is out of range"),
    ("checkins[0].mood", 10**4000, "a huge number is out of range; use 1 to 5"),
    ("checkins[0].mood", float("inf"), "must be an integer, not a float"),
    ("checkins[0].mood", float("nan"), "must be an integer, not a float"),
    ("checkins[0].mood", "4", "must be an integer, not a string"),
    ("cadences[0].duration", -1, "-1 is out of range; use 1 to 1440"),
    ("cadences[0].duration", 2**63, "is out of range; use 1 to 1440"),
    ("cadences[0].duration", 2**64, "is out of range; use 1 to 1440"),
    ("people[0].contact_every", 2**63 - 1, "is out of range; use 1 to 365"),
    ("decisions[0].probability", 10**30, "is out of range; use 1 to 5"),
    ("decisions[0].impact", -(10**4000), "a huge negative number is out of range"),
    ("schema_version", 10**4000, "the file is version a huge number; this rapport reads version 1"),
    ("notes[0].on", "2026-02-30", "must be a date (YYYY-MM-DD), not a string"),
    ("notes[0].follow_up", "tomorrow", "must be a date (YYYY-MM-DD), not a string"),
    ("engagement.kickoff", 20260928, "must be a date (YYYY-MM-DD), not an integer"),
    ("checkins[0].at", "2026-10-13T14:00:00Z", "not a string"),
    # Dates that break the calendar arithmetic later: 1970 to 100 years from today only.
    ("engagement.kickoff", dt.date(9999, 12, 31), "9999-12-31 is outside the dates rapport keeps"),
    ("engagement.kickoff", dt.date(1, 1, 1), "0001-01-01 is outside the dates rapport keeps"),
    ("cadences[0].since", dt.date(9999, 12, 31), "9999-12-31 is outside the dates"),
    ("notes[0].follow_up", dt.date(1969, 12, 31), "1969-12-31 is outside the dates"),
    ("decisions[0].due", dt.date(2999, 1, 1), "2999-01-01 is outside the dates"),
    ("checkins[0].at", dt.datetime(2999, 1, 1, tzinfo=dt.UTC), "2999-01-01 is outside the dates"),
    ("checkins[0].at", dt.datetime(2026, 3, 29, 2, 30), "needs an offset"),
    ("people[1].timezone", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ("people[1].timezone", "", "unknown time zone ''"),
    ("people[1].timezone", "europe/berlin", "unknown time zone 'europe/berlin'"),
    ("people[1].timezone", "Europe/Berlin ", "unknown time zone 'Europe/Berlin '"),
    ("people[1].timezone", "localtime", "unknown time zone 'localtime'"),
    ("people[1].timezone", "../../../etc/passwd", "unknown time zone"),
    ("people[1].timezone", "Europe/Berlin\x00", "unknown time zone 'Europe/Berlin\\x00'"),
    ("cadences[0].zone", "CEST", "unknown time zone 'CEST'"),
    ("people[0].hours", "09:00-25:00", "is not a time of day"),
    ("people[0].hours", "17:00-09:00", "end before they start"),
    ("cadences[0].slot", "24:00", "is not a time of day"),
    # Wrong types, at every level.
    ("people", "dana", "must be an array of tables ([[people]]), not a string"),
    ("engagement", 1, "must be a table, not an integer"),
    ("people[1]", ["dana"], "must be a table, not an array"),
    ("people[1].name", ["Dana"], "must be a string, not an array"),
    ("people[0].at_kickoff", "yes", "must be true or false, not a string"),
    ("checkins[0].attendees", "dana", "must be an array of keys, not a string"),
    ("decisions[0].informed", ["jonas"], "must be a table of key = date, not an array"),
    # Missing and unknown keys.
    ("engagement", DELETE, "missing; it is required"),
    ("engagement.key", DELETE, "missing; it is required"),
    ("people[1].timezone", DELETE, "missing; it is required"),
    ("checkins[0].at", DELETE, "missing; it is required"),
    ("notes[0].text", DELETE, "missing; it is required"),
    ("engagement.colour", "red", "unknown key"),
    ("people[1].nickname", "D", "unknown key"),
    ("meetings", [{"key": "x"}], "unknown key"),
    # Keys that look like keys, and duplicates.
    ("people[1].key", "d\u0430na", "is not a key"),  # a Cyrillic а
    ("people[1].key", "Dana W", "'Dana W' is not a key"),
    ("people[1].key", "dana\n", "'dana\\n' is not a key"),  # `$` matches before a newline
    ("engagement.key", "hostile\n", "'hostile\\n' is not a key"),
    ("people[2]", {"key": "dana", "name": "D", "side": "client", "timezone": "UTC"},
     "'dana' is already the key of people[1]"),
    ("cadences[1]", {"key": "weekly", "name": "W", "rhythm": "weekdays"},
     "'weekly' is already the key of cadences[0]"),
    ("decisions[1]", {"key": "freeze", "title": "Again"}, "'freeze' is already the key"),
    ("cadences[0].attendees", ["dana", "dana"], "'dana' is listed twice"),
    # References to nothing (dangling), some of them hostile themselves.
    ("engagement.lead", "ghost", "no person has the key 'ghost'"),
    ("notes[0].person", "ghost", "no person has the key 'ghost'"),
    ("notes[0].person", "da\x1b[2Jna", "no person has the key 'da\\x1b[2Jna'"),
    ("notes[0].person", "dana\u202e", "no person has the key 'dana\\u202e'"),
    ("cadences[0].owner", "ghost", "no person has the key 'ghost'"),
    ("checkins[0].cadence", "daily", "no cadence has the key 'daily'"),
    ("checkins[0].attendees", ["dana", "ghost"], "no person has the key 'ghost'"),
    ("checkins[0].next_steps[0].owner", "ghost", "no person has the key 'ghost'"),
    ("decisions[0].must_inform", ["jonas", "ghost"], "no person has the key 'ghost'"),
    ("decisions[0].informed", {"\x1b[2J": dt.date(2026, 10, 2)}, "no person has the key '\\x1b[2J'"),
    ("decisions[0].superseded_by", "ghost", "no decision has the key 'ghost'"),
]  # fmt: skip


def text_cases() -> list[Any]:
    cases = []
    for char in CONTROLS:
        code = f"U+{ord(char):04X}"
        # Single-line text refuses every control character, newline and tab included.
        cases.append(
            pytest.param("people[1].name", f"Dana{char}Whitfield", code, id=f"name-{code}")
        )
        if char not in "\n\t":  # long text keeps those two
            cases.append(pytest.param("notes[0].text", f"Runs{char}fast", code, id=f"note-{code}"))
    for char in sorted(BIDI_CONTROLS):
        code = f"U+{ord(char):04X}"
        words = f"bidi control character ({code})"
        cases.append(pytest.param("people[1].name", f"Dana{char}", words, id=f"name-{code}"))
        cases.append(pytest.param("checkins[0].outcome", f"a{char}b", words, id=f"outcome-{code}"))
    places = ["engagement.name", "people[1].role", "checkins[0].outcome", "decisions[0].title",
              "notes[0].text", "cadences[0].name"]  # fmt: skip
    for index, sequence in enumerate(ESCAPES):
        code = f"U+{ord(sequence[0]):04X}"
        place = places[index % len(places)]
        cases.append(pytest.param(place, f"ok {sequence} ok", code, id=f"escape-{index}"))
    cases.append(pytest.param("people[1].name", "Dana\u2028Whitfield", "line break (U+2028)", id="name-U+2028"))  # fmt: skip
    cases += [pytest.param(p, v, w, id=f"{p}-too-long") for p, v, w in LENGTHS]
    cases += [pytest.param(p, v, w, id=f"{p}={v!r}"[:50]) for p, v, w in VALUES]
    return cases


@pytest.mark.parametrize(("place", "value", "words"), text_cases())
def test_bad_values_are_refused_with_file_and_place(
    capsys: pytest.CaptureFixture[str],
    target: tuple[Path, bytes],
    tmp_path: Path,
    place: str,
    value: Any,
    words: str,
) -> None:
    doc = base()
    set_path(doc, place, value)
    path = written(tmp_path, doc)
    lines = import_refused(capsys, target, path)
    assert len(lines) == 1, lines
    named = re.sub(r"\[\d+\]$", "", place) if isinstance(value, dict) else place
    assert lines[0].startswith(f"{path}: {named}"), lines[0]
    assert words in lines[0], lines[0]


def test_every_capped_field_takes_exactly_its_limit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The length cases above are one past the limit: at the limit, the file imports."""
    doc = base()
    for place, value, _ in LENGTHS:
        if "key" in place.rsplit(".", 1)[-1]:
            continue  # keys are referred to; their limit is checked in test_store_io
        if place.endswith(("timezone", "zone", "hours", "slot", "rhythm")):
            continue  # not free text: a value one shorter is no valid value either
        set_path(doc, place, value[:-1])
    path = written(tmp_path, doc)
    assert main(["--db", str(tmp_path / "limits.db"), "import", str(path)]) == EXIT_OK
    capsys.readouterr()


# --- files that are no valid TOML, or no engagement file at all --------------------------------

BASE_TEXT = tomli_w.dumps(base())

# (id, the file's text, the start of the line after `FILE:`)
SYNTAX = [
    ("unterminated-string", 'schema_version = 1\n[engagement]\nname = "unfinished\n', "3:19: "),
    ("missing-value", "schema_version = 1\n[engagement]\nkey = \n", "3:7: Invalid value"),
    ("unclosed-header", "schema_version = 1\n[engagement\nkey = 'x'\n", "2:12: "),
    ("raw-escape-in-string", 'schema_version = 1\n[engagement]\nname = "a\x1b[2Jb"\n', "3:10: "),
    ("raw-nul", "schema_version = 1\x00\n", "1:19: "),
    ("bad-escape", 'schema_version = 1\n[engagement]\nname = "a\\qb"\n', "3:12: Unescaped '\\'"),
    ("surrogate-escape", 'schema_version = 1\n[engagement]\nname = "\\ud800"\n',
     "3:15: Escaped character is not a Unicode scalar value"),
    ("date-feb-30", "schema_version = 1\nas_of = 2026-02-30\n", "2:9: Invalid date or datetime"),
    ("date-feb-29-2026", "schema_version = 1\nas_of = 2026-02-29\n", "2:9: Invalid date"),
    ("month-13", "schema_version = 1\nas_of = 2026-13-01\n", "2:13: "),
    ("offset-25h", "schema_version = 1\nas_of = 2026-10-06T14:00:00+25:00\n", "2:"),
    ("duplicate-key", BASE_TEXT.replace('name = "Hostile input"\n',
                                        'name = "Hostile input"\nname = "Again"\n', 1),
     "9:15: Cannot overwrite a value"),
    ("duplicate-table", BASE_TEXT + '\n[engagement]\nkey = "again"\n',
     "78:12: Cannot declare ('engagement',) twice"),
    ("table-redefines-array", BASE_TEXT + '\n[people]\nkey = "x"\n',
     "78:8: Cannot declare ('people',) twice"),
    ("arrays-5000-deep", "a = " + "[" * 5000 + "]" * 5000 + "\n",
     " arrays or tables are nested too deeply to read"),
    ("inline-tables-5000-deep", "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
     " arrays or tables are nested too deeply to read"),
    ("number-5000-digits", "schema_version = 1" + "0" * 5000 + "\n",
     " cannot read it: a number is too long"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "said"), [pytest.param(c, s, id=i) for i, c, s in SYNTAX])
def test_files_that_are_not_toml_are_refused(
    capsys: pytest.CaptureFixture[str],
    target: tuple[Path, bytes],
    tmp_path: Path,
    content: str,
    said: str,
) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content.encode("utf-8"))
    (line,) = import_refused(capsys, target, path)
    assert line.startswith(f"{path}:{said}"), line
    if said[0].isdigit():  # a syntax error names line and column
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S", line), line


def test_5000_deep_table_headers_are_an_unknown_key(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(BASE_TEXT + "\n[" + ".".join(["a"] * 5000) + "]\nb = 1\n", encoding="utf-8")
    (line,) = import_refused(capsys, target, path)
    assert line.startswith(f"{path}: a: unknown key"), line


def test_not_utf8_is_refused(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE_TEXT.replace("Dana Whitfield", "Däna").encode("latin-1"))
    (line,) = import_refused(capsys, target, path)
    assert line.startswith(f"{path}: not UTF-8 text (byte 0xe4 on line ")


# --- sizes ----------------------------------------------------------------------------------


def with_note(text: str) -> str:
    """The base file with one more note whose text is `text` (put in raw: it is large)."""
    doc = base()
    doc["notes"].append({"person": "dana", "on": dt.date(2026, 10, 8), "text": "@@TEXT@@"})
    return tomli_w.dumps(doc).replace("@@TEXT@@", text, 1)


def test_a_single_20_mb_string_is_refused_by_its_length(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "big.toml"
    path.write_text(with_note("x" * BIG), encoding="utf-8")
    (line,) = import_refused(capsys, target, path)
    assert line == f"{path}: notes[1].text: is {BIG} characters long; the limit is 20000"


def test_a_20_mb_key_is_not_echoed(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "big-key.toml"
    path.write_text(
        BASE_TEXT.replace('person = "dana"', f"person = '{'d' * BIG}'", 1), encoding="utf-8"
    )
    (line,) = import_refused(capsys, target, path)
    assert line.startswith(f"{path}: notes[0].person: no person has the key 'ddddd")
    assert line.endswith("…'")


def test_a_file_larger_than_the_cap_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.write(BASE_TEXT.encode("utf-8"))
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk, no time
    (line,) = import_refused(capsys, target, path)
    assert line == (
        f"{path}: too large ({MAX_FILE_BYTES + 1:,} bytes); rapport reads files up to 256 MiB"
    )


def test_a_file_that_lies_about_its_size_is_read_only_up_to_the_cap(
    capsys: pytest.CaptureFixture[str],
    target: tuple[Path, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """/dev/zero says it is empty and never ends: reading stops one byte past the cap."""
    monkeypatch.setattr(io_toml, "MAX_FILE_BYTES", 1024 * 1024)
    (line,) = import_refused(capsys, target, Path("/dev/zero"))
    assert line == "/dev/zero: too large (1,048,577 bytes); rapport reads files up to 1 MiB"


# --- legitimate Unicode ---------------------------------------------------------------------

NAMES = [
    "Jürgen Müller", "Zoë Hartmann", "山田太郎", "محمد الأحمد", "דוד כהן", "Ana 🏔️ Ruiz",
    "Priya 👩🏽‍💻 Raman", "Kai 🇩🇪 Vogel", "Ciarán Ó Briain", "Ngọc Anh", "Σωκράτης",
]  # fmt: skip
TEXTS = [
    "Zoë mag Käsekuchen 🍰 — fragt nach dem Marathon",
    "山田さんは東京で会いたい。\n\t次回は10月。",
    "محمد يفضل الاتصال صباحًا — prefers mornings",
    "דוד: שלום and مرحبا in one line",
    "Flags 🏴󠁧󠁢󠁳󠁣󠁴󠁿 and families 👨‍👩‍👧 stay whole",
]


def test_legitimate_unicode_goes_in_and_out_exactly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tui.format import safe

    doc = base()
    doc["people"] += [
        {"key": f"p{index}", "name": name, "side": "client", "timezone": "Asia/Tokyo"}
        for index, name in enumerate(NAMES)
    ]
    doc["notes"] += [
        {"person": f"p{index}", "on": dt.date(2026, 10, 8), "text": text}
        for index, text in enumerate(TEXTS)
    ]
    doc["checkins"][0]["outcome"] = TEXTS[1]
    path = written(tmp_path, doc)
    db = tmp_path / "unicode.db"
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    assert main(["--db", str(db), "export"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert err == ""
    exported = tomllib.loads(out.split("\n", 1)[1])  # past the "Imported …" line
    assert [p["name"] for p in exported["people"][2:]] == NAMES
    assert [n["text"] for n in exported["notes"][1:]] == TEXTS
    assert exported["checkins"][0]["outcome"] == TEXTS[1]
    for value in NAMES + TEXTS:
        assert unicodedata.is_normalized("NFC", value)
        assert safe(value) == value  # shown on screen as it is


def test_legitimate_unicode_through_rapport_log(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_target: str
) -> None:
    doc = base()
    doc["people"].append({"key": "zoe", "name": "Zoë Hartmann", "side": "ours", "timezone": "UTC"})
    db = db_target
    assert main(["--db", db, "import", str(written(tmp_path, doc))]) == EXIT_OK
    outcome = "Besprochen: Preise in €, 山田さん einverstanden 👍\nnächster Schritt"
    code = main([
        "--db", db, "log", "--with", "zoe,dana", "--outcome", outcome,
        "--note", f"Zoë: {TEXTS[0]}", "--decision", "Dana: Größentabelle übernehmen",
    ])  # fmt: skip
    assert code == EXIT_OK
    capsys.readouterr()
    store = Store.open(db)
    try:
        with store.read() as session:
            last = {
                "outcome": session.scalar(select(CheckIn.outcome).order_by(CheckIn.id.desc())),
                "note": session.scalar(select(Note.text).order_by(Note.id.desc())),
                "title": session.scalar(select(Decision.title).order_by(Decision.id.desc())),
            }
    finally:
        store.close()
    assert last == {"outcome": outcome, "note": TEXTS[0], "title": "Größentabelle übernehmen"}


def test_what_postgresql_would_refuse_is_refused_first_on_both(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_target: str
) -> None:
    """NUL and over-long text never reach the database: on PostgreSQL they would be a
    driver's error, on SQLite stored as they are. One clear line on each, nothing written."""
    from backends import dump

    assert main(["--db", db_target, "import", str(written(tmp_path, base()))]) == EXIT_OK
    capsys.readouterr()
    before = dump(db_target)
    doc = base()
    doc["engagement"]["key"] = "other"
    doc["notes"][0]["text"] = "a\x00b"
    doc["people"][1]["name"] = "x" * 201
    for argv, said in (
        (["import", str(written(tmp_path, doc))], ["people[1].name: is 201 characters long",
                                                   "notes[0].text: holds a control character (U+0000)"]),
        (["log", "--with", "dana", "--outcome", "a\x00b"], ["holds a control character (U+0000)"]),
        (["log", "--with", "dana", "--outcome", "ok", "--decision", "x" * 201], ["the limit is 200"]),
    ):  # fmt: skip
        assert main(["--db", db_target, *argv]) == EXIT_BAD_INPUT
        out, err = capsys.readouterr()
        assert out == "" and "Traceback" not in err
        for words in said:
            assert words in err, err
    assert dump(db_target) == before


# --- rapport log ----------------------------------------------------------------------------

# (options after `log --with dana`, the start of the error line after "rapport: ")
LOG = [
    (["--outcome", "red \x1b[31m alert"], '--outcome "red \\x1b[31m alert": holds a control character (U+001B)'),
    (["--outcome", "a\x00b"], "--outcome \"a\\x00b\": holds a control character (U+0000)"),
    (["--outcome", "a\x7fb"], "--outcome \"a\\x7fb\": holds a control character (U+007F)"),
    (["--outcome", "a\x85b"], "--outcome \"a\\x85b\": holds a control character (U+0085)"),
    (["--outcome", "a\rb"], "--outcome \"a\\rb\": holds a control character (U+000D)"),
    (["--outcome", "file\u202egnp.exe"], '--outcome "file\\u202egnp.exe": holds a bidi control'),
    (["--outcome", "bad \udcff byte"], "--outcome \"bad \\udcff byte\": holds bytes that are not UTF-8"),
    (["--outcome", "x" * 20_001], '--outcome "xxxxxxxx'),
    (["--outcome", "ok", "--mood", str(10**30)], "--mood 1000000000000000000000000000000: mood is 1"),
    (["--outcome", "ok", "--mood", "-1"], "--mood -1: mood is 1 (bad) to 5 (great)"),
    (["--outcome", "ok", "--note", "dana: \x1b]0;owned\x07"], '--note "dana: \\x1b]0;owned\\x07": holds a control'),
    (["--outcome", "ok", "--note", "dana: " + "x" * 20_001], '--note "dana: xxxx'),
    (["--outcome", "ok", "--decision", "dana: " + "x" * 201], '--decision "dana: xxxx'),
    (["--outcome", "ok", "--next", "dana: send \x9b2J"], '--next "dana: send \\x9b2J": holds a control'),
    (["--outcome", "ok", "--when", "2026-02-30 10:00"], '--when "2026-02-30 10:00": '),
    (["--outcome", "ok", "--when", "tue 25:00"], '--when "tue 25:00": '),
    (["--outcome", "ok", "--next", "dana: x by 2026-02-30"], '--next "dana: x by 2026-02-30": '),
    (["--outcome", "ok", "--engagement", "\x1b[2J"], '--engagement "\\x1b[2J": no engagement has that key'),
]  # fmt: skip


@pytest.mark.parametrize(("options", "said"), LOG, ids=[s[:30] for _, s in LOG])
def test_rapport_log_refuses_bad_options(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], options: list[str], said: str
) -> None:
    lines = refused(capsys, target, "log", "--with", "dana", *options)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"rapport: {said}"), lines[0]
    if "xxxx" in said:
        assert "the limit is" in lines[0]


def test_rapport_log_refuses_a_time_the_clocks_skip(
    capsys: pytest.CaptureFixture[str],
    target: tuple[Path, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tui.commands.local_zone", lambda: ZoneInfo("Europe/Berlin"))
    (line,) = refused(capsys, target, "log", "--with", "dana", "--outcome", "ok",
                      "--when", "2026-03-29 02:30")  # fmt: skip
    assert line == (
        'rapport: --when "2026-03-29 02:30": 2026-03-29 02:30 does not exist in Europe/Berlin: '
        "the clocks skip that hour"
    )


@pytest.mark.parametrize("when", ["0001-01-01 00:00+05:00", "9999-12-31 23:59-05:00"])
def test_rapport_log_refuses_a_moment_beyond_the_calendar(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], when: str
) -> None:
    (line,) = refused(capsys, target, "log", "--with", "dana", "--outcome", "ok", "--when", when)
    assert line.startswith(f'rapport: --when "{when}": ')


@pytest.mark.parametrize(
    "option",
    [("--when", "2999-01-01 10:00"), ("--when", "1969-12-31 23:00+00:00"),
     ("--next", "dana: ship it by 9999-12-31")],
)  # fmt: skip
def test_rapport_log_refuses_a_date_outside_the_dates_rapport_keeps(
    capsys: pytest.CaptureFixture[str], target: tuple[Path, bytes], option: tuple[str, str]
) -> None:
    (line,) = refused(capsys, target, "log", "--with", "dana", "--outcome", "ok", *option)
    assert line.startswith(f'rapport: {option[0]} "{option[1]}": ') and "outside the dates" in line


def test_the_base_file_is_valid(tmp_path: Path) -> None:
    """Every case above starts from it: it must import, or they prove nothing."""
    doc = copy.deepcopy(base())
    path = written(tmp_path, doc)
    assert main(["--db", str(tmp_path / "ok.db"), "import", "--dry-run", str(path)]) == EXIT_OK
