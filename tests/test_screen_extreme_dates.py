"""Dates out of range: one already in the database still shows; a form refuses a new one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from helpers import names, settle
from sqlalchemy import text
from textual.widgets import Input, Static

from store import queries
from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.screens.today import TodayScreen
from tui.widgets.form import FormScreen


async def test_today_and_the_cadences_show_with_a_kickoff_in_9999(
    make_app: Callable[..., object], sample_store: Store
) -> None:
    with sample_store.write() as session:  # as a writer from before the range check could
        session.execute(text("UPDATE engagement SET kickoff = :k"), {"k": dt.date(9999, 12, 31)})
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "still looking" not in summary and "Looking at" not in summary, summary
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        assert "Daily stand-up" in names(app)


async def test_the_cadence_form_refuses_a_start_in_9999_inline(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#field-since", Input).value = "9999-12-31"
        await pilot.pause()
        error = app.screen.query_one("#error-since", Static)
        assert "9999-12-31 is outside the dates rapport keeps" in str(error.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # still open, nothing saved
    (weekly,) = queries.cadences(store, team["eng"], dt.date(2026, 11, 20))
    assert weekly.since is None
