"""The open app notices what another process wrote, without touching what is being typed."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import column, settle, toasts
from textual.pilot import Pilot
from textual.widgets import TextArea
from textual.worker import WorkerState

from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from tui.screens.log import LogScreen


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


async def test_saving_over_a_change_made_elsewhere_is_refused_and_told(
    make_app: Callable[..., object], db_path: Path, team: dict[str, int]
) -> None:
    from textual.widgets import Input

    from store import edits, queries

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Dana
        app.screen.query_one("#field-role", Input).value = "Sponsor (from the app)"
        other = Store.open(str(db_path))
        dana = next(r for r in queries.roster(other, team["eng"]) if r.key == "dana")
        edits.save_person(
            other, team["eng"],
            edits.PersonValues(key="dana", name="Dana Whitfield", side="client",
                               timezone="America/Denver", role="VP (from the shell)"),
            dana.id, dana.version,
        )  # fmt: skip
        other.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("changed elsewhere" in t for t in toasts(app))
        assert column(app, 2)[0] == "VP (from the shell)"  # reloaded
    store = Store.open(str(db_path))
    assert next(r for r in queries.roster(store, team["eng"]) if r.key == "dana").role == (
        "VP (from the shell)"
    )
    store.close()
