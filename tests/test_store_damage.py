"""Damaged databases, and files the lead cannot write: every command says what is wrong and
with which file, names the newest backup that is good, and shows no values."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE

from store.backup import automatic_backup, backups, manual_backup, prune_automatic
from store.backup import newest_good_backup as newest_good
from store.db import Store
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

# About SQLite files and the disk they are on.
pytestmark = pytest.mark.sqlite_only

PAGE = 4096


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def sample_db(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The sample in a closed SQLite file (no WAL left)."""
    assert main(["--db", str(db_path), "import", str(SAMPLE)]) == EXIT_OK
    capsys.readouterr()
    assert not db_path.with_name(db_path.name + "-wal").exists()
    return db_path


def leaf_page(path: Path, name: str) -> int:
    """The first leaf page of a table or index, found with SQLite's dbstat table."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (name,),
        ).fetchone()
    finally:
        connection.close()
    assert row is not None, name
    return int(row[0])


def flip(path: Path, offset: int, mask: int = 0x08) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ mask]))


def check(path: Path, pragma: str) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
    finally:
        connection.close()


def damage_an_index(path: Path) -> None:
    """One flipped bit in the person keys' unique index: quick_check finds nothing."""
    flip(path, leaf_page(path, "sqlite_autoindex_person_1") * PAGE - 7)
    assert check(path, "quick_check") == ["ok"]
    assert any("non-unique entry in index" in line for line in check(path, "integrity_check"))


def damage_checkin_text(path: Path) -> bytes:
    """Bytes of a check-in's outcome turned into something that is not UTF-8; returns the
    text that was there (which no message may show)."""
    offset = leaf_page(path, "checkin") * PAGE - 200
    with path.open("r+b") as handle:
        handle.seek(offset)
        text = handle.read(40)
        handle.seek(offset)
        handle.write(bytes(0xFF if i % 5 == 0 else b for i, b in enumerate(text)))
    assert check(path, "integrity_check") == ["ok"]  # SQLite does not look at text
    return text


def assert_damaged_message(err: str, db: Path, newest: Path | None) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(f"rapport: cannot open the database {db}: the file is damaged"), err
    if newest is None:
        assert "backup" not in err
    else:
        assert f"the newest backup is {newest} (rapport restore FILE" in err


# --- damaged pages: one message, no values ------------------------------------------------


def test_export_of_a_file_with_a_damaged_index_says_it_is_damaged(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = manual_backup(sample_db)
    damage_an_index(sample_db)
    for argv in (["export"], ["export", "--ics"], ["export", "--decisions-md"]):
        code, out, err = run(capsys, "--db", sample_db, *argv)
        assert (code, out) == (EXIT_BAD_INPUT, "")
        assert_damaged_message(err, sample_db, backup)
        assert "missing from index sqlite_autoindex_person_1" in err


def test_every_command_on_text_that_is_not_utf8_says_the_file_is_damaged(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = manual_backup(sample_db)
    before = damage_checkin_text(sample_db)
    shown = {before.decode("utf-8", "replace")[:12], before[5:17].decode("utf-8", "replace")}
    # The two that read the damaged check-in (a log or a brief that does not goes on).
    for argv in (["export"], ["forget", "tyler", "--yes"]):
        code, out, err = run(capsys, "--db", sample_db, *argv)
        assert code == EXIT_BAD_INPUT, (argv, out, err)
        assert_damaged_message(err, sample_db, backup)
        assert "a text in table checkin, column outcome, is not UTF-8" in err
        assert not any(part in err for part in shown), err


def test_the_driver_never_quotes_text_it_could_not_decode() -> None:
    from store.errors import driver_message

    error = sqlite3.OperationalError(
        "Could not decode to UTF-8 column 'outcome' with text 'Tyler unhappy\ufffd'"
    )
    assert driver_message(error) == "Could not decode to UTF-8 column 'outcome'"


# --- backups: checked, and the newest good one named ---------------------------------------


def test_backup_of_a_damaged_database_is_refused_and_leaves_nothing(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage_checkin_text(sample_db)
    before = sorted(p.name for p in sample_db.parent.iterdir())
    code, out, err = run(capsys, "--db", sample_db, "backup")
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert err == (
        f"rapport: no backup was written: the copy of {sample_db} does not pass the check "
        "(the file is damaged (integrity_check: a text in table checkin, column outcome, "
        "is not UTF-8))\n"
    )
    assert sorted(p.name for p in sample_db.parent.iterdir()) == before


def test_the_damaged_file_message_skips_a_damaged_backup(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = manual_backup(sample_db, now=dt.datetime(2026, 11, 19, 9, tzinfo=dt.UTC))
    # A copy of the damage under a backup's name (taken by an older rapport).
    damage_checkin_text(sample_db)
    bad = sample_db.with_name(f"{sample_db.name}.backup-20261120T090000Z")
    shutil.copyfile(sample_db, bad)
    assert [b.path for b in backups(sample_db)] == [good, bad]
    assert newest_good(sample_db) == good
    code, _out, err = run(capsys, "--db", sample_db, "export")
    assert code == EXIT_BAD_INPUT
    assert_damaged_message(err, sample_db, good)


def test_a_backup_from_the_future_is_never_the_newest(sample_db: Path) -> None:
    now = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    # Taken while the clock said 2099: its stamp and its file's time are both from then.
    future = automatic_backup(sample_db, "0008", now=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    os.utime(future, (4_070_908_800, 4_070_908_800))
    taken = [
        automatic_backup(sample_db, "0008", now=now + dt.timedelta(minutes=n)) for n in range(5)
    ]
    assert backups(sample_db, now=now + dt.timedelta(hours=1))[-1].path == taken[-1]
    assert newest_good(sample_db) == taken[-1]
    # And it holds none of the five automatic slots: it went first.
    assert not future.exists()
    assert [b.path for b in backups(sample_db)] == taken
    assert prune_automatic(sample_db) == []


def test_a_future_stamp_counts_by_the_files_time_when_that_is_not_in_the_future(
    sample_db: Path,
) -> None:
    newer = manual_backup(sample_db, now=dt.datetime(2025, 11, 19, tzinfo=dt.UTC))
    os.utime(newer, (1_763_510_400, 1_763_510_400))  # 2025-11-19, as its stamp says
    wrong = sample_db.with_name(f"{sample_db.name}.backup-20990101T000000Z")
    shutil.copyfile(newer, wrong)
    os.utime(wrong, (1_763_337_600, 1_763_337_600))  # written 2025-11-17: the older one
    assert [b.path for b in backups(sample_db)] == [wrong, newer]
    assert newest_good(sample_db) == newer


def test_the_app_on_a_link_to_a_damaged_file_names_the_backup_beside_the_file(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = manual_backup(sample_db)
    overwrite_middle(sample_db)
    link = tmp_path / "elsewhere" / "current.db"
    link.parent.mkdir()
    link.symlink_to(sample_db)
    for argv in ([], ["export"]):  # the app, and a command
        code, out, err = run(capsys, "--db", link, *argv)
        assert (code, out) == (EXIT_BAD_INPUT, "")
        assert_damaged_message(err, sample_db, backup)


def overwrite_middle(path: Path) -> None:
    """Garbage over a page in the middle: quick_check finds it."""
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2 // PAGE * PAGE)
        handle.write(b"\x00garbage!" * 455)


# --- what a kill leaves, and who can read the file ----------------------------------------


def test_a_backup_cut_off_by_a_kill_is_removed_on_the_next_start(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A pre-upgrade backup killed half-way: a hidden partial copy of a process that is gone.
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    cut = sample_db.with_name(f".{sample_db.name}.backup-20261120T103000Z-rev0001.tmp-")
    cut = cut.with_name(f"{cut.name}{int(child.stdout)}-0")
    cut.write_bytes(sample_db.read_bytes()[: 3 * PAGE])
    assert run(capsys, "--db", sample_db, "brief", "dana")[0] == EXIT_OK
    assert not cut.exists()
    assert sorted(p.name for p in sample_db.parent.iterdir()) == [sample_db.name]


def test_an_existing_world_readable_database_is_made_private_and_said_once(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An open connection keeps the -wal and -shm beside the file.
    holder = sqlite3.connect(sample_db)
    try:
        holder.execute("SELECT count(*) FROM person").fetchone()
        files = [sample_db.with_name(sample_db.name + s) for s in ("", "-wal", "-shm")]
        for file in files:
            file.chmod(0o644)
        code, _out, err = run(capsys, "--db", sample_db, "brief", "dana")
        assert code == EXIT_OK
        assert [mode(file) for file in files] == [0o600] * 3
        assert err == "".join(
            f"rapport: {file} was readable by others (mode 0644); "
            "it is now readable by you only (0600)\n"
            for file in files
        )
        assert run(capsys, "--db", sample_db, "brief", "dana")[2] == ""  # once
    finally:
        holder.close()


# --- a full disk, a read-only file system, a read-only file --------------------------------

NAMESPACE_SCRIPT = textwrap.dedent(
    """
    import os, shutil, subprocess, sys
    from pathlib import Path
    mount, source, case = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    db = mount / "rapport.db"
    shutil.copyfile(source, db)
    os.chmod(db, 0o600)

    def sh(*argv):
        subprocess.run(argv, check=True)

    if case == "full":
        filler = os.open(mount / "filler", os.O_CREAT | os.O_WRONLY)
        try:
            while os.write(filler, b"x" * 4096):
                pass
        except OSError:
            os.close(filler)
    elif case == "ro-fs":
        sh("mount", "-o", "remount,ro", str(mount))
    elif case == "ro-file":
        sh("mount", "--bind", str(db), str(db))
        sh("mount", "-o", "remount,bind,ro", str(db))
    for argv in (
        ["log", "--with", "dana", "--outcome", "x" * 20_000],
        ["brief", "dana"],
        ["export"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(db), *argv],
            capture_output=True, text=True,
        )
        print(f"{argv[0]}|{done.returncode}|{len(done.stdout)}|{done.stderr.strip()}")
    """
)


def in_small_tmpfs(tmp_path: Path, source: Path, case: str) -> dict[str, tuple[int, int, str]]:
    """Run the commands on a copy of `source` in a 1 MiB tmpfs of a mount namespace of its
    own; skips where a tmpfs cannot be mounted."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a small tmpfs")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        [
            "unshare", "-m", "sh", "-c",
            'mount -t tmpfs -o size=1m tmpfs "$1" || exit 77; shift; exec "$@"',
            "sh", str(mount), sys.executable, "-c", NAMESPACE_SCRIPT,
            str(mount), str(source), case,
        ],
        capture_output=True, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "RAPPORT_USER": "test"}, timeout=300,
    )  # fmt: skip
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    found: dict[str, tuple[int, int, str]] = {}
    for line in done.stdout.splitlines():
        command, code, size, err = line.split("|", 3)
        found[command] = (int(code), int(size), err)
    return found


def test_a_full_disk_is_said_as_a_full_disk(tmp_path: Path, sample_db: Path) -> None:
    found = in_small_tmpfs(tmp_path, sample_db, "full")
    db = tmp_path / "small" / "rapport.db"
    full = f"rapport: the disk holding {db} is full; nothing was saved: free some space, try again"
    # Even a read needs room for the -shm SQLite makes beside the file.
    assert found == {
        "log": (EXIT_BAD_INPUT, 0, full),
        "brief": (EXIT_BAD_INPUT, 0, full),
        "export": (EXIT_BAD_INPUT, 0, full),
    }


@pytest.mark.parametrize(
    ("case", "why"),
    [("ro-fs", "its file system is mounted read-only"), ("ro-file", "the file is read-only")],
)
def test_a_read_only_database_is_read_and_not_written(
    tmp_path: Path, sample_db: Path, case: str, why: str
) -> None:
    found = in_small_tmpfs(tmp_path, sample_db, case)
    db = tmp_path / "small" / "rapport.db"
    assert found["log"] == (
        EXIT_BAD_INPUT,
        0,
        f"rapport: cannot write the database {db}: {why}; "
        "`rapport brief` and `rapport export` can still read it",
    )
    assert found["brief"][0] == EXIT_OK and found["brief"][1] > 0, found["brief"]
    assert found["brief"][2] == ""
    assert found["export"][:1] == (EXIT_OK,) and found["export"][1] > 50_000, found["export"]


def test_a_read_only_store_refuses_a_schema_it_would_have_to_upgrade(sample_db: Path) -> None:
    from store.migrate import HEAD, MigrationError

    connection = sqlite3.connect(sample_db)
    connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.commit()
    connection.close()
    with pytest.raises(MigrationError, match=f"revision 0001, not {HEAD}, and it cannot be"):
        Store.open(str(sample_db), read_only=True)


def test_restore_refuses_a_backup_whose_text_is_not_utf8(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(sample_db, copy)
    damage_checkin_text(copy)
    before = sample_db.read_bytes()
    code, out, err = run(capsys, "--db", sample_db, "restore", copy)
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert (
        err
        == f"rapport: {copy} is damaged (a text in table checkin, column outcome, is not UTF-8)\n"
    )
    assert sample_db.read_bytes() == before
