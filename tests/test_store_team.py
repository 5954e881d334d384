"""Several leads on one engagement: who made each change, other leads' changes seen by the open
app, no lost update when two leads write the same rows at once, and values that one backend
would take and the other refuse are refused alike."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update

from store import edits
from store.checkins import CheckInDraft, log_checkin, toggle_next_step
from store.db import Store
from store.decisions import add_cadence_audience, items, mark_informed, move, timeline
from store.edits import ConflictError, EditError
from store.identity import configured_user
from store.models import Audience, Base, CheckIn, Decision, DecisionEvent, NextStep, Note
from store.postgres import DATA_TABLES
from store.queries import notes, recent_checkins

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
DAY = NOW.date()
# Two connections race on the same rows this many times per test (on PostgreSQL, where
# writers meet only at row locks; SQLite's writers take turns for a whole transaction).
ROUNDS = 200


@pytest.fixture
def leads(db_target: str, team: dict[str, int]) -> Iterator[tuple[Store, Store]]:
    """Two more connections to the test's database, as the leads Ana and Ben."""
    ana = Store.open(db_target, user="ana")
    ben = Store.open(db_target, user="ben")
    yield ana, ben
    ana.close()
    ben.close()


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls at the same moment, one thread each; what each returned or raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        start.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the race's outcome, asserted by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# --- who made it ------------------------------------------------------------------------------


def test_each_change_records_the_lead_who_made_it(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    log_checkin(
        ana,
        CheckInDraft(
            engagement_id=team["eng"], at=NOW, attendee_ids=(team["jonas"], team["ines"]),
            communicated_ids=(team["avalara"],),
        ),
    )  # fmt: skip
    assert recent_checkins(ben, person_id=team["ines"])[0].logged_by == "ana"
    move(ben, team["avalara"], "decided", at=NOW, outcome="Avalara it is")
    note = edits.save_note(
        ben, edits.NoteValues(person_id=team["dana"], on=DAY, text="Back from leave")
    )
    (avalara,) = [item for item in items(ana, team["eng"], DAY) if item.id == team["avalara"]]
    assert avalara.changed_by == "ben"
    assert {told.name: told.informed_by for told in avalara.audience} == {
        "Jonas Brandt": "ana",
        "Inês Carvalho": "ana",
    }
    steps = {(event.kind, event.by) for event in timeline(ana, team["avalara"])}
    assert {("discussed", "ana"), ("decided", "ben"), ("told", "ana")} <= steps
    (written,) = [row for row in notes(ana, team["eng"]) if row.id == note]
    assert written.author == (ben.role or "ben")


def test_the_lead_is_named_by_rapport_user_then_the_config_then_the_login(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    assert configured_user({}, config) == ""
    config.write_text('user = "Ana Lima"\n', encoding="utf-8")
    assert configured_user({}, config) == "Ana Lima"
    assert configured_user({"RAPPORT_USER": "ben"}, config) == "ben"
    # A name is one clean line within its column, whatever the environment holds.
    assert configured_user({"RAPPORT_USER": "ben\x1b[2J\n"}, config) == "ben[2J"
    assert len(configured_user({"RAPPORT_USER": "x" * 500}, config)) == 64
    config.write_text("user = [", encoding="utf-8")
    assert configured_user({}, config) == ""


def test_the_default_lead_is_the_login_name(
    db_target: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORT_USER", raising=False)
    monkeypatch.setattr("store.identity.config_path", lambda: Path("/nonexistent/config.toml"))
    monkeypatch.setattr("getpass.getuser", lambda: "oslogin")
    store = Store.open(db_target)
    try:
        if backend == "postgresql":  # the role one connected as: what the notes policy checks
            with store.read() as session:
                role = session.execute(text("SELECT current_user")).scalar_one()
            assert store.user == store.role == store.author == role
        else:
            assert (store.user, store.role, store.author) == ("oslogin", None, "oslogin")
    finally:
        store.close()
    monkeypatch.setenv("RAPPORT_USER", "ana")
    store = Store.open(db_target)
    assert store.user == "ana"
    store.close()


# --- other leads' changes -------------------------------------------------------------------


def wait_for_change(store: Store, before: object) -> object:
    """The token once it moved; notifications reach a listener a moment after the commit."""
    deadline = time.monotonic() + 5
    token = store.change_token()
    while token == before and time.monotonic() < deadline:
        time.sleep(0.01)
        token = store.change_token()
    return token


def test_the_change_token_moves_when_another_lead_commits(
    store: Store, db_target: str, team: dict[str, int]
) -> None:
    other = Store.open(db_target, user="ben")
    try:
        first = store.change_token()
        assert first is not None
        notes(other, team["eng"])  # reading changes nothing
        assert store.change_token() == store.change_token() == first
        edits.save_note(other, edits.NoteValues(person_id=team["dana"], on=DAY, text="New"))
        second = wait_for_change(store, first)
        assert second != first
        assert store.change_token() == second  # and stays put until the next change
        with other.write() as session:  # a change outside rapport's functions counts too
            session.execute(update(Note).values(pinned=True))
        assert wait_for_change(store, second) != second
    finally:
        other.close()


def test_the_change_token_stays_put_for_this_stores_own_commits(
    store: Store, db_target: str, team: dict[str, int]
) -> None:
    """Its own writes reload what they touched; counted as outside changes too, every save
    would reload the screen a second time at the next look."""
    first = store.change_token()
    edits.save_note(store, edits.NoteValues(person_id=team["dana"], on=DAY, text="Mine"))
    with store.write() as session:
        session.execute(update(Note).values(pinned=True))
    time.sleep(0.2)  # what PostgreSQL would notify has arrived by now
    assert store.change_token() == store.change_token() == first
    # And another lead's commit right after one's own still shows.
    other = Store.open(db_target, user="ben")
    try:
        edits.save_note(store, edits.NoteValues(person_id=team["dana"], on=DAY, text="Mine 2"))
        edits.save_note(other, edits.NoteValues(person_id=team["dana"], on=DAY, text="Theirs"))
        assert wait_for_change(store, first) != first
    finally:
        other.close()


@pytest.mark.postgresql_only
def test_a_lost_listener_reconnects_and_reports_a_change(store: Store, pg_server: object) -> None:
    first = store.change_token()
    with store.engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    # The poll that finds the connection gone cannot know what it missed: the token moves.
    assert wait_for_change(store, first) != first
    again = store.change_token()
    assert store.change_token() == again


def test_every_data_table_announces_its_changes() -> None:
    assert set(DATA_TABLES) == set(Base.metadata.tables)


# --- two leads at once --------------------------------------------------------------------------


def reset_audience(store: Store, decision_id: int) -> None:
    with store.write() as session:
        session.execute(
            update(Audience)
            .where(Audience.decision_id == decision_id)
            .values(informed_on=None, channel=None, checkin_id=None, informed_by="")
        )


@pytest.mark.postgresql_only
def test_marking_the_same_people_told_at_once_marks_each_once(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    people = [team["jonas"], team["ines"]]
    for _ in range(ROUNDS):
        reset_audience(ana, team["avalara"])
        results = race(
            lambda: mark_informed(ana, team["avalara"], people, on=DAY, at=NOW, channel="video"),
            lambda: mark_informed(ben, team["avalara"], people, on=DAY, at=NOW, channel="phone"),
        )
        assert sorted(results) == [0, 2]  # type: ignore[type-var]
        with ana.read() as session:
            marks = set(session.execute(select(Audience.channel, Audience.informed_by)).all())
        winner = ("video", "ana") if results[0] == 2 else ("phone", "ben")
        assert marks == {winner}  # whole: no row holds one lead's channel and the other's name


@pytest.mark.postgresql_only
def test_logging_the_same_news_twice_at_once_marks_each_once(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    draft = CheckInDraft(
        engagement_id=team["eng"], at=NOW, attendee_ids=(team["jonas"], team["ines"]),
        communicated_ids=(team["avalara"],),
    )  # fmt: skip
    for _ in range(ROUNDS):
        reset_audience(ana, team["avalara"])
        results = race(lambda: log_checkin(ana, draft), lambda: log_checkin(ben, draft))
        assert sorted(summary.informed for summary in results) == [0, 2]  # type: ignore[attr-defined]
    with ana.read() as session:
        events = session.scalar(
            select(func.count()).select_from(DecisionEvent).where(DecisionEvent.kind == "discussed")
        )
    assert events == 2 * ROUNDS  # every check-in that discussed it says so


@pytest.mark.postgresql_only
def test_toggling_a_next_step_at_once_applies_both_toggles(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    with ana.write() as session:
        step = NextStep(checkin_id=session.scalar(select(func.min(CheckIn.id))),
                        text="Send the shortlist", done=False)  # fmt: skip
        session.add(step)
        session.flush()
        step_id = step.id
    for _ in range(ROUNDS):
        results = race(
            lambda: toggle_next_step(ana, step_id), lambda: toggle_next_step(ben, step_id)
        )
        assert sorted(results) == [False, True]  # type: ignore[type-var]
        with ana.read() as session:
            assert session.get(NextStep, step_id).done is False  # type: ignore[union-attr]


@pytest.mark.postgresql_only
def test_editing_the_same_note_at_once_refuses_the_second(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    note_id = team["marathon"]
    for round_ in range(ROUNDS):
        with ana.read() as session:
            version = session.get(Note, note_id).version  # type: ignore[union-attr]
        values = {
            lead: edits.NoteValues(person_id=team["dana"], on=DAY, text=f"{lead} {round_}")
            for lead in ("ana", "ben")
        }
        results = race(
            partial(edits.save_note, ana, values["ana"], note_id, version),
            partial(edits.save_note, ben, values["ben"], note_id, version),
        )
        lost = [r for r in results if isinstance(r, ConflictError)]
        assert len(lost) == 1 and results.count(note_id) == 1, results
        assert "changed elsewhere since you opened it" in str(lost[0])
        winner = "ana" if results[0] == note_id else "ben"
        with ana.read() as session:
            note = session.get(Note, note_id)
            assert note is not None
            assert (note.text, note.version) == (f"{winner} {round_}", version + 1)


@pytest.mark.postgresql_only
def test_moving_a_decision_two_ways_at_once_lets_one_win(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    decision_id = team["avalara"]
    for _ in range(ROUNDS):
        with ana.write() as session:
            session.execute(
                update(Decision).where(Decision.id == decision_id)
                .values(status="open", outcome="", decided=None)
            )  # fmt: skip
        results = race(
            lambda: move(ana, decision_id, "decided", at=NOW, outcome="Avalara"),
            lambda: move(ben, decision_id, "dropped", at=NOW),
        )
        refused = [r for r in results if isinstance(r, EditError)]
        assert len(refused) == 1 and results.count(None) == 1, results
        assert "cannot become" in str(refused[0])
        with ana.read() as session:
            status = session.scalar(select(Decision.status).where(Decision.id == decision_id))
        assert status == ("decided" if results[0] is None else "dropped")


@pytest.mark.postgresql_only
def test_adding_a_cadence_to_the_audience_at_once_adds_each_person_once(
    team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    ana, ben = leads
    for _ in range(ROUNDS):
        with ana.write() as session:
            session.execute(delete(Audience).where(Audience.decision_id == team["freeze"]))
        results = race(
            lambda: add_cadence_audience(ana, team["freeze"], team["weekly"]),
            lambda: add_cadence_audience(ben, team["freeze"], team["weekly"]),
        )
        assert sorted(results) == [0, 2], results  # type: ignore[type-var]


def test_an_update_that_lost_its_race_is_a_conflict(store: Store, team: dict[str, int]) -> None:
    """What PostgreSQL gives a writer whose version-checked UPDATE matched no row."""
    with pytest.raises(ConflictError, match="changed elsewhere"), store.write() as session:
        note = session.get(Note, team["marathon"])
        assert note is not None
        # As another lead's commit would: the row moves on, this session's copy does not.
        session.execute(
            update(Note).where(Note.id == note.id).values(version=Note.version + 1),
            execution_options={"synchronize_session": False},
        )
        note.text = "overwritten?"


# --- what one backend takes and the other refuses ----------------------------------------


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"name": "x" * 201}, "person name: is 201 characters long; the limit is 200"),
        ({"role": "a\x00b"}, "person role: holds a NUL character, which cannot be stored"),
        ({"timezone": "Europe/" + "x" * 60}, "person timezone: is 67 characters long; the limit is 64"),
    ],
)  # fmt: skip
def test_text_the_database_would_refuse_is_refused_by_name(
    store: Store, team: dict[str, int], values: dict[str, str], said: str
) -> None:
    person = edits.PersonValues(**{
        "key": "zoe", "name": "Zoë", "side": "ours", "timezone": "UTC", **values,
    })  # fmt: skip
    with pytest.raises(EditError) as refused:
        edits.save_person(store, team["eng"], person)
    assert str(refused.value) == said
    with pytest.raises(EditError, match="note text: holds a NUL character"):
        edits.save_note(store, edits.NoteValues(person_id=team["dana"], on=DAY, text="a\x00b"))


def test_a_mention_is_found_whatever_the_case_of_its_letters(
    store: Store, team: dict[str, int]
) -> None:
    from store.privacy import footprint

    with store.write() as session:
        session.execute(text("UPDATE person SET name = 'Émile Zoé' WHERE key = 'ines'"))
        session.execute(text("UPDATE checkin SET outcome = 'ÉMILE ZOÉ agreed'"))
    (mention,) = footprint(store, team["ines"]).mentions
    assert (mention.record, mention.field, mention.excerpt) == (
        "check-in of 2026-11-17", "outcome", "'ÉMILE ZOÉ agreed'",
    )  # fmt: skip


def test_only_its_author_can_make_a_note_private(
    store: Store, team: dict[str, int], leads: tuple[Store, Store]
) -> None:
    _, ben = leads
    note = team["marathon"]
    with store.write() as session:
        session.execute(update(Note).where(Note.id == note).values(author="carla"))
        version = session.get(Note, note).version  # type: ignore[union-attr]
    private = edits.NoteValues(person_id=team["dana"], on=DAY, text="Marathon", private=True)
    with pytest.raises(EditError, match="only its author, carla, can make this note private"):
        edits.save_note(ben, private, note, version)
    # A note nobody is known to have written (imported, or older than authors) becomes the
    # note of whoever makes it private.
    with store.write() as session:
        session.execute(update(Note).where(Note.id == note).values(author=""))
        version = session.get(Note, note).version  # type: ignore[union-attr]
    edits.save_note(ben, private, note, version)
    (row,) = [n for n in notes(ben, team["eng"]) if n.id == note]
    assert (row.author, row.private) == (ben.author, True)


@pytest.mark.postgresql_only
def test_a_writer_kept_waiting_too_long_is_told_to_try_again(
    store: Store, db_target: str, team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("store.db.BUSY_TIMEOUT_MS", 200)
    impatient = Store.open(db_target, user="ana")
    try:
        with store.write() as session:  # another lead, mid-change on the same note
            session.execute(select(Note).where(Note.id == team["marathon"]).with_for_update())
            with pytest.raises(EditError, match="another lead is saving a change"):
                edits.save_note(
                    impatient,
                    edits.NoteValues(person_id=team["dana"], on=DAY, text="Edited"),
                    team["marathon"],
                )
    finally:
        impatient.close()
