"""Nothing committed is lost, nothing is half-written, a damaged file is stopped at the door.

Real processes on real SQLite files: a writer killed with SIGKILL at random moments, two
processes incrementing one counter, files with garbage in their pages.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import DamagedDatabase, Store
from tui.__main__ import EXIT_BAD_INPUT, main

# Crashes, torn pages and quick_check are about the SQLite file itself.
pytestmark = pytest.mark.sqlite_only

REPO = Path(__file__).resolve().parent.parent

# Imports the store once, then forks one writer per line read on stdin (so that twenty-odd
# kills do not pay twenty-odd interpreter start-ups). Each writer opens the store afresh,
# logs check-ins (three attendees, one next step, one note each) in a loop and reports each
# id only after log_checkin returned, i.e. after the commit. The forker reports the writer's
# pid, and "dead" once the writer is gone: every id it reported is in the pipe before that.
WRITER = r"""
import datetime as dt
import os
import sys

from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.logparse import NextStepLine, NoteLine
from store.migrate import head_revision

head_revision()  # warm up Alembic's imports once, before forking
db, engagement = sys.argv[1], int(sys.argv[2])
people = tuple(int(p) for p in sys.argv[3].split(","))


def write_forever():
    store = Store.open(db)
    n = 0
    while True:
        n += 1
        draft = CheckInDraft(
            engagement_id=engagement,
            at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
            attendee_ids=people,
            outcome=f"durability {os.getpid()}-{n}",
            next_steps=(NextStepLine(f"step {n}", people[0], None),),
            notes=(NoteLine(people[1], f"durability note {n}"),),
        )
        summary = log_checkin(store, draft)
        os.write(1, f"{summary.checkin_id}\n".encode())


while sys.stdin.readline():
    pid = os.fork()
    if pid == 0:
        try:
            write_forever()
        finally:
            os._exit(1)
    print(f"pid {pid}", flush=True)
    os.waitpid(pid, 0)
    print("dead", flush=True)
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


class Writers:
    """The forker above: `start()` runs a writer, `kill()` ends it; `reported` holds every
    id a writer reported as committed."""

    def __init__(self, script: Path, db: Path, engagement: int, people: list[int]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(db), str(engagement), ",".join(map(str, people))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(),
        )  # fmt: skip
        self.pid = 0
        self.reported: list[int] = []

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.endswith("\n"), f"the forker stopped: {self.process.stderr.read()}"  # type: ignore[union-attr]
        return line.strip()

    def start(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        while not (line := self._line()).startswith("pid "):
            self.reported.append(int(line))
        self.pid = int(line.split()[1])

    def wait_for_commits(self, count: int) -> None:
        """Read reported ids until `count` more have come (the writer keeps running)."""
        goal = len(self.reported) + count
        while len(self.reported) < goal:
            self.reported.append(int(self._line()))

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        while (line := self._line()) != "dead":
            self.reported.append(int(line))
        self.pid = 0

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextmanager
def writers(tmp_path: Path, db: Path, team: dict[str, int]) -> Iterator[Writers]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    people = [team["jonas"], team["dana"], team["ines"]]
    running = Writers(script, db, team["eng"], people)
    try:
        yield running
    finally:
        if running.pid:
            with suppress(ProcessLookupError):
                os.kill(running.pid, signal.SIGKILL)
        running.process.kill()
        running.process.wait(timeout=30)


def check_written(db: Path, reported: set[int]) -> int:
    """The file is sound, every reported check-in is there, none is half-written."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        found = {row[0] for row in connection.execute("SELECT id FROM checkin")}
        assert reported <= found, f"lost check-ins: {sorted(reported - found)[:10]}"
        half_written = connection.execute(
            "SELECT c.id FROM checkin c WHERE c.outcome LIKE 'durability %' AND ("
            " (SELECT count(*) FROM checkin_attendee a WHERE a.checkin_id = c.id) != 3"
            " OR (SELECT count(*) FROM next_step s WHERE s.checkin_id = c.id) != 1)"
        ).fetchall()
        assert half_written == []
        checkins = connection.execute(
            "SELECT count(*) FROM checkin WHERE outcome LIKE 'durability %'"
        ).fetchone()[0]
        notes = connection.execute(
            "SELECT count(*) FROM note WHERE text LIKE 'durability note %'"
        ).fetchone()[0]
        assert notes == checkins  # each check-in's note came with it, or neither did
        return checkins
    finally:
        connection.close()


def test_a_killed_writer_loses_no_committed_checkin(
    tmp_path: Path, db_path: Path, store: Store, team: dict[str, int]
) -> None:
    store.close()
    rng = random.Random(20261120)
    reported: set[int] = set()
    kills = 0
    with writers(tmp_path, db_path, team) as writer:
        for _ in range(24):
            writer.start()
            # Some kills land while the store opens (and recovers the WAL of the previous
            # victim), most after a random number of commits; a bounded random delay puts
            # them anywhere within a transaction.
            if rng.random() < 0.8:
                writer.wait_for_commits(rng.randint(1, 40))
            time.sleep(rng.uniform(0.0, 0.03))
            writer.kill()
            reported = set(writer.reported)
            kills += 1
            assert check_written(db_path, reported) >= len(reported)
        writer.close()
    assert kills >= 20
    assert len(reported) >= 100  # the kills really landed among commits


COUNTER = r"""
import sys

from sqlalchemy import text

from store.db import Store

store = Store.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # both start together
for _ in range(int(sys.argv[2])):
    with store.write() as session:
        n = session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
        session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
    with store.read() as session:
        session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
store.close()
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_no_update(tmp_path: Path, db_path: Path) -> None:
    """Read-modify-write from two processes: BEGIN IMMEDIATE, WAL and a busy timeout."""
    setup = Store.open(str(db_path))
    with setup.write() as session:
        session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (1, 0)"))
    setup.close()
    script = tmp_path / "counter.py"
    script.write_text(COUNTER)
    rounds = 250
    children = [
        subprocess.Popen(
            [sys.executable, str(script), str(db_path), str(rounds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )  # fmt: skip
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    for child, (out, err) in zip(children, results, strict=True):
        assert "locked" not in err
        assert child.returncode == 0, err
        assert out == "done\n"
    check = sqlite3.connect(db_path)
    assert check.execute("SELECT n FROM counter WHERE id = 1").fetchone() == (2 * rounds,)
    check.close()


def at(second: int) -> dt.datetime:
    return dt.datetime(2026, 11, 20, 10, 30, second, tzinfo=dt.UTC)


def multi_page_database(path: Path) -> None:
    """A few hundred KiB of notes, closed cleanly (no WAL left)."""
    store = Store.open(str(path))
    with store.write() as session:
        session.execute(
            text("INSERT INTO engagement (key, name, client, goal) VALUES ('e', 'E', '', '')")
        )
        session.execute(
            text(
                "INSERT INTO person (engagement_id, key, name, side, organisation, role, "
                "responsibilities, team, timezone, work_start, work_end, email, at_kickoff, "
                "met_in_person) VALUES (1, 'p', 'P', 'ours', '', '', '', '', 'UTC', "
                "'09:00:00', '17:00:00', '', 0, 0)"
            )
        )
        for i in range(600):
            session.execute(
                text(
                    'INSERT INTO note (person_id, "on", kind, text, pinned) '
                    "VALUES (1, '2026-10-01', 'personal', :t, 0)"
                ),
                {"t": f"note {i} " * 60},
            )
    store.close()
    assert not path.with_name(path.name + "-wal").exists()
    assert path.stat().st_size > 100 * 4096


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def test_garbage_in_the_pages_is_reported_with_the_newest_backup(db_path: Path) -> None:
    from store.backup import manual_backup

    multi_page_database(db_path)
    manual_backup(db_path, now=at(1))
    newest = manual_backup(db_path, now=at(2))
    size = db_path.stat().st_size
    # The header (page 1) stays valid, so SQLite opens the file; the middle is garbage.
    overwrite(db_path, size // 2 // 4096 * 4096, random.Random(7).randbytes(4 * 4096))
    damaged = db_path.read_bytes()
    with pytest.raises(DamagedDatabase) as raised:
        Store.open(str(db_path))
    message = str(raised.value)
    assert str(db_path) in message
    assert "damaged" in message
    assert message.endswith(f"the newest backup is {newest}")
    assert raised.value.newest_backup == newest
    assert db_path.read_bytes() == damaged  # nothing wrote to it


def test_broken_cell_pointers_are_found_by_quick_check(db_path: Path) -> None:
    multi_page_database(db_path)
    # A table page whose cell pointers point outside the page: SQLite reads it fine
    # until quick_check looks.
    overwrite(db_path, (db_path.stat().st_size // 4096 // 2 - 1) * 4096 + 8, b"\xff\x00" * 8)
    with pytest.raises(DamagedDatabase) as raised:
        Store.open(str(db_path))
    assert "quick_check: On tree page" in str(raised.value)
    assert raised.value.newest_backup is None


def test_the_check_copes_with_any_file_name(tmp_path: Path) -> None:
    odd = tmp_path / "my data #1?%20 ü" / "rapport.db"
    Store.open(str(odd)).close()
    Store.open(str(odd)).close()  # checked with quick_check through a file: URI
    assert sorted(p.name for p in odd.parent.iterdir()) == ["rapport.db"]


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_bytes(b"a shopping list, not a database\n" * 200)
    with pytest.raises(DamagedDatabase, match="file is not a database"):
        Store.open(str(bogus))
    assert bogus.read_bytes() == b"a shopping list, not a database\n" * 200


def test_rapport_on_a_damaged_file_says_so_in_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from store.backup import manual_backup

    multi_page_database(db_path)
    newest = manual_backup(db_path)
    overwrite(db_path, db_path.stat().st_size // 2 // 4096 * 4096, b"\x00garbage!" * 2000)
    for argv in (["export"], ["log", "--with", "p", "--outcome", "x"], []):
        assert main(["--db", str(db_path), *argv]) == EXIT_BAD_INPUT
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith(f"rapport: cannot open the database {db_path}: the file is damaged")
        assert f"the newest backup is {newest}" in err
        assert "rapport restore" in err
        assert "Traceback" not in err
