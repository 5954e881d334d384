"""The open app notices what another process wrote, without touching what is being typed."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import column, settle, settle_failing, toasts
from textual.pilot import Pilot
from textual.widgets import TextArea
from textual.worker import WorkerState

from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from tui.screens.log import LogScreen
from tui.widgets.record_table import RecordTable


async def look_until_changed(app: Any, pilot: Pilot[Any]) -> None:
    """Look as the app's 2 s timer does until it sees the change: on PostgreSQL the
    notification reaches the app's listening connection a moment after the commit."""
    version = app.data_version
    for _ in range(100):
        app.poll_changes()
        await settle(pilot)
        if app.data_version != version:
            return


@pytest.mark.both_backends
async def test_a_check_in_logged_elsewhere_shows_after_the_next_look(
    make_app: Callable[..., object], db_target: str, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert column(app, 5)[1] == "never !"  # Inês
        await pilot.press("j", "l")  # start logging a one-on-one with Inês…
        form = app.screen
        assert isinstance(form, LogScreen)
        await pilot.press(*"half typed")
        # …while `rapport log` in another process records a call with her.
        other = Store.open(db_target)
        log_checkin(other, CheckInDraft(engagement_id=team["eng"], attendee_ids=(team["ines"],),
                                        at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)))  # fmt: skip
        other.close()
        await look_until_changed(app, pilot)
        assert app.screen is form
        assert form.query_one("#field-outcome", TextArea).text == "half typed"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert column(app, 5)[1] == "today"  # 09:00, seen at 10:30


@pytest.mark.both_backends
async def test_nothing_reloads_when_nothing_changed(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        version = app.data_version
        app.poll_changes()
        await settle(pilot)
        assert app.data_version == version


@pytest.mark.both_backends
async def test_a_check_in_logged_here_is_not_reloaded_again_at_the_next_look(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    """The save reloads what it touched; the next look must not take it for another
    process's change and reload every screen once more (at a large engagement, seconds)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        version = app.data_version
        await pilot.press("j", "l", *"all fine", "ctrl+s")
        await settle(pilot)
        assert any(toast.startswith("Logged") for toast in toasts(app))
        assert column(app, 5)[1] != "never !"  # Inês's row reloaded by the save itself
        saved = app.data_version
        assert saved == version + 1
        for _ in range(10):  # on PostgreSQL the own notification arrives a moment later
            app.poll_changes()
            await settle(pilot)
        assert app.data_version == saved


async def test_a_look_still_running_is_left_to_finish_not_replaced(
    make_app: Callable[..., object], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2 s timer may fire while a look (on a slow server) is still running."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        release = threading.Event()
        looks: list[int] = []
        real = app.store.change_token

        def slow_token() -> object:
            looks.append(1)
            release.wait(timeout=10)
            return real()

        monkeypatch.setattr(app.store, "change_token", slow_token)
        app.poll_changes()
        running = app._polling
        app.poll_changes()  # the timer again, before the first look is back
        assert app._polling is running
        release.set()
        await settle(pilot)
        assert running.state == WorkerState.SUCCESS
        assert looks == [1]


def _dana_saved_elsewhere(db_path: Path, team: dict[str, int], role: str) -> None:
    """Another app on the same file saves Dana with a new role."""
    from store import edits, queries

    other = Store.open(str(db_path))
    dana = next(r for r in queries.roster(other, team["eng"]) if r.key == "dana")
    edits.save_person(
        other, team["eng"],
        edits.PersonValues(key="dana", name="Dana Whitfield", side="client",
                           timezone="America/Denver", role=role),
        dana.id, dana.version,
    )  # fmt: skip
    other.close()


def _role_of_dana(db_path: Path, team: dict[str, int]) -> str:
    from store import queries

    store = Store.open(str(db_path))
    role = next(r for r in queries.roster(store, team["eng"]) if r.key == "dana").role
    store.close()
    return role


async def test_a_save_over_a_change_made_elsewhere_keeps_the_typing_and_says_what_changed(
    make_app: Callable[..., object], db_path: Path, team: dict[str, int]
) -> None:
    from textual.widgets import Input, Static

    from tui.widgets.form import FormScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Dana
        form = app.screen
        form.query_one("#field-role", Input).value = "Sponsor (from the app)"
        form.query_one("#field-team", Input).value = "Payments"
        _dana_saved_elsewhere(db_path, team, "VP (from the shell)")
        await pilot.press("ctrl+s")
        await settle_failing(pilot)
        # Refused, and the form is still there with everything typed.
        assert app.screen is form and isinstance(form, FormScreen)
        assert form.query_one("#field-role", Input).value == "Sponsor (from the app)"
        assert form.query_one("#field-team", Input).value == "Payments"
        assert any("changed elsewhere" in t for t in toasts(app))
        told = str(form.query_one("#form-conflict", Static).render())
        assert "Role: now 'VP (from the shell)' (you typed 'Sponsor (from the app)')" in told
        assert "Team" not in told  # changed here only, not elsewhere
        assert "ctrl+s saves yours over it" in told
        assert _role_of_dana(db_path, team) == "VP (from the shell)"
        # The list behind the form shows what the database holds now.
        behind = app.screen_stack[-2].query_one(RecordTable)
        assert str(behind.get_row_at(0)[2]) == "VP (from the shell)"
        await pilot.press("ctrl+s")  # knowingly, over the newer version
        await settle(pilot)
        assert app.screen is not form
        assert column(app, 2)[0] == "Sponsor (from the app)"
    assert _role_of_dana(db_path, team) == "Sponsor (from the app)"


async def test_a_save_over_it_is_refused_again_after_yet_another_change_elsewhere(
    make_app: Callable[..., object], db_path: Path, team: dict[str, int]
) -> None:
    from textual.widgets import Input, Static

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Dana
        form = app.screen
        form.query_one("#field-role", Input).value = "Sponsor (from the app)"
        _dana_saved_elsewhere(db_path, team, "VP (from the shell)")
        await pilot.press("ctrl+s")
        await settle_failing(pilot)
        _dana_saved_elsewhere(db_path, team, "CFO (from a third window)")
        await pilot.press("ctrl+s")
        await settle_failing(pilot)
        assert app.screen is form
        told = str(form.query_one("#form-conflict", Static).render())
        assert "Role: now 'CFO (from a third window)'" in told
    assert _role_of_dana(db_path, team) == "CFO (from a third window)"


async def test_a_form_refused_by_a_change_elsewhere_can_be_cancelled(
    make_app: Callable[..., object], db_path: Path, team: dict[str, int]
) -> None:
    from textual.widgets import Input

    from tui.screens.roster import RosterScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Dana
        app.screen.query_one("#field-role", Input).value = "Sponsor (from the app)"
        _dana_saved_elsewhere(db_path, team, "VP (from the shell)")
        await pilot.press("ctrl+s")
        await settle_failing(pilot)
        await pilot.press("escape", "y")  # discard what was typed
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        assert column(app, 2)[0] == "VP (from the shell)"
    assert _role_of_dana(db_path, team) == "VP (from the shell)"
