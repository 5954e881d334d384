"""Issue 7's benchmark: every figure a ratio to a baseline measured in the same run.

    python bench/run.py --size S|M|L [--runs N] [--presses N] [--io-runs N] [--json]

Builds (or reuses) the size's data (bench/generate.py), then runs N paired rounds. Each round
runs, in an order that alternates between rounds: the bare hello world, a rapport session on
the size (and on S too when the size is M or L, for the "at L vs at S" targets), a cold start
on Today, and the bare two-screen app. Then import/export against their floors
(bench/io_speed.py) and the query table (bench/query_table.py).

Each row of the table is a ratio per round — app / baseline of the same round — reported as
min / median / max over the rounds; a target is met when the median is within it.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import math
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import generate
import io_speed
import query_table
import tui_speed
from term import Terminal, TerminalGone
from tui_speed import Samples

HERE = Path(__file__).resolve().parent
SCREEN_NAMES = {"cadence": "Cadence", "decisions": "Decisions", "notes": "Notes", "today": "Today"}


Step = Callable[[Terminal, Samples], None]


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


@dataclass
class Row:
    metric: str
    target: float | None  # a ratio; None: listed, not checked
    ratios: list[float]
    app_s: float | None = None  # median seconds (or bytes) behind the ratio, for the reader
    base_s: float | None = None
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.median <= self.target

    def as_dict(self) -> dict[str, object]:
        found = asdict(self)
        found.update(
            min=min(self.ratios), median=self.median, max=max(self.ratios), passed=self.passed
        )
        return found


def per_round(
    num: Sequence[float], den: Sequence[float], metric: str, target: float | None, unit: str = "s"
) -> Row:
    return Row(
        metric,
        target,
        [a / b for a, b in zip(num, den, strict=True)],
        statistics.median(num),
        statistics.median(den),
        unit,
    )


def of_presses(
    samples: Samples, name: str, stat: Callable[[Sequence[float]], float]
) -> list[float]:
    return [stat(presses) for presses in samples.presses[name]]


# ---- measuring ----------------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure_terminal(
    sizes: dict[str, Path], runs: int, presses: int, switches: int
) -> tuple[Samples, Samples, dict[str, Samples]]:
    query = tui_speed.choose_query(list(sizes.values()))
    wants = {size: tui_speed.expect(db, query) for size, db in sizes.items()}
    hello, switch = Samples(), Samples()
    apps = {size: Samples() for size in sizes}
    term = Terminal("run")
    try:
        with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
            for run in range(runs):
                started = time.perf_counter()
                order = list(sizes) if run % 2 == 0 else list(reversed(sizes))
                steps: list[tuple[Samples, Step]] = [(hello, tui_speed.hello_session)]
                for size in order:

                    def session(
                        term: Terminal, into: Samples, size: str = size, run: int = run
                    ) -> None:
                        copy = tui_speed.working_copy(sizes[size], Path(tmp), f"{size}-{run}.db")
                        tui_speed.app_session(term, copy, wants[size], into, cursor_presses=presses)
                        tui_speed.today_session(term, copy, into)
                        copy.unlink()

                    steps.append((apps[size], session))
                steps.append(
                    (switch, lambda term, into: tui_speed.switch_session(term, into, switches))
                )
                # Alternate which comes first, so a drift in machine load favours neither.
                for into, step in steps if run % 2 == 0 else reversed(steps):
                    part = Samples()
                    try:
                        step(term, part)
                    except TerminalGone as error:
                        # Seen once at L: tmux dropped the control client. A fresh server and
                        # one more try (of the whole step, so rounds stay paired); a step that
                        # fails twice stops the run.
                        say(f"round {run + 1}: {error}; retrying on a fresh tmux server")
                        term.close()
                        term = Terminal(f"run{run}")
                        part = Samples()
                        step(term, part)
                    into.merge(part)
                say(f"round {run + 1}/{runs} in {time.perf_counter() - started:.0f} s")
    finally:
        term.close()
    return hello, switch, apps


def rows_for(size: str, hello: Samples, switch: Samples, apps: dict[str, Samples]) -> list[Row]:
    app = apps[size]
    h, v = hello.values, app.values
    bare = of_presses(switch, "switch", statistics.median)
    rows = [
        per_round(v["cold_roster"], h["cold"], f"1 cold start to Roster rows, {size} / hello",
                  3.0 if size != "S" else 2.5),
        per_round(v["cold_today"], h["cold"], f"1 cold start to Today, {size} / hello",
                  3.0 if size != "S" else 2.5),
    ]  # fmt: skip
    if size != "S":
        s = apps["S"].values
        rows += [
            per_round(s["cold_roster"], h["cold"], "1 cold start to Roster rows, S / hello", 2.5),
            per_round(s["cold_today"], h["cold"], "1 cold start to Today, S / hello", 2.5),
            per_round(v["cold_roster"], s["cold_roster"], f"1 cold start Roster, {size} / S", 1.2),
            per_round(v["cold_today"], s["cold_today"], f"1 cold start Today, {size} / S", 1.2),
            per_round(of_presses(app, "cursor", p95), of_presses(apps["S"], "cursor", p95),
                      f"2 cursor move p95, {size} / S", 1.5),
            per_round(of_presses(app, "filter", statistics.median),
                      of_presses(apps["S"], "filter", statistics.median),
                      f"2 / filter keystroke median, {size} / S", 2.0),
            per_round(v["log_open"], s["log_open"], f"2 l opens the log form, {size} / S", 1.5),
            per_round(v["log_save"], s["log_save"], f"2 ctrl+s saves, toast + row, {size} / S", 1.5),
        ]  # fmt: skip
    else:
        rows += [
            per_round(of_presses(app, "cursor", p95), bare, "2 cursor move p95 / bare switch", None),
            per_round(of_presses(app, "filter", statistics.median), bare,
                      "2 / filter keystroke median / bare switch", None),
            per_round(v["log_open"], bare, "2 l opens the log form / bare switch", None),
            per_round(v["log_save"], bare, "2 ctrl+s saves, toast + row / bare switch", None),
        ]  # fmt: skip
    rows.append(
        per_round(of_presses(app, "revisit", statistics.median), bare,
                  f"2 visited screen again, median, {size} / bare switch", 2.0)
    )  # fmt: skip
    for name, title in SCREEN_NAMES.items():
        rows.append(
            per_round(v[f"first_{name}"], bare, f"2 first visit {title}, {size} / bare switch", 5.0)
        )
    rows.append(
        per_round(v["rss"], h["rss"], f"3 peak RSS, all screens, {size} / hello", 2.5, unit="B")
    )
    return rows


def io_rows(size: str, runs: int) -> list[Row]:
    path = generate.toml_files(size)[0]  # the largest engagement of the size
    found = io_speed.measure(path, runs)
    return [
        per_round(found["import_s"], found["import_floor_s"],
                  f"4 import {path.name} / tomllib + raw sqlite3", 3.0),
        per_round(found["export_s"], found["export_floor_s"],
                  f"4 export {path.name} / tomllib + tomli_w", 3.0),
    ]  # fmt: skip


# ---- showing ------------------------------------------------------------------------------------


def _abs(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value / 2**20:.0f} MiB" if unit == "B" else f"{value * 1000:.0f} ms"


def render(rows: list[Row], statements: list[query_table.Statement], header: str) -> str:
    lines = [
        header,
        "",
        f"{'metric':<52} {'target':>7} {'min':>7} {'median':>7} {'max':>7}  {'':4}  "
        "median app / base",
    ]
    for row in rows:
        target = "" if row.target is None else f"≤{row.target:g}×"
        verdict = {True: "pass", False: "FAIL", None: ""}[row.passed]
        lines.append(
            f"{row.metric:<52} {target:>7} {min(row.ratios):>7.2f} {row.median:>7.2f} "
            f"{max(row.ratios):>7.2f}  {verdict:4}  "
            f"{_abs(row.app_s, row.unit)} / {_abs(row.base_s, row.unit)}"
        )
    scans = [s for s in statements if s.full_scan and s.action != "start-up"]
    lines.append(
        f"{'5 queries that read every check-in on a keypress':<52} {'0':>7} "
        f"{len(scans):>7} {len(scans):>7} {len(scans):>7}  {'pass' if not scans else 'FAIL':4}"
    )
    lines += ["", "5 queries per action:", query_table.table(statements)]
    return "\n".join(lines)


def show(found: dict[str, Any]) -> str:
    """The table again, from what --json printed."""
    rows = [
        Row(r["metric"], r["target"], r["ratios"], r["app_s"], r["base_s"], r["unit"])
        for r in found["rows"]
    ]
    statements = []
    for q in found["queries"]:
        statement = query_table.Statement(q["action"], q["sql"], None, q["calls"], q["ms"] / 1000)
        statement.plan = q["plan"]
        statement.alone = None if q.get("alone_ms") is None else q["alone_ms"] / 1000
        statements.append(statement)
    return render(rows, statements, found["header"])


def compile_app() -> None:
    """Byte-compile the app, as `pip install` does: run from a checkout with
    PYTHONDONTWRITEBYTECODE set, every start would compile it again, a cost no installed copy
    pays. Both the checkout (what `python -m tui` finds from its root) and the installed copy."""
    folders = {HERE.parent / package for package in ("tui", "store")}
    for package in ("tui", "store"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            folders.update(Path(folder) for folder in spec.submodule_search_locations)
    for folder in sorted(folders):
        if folder.is_dir():
            compileall.compile_dir(folder, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("S", "M", "L"), default="S")
    parser.add_argument("--runs", type=int, default=10, help="paired rounds (default 10)")
    parser.add_argument("--presses", type=int, default=50, help="cursor presses per round")
    parser.add_argument("--switches", type=int, default=10, help="bare switches per round")
    parser.add_argument("--io-runs", type=int, help="import/export runs (default: --runs)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--show", type=Path, metavar="FILE", help="print the table of an earlier --json output"
    )
    args = parser.parse_args()
    if args.show is not None:
        print(show(json.loads(args.show.read_text())))
        return
    started = time.perf_counter()
    compile_app()

    sizes = {"S": generate.build_db("S", say=say)}
    if args.size != "S":
        sizes[args.size] = generate.build_db(args.size, say=say)
    hello, switch, apps = measure_terminal(sizes, args.runs, args.presses, args.switches)
    rows = rows_for(args.size, hello, switch, apps)
    say("import and export…")
    rows += io_rows(args.size, args.io_runs or args.runs)
    say("queries…")
    statements = query_table.collect(sizes[args.size])

    header = (
        f"rapport benchmark, size {args.size}: {args.runs} paired rounds, {args.presses} cursor "
        f"presses per round, Python {platform.python_version()}, Textual {version('textual')}, "
        f"SQLAlchemy {version('sqlalchemy')}; {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "size": args.size,
                    "runs": args.runs,
                    "header": header,
                    "rows": [row.as_dict() for row in rows],
                    "queries": [s.as_dict() for s in statements],
                    "raw": {
                        "hello": asdict(hello),
                        "switch": asdict(switch),
                        **{f"app_{k}": asdict(v) for k, v in apps.items()},
                    },
                },
                indent=1,
                default=str,
            )
        )
    else:
        print(render(rows, statements, header))


if __name__ == "__main__":
    main()
