"""Creating, changing and deleting records, and what the screens' queries then return."""

from __future__ import annotations

import datetime as dt

import pytest

from store import edits, queries
from store.db import Store
from store.decisions import items as decision_items

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def engagement(store: Store) -> int:
    return edits.save_engagement(
        store,
        edits.EngagementValues(
            key="trail", name="Trailhead", client="Bergwerk", kickoff=dt.date(2026, 9, 28)
        ),
    )


def person(store: Store, engagement: int, key: str, name: str, **extra: object) -> int:
    values = edits.PersonValues(key=key, name=name, side="ours", timezone="Europe/Berlin")
    return edits.save_person(store, engagement, edits.PersonValues(**{**values.__dict__, **extra}))


def test_people_are_listed_by_name_with_their_facts(store: Store, engagement: int) -> None:
    person(store, engagement, "zoe", "Zoë Ward", side="client", timezone="America/Denver")
    person(store, engagement, "jurgen", "Jürgen Müller", role="Architect")
    rows = queries.roster(store, engagement)
    assert [row.name for row in rows] == ["Jürgen Müller", "Zoë Ward"]
    assert rows[0].role == "Architect"
    assert rows[1].timezone == "America/Denver"
    assert rows[1].last_contact is None


def test_person_keys_are_unique_per_engagement(store: Store, engagement: int) -> None:
    person(store, engagement, "anna", "Anna")
    with pytest.raises(edits.EditError, match="anna"):
        person(store, engagement, "anna", "Another Anna")
    other = edits.save_engagement(store, edits.EngagementValues(key="other", name="Other"))
    person(store, other, "anna", "Anna elsewhere")  # fine in another engagement


def test_editing_a_person_changes_only_them(store: Store, engagement: int) -> None:
    anna = person(store, engagement, "anna", "Anna")
    person(store, engagement, "ben", "Ben")
    edits.save_person(
        store,
        engagement,
        edits.PersonValues(
            key="anna", name="Anna Becker", side="partner", timezone="Europe/Lisbon"
        ),
        anna,
    )
    rows = {row.key: row for row in queries.roster(store, engagement)}
    assert rows["anna"].name == "Anna Becker"
    assert rows["anna"].side == "partner"
    assert rows["ben"].name == "Ben"


def test_deleting_a_person_takes_their_notes_and_keeps_the_cadence(
    store: Store, engagement: int
) -> None:
    anna = person(store, engagement, "anna", "Anna")
    ben = person(store, engagement, "ben", "Ben")
    edits.save_cadence(
        store,
        engagement,
        edits.CadenceValues(
            key="weekly", name="Weekly", rhythm="weekly on tue", owner_id=anna,
            attendee_ids=(anna, ben),
        ),
    )  # fmt: skip
    edits.save_note(store, edits.NoteValues(person_id=anna, on=dt.date(2026, 10, 1), text="x"))
    edits.delete_person(store, anna)
    assert queries.notes(store, engagement) == []
    (cadence,) = queries.cadences(store, engagement, NOW.date())
    assert cadence.attendees == ("Ben",)
    assert cadence.owner == ""
    with pytest.raises(edits.EditError):
        edits.delete_person(store, anna)


def test_cadence_keeps_attendee_order_and_reports_status(store: Store, engagement: int) -> None:
    anna = person(store, engagement, "anna", "Anna")
    ben = person(store, engagement, "ben", "Ben")
    edits.save_cadence(
        store,
        engagement,
        edits.CadenceValues(
            key="weekly", name="Weekly", rhythm="weekly on tue", attendee_ids=(ben, anna)
        ),
    )
    (row,) = queries.cadences(store, engagement, dt.date(2026, 11, 20))
    assert row.attendees == ("Ben", "Anna")
    # Never held since the kickoff on Mon 28 Sep: the first Tuesday after it is overdue.
    assert row.next_due == dt.date(2026, 9, 29)
    assert row.status == "overdue"


def test_decision_audience_keeps_informed_dates_across_edits(store: Store, engagement: int) -> None:
    from store.models import Audience

    anna = person(store, engagement, "anna", "Anna")
    ben = person(store, engagement, "ben", "Ben")
    cleo = person(store, engagement, "cleo", "Cleo")
    decision = edits.save_decision(
        store, engagement, edits.DecisionValues(title="Avalara", must_inform_ids=(anna, ben))
    )
    with store.write() as session:
        session.get(Audience, (decision, anna)).informed_on = dt.date(2026, 10, 2)
    edits.save_decision(
        store,
        engagement,
        edits.DecisionValues(title="Avalara", status="decided", must_inform_ids=(anna, cleo)),
        decision,
    )
    (row,) = decision_items(store, engagement)
    assert [(a.name, a.informed_on) for a in row.audience] == [
        ("Anna", dt.date(2026, 10, 2)),
        ("Cleo", None),
    ]
    assert row.informed == 1
    assert not row.is_open


def test_notes_list_pinned_first_then_newest(store: Store, engagement: int) -> None:
    anna = person(store, engagement, "anna", "Anna")
    for day, text, pinned in ((1, "old", False), (5, "new", False), (2, "pinned", True)):
        edits.save_note(
            store,
            edits.NoteValues(person_id=anna, on=dt.date(2026, 10, day), text=text, pinned=pinned),
        )
    assert [row.text for row in queries.notes(store, engagement)] == ["pinned", "new", "old"]


def test_the_notes_list_order_matches_the_notes_and_reads_rows_by_id(
    store: Store, engagement: int
) -> None:
    anna = person(store, engagement, "anna", "Anna")
    ben = person(store, engagement, "ben", "Ben")
    other = edits.save_engagement(store, edits.EngagementValues(key="else", name="Elsewhere"))
    cleo = person(store, other, "cleo", "Cleo")
    for who, day, text, pinned in (
        (anna, 1, "old", False), (ben, 5, "new", False), (anna, 2, "pinned", True),
        (ben, 5, "same day, later id", False), (cleo, 3, "another engagement", False),
    ):  # fmt: skip
        edits.save_note(
            store,
            edits.NoteValues(person_id=who, on=dt.date(2026, 10, day), text=text, pinned=pinned),
        )
    listed = queries.notes(store, engagement)
    order = queries.note_order(store, engagement)
    assert list(order.ids) == [row.id for row in listed]
    assert list(order.person_ids) == [row.person_id for row in listed]
    assert [row.text for row in listed] == ["pinned", "same day, later id", "new", "old"]

    picked = [listed[3].id, listed[0].id, 10_000]  # the last one does not exist
    assert queries.notes_by_id(store, picked) == {listed[3].id: listed[3], listed[0].id: listed[0]}
    assert queries.notes_by_id(store, []) == {}


def test_notes_matching_finds_words_in_text_person_and_kind_ignoring_case(
    store: Store, engagement: int
) -> None:
    emile = person(store, engagement, "emile", "Émile Zola")
    anna = person(store, engagement, "anna", "Anna")
    ids = {
        text: edits.save_note(
            store,
            edits.NoteValues(person_id=who, on=dt.date(2026, 10, 1), text=text, kind=kind),
        )
        for who, text, kind in (
            (emile, "Runs the PARIS marathon", "personal"),
            (anna, "Budget at 100% of plan", "professional"),
            (anna, "Budget at 1000 of plan", "personal"),
            (anna, "Ski_trip in March", "personal"),
        )
    }
    assert queries.notes_matching(store, engagement, "paris") == {ids["Runs the PARIS marathon"]}
    # Non-ASCII letters fold on SQLite too, and the person's name is searched.
    assert queries.notes_matching(store, engagement, "ÉMILE") == {ids["Runs the PARIS marathon"]}
    assert queries.notes_matching(store, engagement, "professional") == {
        ids["Budget at 100% of plan"]
    }
    # LIKE's wildcards are the characters themselves.
    assert queries.notes_matching(store, engagement, "100%") == {ids["Budget at 100% of plan"]}
    assert queries.notes_matching(store, engagement, "ski_") == {ids["Ski_trip in March"]}
    # One string: who, kind, then the text.
    assert queries.notes_matching(store, engagement, "anna personal budget") == {
        ids["Budget at 1000 of plan"]
    }
    assert queries.notes_matching(store, engagement, "nowhere") == set()


def test_deleting_an_engagement_removes_everything_in_it(store: Store, engagement: int) -> None:
    anna = person(store, engagement, "anna", "Anna")
    edits.save_note(store, edits.NoteValues(person_id=anna, on=dt.date(2026, 10, 1), text="x"))
    edits.delete_engagement(store, engagement)
    assert queries.engagements(store) == []
    assert not queries.has_data(store)
    from sqlalchemy import text

    with store.read() as session:
        for table in ("person", "note", "cadence", "checkin", "decision"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_a_second_edit_from_an_old_version_is_refused(store: Store, engagement: int) -> None:
    """Optimistic locking: two places edit the same person; the second is told, nothing lost."""
    anna = person(store, engagement, "anna", "Anna")
    (row,) = queries.roster(store, engagement)
    first = edits.PersonValues(
        key="anna", name="Anna Becker", side="ours", timezone="Europe/Berlin"
    )
    edits.save_person(store, engagement, first, anna, row.version)
    second = edits.PersonValues(key="anna", name="Anna B.", side="ours", timezone="Europe/Berlin")
    with pytest.raises(edits.ConflictError, match="changed elsewhere"):
        edits.save_person(store, engagement, second, anna, row.version)
    (now,) = queries.roster(store, engagement)
    assert (now.name, now.version) == ("Anna Becker", row.version + 1)
    edits.save_person(store, engagement, second, anna, now.version)  # after reloading: fine
    assert queries.roster(store, engagement)[0].name == "Anna B."


def test_stale_edits_of_notes_and_decisions_are_refused_too(store: Store, engagement: int) -> None:
    anna = person(store, engagement, "anna", "Anna")
    note = edits.save_note(
        store, edits.NoteValues(person_id=anna, on=dt.date(2026, 10, 1), text="a")
    )
    (row,) = queries.notes(store, engagement)
    edits.save_note(store, edits.NoteValues(person_id=anna, on=row.on, text="b"), note, row.version)
    with pytest.raises(edits.ConflictError):
        edits.save_note(
            store, edits.NoteValues(person_id=anna, on=row.on, text="c"), note, row.version
        )
    assert queries.notes(store, engagement)[0].text == "b"


def test_a_follow_up_stays_due_until_done_and_done_is_kept(store: Store, engagement: int) -> None:
    from store.today import compose, notes_due

    dana = person(store, engagement, "dana", "Dana Whitfield")
    today = NOW.date()
    long_ago = today - dt.timedelta(days=45)
    note = edits.save_note(
        store,
        edits.NoteValues(
            person_id=dana, on=long_ago, text="Ask about the move", follow_up=long_ago
        ),
    )
    due = notes_due(store, engagement, today)
    assert [n.id for n in due] == [note]
    assert compose(NOW, today, notes=due).count("followups") == 1

    edits.mark_follow_up(store, note, today)
    assert notes_due(store, engagement, today) == []
    (kept,) = queries.notes(store, engagement)
    assert (kept.follow_up, kept.follow_up_done) == (long_ago, today)  # in the note's history
    assert not kept.follow_up_open

    # An edit that keeps the date keeps it done; a new date is a new follow-up.
    values = edits.NoteValues(person_id=dana, on=long_ago, text="Ask about the new flat",
                              follow_up=long_ago)  # fmt: skip
    edits.save_note(store, values, note, kept.version)
    (kept,) = queries.notes(store, engagement)
    assert kept.follow_up_done == today
    later = dt.date(2026, 12, 1)
    edits.save_note(store, edits.NoteValues(**{**values.__dict__, "follow_up": later}), note,
                    kept.version)  # fmt: skip
    (kept,) = queries.notes(store, engagement)
    assert (kept.follow_up, kept.follow_up_done) == (later, None)


def test_marking_a_follow_up_needs_one(store: Store, engagement: int) -> None:
    dana = person(store, engagement, "dana", "Dana Whitfield")
    note = edits.save_note(store, edits.NoteValues(person_id=dana, on=NOW.date(), text="x"))
    with pytest.raises(edits.EditError, match="no follow-up"):
        edits.mark_follow_up(store, note, NOW.date())
