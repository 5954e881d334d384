"""Shared fixtures: every store is a real database, never a mock.

The store, import/export and command-line tests run twice, on a SQLite file under tmp_path and
on a PostgreSQL database (tests/backends.py), through one parametrised fixture, `backend`.
The screen tests run on SQLite only: the screens reach the data only through the store's
functions, which the shared tests cover on both. Inside a shared module a test that is about
SQLite itself (pragmas, the file, backups) is marked `sqlite_only`; one about PostgreSQL itself
(row locks, roles, row-level security) `postgresql_only`.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from backends import NO_SERVER, PG_ENV, PgServer

from store.db import Store

# The viewer's own zone decides "today" and how stored UTC moments are shown: pin it.
os.environ["TZ"] = "UTC"
time.tzset()

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample.toml"
# The sample's own "today": tests run the app at this moment so snapshots never drift.
SAMPLE_TODAY = dt.date(2026, 11, 20)
FIXED_NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


BACKENDS = ("sqlite", "postgresql")
# Test modules whose tests run on both backends (by name prefix).
SHARED_MODULES = ("test_store_", "test_cli_", "test_privacy", "test_hostile_input")


def pytest_configure(config: pytest.Config) -> None:
    for name, about in (
        ("sqlite_only", "about SQLite itself (pragmas, the file, backups): SQLite only"),
        ("postgresql_only", "about PostgreSQL itself (locks, roles, RLS): PostgreSQL only"),
        ("both_backends", "outside the shared modules, run on both backends all the same"),
    ):
        config.addinivalue_line("markers", f"{name}: {about}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker
    if marked("postgresql_only"):
        names: tuple[str, ...] = ("postgresql",)
    elif marked("sqlite_only"):
        names = ("sqlite",)
    elif metafunc.module.__name__.startswith(SHARED_MODULES) or marked("both_backends"):
        names = BACKENDS
    else:
        return  # the fixture's default: SQLite, and the test's id stays as it was
    metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(NO_SERVER)
    server = PgServer.start(url)
    yield server
    server.stop()


@pytest.fixture
def new_target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Makes another fresh database of the test's backend; returns what `--db` takes.

    `empty=True` gives one without any tables (to test the migrations themselves).
    """
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None
    numbers = iter(range(1_000))

    def make(*, empty: bool = False) -> str:
        if server is None:
            return str(tmp_path / "data" / f"rapport-{next(numbers)}.db")
        made.append(server.new_database(empty=empty))
        return made[-1]

    yield make
    for url in made:
        assert server is not None
        server.drop_database(url)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "rapport.db"


@pytest.fixture
def db_target(backend: str, db_path: Path, new_target: Callable[..., str]) -> str:
    """The test's database as `--db` takes it: the SQLite file db_path, or a PostgreSQL URL."""
    return str(db_path) if backend == "sqlite" else new_target()


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    opened = Store.open(db_target)
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
