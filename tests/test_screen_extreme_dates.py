"""A kickoff of 9999-12-31 already in the database: Today and the Cadence screen still show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from helpers import names, settle
from sqlalchemy import text
from textual.widgets import Static

from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.screens.today import TodayScreen


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
