"""A database written by an older schema revision is upgraded with every row intact."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from store.db import Store, make_engine
from store.migrate import current_revision, head_revision, upgrade_to_head

FIRST_REVISION_ROWS = [
    "INSERT INTO engagement (id, key, name, client, goal, kickoff) "
    "VALUES (1, 'trail', 'Trailhead', 'Bergwerk', '', '2026-09-28')",
    *(
        "INSERT INTO person (id, engagement_id, key, name, side, organisation, role, "
        "responsibilities, team, timezone, work_start, work_end, email, at_kickoff, "
        f"met_in_person) VALUES ({i}, 1, 'p{i}', 'Person {i}', 'ours', '', '', '', '', "
        "'Europe/Berlin', '09:00:00', '17:00:00', '', TRUE, FALSE)"
        for i in (1, 2, 3)
    ),
    "INSERT INTO checkin (id, engagement_id, at, channel, outcome) "
    "VALUES (1, 1, '2026-11-17 15:00:00', 'video', 'Cutover agreed')",
    "INSERT INTO checkin_attendee (checkin_id, person_id, position) VALUES (1, 1, 0), (1, 2, 1)",
    "INSERT INTO decision (id, engagement_id, kind, title, context, status, outcome) "
    "VALUES (1, 1, 'decision', 'Avalara', '', 'decided', 'yes')",
    "INSERT INTO decision_audience (decision_id, person_id, position, informed_on) "
    "VALUES (1, 1, 0, '2026-11-18'), (1, 3, 1, NULL)",
    'INSERT INTO note (id, person_id, "on", kind, text, pinned) '
    "VALUES (1, 2, '2026-10-01', 'personal', 'Marathon', TRUE)",
]
TABLES = ("engagement", "person", "checkin", "checkin_attendee", "decision",
          "decision_audience", "note")  # fmt: skip


def counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_first_revision_with_data_upgrades_to_head_intact(
    new_target: Callable[..., str], backend: str
) -> None:
    path = new_target(empty=True)
    engine = make_engine(path)
    upgrade_to_head(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:
        for statement in FIRST_REVISION_ROWS:
            connection.execute(text(statement))
    engine.dispose()

    store = Store.open(path)
    assert current_revision(store.engine) == head_revision() != "0001"
    assert counts(store) == {
        "engagement": 1, "person": 3, "checkin": 1, "checkin_attendee": 2, "decision": 1,
        "decision_audience": 2, "note": 1,
    }  # fmt: skip
    with store.read() as session:
        assert session.execute(text("SELECT status FROM checkin")).scalar_one() == "held"
        informed = session.execute(
            text("SELECT person_id, informed_on, checkin_id FROM decision_audience ORDER BY 1")
        ).all()
        assert [(p, str(on) if on else None, c) for p, on, c in informed] == [
            (1, "2026-11-18", None),
            (3, None, None),
        ]
        if backend == "sqlite":
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_the_head_revision_the_store_knows_is_the_newest_script() -> None:
    from store.migrate import HEAD

    # Opening an up-to-date database compares with HEAD and never loads the scripts.
    assert head_revision() == HEAD


def test_the_migrations_build_every_index_the_tables_declare(
    new_target: Callable[..., str],
) -> None:
    from sqlalchemy import inspect

    from store.tables import metadata

    store = Store.open(new_target(empty=True))
    inspector = inspect(store.engine)
    for table in metadata.sorted_tables:
        declared = {index.name for index in table.indexes}
        built = {index["name"] for index in inspector.get_indexes(table.name)}
        assert declared <= built, f"{table.name}: {sorted(declared - built)} not built"
    assert "ix_note_follow_up" in {i["name"] for i in inspector.get_indexes("note")}
    store.close()


def test_notes_keep_their_follow_up_and_are_not_done_after_0009(
    new_target: Callable[..., str],
) -> None:
    from store import queries

    path = new_target(empty=True)
    engine = make_engine(path)
    upgrade_to_head(engine, "0008")
    with engine.begin() as connection:
        for statement in FIRST_REVISION_ROWS[:4]:  # the engagement and its people
            connection.execute(text(statement))
        connection.execute(
            text(
                'INSERT INTO note (id, person_id, "on", kind, text, pinned, follow_up) '
                "VALUES (1, 2, '2026-10-01', 'personal', 'Marathon', TRUE, '2026-10-13')"
            )
        )
    engine.dispose()

    store = Store.open(path)
    (note,) = queries.notes(store, 1)
    assert (str(note.follow_up), note.follow_up_done, note.follow_up_open) == (
        "2026-10-13", None, True,
    )  # fmt: skip
    store.close()
