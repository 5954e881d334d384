"""`rapport log` and `rapport brief`, run in-process on a real database holding the sample."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from backends import dump
from sqlalchemy import text

from store import edits, queries
from store.db import Store
from store.decisions import items as decision_items
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main


@pytest.fixture
def rapport(sample_store: Store, db_target: str):  # type: ignore[no-untyped-def]
    """Runs `rapport --db <the sample's database> ARGS…` and returns the exit code."""

    def run(*args: str) -> int:
        return main(["--db", db_target, *args])

    return run


def engagement_id(store: Store) -> int:
    (engagement,) = queries.engagements(store)
    return engagement.id


def test_log_a_weekly_with_steps_decisions_and_notes(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = rapport(
        "log", "--cadence", "weekly", "--when", "2026-11-20 16:00", "--mood", "4",
        "--channel", "phone", "--outcome", "Tax engine chosen.\nReturns still open.",
        "--next", "dana: send the cost estimate by 2026-11-27",
        "--next", "Book the Denver trip",
        "--decision", "Returns via 3PL?",
        "--note", "Tyler: back from Yosemite",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (EXIT_OK, "")
    assert out == ("Logged Weekly status with 7 people, 2 next steps, 1 new decision, 1 note\n")
    eng = engagement_id(sample_store)
    weekly = next(
        c for c in queries.cadences(sample_store, eng, dt.date(2026, 11, 20)) if c.key == "weekly"
    )
    (latest,) = queries.recent_checkins(sample_store, cadence_id=weekly.id, limit=1)
    # conftest pins the machine's zone to UTC, so 16:00 is 16:00 UTC.
    assert latest.at == dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)
    assert (latest.outcome, latest.mood, latest.channel) == (
        "Tax engine chosen.\nReturns still open.", 4, "phone",
    )  # fmt: skip
    assert latest.attendees == weekly.attendees
    with sample_store.read() as session:
        steps = session.execute(
            text(
                "SELECT p.key, s.text, s.due FROM next_step s LEFT JOIN person p "
                "ON p.id = s.owner_id WHERE s.checkin_id = :c ORDER BY s.id"
            ),
            {"c": latest.id},
        ).all()
    # SQLite hands back the date as its text, PostgreSQL as a date.
    assert [(key, step, str(due) if due else None) for key, step, due in steps] == [
        ("dana", "send the cost estimate", "2026-11-27"),
        (None, "Book the Denver trip", None),
    ]
    assert any(
        d.title == "Returns via 3PL?" and d.is_open for d in decision_items(sample_store, eng)
    )
    tyler = [n.text for n in queries.notes(sample_store, eng) if n.person == "Tyler Brooks"]
    assert "back from Yosemite" in tyler


def test_with_alone_is_an_ad_hoc_call_and_overrides_a_cadence(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rapport("log", "--with", "dana, tyler", "--outcome", "Quick sync") == EXIT_OK
    assert capsys.readouterr().out == "Logged an ad-hoc call with 2 people\n"
    assert rapport("log", "--cadence", "Weekly Status", "--with", "ines", "--outcome", "x") == 0
    assert capsys.readouterr().out == "Logged Weekly status with 1 person\n"
    ines = next(
        p for p in queries.roster(sample_store, engagement_id(sample_store)) if p.key == "ines"
    )
    (latest,) = queries.recent_checkins(sample_store, person_id=ines.id, limit=1)
    assert (latest.cadence, latest.attendees) == ("Weekly status", ("Inês Carvalho",))


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--with", "dana,zed"], "--with \"zed\": nobody called 'zed' is on this engagement"),
        (["--cadence", "weekly", "--when", "yesterday 25:00"], '--when "yesterday 25:00": '),
        (["--cadence", "weekly", "--when", "soon"], '--when "soon": '),
        (["--cadence", "weekly", "--next", "Zed: x"],
         "--next \"Zed: x\": nobody called 'Zed' is on this engagement"),
        (["--cadence", "weekly", "--next", "dana: x by someday"], '--next "dana: x by someday": '),
        (["--cadence", "weekly", "--mood", "9"], "--mood 9: mood is 1 (bad) to 5 (great)"),
        (["--cadence", "weekly", "--note", "just text"], '--note "just text": '),
        (["--cadence", "weekly", "--outcome", "red \x1b[31m"], '--outcome "red \\x1b[31m": '),
        (["--cadence", "nope"], '--cadence "nope": no cadence has that key or name'),
        (["--with", "dana", "--when", "2027-05-01 10:00"],
         '--when "2027-05-01 10:00": 2027-05-01 10:00 UTC is in the future: a check-in is a '
         "meeting that happened"),
        (["--when", "now"], "who was there? give --cadence NAME or --with KEY,KEY"),
        (["--with", "dana", "--engagement", "nope"], '--engagement "nope": no engagement'),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line_and_changes_nothing(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    before = dump(sample_store)
    argv = ["log", *args] if "--outcome" in args else ["log", "--outcome", "x", *args]
    assert rapport(*argv) == EXIT_BAD_INPUT
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"rapport: {said}")
    assert err.count("\n") == 1
    assert "Traceback" not in err and "\x1b" not in err
    assert dump(sample_store) == before


RETURNS = "US returns policy: free returns or paid return labels"


def test_told_marks_the_attendees_who_must_be_told_informed(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = rapport(
        "log", "--with", "tyler,priya", "--when", "2026-11-20 16:00", "--outcome", "x",
        "--told", RETURNS.upper(), "--told", "GOLIVE-january",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (EXIT_OK, "")
    assert out == "Logged an ad-hoc call with 2 people, 2 people informed\n"
    items = {d.title: d for d in decision_items(sample_store, engagement_id(sample_store))}
    told = {a.name: a.informed_on for a in items[RETURNS].audience if a.informed_on}
    assert told == {"Tyler Brooks": dt.date(2026, 11, 20), "Priya Raman": dt.date(2026, 11, 20)}


def test_told_takes_a_part_of_a_title_that_only_one_holds(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code = rapport(
        "log", "--with", "tyler", "--when", "2026-11-20 16:00", "--outcome", "x",
        "--told", "returns POLICY",
    )  # fmt: skip
    assert (code, capsys.readouterr().err) == (EXIT_OK, "")
    items = {d.title: d for d in decision_items(sample_store, engagement_id(sample_store))}
    assert {a.name for a in items[RETURNS].audience if a.informed_on} == {"Tyler Brooks"}
    before = dump(sample_store)
    # "US" is in several titles: none is guessed, each is named.
    assert rapport("log", "--with", "tyler", "--outcome", "x", "--told", "us") == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith('rapport: --told "us": ') and "titles hold it, say which: " in err
    assert dump(sample_store) == before


def test_told_names_an_unknown_or_ambiguous_decision(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    edits.save_decision(
        sample_store, engagement_id(sample_store), edits.DecisionValues(title=RETURNS)
    )
    before = dump(sample_store)
    assert rapport("log", "--with", "tyler", "--outcome", "x", "--told", "nope") == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        'rapport: --told "nope": no decision, risk or dependency has that key or title\n'
    )
    assert rapport("log", "--with", "tyler", "--outcome", "x", "--told", RETURNS) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f'rapport: --told "{RETURNS}": 2 items have that title; give the key: ')
    assert dump(sample_store) == before


def test_every_problem_is_reported_at_once(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(sample_store)
    code = rapport(
        "log", "--with", "zed", "--when", "yesterday", "--mood", "0", "--outcome", "x",
        "--next", "Zed: x", "--next", "dana: fine by fri", "--note", "Nobody: hi",
    )  # fmt: skip
    assert code == EXIT_BAD_INPUT
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].split()[0] for line in lines] == [
        "--when", "--mood", "--with", "--next", "--note",
    ]  # fmt: skip
    assert all(line.startswith("rapport: ") for line in lines)
    assert dump(sample_store) == before


def test_mood_that_is_not_a_number_is_a_usage_error(
    rapport, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        rapport("log", "--with", "dana", "--outcome", "x", "--mood", "great")
    assert exited.value.code == EXIT_USAGE
    assert "--mood" in capsys.readouterr().err


def test_several_engagements_need_one_named(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    other = edits.save_engagement(sample_store, edits.EngagementValues(key="aaa", name="Other"))
    edits.save_person(
        sample_store, other,
        edits.PersonValues(key="dana", name="Dana Other", side="client", timezone="UTC"),
    )  # fmt: skip
    assert rapport("brief", "dana") == EXIT_BAD_INPUT
    assert capsys.readouterr().err == (
        "rapport: the database holds 2 engagements; choose one with --engagement KEY: "
        "aaa, bergwerk-us\n"
    )
    assert rapport("brief", "dana", "--engagement", "aaa") == EXIT_OK
    assert capsys.readouterr().out.startswith("# Briefing: Dana Other\n")
    assert rapport("log", "--engagement", "aaa", "--with", "dana", "--outcome", "x") == EXIT_OK
    assert capsys.readouterr().out == "Logged an ad-hoc call with 1 person\n"


def test_an_empty_database_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "empty.db")
    assert main(["--db", db, "log", "--with", "dana", "--outcome", "x"]) == EXIT_BAD_INPUT
    assert "no engagement in the database" in capsys.readouterr().err


def test_brief_a_person_prints_markdown(rapport, capsys: pytest.CaptureFixture[str]) -> None:
    assert rapport("brief", "dana") == EXIT_OK
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("# Briefing: Dana Whitfield\n")
    assert "## Dana Whitfield (VP E-commerce, project sponsor, client)\n" in out
    assert "- Local time: " in out and r" America/New\_York (" in out
    assert "Wants a one-page written summary before every call" in out  # a pinned note


def test_brief_a_cadence_by_name_lists_its_people(
    rapport, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rapport("brief", "Sponsor check-in") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("# Briefing: Sponsor check-in\n")
    assert out.index("## Jürgen Müller") < out.index("## Dana Whitfield")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "zed",
            "rapport: \"zed\" is not a cadence, and nobody called 'zed' is on this engagement\n",
        ),
        ("a", "could be"),
    ],
)
def test_brief_an_unknown_or_ambiguous_name_fails(
    rapport, capsys: pytest.CaptureFixture[str], name: str, said: str
) -> None:
    assert rapport("brief", name) == EXIT_BAD_INPUT
    out, err = capsys.readouterr()
    assert out == "" and said in err and "Traceback" not in err


def test_log_and_brief_do_not_load_the_app() -> None:
    """Shell commands start fast: Textual is imported only when the app opens."""
    probe = (
        "import sys, tui.__main__, tui.commands\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_brief_never_sends_escape_sequences_from_the_database(
    rapport, sample_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    dana = next(
        p for p in queries.roster(sample_store, engagement_id(sample_store)) if p.key == "dana"
    )
    edits.save_note(
        sample_store,
        edits.NoteValues(person_id=dana.id, on=dt.date(2026, 11, 1), text="odd \x1b[2J\u202e text",
                         pinned=True),
    )  # fmt: skip
    assert rapport("brief", "dana") == EXIT_OK
    out = capsys.readouterr().out
    assert "- odd \ufffd\\[2J\ufffd text (pinned" in out  # made visible, then escaped
    assert "\x1b" not in out and "\u202e" not in out


@pytest.mark.sqlite_only
@pytest.mark.parametrize("tz", ["UTC+5", "Nowhere/Land", ":/etc/passwd", "../../../etc/passwd"])
def test_log_with_an_unusable_tz_takes_utc_with_one_warning_line(
    sample_store: Store, db_target: str, tz: str
) -> None:
    sample_store.close()
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--db", db_target, "log", "--cadence", "weekly",
         "--when", "2026-11-20 16:00", "--outcome", "Fine."],
        capture_output=True, text=True, env={**os.environ, "TZ": tz},
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stderr == (
        f"rapport: warning: TZ={tz!r} is no time zone rapport knows; times are taken as UTC "
        "(set TZ to an IANA name like Europe/Berlin)\n"
    )
    store = Store.open(db_target)
    try:
        eng = engagement_id(store)
        weekly = next(
            c for c in queries.cadences(store, eng, dt.date(2026, 11, 20)) if c.key == "weekly"
        )
        (latest,) = queries.recent_checkins(store, cadence_id=weekly.id, limit=1)
    finally:
        store.close()
    assert (latest.outcome, latest.at) == ("Fine.", dt.datetime(2026, 11, 20, 16, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("tz", "zone"),
    [("Europe/Berlin", "Europe/Berlin"), (":America/Denver", "America/Denver"),
     (":/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo")],
)  # fmt: skip
def test_a_usable_tz_is_the_leads_zone_without_a_warning(
    monkeypatch: pytest.MonkeyPatch, tz: str, zone: str
) -> None:
    from store.timezones import local_zone, local_zone_warning

    monkeypatch.setenv("TZ", tz)
    assert (local_zone().key, local_zone_warning()) == (zone, "")
