"""`rapport export --decisions-md` and `rapport brief` on a hostile database: literal Markdown
with no control character; `rapport restore` names a file without echoing its escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from test_store_markdown import (
    check_briefing,
    headings,
    lists_follow_blank_lines,
    no_html,
    safe,
    tokens,
)

from store.db import Store
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

# Terminal commands (ESC, CSI and OSC as C1, BEL), bidi and zero-width tricks, and markup.
HOSTILE = "\x1b]0;o\x07\x9b2J\x9d52;c;eA==\x07\u202e\u2066\u200b\ufeff <b>x</b> #"
COLUMNS = {
    "engagement": ("name", "client", "goal"),
    "person": ("name", "role", "organisation", "timezone"),
    "cadence": ("name",),
    "checkin": ("outcome",),
    "next_step": ("text",),
    "decision": ("title", "context", "outcome", "mitigation", "depends_on"),
    "note": ("text",),
}


@pytest.fixture
def hostile_db(sample_store: Store, db_target: str) -> str:
    """The sample with every text column ending in terminal commands and markup, as plain
    SQL on a shared database could leave it."""
    with sample_store.write() as session:
        for table, columns in COLUMNS.items():
            assignments = ", ".join(f"{c} = {c} || :h" for c in columns)
            session.execute(text(f"UPDATE {table} SET {assignments}"), {"h": HOSTILE})
    return db_target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_the_decision_log_on_stdout_is_literal_and_safe(
    hostile_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", hostile_db, "export", "--decisions-md")
    assert (code, err) == (EXIT_OK, "")
    safe(out)
    found = tokens(out)
    no_html(found)
    lists_follow_blank_lines(out, found)
    titles = headings(found)
    assert titles[0][0] == "h1" and titles[0][1].endswith("<b>x</b> #")
    assert len([tag for tag, _ in titles if tag == "h3"]) == 15  # one per decision, none more


@pytest.mark.parametrize(("name", "attendee"), [("dana", "Dana"), ("weekly", "Jürgen")])
def test_brief_on_stdout_is_literal_and_safe(
    hostile_db: str, capsys: pytest.CaptureFixture[str], name: str, attendee: str
) -> None:
    code, out, err = run(capsys, "--db", hostile_db, "brief", name)
    assert (code, err) == (EXIT_OK, "")
    check_briefing(out, attendee)


@pytest.mark.sqlite_only
def test_restore_names_a_file_without_its_escapes(
    sample_store: Store, db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_store.close()  # a restore needs the database closed
    named = tmp_path / "b\x1b]0;owned\x07.db"
    code, out, err = run(capsys, "--db", db_target, "backup", str(named))
    assert code == EXIT_OK and "\x1b" not in out and "\x07" not in out
    code, out, err = run(capsys, "--db", db_target, "restore", str(named))
    assert code == EXIT_OK
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "b\ufffd]0;owned\ufffd.db" in out
    code, out, err = run(capsys, "--db", db_target, "restore", str(tmp_path / "no\x1b[2J.db"))
    assert code == EXIT_BAD_INPUT
    assert "\x1b" not in err and "no\ufffd[2J.db" in err
