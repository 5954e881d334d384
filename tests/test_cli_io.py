"""`rapport import` and `rapport export` run in-process, on real SQLite files and PostgreSQL."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backends import dump
from conftest import REPO, SAMPLE

from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main

CORPUS = REPO.parent / "shared" / "corpora" / "toml-test-invalid"
SAMPLE_SUMMARY = (
    "engagement 'bergwerk-us' (Bergwerk US web shop rollout): 17 people, 9 cadences, "
    "50 check-ins, 50 next steps, 15 decisions, 34 notes"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def other_engagement(folder: Path) -> Path:
    """The sample under another key: a second engagement for the same database."""
    text = SAMPLE.read_text(encoding="utf-8")
    path = folder / "other.toml"
    path.write_text(text.replace('key = "bergwerk-us"', 'key = "bergwerk-ca"', 1), "utf-8")
    return path


@pytest.fixture
def db(db_target: str) -> str:
    return db_target


def test_import_then_export_to_stdout(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", SAMPLE) == (
        EXIT_OK,
        f"Imported {SAMPLE_SUMMARY}\n",
        "",
    )
    code, out, err = run(capsys, "--db", db, "export")
    assert (code, err) == (EXIT_OK, "")
    exported = tomllib.loads(out)
    assert exported["engagement"]["key"] == "bergwerk-us"
    assert len(exported["checkins"]) == 50
    assert out.startswith("schema_version = 1\n")


def test_export_to_a_file_is_private_and_equals_stdout(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", db, "import", SAMPLE)
    _, to_stdout, _ = run(capsys, "--db", db, "export")
    target = tmp_path / "out" / "bergwerk.toml"
    target.parent.mkdir()
    assert run(capsys, "--db", db, "export", target) == (EXIT_OK, "", "")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == to_stdout
    # An existing, world-readable file is made private and overwritten whole.
    target.write_text("x" * 100_000, encoding="utf-8")
    target.chmod(0o644)
    assert run(capsys, "--db", db, "export", target)[0] == EXIT_OK
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == to_stdout


def test_exported_file_imports_into_an_empty_database(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], new_target: Callable[..., str]
) -> None:
    run(capsys, "--db", db, "import", SAMPLE)
    first = tmp_path / "first.toml"
    run(capsys, "--db", db, "export", first)
    fresh = new_target()
    assert run(capsys, "--db", fresh, "import", first) == (
        EXIT_OK,
        f"Imported {SAMPLE_SUMMARY}\n",
        "",
    )
    second = tmp_path / "second.toml"
    run(capsys, "--db", fresh, "export", second)
    assert second.read_bytes() == first.read_bytes()


def test_a_bad_file_exits_one_with_every_problem_on_stderr(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", db, "import", SAMPLE)
    before = dump(db)
    bad = tmp_path / "bad.toml"
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace('timezone = "America/Denver"', 'timezone = "America/Denvr"', 1)
    text = text.replace("mood = 4", "mood = true", 1)
    bad.write_text(text.replace('key = "bergwerk-us"', 'key = "bergwerk-ca"', 1), "utf-8")
    code, out, err = run(capsys, "--db", db, "import", bad)
    assert (code, out) == (EXIT_BAD_INPUT, "")
    lines = err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert "timezone: unknown time zone 'America/Denvr'" in lines[0]
    assert "mood: must be an integer, not a boolean" in lines[1]
    assert dump(db) == before


def test_a_syntax_error_names_line_and_column(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\n[engagement]\nkey = "x"\nname = "x" "y"\n', "utf-8")
    assert run(capsys, "--db", db, "import", bad) == (
        EXIT_BAD_INPUT,
        "",
        f"{bad}:4:12: Expected newline or end of document after a statement\n",
    )


def test_a_missing_file_exits_one(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    assert run(capsys, "--db", db, "import", missing) == (
        EXIT_BAD_INPUT,
        "",
        f"{missing}: no such file\n",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "a.toml", "b.toml"],
        ["import", "--replace"],
        ["import", "--bogus", "a.toml"],
        ["export", "--engagement"],
        ["export", "a.toml", "b.toml"],
    ],
)
def test_usage_errors_exit_two(
    db: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db), *argv])
    assert exited.value.code == EXIT_USAGE
    assert "usage: rapport" in capsys.readouterr().err


def test_export_of_several_engagements_needs_a_key(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", db, "export") == (
        EXIT_BAD_INPUT,
        "",
        "rapport: there is no engagement in the database to export\n",
    )
    run(capsys, "--db", db, "import", SAMPLE)
    run(capsys, "--db", db, "import", other_engagement(tmp_path))
    assert run(capsys, "--db", db, "export") == (
        EXIT_BAD_INPUT,
        "",
        "rapport: the database holds 2 engagements; choose one with --engagement KEY: "
        "bergwerk-ca, bergwerk-us\n",
    )
    code, out, _ = run(capsys, "--db", db, "export", "--engagement", "bergwerk-ca")
    assert code == EXIT_OK
    assert tomllib.loads(out)["engagement"]["key"] == "bergwerk-ca"
    assert run(capsys, "--db", db, "export", "--engagement", "bergwerk")[2] == (
        "rapport: no engagement has the key 'bergwerk'; the database holds: "
        "bergwerk-ca, bergwerk-us\n"
    )


def test_export_into_a_missing_folder_exits_one(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", db, "import", SAMPLE)
    target = tmp_path / "no" / "such" / "folder.toml"
    assert run(capsys, "--db", db, "export", target) == (
        EXIT_BAD_INPUT,
        "",
        f"rapport: cannot write {target}: No such file or directory\n",
    )


def test_dry_run_checks_and_writes_nothing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--db", db, "export")  # creates the empty database
    before = dump(db)
    assert run(capsys, "--db", db, "import", "--dry-run", SAMPLE) == (
        EXIT_OK,
        f"Checked {SAMPLE_SUMMARY}\n",
        "",
    )
    assert dump(db) == before


def test_replace_is_needed_for_an_existing_key(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", db, "import", SAMPLE)
    before = dump(db)
    code, out, err = run(capsys, "--db", db, "import", SAMPLE)
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert err == (
        f"{SAMPLE}: engagement.key: an engagement with the key 'bergwerk-us' is already in the "
        "database; import with --replace to swap it for this file\n"
    )
    assert dump(db) == before

    smaller = tmp_path / "smaller.toml"
    text = SAMPLE.read_text(encoding="utf-8")
    smaller.write_text(text[: text.index("[[notes]]")], encoding="utf-8")  # no notes
    # It drops every note, so it needs --yes (tests/test_cli_replace.py: what it says first).
    code, out, err = run(capsys, "--db", db, "import", "--replace", "--yes", smaller)
    assert (code, err) == (EXIT_OK, "")
    assert "  notes: 34 removed\n" in out
    assert out.endswith("15 decisions, 0 notes, replacing the one of the same key\n")
    rows = dump(db)
    assert not [row for row in rows if row.startswith("note ")]
    assert len([row for row in rows if row.startswith("engagement ")]) == 1


# --- the toml-test corpus of invalid files ----------------------------------------------------


def corpus_files() -> list[object]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    files = sorted(CORPUS.rglob("*.toml"))
    return [pytest.param(path, id=str(path.relative_to(CORPUS))) for path in files]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """One database holding the sample for the whole corpus, and its dump to compare with."""
    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    assert main(["--db", str(db), "import", str(SAMPLE)]) == EXIT_OK
    yield db, dump(db)


@pytest.mark.parametrize("path", corpus_files())
def test_every_invalid_toml_file_is_refused_cleanly(
    path: Path, corpus_db: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, before = corpus_db
    code, out, err = run(capsys, "--db", db, "import", path)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err
    assert all(line.startswith(str(path)) for line in err.splitlines()), err
    assert dump(db) == before


def test_export_decisions_md_to_a_private_file(tmp_path: Path) -> None:
    db = str(tmp_path / "md.db")
    assert main(["--db", db, "import", str(SAMPLE)]) == 0
    target = tmp_path / "log.md"
    assert main(["--db", db, "export", "--decisions-md", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Decision log: Bergwerk US web shop rollout\n")
    assert "## Risks" in text and "## Dependencies" in text
    assert "Still to tell:" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_kinds_are_exclusive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(tmp_path / "x.db"), "export", "--ics", "--decisions-md"])
    assert exited.value.code == 2
