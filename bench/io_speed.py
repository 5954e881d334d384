"""Import and export of an engagement file, as ratios to a floor measured in the same run.

    python bench/io_speed.py [FILE] [--runs N]

The floor for import is `tomllib.load` of the same file plus one raw sqlite3 executemany
transaction of as many rows; for export, `tomllib` load plus `tomli_w.dumps` of the same
document. Prints min / median / max of each ratio over paired runs (issue 7 targets: import
<= 3x, export <= 3x). A smoke test in CI runs it on the sample with few runs.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import tomli_w

from store.db import Store
from store.io_toml import export_engagement, import_file

SAMPLE = Path(__file__).resolve().parent.parent / "sample.toml"


def rows_of(doc: dict[str, object]) -> int:
    return sum(len(v) for v in doc.values() if isinstance(v, list))


def timed(run: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


def floor_import(path: Path, folder: Path) -> None:
    with path.open("rb") as handle:
        doc = tomllib.load(handle)
    connection = sqlite3.connect(folder / "floor.db")
    connection.execute("CREATE TABLE IF NOT EXISTS row (a TEXT, b TEXT, c TEXT)")
    with connection:
        connection.executemany(
            "INSERT INTO row VALUES (?, ?, ?)", (("x", "y", "z") for _ in range(rows_of(doc)))
        )
    connection.close()


def floor_export(path: Path) -> None:
    with path.open("rb") as handle:
        tomli_w.dumps(tomllib.load(handle))


def measure(path: Path, runs: int) -> dict[str, list[float]]:
    """Per paired run: `import`/`export` ratios, and the seconds behind them (`*_s`)."""
    found: dict[str, list[float]] = {
        name: []
        for name in ("import", "export", "import_s", "export_s", "import_floor_s", "export_floor_s")
    }
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            store = Store.open(str(folder / f"bench{run}.db"))
            base = timed(floor_import, path, folder)
            ours = timed(import_file, store, path)
            found["import"].append(ours / base)
            found["import_s"].append(ours)
            found["import_floor_s"].append(base)
            base = timed(floor_export, path)
            ours = timed(export_engagement, store, None)
            found["export"].append(ours / base)
            found["export_s"].append(ours)
            found["export_floor_s"].append(base)
            store.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    found = measure(args.file, args.runs)
    ratios = {name: found[name] for name in ("import", "export")}
    print(
        f"{'measure':<10}{'min':>8}{'median':>8}{'max':>8}   ({args.runs} paired runs, {args.file.name})"
    )
    for name, values in ratios.items():
        print(f"{name:<10}{min(values):>8.2f}{statistics.median(values):>8.2f}{max(values):>8.2f}")


if __name__ == "__main__":
    main()
