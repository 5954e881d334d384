"""KeyBar: the screen's keys on one line, updated as they change, clickable."""

from __future__ import annotations

from collections.abc import Callable

from helpers import settle

from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.widgets.key_bar import KeyBar


def bar_text(app: object) -> str:
    return str(app.screen.query_one(KeyBar).render())  # type: ignore[attr-defined]


async def test_the_bar_shows_each_screens_keys_and_a_click_presses_one(
    make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        roster_keys = bar_text(app)
        assert " n New " in roster_keys and " space Mark " in roster_keys
        assert roster_keys.rstrip().endswith("^p palette")
        await pilot.press("2")
        await settle(pilot)
        cadence_keys = bar_text(app)
        assert " space Mark " not in cadence_keys and " n New " in cadence_keys
        # A click on "1 Roster" goes back to the Roster, as pressing 1 does.
        bar = app.screen.query_one(KeyBar)  # type: ignore[attr-defined]
        start = cadence_keys.index(" 1 Roster ")
        await pilot.click(bar, offset=(start + 2, 0))
        await settle(pilot)
        assert not isinstance(app.screen, CadenceScreen)  # type: ignore[attr-defined]
        assert " space Mark " in bar_text(app)
