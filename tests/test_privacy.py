"""Privacy: erasing a person for good, showing everything about one, and no personal text in
error output (database errors, the app's crash output)."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import dump
from conftest import SAMPLE
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from store.db import Store
from store.io_toml import export_engagement, import_file
from store.models import Base, Note, Person
from store.privacy import (
    ERASED_WITH_THE_PERSON,
    OWNER_CLEARED,
    find_person,
    footprint,
    forget_person,
)
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

# Built at run time, so that no line of code (which a traceback shows) holds it.
TOKEN = "-".join(["QZXV", "unique", "7f3a9c"])
SAMPLE_DAY = dt.date(2026, 11, 2)


def companions(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def holds(db: Path, needle: str) -> list[str]:
    """Which of the database file, its -wal and its -shm hold `needle` (as UTF-8 bytes)."""
    raw = needle.encode("utf-8")
    return [path.name for path in companions(db) if path.exists() and raw in path.read_bytes()]


@pytest.fixture
def loaded(store: Store) -> Store:
    import_file(store, SAMPLE)
    return store


def dana_id(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(Person.id).where(Person.key == "dana"))  # type: ignore[return-value]


def mark_dana(store: Store) -> None:
    """Put the token in Dana's name and in a long note (long enough for overflow pages)."""
    person = dana_id(store)
    with store.write() as session:
        session.execute(
            update(Person).where(Person.id == person).values(name=f"Dana Whitfield {TOKEN}")
        )
        session.execute(
            insert(Note).values(
                person_id=person, on=SAMPLE_DAY, kind="personal", text=f"{TOKEN} " * 1500
            )
        )
        session.execute(insert(Note).values(person_id=person, on=SAMPLE_DAY, text=f"short {TOKEN}"))


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# --- rapport forget -----------------------------------------------------------------------------


@pytest.mark.sqlite_only  # about the bytes of the file, its -wal and -shm
@pytest.mark.parametrize("where", ["rapport.db", "rapport.db-wal"])
def test_forget_leaves_no_trace_in_the_file_its_wal_or_shm(
    loaded: Store, db_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    mark_dana(loaded)
    if where == "rapport.db":  # written through to the file itself, the WAL emptied
        with sqlite3.connect(db_path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Another process has the database open meanwhile (the app, say): its connection is idle.
    app_store = Store.open(str(db_path))
    try:
        with app_store.read() as session:
            assert session.scalar(text("SELECT count(*) FROM person")) == 17
        assert where in holds(db_path, TOKEN), "the test must start with the token there"
        code, out, err = run(capsys, "--db", db_path, "forget", "dana", "--yes")
        assert code == EXIT_OK
        assert err.startswith("Their name appears in 18 other texts:") and "rapport:" not in err
        assert "Erased Dana Whitfield" in out
        assert holds(db_path, TOKEN) == []
        assert holds(db_path, "Dana Whitfield") == []
        with app_store.read() as session:
            assert session.scalar(text("SELECT count(*) FROM person")) == 16
    finally:
        app_store.close()
    assert holds(db_path, TOKEN) == []
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_forget_removes_what_is_theirs_and_keeps_everyone_elses(loaded: Store) -> None:
    before = tomllib.loads(export_engagement(loaded, None))
    with loaded.read() as session:
        events_of_others = session.scalar(
            text("SELECT count(*) FROM decision_event WHERE person_id IS NULL OR person_id <> :p"),
            {"p": dana_id(loaded)},
        )
    forget_person(loaded, dana_id(loaded))
    after = tomllib.loads(export_engagement(loaded, None))
    assert after == without(before, "dana")
    with loaded.read() as session:
        assert session.scalar(text("SELECT count(*) FROM decision_event")) == events_of_others
        for table, column in (c.split(".") for c in ERASED_WITH_THE_PERSON):
            orphans = session.scalar(
                text(f"SELECT count(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM person)")
            )
            assert orphans == 0, table


def without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """The exported document as it must look once the person `key` is erased."""
    doc["people"] = [p for p in doc["people"] if p["key"] != key]
    doc["notes"] = [n for n in doc["notes"] if n["person"] != key]
    if doc["engagement"].get("lead") == key:
        del doc["engagement"]["lead"]
    owned = [*doc["cadences"], *doc["decisions"]]
    owned += [step for c in doc["checkins"] for step in c.get("next_steps", [])]
    for item in owned:
        if item.get("owner") == key:
            del item["owner"]
    for item in [*doc["cadences"], *doc["checkins"]]:
        if "attendees" in item:
            item["attendees"] = [k for k in item["attendees"] if k != key]
            if not item["attendees"] and "at" not in item:
                del item["attendees"]  # a cadence's empty list is left out; a check-in's kept
    for decision in doc["decisions"]:
        if "must_inform" in decision:
            decision["must_inform"] = [k for k in decision["must_inform"] if k != key]
            if not decision["must_inform"]:
                del decision["must_inform"]
        informed = decision.get("informed", {})
        informed.pop(key, None)
        if "informed" in decision and not informed:
            del decision["informed"]
    return doc


def test_records_that_lose_the_person_get_a_new_version(loaded: Store) -> None:
    """A form still open on one of them is then told it changed, rather than writing it back."""
    dana = dana_id(loaded)

    def versions() -> dict[str, dict[int, int]]:
        with loaded.read() as session:
            return {
                table: dict(session.execute(text(f"SELECT id, version FROM {table}")).all())
                for table in ("cadence", "checkin", "decision", "person", "note")
            }

    with loaded.read() as session:

        def ids(sql: str) -> set[int]:
            return set(session.scalars(text(sql), {"p": dana}))

        touched = {
            "cadence": ids(
                "SELECT id FROM cadence WHERE owner_id = :p UNION "
                "SELECT cadence_id FROM cadence_attendee WHERE person_id = :p"
            ),
            "checkin": ids("SELECT checkin_id FROM checkin_attendee WHERE person_id = :p"),
            "decision": ids(
                "SELECT id FROM decision WHERE owner_id = :p UNION "
                "SELECT decision_id FROM decision_audience WHERE person_id = :p"
            ),
        }
    assert all(touched.values())
    before = versions()
    forget_person(loaded, dana)
    after = versions()
    for table, rows in after.items():
        for record, version in rows.items():
            bumped = record in touched.get(table, set())
            assert version == before[table][record] + bumped, (table, record)


def test_forgetting_the_lead_clears_the_engagements_lead(loaded: Store) -> None:
    juergen = find_person(loaded, 1, "juergen")[0]
    forgotten = forget_person(loaded, juergen)
    assert forgotten.footprint.lead
    assert "the engagement's lead will have no owner" in str(forgotten)
    exported = tomllib.loads(export_engagement(loaded, None))
    assert "lead" not in exported["engagement"]


def test_every_reference_to_a_person_is_erased_or_cleared() -> None:
    """A new column pointing at person.id must be handled by forget_person too."""
    references = {
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "person"
    }
    assert references == set(ERASED_WITH_THE_PERSON) | set(OWNER_CLEARED)


class Terminal(io.StringIO):
    """Typed answers on a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stdin", "erased"),
    [
        # Made per test: a stream read by one backend's run is empty for the next.
        (lambda: io.StringIO("y\n"), False),  # piped in: not a terminal, so no
        (lambda: Terminal(""), False),  # end of input
        (lambda: Terminal("\n"), False),  # the default is no
        (lambda: Terminal("n\n"), False),
        (lambda: Terminal("Y\n"), True),
        (lambda: Terminal("yes\n"), True),
    ],
    ids=["pipe", "eof", "enter", "n", "Y", "yes"],
)
def test_forget_asks_first(
    loaded: Store,
    db_target: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: Callable[[], io.StringIO],
    erased: bool,
) -> None:
    monkeypatch.setattr("sys.stdin", stdin())
    code, out, err = run(capsys, "--db", db_target, "forget", "Dana Whitfield")
    with loaded.read() as session:
        left = session.scalar(text("SELECT count(*) FROM person WHERE key = 'dana'"))
    if erased:
        assert (code, left) == (EXIT_OK, 0)
        # First where others' texts name her, then the question.
        assert err.startswith("Their name appears in 18 other texts:\n")
        assert (
            "\nErase Dana Whitfield (dana) and 4 notes, 14 check-ins attended, 3 cadence "
            "memberships, 7 decisions to be told of? 3 things they owned will have no owner. "
            "18 other texts keep their name (--redact-mentions replaces it with [erased]). "
            "[y/N] "
        ) in err
        assert out.startswith("Erased Dana Whitfield (dana): 4 notes, 14 check-ins attended")
    else:
        assert (code, out, left) == (EXIT_BAD_INPUT, "", 1)
        assert err.endswith(
            "rapport: nothing erased (confirm with y, or pass --yes when not at a terminal)\n"
        )


WIPED = {
    "sqlite": "Their text was wiped from the database file (VACUUM).\n",
    "postgresql": "The rows are deleted; PostgreSQL removes their old versions at its next VACUUM.\n",
}


def test_forget_says_what_it_removed(
    loaded: Store, db_target: str, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db_target, "forget", "dana", "--yes")
    assert code == EXIT_OK
    assert out == (
        "Erased Dana Whitfield (dana): 4 notes, 14 check-ins attended, 3 cadence memberships, "
        "7 decisions to be told of.\n"
        "3 things they owned will have no owner.\n"
        "Their name still appears in 18 other texts: edit those, or erase with "
        "--redact-mentions, if it must go.\n"
        f"{WIPED[backend]}"
        "Backups made before now still hold their data.\n"
    )


def test_forget_points_at_texts_that_still_name_them(loaded: Store) -> None:
    with loaded.write() as session:
        session.execute(text("UPDATE checkin SET outcome = 'Whitfield agreed.' WHERE id <= 2"))
        session.execute(
            text("UPDATE note SET text = 'Ask DÁNA first' WHERE id = (SELECT min(id) "
                 "FROM note WHERE person_id != :p)"),
            {"p": dana_id(loaded)},
        )  # fmt: skip
    mentions = [str(mention) for mention in footprint(loaded, dana_id(loaded)).mentions]
    # The sample's 18, and her last name alone, and her first name in other letters.
    assert len(mentions) == 21
    assert "check-in of 2026-09-28, outcome: 'Whitfield agreed.'" in mentions
    assert "note about Tyler Brooks of 2026-09-28, text: 'Ask DÁNA first'" in mentions
    said = str(forget_person(loaded, dana_id(loaded)))
    assert (
        "Their name still appears in 21 other texts: edit those, or erase with "
        "--redact-mentions, if it must go."
    ) in said


def tyler_texts(db: Path) -> int:
    """How many text values anywhere in the file hold "tyler", case and accents aside."""
    found = 0
    with sqlite3.connect(db) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]  # fmt: skip
        for table in tables:
            for row in connection.execute(f"SELECT * FROM {table}"):  # noqa: S608
                found += sum(
                    isinstance(value, str) and "tyler" in value.casefold() for value in row
                )
    return found


@pytest.mark.sqlite_only  # counts the text values of the file
def test_forget_lists_mentions_by_first_name_last_name_and_key_before_erasing(
    loaded: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with loaded.write() as session:  # the last name, and the key in other letters
        session.execute(text("UPDATE decision SET outcome = 'BROOKS said no' WHERE id = 1"))
        session.execute(text("UPDATE person SET team = 'Týler''s team' WHERE key = 'dana'"))
    code, out, err = run(capsys, "--db", db_path, "forget", "tyler", "--yes")
    assert code == EXIT_OK
    listed = err.splitlines()
    assert listed[0] == "Their name appears in 22 other texts:"
    assert "  Dana Whitfield's details, team: \"Týler's team\"" in listed
    assert "  decision 1, outcome: 'BROOKS said no'" in listed
    assert (
        "  check-in of 2026-10-12, outcome: '…an planned because of the kickoff week. Tyler "
        "runs operations from Denver: Ridgeline,…'"
    ) in listed
    assert listed[-1] == "  … and 2 more"
    assert "Their name still appears in 22 other texts" in out
    assert tyler_texts(db_path) == 21  # 20 texts, and the key of the one-on-one cadence


@pytest.mark.sqlite_only  # reads the file's bytes
def test_forget_with_redact_mentions_leaves_no_name_in_the_file(
    loaded: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with loaded.read() as session:
        versions = session.execute(text("SELECT id, version FROM checkin")).all()
    code, out, _ = run(capsys, "--db", db_path, "forget", "tyler", "--yes", "--redact-mentions")
    assert code == EXIT_OK
    assert "Their name was replaced with [erased] in 20 other texts." in out
    assert holds(db_path, "Tyler") == [] and holds(db_path, "Brooks") == []
    assert tyler_texts(db_path) == 1  # the cadence's key: a reference, not a text
    with loaded.read() as session:
        outcome = session.scalar(text("SELECT outcome FROM checkin WHERE outcome LIKE '%Denver:%'"))
        redacted = dict(
            session.execute(
                text("SELECT id, version FROM checkin WHERE outcome LIKE '%[erased]%'")
            ).all()
        )
    assert "[erased] runs operations from Denver" in outcome
    # A form still open on a redacted check-in is told it changed, not written back.
    assert len(redacted) == 12
    assert all(redacted[cid] > version for cid, version in versions if cid in redacted)


@pytest.mark.sqlite_only  # about SQLite's WAL
def test_forget_while_another_reader_holds_the_file_says_the_text_stays_in_it(
    loaded: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = sqlite3.connect(db_path)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM person").fetchone()  # a read open meanwhile
        code, out, _ = run(capsys, "--db", db_path, "forget", "dana", "--yes")
    finally:
        reader.close()
    assert code == EXIT_OK
    assert (
        "Another rapport has the database open, so the wiped copy could not be written back "
        "yet: their text stays in the database file itself until every rapport window is closed."
    ) in out
    assert "journal" not in out


def test_forget_names_people_exactly(
    loaded: Store, db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db_target)
    for wanted, said in (
        ("Dan", "nobody on this engagement has the key or name 'Dan'"),  # no prefixes
        ("Dana", "nobody on this engagement has the key or name 'Dana'"),  # nor first names
        ("\x1b[2JDana", "nobody on this engagement has the key or name '\\x1b[2JDana'"),
    ):
        assert run(capsys, "--db", db_target, "forget", wanted, "--yes") == (
            EXIT_BAD_INPUT, "", f"rapport: {said}\n",
        )  # fmt: skip
    with loaded.write() as session:
        session.execute(update(Person).where(Person.key == "tyler").values(name="Dana Whitfield"))
    code, _, err = run(capsys, "--db", db_target, "forget", "dana whitfield", "--yes")
    assert code == EXIT_BAD_INPUT
    assert err == "rapport: 2 people are called 'dana whitfield'; give a key: dana, tyler\n"
    # Accents and case are forgiven in a whole name.
    assert run(capsys, "--db", db_target, "forget", "ZOE HARTMANN", "--yes")[0] == EXIT_OK
    assert len(dump(db_target)) < len(before)


def test_forget_with_several_engagements_needs_one_named(
    loaded: Store, db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.toml"
    other.write_text(
        SAMPLE.read_text(encoding="utf-8").replace('key = "bergwerk-us"', 'key = "other"', 1),
        encoding="utf-8",
    )
    import_file(loaded, other)
    code, _, err = run(capsys, "--db", db_target, "forget", "dana", "--yes")
    assert code == EXIT_BAD_INPUT
    assert "choose one with --engagement KEY: bergwerk-us, other" in err
    code, *_ = run(capsys, "--db", db_target, "forget", "dana", "--yes", "--engagement", "other")
    assert code == EXIT_OK
    with loaded.read() as session:
        assert session.execute(
            text(
                "SELECT e.key FROM person p JOIN engagement e ON e.id = p.engagement_id "
                "WHERE p.key = 'dana'"
            )
        ).scalars().all() == ["bergwerk-us"]


# --- rapport export --person ----------------------------------------------------------------


def test_export_person_holds_everything_about_them(
    loaded: Store, db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dana.toml"
    assert run(capsys, "--db", db_target, "export", "--person", "dana", target) == (EXIT_OK, "", "")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    doc = tomllib.loads(target.read_text(encoding="utf-8"))
    assert doc["about"] == "Everything rapport stores about Dana Whitfield"
    assert doc["engagement"] == {"key": "bergwerk-us", "name": "Bergwerk US web shop rollout"}
    person = doc["person"]
    assert (person["key"], person["name"], person["side"]) == ("dana", "Dana Whitfield", "client")
    assert person["timezone"] == "America/New_York"

    pid = dana_id(loaded)
    with loaded.read() as session:

        def column(sql: str) -> list[Any]:
            return list(session.scalars(text(sql), {"p": pid}))

        notes = column('SELECT text FROM note WHERE person_id = :p ORDER BY "on", id')
        attended = column("SELECT checkin_id FROM checkin_attendee WHERE person_id = :p")
        steps = column("SELECT text FROM next_step WHERE owner_id = :p")
        owned = column("SELECT title FROM decision WHERE owner_id = :p")
        told = column(
            "SELECT d.title FROM decision d JOIN decision_audience a ON a.decision_id = d.id "
            "WHERE a.person_id = :p AND a.informed_on IS NOT NULL"
        )
        untold = column(
            "SELECT d.title FROM decision d JOIN decision_audience a ON a.decision_id = d.id "
            "WHERE a.person_id = :p AND a.informed_on IS NULL"
        )
        others = column("SELECT text FROM note WHERE person_id != :p")
    assert [n["text"] for n in doc["notes"]] == notes
    assert len(doc["checkins_attended"]) == len(attended) == 14
    assert all({"at", "status", "channel", "outcome"} <= c.keys() for c in doc["checkins_attended"])
    assert sorted(s["text"] for s in doc["next_steps_owned"]) == sorted(steps)
    by_title = {d["title"]: d for d in doc["decisions"]}
    assert {t for t, d in by_title.items() if d["owner"]} == set(owned)
    assert {t for t, d in by_title.items() if "told_on" in d} == set(told)
    assert {t for t, d in by_title.items() if d["must_be_told"] and "told_on" not in d} == set(
        untold
    )
    assert {c["key"] for c in doc["cadences"]} >= {"weekly"}
    exported = target.read_text(encoding="utf-8")
    assert not [note for note in others if note in exported]


def test_export_person_to_stdout_and_its_errors(
    loaded: Store, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db_target, "export", "--person", "Inês Carvalho")
    assert code == EXIT_OK
    assert tomllib.loads(out)["person"]["key"] == "ines"
    assert run(capsys, "--db", db_target, "export", "--person", "nobody") == (
        EXIT_BAD_INPUT,
        "",
        "rapport: --person: nobody on this engagement has the key or name 'nobody'\n",
    )
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db_target), "export", "--person", "dana", "--ics"])
    assert exited.value.code == 2


# --- no personal text in error output -------------------------------------------------------


def test_a_failing_statement_never_shows_its_values(store: Store) -> None:
    with pytest.raises(IntegrityError) as failed, store.write() as session:
        # No person 999: the foreign key fails, with the note's text among the parameters.
        session.execute(insert(Note).values(person_id=999, on=SAMPLE_DAY, text=TOKEN))
    assert re.search("FOREIGN KEY constraint failed|violates foreign key", str(failed.value))
    assert TOKEN not in str(failed.value)
    assert TOKEN not in repr(failed.value)
    assert "parameters hidden" in str(failed.value)


class Boom(RuntimeError):
    pass


@pytest.fixture
def crash_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path / "state" / "rapport" / "log"


@pytest.mark.parametrize("in_worker", [False, True], ids=["action", "worker"])
async def test_a_crash_shows_a_short_line_and_no_local_variables(
    store: Store,
    crash_folder: Path,
    capsys: pytest.CaptureFixture[str],
    in_worker: bool,
) -> None:
    from textual import work

    import tui.app
    from tui.app import RapportApp
    from tui.crash import Crashed

    class Fragile(RapportApp):
        CSS_PATH = Path(tui.app.__file__).with_name("app.tcss")
        BINDINGS = [("x", "explode", "Explode")]

        def action_explode(self) -> None:
            if in_worker:
                self.explode_later()
            else:
                self.explode()

        @work(thread=True)
        def explode_later(self) -> None:
            self.explode()

        def explode(self) -> None:
            note_text = f"{TOKEN} asked us not to tell anyone"  # a local, as in any handler
            if note_text:
                raise Boom("something broke")

    app = Fragile(store)
    with pytest.raises(Crashed) as crashed:
        async with app.run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert app.return_code == 1
    _, err = capsys.readouterr()
    assert TOKEN not in err
    assert "rapport stopped after an unexpected error (Boom)" in err
    assert "Traceback" not in err
    (report,) = crash_folder.iterdir()
    assert crashed.value.report == report
    assert str(report) in "".join(err.split())  # a long path is folded over lines
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(crash_folder.stat().st_mode) == 0o700
    details = report.read_text(encoding="utf-8")
    assert "Boom: something broke" in details
    assert "in explode" in details
    assert TOKEN not in details


def test_forget_and_the_privacy_store_do_not_load_the_app() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, store.privacy, tui.forget\n"
        "from tui.__main__ import main\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "")
