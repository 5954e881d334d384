"""What a person at the keyboard waits for, timed in a real terminal (bench/term.py).

One *session* of rapport per size and run: cold start on the Roster until its first row is
painted, cursor moves, `/` filtering keystroke by keystroke, the first visit of every screen,
visits of screens already seen, peak RSS, then `l` + outcome + `ctrl+s`. The baselines are a
bare hello world (cold start, RSS) and a bare two-screen app (switches).

What each wait looks for is known in advance from the database (the first person by name, the
rows a filter must leave on top), so a frame that only echoes the key never counts as done.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from term import Predicate, Terminal

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
RAPPORT = [PYTHON, "-m", "tui"]
# Visits in this order from the Roster: each first, then each again.
SCREENS = {"2": "cadence", "3": "decisions", "4": "notes", "0": "today"}
REVISITS = ("1", "2", "3", "4", "0")
# Words of each screen's column header (or summary) that only that screen shows.
HEADERS = {
    "1": ("Last contact", "Onb."),
    "2": ("Rhythm", "Last 12"),
    "3": ("Kind", "Told"),
    "4": ("Follow up", "Note"),
}
TODAY = re.compile(
    r"\d+ (overdue|meetings|losing touch|steps late|decisions|follow-ups|onboarding|coming up)"
    r"|Nothing needs you today"
)
# "Last contact" counts calendar days (store.since): a check-in just logged reads "today".
FRESH_CONTACT = re.compile(r"\btoday\b")
# Surnames in the sample and in the generated vocabulary: the filter query is chosen among them.
FILTER_CANDIDATES = ("carvalho", "hartmann", "kowalczyk", "delgado", "whitfield", "hoffmann")
FILTER_KEYS = 4  # keystrokes typed per filter run
TOP = 8  # rows on top of the list that a filter wait checks


@dataclass
class Samples:
    """Seconds per run (lists of presses per run for key metrics)."""

    values: dict[str, list[float]] = field(default_factory=dict)
    presses: dict[str, list[list[float]]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.values.setdefault(name, []).append(seconds)

    def add_presses(self, name: str, seconds: list[float]) -> None:
        self.presses.setdefault(name, []).append(seconds)

    def merge(self, other: Samples) -> None:
        for name, values in other.values.items():
            self.values.setdefault(name, []).extend(values)
        for name, presses in other.presses.items():
            self.presses.setdefault(name, []).extend(presses)


# ---- what the data says the screens must show ---------------------------------------------------


@dataclass(frozen=True)
class Expect:
    first_person: str
    query: str
    tops: tuple[tuple[str, ...], ...]  # the top names after each prefix of the query


def _people(db: Path) -> list[tuple[str, str]]:
    """(name, haystack) of the first engagement's people, in the Roster's order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT name, key, side, organisation, role, team, timezone FROM person "
            "WHERE engagement_id = (SELECT id FROM engagement ORDER BY name, id LIMIT 1) "
            "ORDER BY name"
        ).fetchall()
    # The haystack of tui/screens/roster.py: these fields, joined, case-folded.
    return [(row[0], " ".join(row).casefold()) for row in rows]


def _tops(people: list[tuple[str, str]], query: str) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(name for name, hay in people if query[:n].casefold() in hay)[:TOP]
        for n in range(1, len(query) + 1)
    )


def choose_query(dbs: list[Path]) -> str:
    """A query whose every keystroke changes the top rows in every database (else the first)."""
    peoples = [_people(db) for db in dbs]
    for candidate in FILTER_CANDIDATES:
        query = candidate[:FILTER_KEYS]
        if all(
            len(set(tops)) == len(tops) for tops in (_tops(people, query) for people in peoples)
        ):
            return query
    return FILTER_CANDIDATES[0][:FILTER_KEYS]


def expect(db: Path, query: str) -> Expect:
    people = _people(db)
    return Expect(people[0][0], query, _tops(people, query))


# ---- reading the pane ---------------------------------------------------------------------------


def _table_rows(screen: str, header: tuple[str, ...]) -> list[str] | None:
    lines = screen.splitlines()
    for number, line in enumerate(lines):
        if all(word in line for word in header):
            return lines[number + 1 :]
    return None


def _row_starts(rows: list[str], names: tuple[str, ...]) -> bool:
    # The name column is 20 wide and ends in "…" when cut: compare what always fits.
    return len(rows) >= len(names) and all(
        row[1:].startswith(name[:17]) for row, name in zip(rows, names, strict=False)
    )


def roster_ready(first: str) -> Predicate:
    def done(screen: str) -> bool:
        rows = _table_rows(screen, HEADERS["1"])
        return rows is not None and _row_starts(rows, (first,))

    return done


def screen_ready(key: str) -> Predicate:
    if key == "0":
        return lambda screen: bool(TODAY.search(screen)) and "Looking at" not in screen

    def done(screen: str) -> bool:
        rows = _table_rows(screen, HEADERS[key])
        return rows is not None and bool(rows[0].strip())

    return done


def filtered(prefix: str, top: tuple[str, ...]) -> Predicate:
    def done(screen: str) -> bool:
        rows = _table_rows(screen, HEADERS["1"])
        if rows is None or prefix not in screen:
            return False
        return "No match." in screen if not top else _row_starts(rows, top)

    return done


def logged() -> Predicate:
    """The toast, then the person's row reloaded (the toast may be gone by then at L)."""
    toast = False

    def done(screen: str) -> bool:
        nonlocal toast
        toast = toast or "Logged" in screen
        rows = _table_rows(screen, HEADERS["1"])
        return toast and rows is not None and bool(FRESH_CONTACT.search(rows[0]))

    return done


# ---- sessions -----------------------------------------------------------------------------------


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def hello_session(term: Terminal, samples: Samples) -> None:
    sent = term.spawn([PYTHON, str(HERE / "baseline_hello.py")])
    samples.add("cold", term.wait_painted(sent, lambda s: "Hello, world" in s, what="hello"))
    samples.add("rss", vm_hwm_kib(term.pane_pid()) * 1024)
    term.press("q")


def switch_session(term: Terminal, samples: Samples, switches: int) -> None:
    sent = term.spawn([PYTHON, str(HERE / "baseline_switch.py")])
    term.wait_painted(sent, lambda s: "Screen one" in s, what="bare switch app")
    term.drain(0.2)
    sent = term.press("2")
    samples.add("first_switch", term.wait_painted(sent, lambda s: "Screen two" in s, what="two"))
    times = []
    for number in range(switches):
        key, word = ("1", "Screen one") if number % 2 == 0 else ("2", "Screen two")
        term.drain(0.1)
        sent = term.press(key)
        times.append(term.wait_painted(sent, lambda s, w=word: w in s, what=f"bare {key}"))
    samples.add_presses("switch", times)
    term.press("q")


def today_session(term: Terminal, db: Path, samples: Samples) -> None:
    """Cold start on the default screen, Today, until its summary is painted."""
    sent = term.spawn([*RAPPORT, "--db", str(db)])
    samples.add("cold_today", term.wait_painted(sent, screen_ready("0"), what="Today", timeout=300))
    term.press("q")


def app_session(
    term: Terminal, db: Path, want: Expect, samples: Samples, *, cursor_presses: int
) -> None:
    sent = term.spawn([*RAPPORT, "--db", str(db), "--screen", "roster"])
    samples.add(
        "cold_roster",
        term.wait_painted(sent, roster_ready(want.first_person), what="Roster", timeout=300),
    )
    term.drain(0.3)

    # Cursor: eight down, eight up, so the sample's 17 people are enough.
    times = []
    for number in range(cursor_presses):
        key = "j" if (number // 8) % 2 == 0 else "k"
        before = term.screen(escapes=True)
        sent = term.press(key)
        times.append(
            term.wait_painted(sent, lambda s, b=before: s != b, what=f"cursor {key}", escapes=True)
        )
    samples.add_presses("cursor", times)

    # Filtering, one keystroke at a time; escape clears.
    term.drain(0.3)
    sent = term.press("/")
    term.wait_painted(sent, lambda s: "Filter…" in s, what="filter field")
    times = []
    for number, top in enumerate(want.tops):
        prefix = want.query[: number + 1]
        term.drain(0.05)
        sent = term.type_text(prefix[-1])
        times.append(term.wait_painted(sent, filtered(prefix, top), what=f"filter {prefix!r}"))
    samples.add_presses("filter", times)
    sent = term.press("escape")
    term.wait_painted(sent, roster_ready(want.first_person), what="filter cleared", timeout=120)

    # Screens: first visits, then visits of screens already seen.
    for key, name in SCREENS.items():
        term.drain(0.3)
        sent = term.press(key)
        samples.add(
            f"first_{name}", term.wait_painted(sent, screen_ready(key), what=name, timeout=300)
        )
    times = []
    for key in REVISITS:
        term.drain(0.2)
        sent = term.press(key)
        times.append(term.wait_painted(sent, screen_ready(key), what=f"again {key}", timeout=120))
    samples.add_presses("revisit", times)
    samples.add("rss", vm_hwm_kib(term.pane_pid()) * 1024)

    # Log a one-on-one with the first person, from the Roster.
    term.press("1")
    term.drain(0.3)
    term.press("g")
    term.drain(0.3)
    sent = term.press("l")
    samples.add(
        "log_open", term.wait_painted(sent, lambda s: "Log a one-on-one with" in s, what="form")
    )
    term.type_text("Benchmark check-in: all fine")
    term.drain(0.3)
    sent = term.press("C-s")
    samples.add("log_save", term.wait_painted(sent, logged(), what="saved", timeout=120))
    term.press("q")


def working_copy(db: Path, folder: Path, name: str) -> Path:
    """A copy a session may write to (it logs a check-in): the cached database stays as built."""
    copy = folder / name
    shutil.copyfile(db, copy)
    return copy


def settle(seconds: float = 0.2) -> None:
    time.sleep(seconds)
