"""What the open app's change poll costs, and how soon it sees another lead's commit.

    python bench/change_poll.py [--db PATH|URL] [--polls N]

The app calls `Store.change_token()` every 2 s in a worker thread (tui/app.py). This times
that call with nothing changing (the steady cost), and the time from another connection's
commit until the token moves. Without --db it measures a SQLite file in a temp folder; give a
PostgreSQL URL (a database rapport may create its tables in) to measure LISTEN/NOTIFY there.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

from store import edits
from store.db import Store, display_target
from store.models import Engagement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL or a SQLite file (default: a temp file)")
    parser.add_argument("--polls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        target = args.db or str(Path(folder) / "poll.db")
        watcher, writer = Store.open(target), Store.open(target)
        try:
            engagement = edits.save_engagement(
                writer, edits.EngagementValues(key="bench-poll", name="Poll")
            )
            watcher.change_token()  # connect (and LISTEN) before timing
            costs = []
            for _ in range(args.polls):
                start = time.perf_counter()
                watcher.change_token()
                costs.append((time.perf_counter() - start) * 1000)
            seen = []
            for n in range(20):
                before = watcher.change_token()
                with writer.write() as session:
                    session.execute(
                        update(Engagement).where(Engagement.id == engagement).values(goal=str(n))
                    )
                committed = time.perf_counter()
                while watcher.change_token() == before:
                    if time.perf_counter() - committed > 5:
                        raise SystemExit("the token did not move within 5 s")
                seen.append((time.perf_counter() - committed) * 1000)
            edits.delete_engagement(writer, engagement)
        finally:
            watcher.close()
            writer.close()
    costs.sort()
    print(f"{watcher.engine.dialect.name} ({display_target(target)})")
    print(
        f"  poll with nothing changed: median {statistics.median(costs):.3f} ms, "
        f"p95 {costs[int(len(costs) * 0.95)]:.3f} ms, max {costs[-1]:.3f} ms "
        f"over {len(costs)} polls"
    )
    print(
        f"  a commit elsewhere is seen by the next poll, {statistics.median(seen):.2f} ms "
        "after it (median), plus up to the 2 s poll interval"
    )


if __name__ == "__main__":
    main()
