"""`rapport import --replace`: says what it removes or changes, backs up, asks before a loss."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from backends import dump
from conftest import SAMPLE
from sqlalchemy import text

from store import edits
from store.db import Store
from store.io_toml import InvalidFile, preview_file, write_plan
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

DANA_CALL = "  check-in 2026-11-19 10:00  with Dana Whitfield"
UNCHANGED = ["  people: unchanged", "  cadences: unchanged", "  decisions: unchanged",
             "  notes: unchanged"]  # fmt: skip


class _Terminal(io.StringIO):
    """Standard input at a terminal, answering `answer` to the question."""

    def isatty(self) -> bool:
        return True


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str], str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines(), err


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@pytest.fixture
def old_export(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> Path:
    """The sample exported, then a call with Dana logged: only the database holds it."""
    # Where a server database's pre-replace export goes: never the real data folder.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    old = tmp_path / "old.toml"
    assert main(["--db", db_target, "import", str(SAMPLE)]) == EXIT_OK
    assert main(["--db", db_target, "export", str(old)]) == EXIT_OK
    logged = ["log", "--with", "dana", "--outcome", "Secret talk", "--when", "2026-11-19 10:00"]
    assert main(["--db", db_target, *logged]) == EXIT_OK
    capsys.readouterr()
    return old


def backups(db_target: str) -> list[Path]:
    db = Path(db_target)
    return sorted(db.parent.glob(db.name + ".backup-*"))


def test_replace_refuses_to_drop_a_newer_check_in_without_yes(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    before = dump(db_target)
    code, out, err = run(capsys, "--db", db_target, "import", "--replace", old_export)
    assert code == EXIT_BAD_INPUT
    assert out == [
        "Replacing engagement 'bergwerk-us' in the database:",
        *UNCHANGED[:2], "  check-ins: 1 removed", *UNCHANGED[2:],
        "Only in the database (newest first), gone after the replace:",
        DANA_CALL,
    ]  # fmt: skip
    assert "nothing replaced" in err and "--yes" in err
    assert dump(db_target) == before


def test_dry_run_shows_the_same_and_writes_nothing(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db_target)
    code, out, err = run(capsys, "--db", db_target, "import", "--dry-run", "--replace", old_export)
    assert (code, err) == (EXIT_OK, "")
    assert "  check-ins: 1 removed" in out and DANA_CALL in out
    assert out[-1].startswith("Checked engagement 'bergwerk-us'")
    assert dump(db_target) == before


@pytest.mark.sqlite_only
def test_replace_with_yes_backs_up_first_and_says_where(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    code, out, err = run(capsys, "--db", db_target, "import", "--replace", "--yes", old_export)
    assert (code, err) == (EXIT_OK, "")
    [backup] = backups(db_target)
    assert f"Backed up the database to {backup}" in out
    assert out[-1].endswith("replacing the one of the same key")
    with sqlite3.connect(backup) as copy:
        kept = copy.execute("SELECT count(*) FROM checkin WHERE outcome = 'Secret talk'")
        assert kept.fetchone() == (1,)
    rows = dump(db_target)
    assert not [row for row in rows if row.startswith("checkin ") and "Secret talk" in row]


@pytest.mark.postgresql_only
def test_replace_on_a_server_keeps_the_engagement_as_toml(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    no_terminal: None,
) -> None:  # fmt: skip
    code, out, _ = run(capsys, "--db", db_target, "import", "--replace", "--yes", old_export)
    assert code == EXIT_OK
    [kept] = (tmp_path / "data-home").rglob("bergwerk-us.before-replace-*.toml")
    assert f"Backed up the database to {kept}" in out
    assert "Secret talk" in kept.read_text(encoding="utf-8")
    assert kept.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("answer", "code"), [("y\n", EXIT_OK), ("\n", EXIT_BAD_INPUT)])
def test_at_a_terminal_it_asks(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], monkeypatch,
    answer: str, code: int,
) -> None:  # fmt: skip
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    before = dump(db_target)
    assert run(capsys, "--db", db_target, "import", "--replace", old_export)[0] == code
    assert (dump(db_target) == before) == (code == EXIT_BAD_INPUT)


def test_counts_removed_added_and_changed_per_kind(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    changed = old_export.read_text(encoding="utf-8")
    changed = changed.replace('role = "VP E-commerce, project sponsor"', 'role = "CEO"', 1)
    first_note = changed.index("[[notes]]")
    changed = changed[:first_note] + changed[changed.index("[[notes]]", first_note + 1) :]
    changed += '\n[[decisions]]\ntitle = "A new <b>decision</b>"\n'
    path = old_export.with_name("changed.toml")
    path.write_text(changed, encoding="utf-8")
    with store.write() as session:
        session.execute(
            text("UPDATE decision SET title = :t WHERE id = (SELECT max(id) FROM decision)"),
            {"t": "Hostile \x1b]0;owned\x07 title"},
        )
    code, out, _ = run(capsys, "--db", db_target, "import", "--dry-run", "--replace", path)
    assert code == EXIT_OK
    assert out[1:6] == [
        "  people: 1 changed",
        "  cadences: unchanged",
        "  check-ins: 1 removed",
        "  decisions: 1 removed, 2 added",  # retitled in the database: not the file's any more
        "  notes: 1 removed",
    ]
    assert not any("\x1b" in line or "\x07" in line for line in out)
    assert any(line.endswith("Hostile \ufffd]0;owned\ufffd title") for line in out)


def test_a_private_note_is_named_but_never_quoted(
    db_target: str, old_export: Path, capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    with store.read() as session:
        dana = session.execute(text("SELECT id FROM person WHERE key = 'dana'")).scalar_one()
    edits.save_note(
        store,
        edits.NoteValues(person_id=dana, on=dt.date(2026, 11, 19), text="Her divorce is final",
                         private=True),
    )  # fmt: skip
    code, out, _ = run(capsys, "--db", db_target, "import", "--dry-run", "--replace", old_export)
    assert code == EXIT_OK
    assert "  private note 2026-11-19  on Dana Whitfield" in out
    assert not any("divorce" in line for line in out)


def test_a_change_after_the_comparison_stops_the_replace(old_export: Path, store: Store) -> None:
    preview = preview_file(store, old_export, replace=True)
    assert preview.replacement is not None and preview.replacement.loses_data
    with store.write() as session:
        session.execute(text("UPDATE person SET role = 'CFO' WHERE key = 'dana'"))
    before = dump(store)
    with pytest.raises(InvalidFile, match="changed in the database since"):
        write_plan(store, preview.plan, str(old_export), replace=True,
                   expected=preview.replacement.fingerprint)  # fmt: skip
    assert dump(store) == before


def test_nothing_lost_needs_no_confirmation(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_terminal: None
) -> None:
    assert main(["--db", db_target, "import", str(SAMPLE)]) == EXIT_OK
    capsys.readouterr()
    code, out, err = run(capsys, "--db", db_target, "import", "--replace", SAMPLE)
    assert (code, err) == (EXIT_OK, "")
    assert out[1:6] == [*UNCHANGED[:2], "  check-ins: unchanged", *UNCHANGED[2:]]
    assert any(line.startswith("Backed up the database to ") for line in out)
