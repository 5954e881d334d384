"""Log a check-in from the keyboard: the shortest path, the full form, errors, discarding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import column, names, settle, toasts
from sqlalchemy import text
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from store import queries
from store.db import Store
from store.decisions import items as decision_items
from tui.screens.cadence import CadenceScreen
from tui.screens.log import LogScreen
from tui.screens.roster import RosterScreen


def table_rows(store: Store, table: str) -> list[tuple[object, ...]]:
    with store.read() as session:
        return [tuple(row) for row in session.execute(text(f"SELECT * FROM {table}"))]


@pytest.fixture(autouse=True)
def lead_in_berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed wall-clock times are the lead's; pin the lead's zone."""
    from zoneinfo import ZoneInfo

    from tui.app import RapportApp

    monkeypatch.setattr(RapportApp, "local_zone", lambda self: ZoneInfo("Europe/Berlin"))


async def test_shortest_path_l_outcome_ctrl_s(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        assert app.focused is app.screen.query_one("#field-outcome", TextArea)
        await pilot.press(*"Cutover rehearsal went fine", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        assert column(app, 5) == ["today"]  # last held: just now
        assert any(n.message == "Logged Weekly status with 2 people" for n in app._notifications)
    checkins = queries.recent_checkins(store, cadence_id=team["weekly"])
    assert checkins[0].outcome == "Cutover rehearsal went fine"
    assert checkins[0].attendees == ("Jonas Brandt", "Dana Whitfield")
    assert checkins[0].at == dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


async def test_full_form_with_every_field(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-when", Input).value = "yesterday 17:00"
        form.query_one("#field-attendee_ids", Input).value = "Jonas, Dana, ines"
        form.query_one("#field-channel", Select).value = "phone"
        await pilot.press(*"Tax engine decided.")
        form.query_one("#field-mood", Input).focus()
        await pilot.press("4")
        form.query_one(
            "#field-next_steps", TextArea
        ).text = "Dana: send the Avalara contract by fri\nBook the Denver trip"
        form.query_one("#field-decisions", TextArea).text = "Ines: returns through the 3PL?"
        await pilot.pause()
        checklist = form.query_one("#field-communicated", SelectionList)
        assert checklist.option_count == 1  # Avalara: tells Jonas and Inês
        checklist.focus()
        await pilot.press("space")
        form.query_one("#field-notes", TextArea).text = "Dana: daughter starts college"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        assert (
            "Logged Weekly status with 3 people, 2 next steps, 1 new decision, "
            "2 people informed, 1 note"
        ) in toasts(app)
    (checkin,) = [
        c
        for c in queries.recent_checkins(store, cadence_id=team["weekly"])
        if c.outcome == "Tax engine decided."
    ]
    assert checkin.channel == "phone"
    assert checkin.attendees == ("Jonas Brandt", "Dana Whitfield", "Inês Carvalho")
    assert checkin.at == dt.datetime(2026, 11, 19, 16, 0, tzinfo=dt.UTC)  # 17:00 in Berlin
    steps = table_rows(store, "next_step")
    assert [(s[2], s[3], s[4]) for s in steps] == [
        (team["dana"], "send the Avalara contract", dt.date(2026, 11, 27).isoformat()),
        (None, "Book the Denver trip", None),
    ]
    decisions = {d.title: d for d in decision_items(store, team["eng"])}
    assert decisions["returns through the 3PL?"].owner == "Inês Carvalho"
    avalara = decisions["Use Avalara for sales tax"]
    assert [a.informed_on for a in avalara.audience] == [dt.date(2026, 11, 19)] * 2
    assert "daughter starts college" in [n.text for n in queries.notes(store, team["eng"])]


async def test_validation_blocks_saving_and_names_the_problem(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    before = {t: table_rows(store, t) for t in ("checkin", "next_step", "note", "decision")}
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        form = app.screen
        form.query_one("#field-attendee_ids", Input).value = "Jonas, Zed"
        await pilot.pause()
        assert "nobody called 'Zed'" in str(form.query_one("#error-attendee_ids", Static).render())
        form.query_one("#field-attendee_ids", Input).value = "Jonas"
        form.query_one("#field-when", Input).value = "yesterday at noonish"
        form.query_one("#field-next_steps", TextArea).text = "ok step\nZed: do it by fri"
        await pilot.pause()
        assert "line 2: nobody called 'Zed'" in str(
            form.query_one("#error-next_steps", Static).render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open
        assert "is not a time" in str(form.query_one("#error-when", Static).render())
    assert {t: table_rows(store, t) for t in before} == before


async def test_a_check_in_in_the_future_is_refused_under_when(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    before = table_rows(store, "checkin")
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        form = app.screen
        form.query_one("#field-attendee_ids", Input).value = "Jonas"
        # The clock: 10:30 UTC, 11:30 in Berlin (the lead's zone here).
        form.query_one("#field-when", Input).value = "2026-11-20 12:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open, with what was typed
        assert "is in the future" in str(form.query_one("#error-when", Static).render())
        assert form.query_one("#field-when", Input).value == "2026-11-20 12:00"
    assert table_rows(store, "checkin") == before


async def test_escape_with_typed_text_asks_before_discarding(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    before = table_rows(store, "checkin")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l", *"half a thought", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert isinstance(app.screen, LogScreen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        # An untouched form closes at once.
        await pilot.press("l", "escape")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
    assert table_rows(store, "checkin") == before


async def test_on_the_roster_l_logs_a_one_on_one_with_that_person(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "l")  # Inês
        form = app.screen
        assert isinstance(form, LogScreen)
        assert form.form_title == "Log a one-on-one with Inês Carvalho"
        assert form.query_one("#field-attendee_ids", Input).value == "Inês Carvalho"
        assert form.query_one("#field-cadence_id", Select).value is Select.NULL
        await pilot.press(*"Talked about Lisbon", "ctrl+s")
        await settle(pilot)
        assert column(app, 5)[1] == "today"  # her last contact
    (latest,) = queries.recent_checkins(store, person_id=team["ines"], limit=1)
    assert latest.cadence == "ad-hoc call"


async def test_a_one_on_one_with_one_of_two_people_of_the_same_name_saves(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    """At thousands of people some share a name: the form names them by key instead."""
    from store import edits

    twin = edits.save_person(
        store, team["eng"],
        edits.PersonValues(key="ines2", name="Inês Carvalho", side="client", timezone="UTC"),
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert names(app) == ["Dana Whitfield", "Inês Carvalho", "Inês Carvalho", "Jonas Brandt"]
        await pilot.press("j", "j", "l")  # the second Inês, ines2
        form = app.screen
        assert isinstance(form, LogScreen)
        assert form.query_one("#field-attendee_ids", Input).value == "ines2"
        await pilot.press(*"Met the other Inês", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, LogScreen)
    (latest,) = queries.recent_checkins(store, person_id=twin, limit=1)
    assert latest.outcome == "Met the other Inês"
    assert queries.recent_checkins(store, person_id=team["ines"]) == []


async def test_name_completion_in_attendees(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        field = app.screen.query_one("#field-attendee_ids", Input)
        field.value = ""
        field.focus()
        await pilot.press(*"Jon", "right")
        await pilot.press(*", in", "right")
        await pilot.pause()
        assert field.value == "Jonas Brandt, Inês Carvalho"


async def test_logging_from_the_roster_rereads_only_the_people_it_touched(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    """The Roster after a save reads its attendees and step owners, not every check-in."""
    from sqlalchemy import event

    statements: list[str] = []
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "l")  # a one-on-one with Inês
        await pilot.press(*"Lisbon office plans", "tab", "tab", "tab")
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-next_steps", TextArea).text = "Dana: send the org chart"

        def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            await pilot.press("ctrl+s")
            await settle(pilot)
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        names = column(app, 0)
        assert column(app, 5)[names.index("Inês Carvalho")] == "today"
        assert column(app, 7)[names.index("Dana Whitfield")] == "1"  # her new step
    last_contacts = [s for s in statements if "max(checkin.at)" in s]
    assert last_contacts, "the Roster read someone's last contact again"
    assert all("person_id IN" in s for s in last_contacts), last_contacts


# --- what `l` prefills: the meeting just held, or the person's one-on-one ----------------------


def _sample_app(store: Store, now: dt.datetime, start_screen: str) -> object:
    from tui.app import RapportApp

    return RapportApp(store, clock=lambda: now, start_screen=start_screen)


def _cadence_named(store: Store, name: str) -> int:
    with store.read() as session:
        return session.execute(text("SELECT id FROM cadence WHERE name = :n"), {"n": name}).one()[0]


@pytest.mark.parametrize("start_screen", ["today", "decisions", "notes"])
async def test_l_on_a_wednesday_afternoon_is_no_thursday_meeting(
    sample_store: Store, start_screen: str
) -> None:
    """16:00 in Berlin is 10:00 in New York, the sponsor check-in's slot; but it meets on
    Thursdays, and nothing else ended in the last two hours: an ad-hoc call."""
    app = _sample_app(sample_store, dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC), start_screen)
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen  # type: ignore[attr-defined]
        assert isinstance(form, LogScreen)
        assert form.query_one("#field-cadence_id", Select).value is Select.NULL
        assert form.form_title == "Log a check-in"


async def test_l_prefills_the_meeting_under_way_and_says_which(sample_store: Store) -> None:
    """Tuesday 17:30 in Berlin: the weekly status is under way. (08:30 in Los Angeles is the
    fulfilment sync's slot, on Thursdays.)"""
    now = dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC)
    app = _sample_app(sample_store, now, "today")
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen  # type: ignore[attr-defined]
        assert isinstance(form, LogScreen)
        weekly = _cadence_named(sample_store, "Weekly status")
        assert form.query_one("#field-cadence_id", Select).value == weekly
        assert form.form_title == "Log Weekly status, Tue 24 Nov 17:00"
        assert str(form.query_one("#form-title", Static).render()) == form.form_title
        await pilot.press(*"Cutover dates agreed", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, LogScreen)  # type: ignore[attr-defined]
    (latest,) = queries.recent_checkins(sample_store, cadence_id=weekly, limit=1)
    assert (latest.outcome, latest.at) == ("Cutover dates agreed", now)


async def test_l_on_the_roster_logs_the_persons_one_on_one(sample_store: Store) -> None:
    now = dt.datetime(2026, 11, 23, 17, 40, tzinfo=dt.UTC)  # Mon 10:40 in Denver
    eng = sample_store_engagement(sample_store)
    one_on_one = _cadence_named(sample_store, "One-on-one Tyler")
    before = next(c for c in queries.cadences(sample_store, eng, now.date()) if c.id == one_on_one)
    assert before.last_held != now
    with sample_store.read() as session:
        tyler = session.execute(text("SELECT id FROM person WHERE key = 'tyler'")).one()[0]
    app = _sample_app(sample_store, now, "roster")
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        app.screen.focus_record(tyler)  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen  # type: ignore[attr-defined]
        assert isinstance(form, LogScreen)
        assert form.form_title == "Log a one-on-one with Tyler Brooks"
        assert form.query_one("#field-cadence_id", Select).value == one_on_one
        assert "Tyler Brooks" in form.query_one("#field-attendee_ids", Input).value
        await pilot.press(*"Denver warehouse walk-through", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, LogScreen)  # type: ignore[attr-defined]
    after = next(c for c in queries.cadences(sample_store, eng, now.date()) if c.id == one_on_one)
    assert after.last_held == now
    assert after.status == "on track"


def sample_store_engagement(store: Store) -> int:
    with store.read() as session:
        return session.execute(text("SELECT id FROM engagement")).one()[0]
