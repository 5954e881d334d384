"""Check-in history: open, edit and delete a logged check-in; tick next steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import column, settle, settle_failing, toasts
from textual.widgets import Input, TextArea

from store import queries
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.logparse import NextStepLine
from tui.screens.history import HistoryScreen
from tui.screens.log import LogScreen


@pytest.fixture
def logged(store: Store, team: dict[str, int]) -> int:
    summary = log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], cadence_id=team["weekly"],
            at=dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC),
            attendee_ids=(team["jonas"], team["dana"]), outcome="Scope frozen", mood=3,
            next_steps=(NextStepLine("Send minutes", team["dana"], dt.date(2026, 11, 18)),),
        ),
    )  # fmt: skip
    return summary.checkin_id


async def test_history_lists_check_ins_and_ticks_a_step(
    make_app: Callable[..., object], store: Store, team: dict[str, int], logged: int
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        checkins = app.screen.query_one("#checkins")
        assert checkins.row_count == 2
        assert "Scope frozen" in str(app.screen.query_one("#checkin-detail").render())
        steps = app.screen.query_one("#steps")
        assert [str(c) for c in steps.get_row_at(0)] == [
            "·",
            "Dana Whitfield",
            "18 Nov overdue",
            "Send minutes",
        ]
        steps.focus()
        await pilot.press("x")
        await settle(pilot)
        assert str(steps.get_row_at(0)[0]) == "✓"
        await pilot.press("escape")
        await settle(pilot)
        assert column(app, 0) == ["Weekly status ⚠"]
    assert [s.done for s in queries.steps_of(store, team["eng"], cadence_id=team["weekly"])] == [
        True
    ]


async def test_edit_a_logged_check_in_from_the_persons_history(
    make_app: Callable[..., object], store: Store, team: dict[str, int], logged: int
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")  # Dana
        await settle(pilot)
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, LogScreen)
        assert form.query_one("#field-outcome", TextArea).text == "Scope frozen"
        assert (
            form.query_one("#field-next_steps", TextArea).text == "dana: Send minutes by 2026-11-18"
        )
        form.query_one("#field-outcome", TextArea).text = "Scope frozen for the MVP"
        form.query_one("#field-mood", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert any(t.startswith("Updated Weekly status") for t in toasts(app))
    latest = queries.recent_checkins(store, cadence_id=team["weekly"], limit=1)[0]
    assert (latest.id, latest.outcome, latest.mood) == (logged, "Scope frozen for the MVP", 5)
    assert latest.attendees == ("Jonas Brandt", "Dana Whitfield")


async def test_editing_a_check_in_keeps_its_ticked_step(
    make_app: Callable[..., object], store: Store, team: dict[str, int], logged: int
) -> None:
    (step,) = queries.steps_of(store, team["eng"], cadence_id=team["weekly"])
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        steps = app.screen.query_one("#steps")
        steps.focus()
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#checkins").focus()
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-mood", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert str(app.screen.query_one("#steps").get_row_at(0)[0]) == "✓"
    after = queries.steps_of(store, team["eng"], cadence_id=team["weekly"])
    assert [(s.id, s.text, s.owner_id, s.due, s.done) for s in after] == [
        (step.id, "Send minutes", team["dana"], dt.date(2026, 11, 18), True)
    ]
    assert queries.recent_checkins(store, cadence_id=team["weekly"], limit=1)[0].mood == 5


async def test_delete_a_check_in_asks_first(
    make_app: Callable[..., object], store: Store, team: dict[str, int], logged: int
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("delete", "n")
        await settle(pilot)
        assert app.screen.query_one("#checkins").row_count == 2
        await pilot.press("delete", "y")
        await settle(pilot)
        assert app.screen.query_one("#checkins").row_count == 1
    assert [c.id for c in queries.recent_checkins(store, cadence_id=team["weekly"])] != [logged]
    assert queries.steps_of(store, team["eng"], cadence_id=team["weekly"]) == []


async def test_editing_a_check_in_changed_elsewhere_keeps_the_typing_and_saves_over_it(
    make_app: Callable[..., object],
    store: Store,
    db_path: Path,
    team: dict[str, int],
    logged: int,
) -> None:
    from textual.widgets import Static

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")  # Dana
        await settle(pilot)
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-outcome", TextArea).text = "Scope frozen for the MVP"
        other = Store.open(str(db_path))
        edit = queries.checkin_for_edit(other, logged)
        assert edit is not None
        log_checkin(
            other,
            CheckInDraft(
                engagement_id=team["eng"], cadence_id=team["weekly"], at=edit.at,
                attendee_ids=edit.attendee_ids, outcome="Scope frozen, said the other window",
                mood=3,
            ),
            logged, edit.version,
        )  # fmt: skip
        other.close()
        await pilot.press("ctrl+s")
        await settle_failing(pilot)
        assert app.screen is form
        assert form.query_one("#field-outcome", TextArea).text == "Scope frozen for the MVP"
        told = str(form.query_one("#form-conflict", Static).render())
        assert (
            "Outcome: now 'Scope frozen, said the other window'"
            " (you typed 'Scope frozen for the MVP')"
        ) in told
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
    latest = queries.recent_checkins(store, cadence_id=team["weekly"], limit=1)[0]
    assert (latest.id, latest.outcome) == (logged, "Scope frozen for the MVP")
