"""Shared fixtures: every store is a real SQLite file under tmp_path, never a mock."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store.db import Store

# The viewer's own zone decides "today" and how stored UTC moments are shown: pin it.
os.environ["TZ"] = "UTC"
time.tzset()

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample.toml"
# The sample's own "today": tests run the app at this moment so snapshots never drift.
SAMPLE_TODAY = dt.date(2026, 11, 20)
FIXED_NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "rapport.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(str(db_path))
    yield opened
    opened.close()


@pytest.fixture
def sample_store(store: Store) -> Store:
    """A store holding the sample engagement with its dates as written (no shift)."""
    from store.io_toml import import_file

    import_file(store, SAMPLE)
    return store


@pytest.fixture
def make_app(store: Store) -> Callable[..., object]:
    """A RapportApp on the test store with the clock stopped at FIXED_NOW."""
    from tui.app import RapportApp

    def make(**options: object) -> RapportApp:
        # Tests start on the Roster unless they ask for another screen (the app's own
        # default, Today, has its own tests).
        options.setdefault("start_screen", "roster")
        return RapportApp(store, clock=lambda: FIXED_NOW, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """A small engagement built through the store's own edit functions; returns ids by key."""
    from store import edits
    from store.models import CheckIn, Person

    ids: dict[str, int] = {}
    ids["eng"] = eng = edits.save_engagement(
        store,
        edits.EngagementValues(
            key="trail", name="Trailhead US", client="Bergwerk", kickoff=dt.date(2026, 9, 28)
        ),
    )
    for key, name, side, zone, role in (
        ("jonas", "Jonas Brandt", "ours", "Europe/Berlin", "Engagement lead"),
        ("dana", "Dana Whitfield", "client", "America/Denver", "Project manager"),
        ("ines", "Inês Carvalho", "partner", "Europe/Lisbon", "Payments architect"),
    ):
        ids[key] = edits.save_person(
            store, eng, edits.PersonValues(key=key, name=name, side=side, timezone=zone, role=role)
        )
    ids["weekly"] = edits.save_cadence(
        store,
        eng,
        edits.CadenceValues(
            key="weekly", name="Weekly status", rhythm="weekly on tue", circle="Core",
            slot=dt.time(16), zone="Europe/Berlin", owner_id=ids["jonas"],
            attendee_ids=(ids["jonas"], ids["dana"]),
        ),
    )  # fmt: skip
    with store.write() as session:
        checkin = CheckIn(
            engagement_id=eng,
            cadence_id=ids["weekly"],
            at=dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC),
            outcome="Cutover plan agreed.",
            mood=4,
        )
        checkin.attendees = [session.get(Person, ids["jonas"]), session.get(Person, ids["dana"])]
        session.add(checkin)
    ids["avalara"] = edits.save_decision(
        store,
        eng,
        edits.DecisionValues(
            title="Use Avalara for sales tax", owner_id=ids["dana"], due=dt.date(2026, 11, 10),
            must_inform_ids=(ids["jonas"], ids["ines"]),
        ),
    )  # fmt: skip
    ids["freeze"] = edits.save_decision(
        store,
        eng,
        edits.DecisionValues(
            title="Code freeze over Black Friday", status="decided", decided=dt.date(2026, 11, 2)
        ),
    )
    ids["marathon"] = edits.save_note(
        store,
        edits.NoteValues(
            person_id=ids["dana"], on=dt.date(2026, 10, 7), text="Runs the Chicago marathon",
            pinned=True, follow_up=dt.date(2026, 10, 13),
        ),
    )  # fmt: skip
    ids["slack"] = edits.save_note(
        store,
        edits.NoteValues(
            person_id=ids["ines"], on=dt.date(2026, 10, 9), text="Prefers Slack over email",
            kind="professional",
        ),
    )  # fmt: skip
    return ids
