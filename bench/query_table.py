"""Every store query that runs on a screen visit or a keypress, with its time at a size.

    python bench/query_table.py DB

Runs the app headless in this process (`App.run_test`) on a copy of the database, with
SQLAlchemy cursor events on the store's engine, presses the same keys as the terminal
sessions, and lists each distinct statement with the action that ran it, how often and how
long. `EXPLAIN QUERY PLAN` says whether it reads every check-in (`SCAN checkin`, `SCAN
checkin_attendee`, or a search of check-ins by nothing but the engagement): none may on a
keypress.

Times here are in-process wall times of the statement (cursor execute, not fetching rows
into objects), so they are for ranking the queries, not for comparing to the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from store.db import Store
from tui.app import RapportApp

# Every check-in: a scan of the table (or of attendance), or a search whose only condition is
# the engagement — at L that is all 50,000 check-ins of the open engagement.
FULL_SCAN = re.compile(
    r"\bSCAN (checkin|checkin_attendee)\b"
    r"|\bSEARCH checkin USING (COVERING )?INDEX \w+ \(engagement_id=\?\)$"
)
# (label, keys): what a person does, in the order of the terminal sessions.
ACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cursor j", ("j",)),
    ("cursor k", ("k",)),
    ("/ and type 'c'", ("slash", "c")),
    ("escape", ("escape",)),
    ("2 Cadence (first)", ("2",)),
    ("3 Decisions (first)", ("3",)),
    ("4 Notes (first)", ("4",)),
    ("0 Today (first)", ("0",)),
    ("1 Roster (again)", ("1",)),
    ("2 Cadence (again)", ("2",)),
    ("l log form", ("1", "l")),
    ("ctrl+s save check-in", ("B", "e", "n", "c", "h", "ctrl+s")),
)


@dataclass
class Statement:
    action: str
    sql: str
    params: Any
    calls: int = 0
    seconds: float = 0.0
    plan: list[str] = field(default_factory=list)
    alone: float | None = None  # the statement run again by itself, best of three

    @property
    def full_scan(self) -> bool:
        return any(FULL_SCAN.search(line) for line in self.plan)

    def short(self, width: int = 90) -> str:
        text = " ".join(self.sql.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "sql": " ".join(self.sql.split()),
            "calls": self.calls,
            "ms": round(self.seconds * 1000, 2),
            "alone_ms": None if self.alone is None else round(self.alone * 1000, 2),
            "plan": self.plan,
            "scans_checkins": self.full_scan,
        }


class Recorder:
    """Cursor events on the store's engine, attributed to the action being driven."""

    def __init__(self, store: Store) -> None:
        self.action = "start-up"
        self.found: dict[tuple[str, str], Statement] = {}
        self._lock = threading.Lock()
        event.listen(store.engine, "before_cursor_execute", self._before)
        event.listen(store.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        if many and params:
            params = params[0]
        if statement.lstrip().upper().startswith("BEGIN"):
            return
        with self._lock:
            key = (self.action, statement)
            found = self.found.setdefault(key, Statement(self.action, statement, params))
            found.calls += 1
            found.seconds += elapsed


def explain(db: Path, statements: list[Statement]) -> None:
    with sqlite3.connect(db) as connection:
        for statement in statements:
            if (
                not statement.sql.lstrip()
                .upper()
                .startswith(("SELECT", "WITH", "UPDATE", "DELETE"))
            ):
                continue
            try:
                rows = connection.execute(
                    "EXPLAIN QUERY PLAN " + statement.sql, statement.params or ()
                ).fetchall()
            except sqlite3.Error as error:
                statement.plan = [f"(no plan: {error})"]
                continue
            statement.plan = [row[-1] for row in rows]
            if statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                # In the app the statement shares the GIL with the UI thread; alone, it is
                # the database's own cost.
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    connection.execute(statement.sql, statement.params or ()).fetchall()
                    best = min(best, time.perf_counter() - started)
                statement.alone = best


async def _settle(app: RapportApp, pilot: Any) -> None:
    """Until no worker runs: a finished one may post a message that starts another (the
    Roster's whole read, once shown, starts the warm-up), whose reads would otherwise be
    put down to the next key pressed."""
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return


async def _drive(store: Store, recorder: Recorder) -> None:
    app = RapportApp(store, start_screen="roster")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        for label, keys in ACTIONS:
            recorder.action = label
            for key in keys:
                await pilot.press(key)
            await _settle(app, pilot)
        recorder.action = "quit"


def collect(db: Path) -> list[Statement]:
    """The statements of a session on a copy of `db` (the log form writes)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "queries.db"
        shutil.copyfile(db, copy)
        store = Store.open(str(copy))
        recorder = Recorder(store)
        try:
            asyncio.run(_drive(store, recorder))
        finally:
            store.close()
        statements = [s for s in recorder.found.values() if s.action != "quit"]
        explain(copy, statements)
    return statements


def quiet_actions(statements: list[Statement]) -> list[str]:
    """The actions that ran no query at all."""
    ran = {s.action for s in statements}
    return [label for label, _keys in ACTIONS if label not in ran]


def table(statements: list[Statement]) -> str:
    lines = [
        "in app: summed cursor time in the app's threads; alone: the same statement by itself "
        "(best of 3); ALL: its plan reads every check-in of the engagement (or all of them)",
        f"{'action':<22} {'calls':>5} {'in app ms':>10} {'alone ms':>9}  scan  statement",
    ]
    for s in statements:
        flag = "ALL " if s.full_scan else "    "
        alone = "" if s.alone is None else f"{s.alone * 1000:.1f}"
        lines.append(
            f"{s.action:<22} {s.calls:>5} {s.seconds * 1000:>10.1f} {alone:>9}  {flag}  {s.short(70)}"
        )
    for label in quiet_actions(statements):
        lines.append(f"{label:<22} {0:>5} {'':>10} {'':>9}        (no query)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    args = parser.parse_args()
    print(table(collect(args.db)))


if __name__ == "__main__":
    main()
