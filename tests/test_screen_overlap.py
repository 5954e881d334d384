"""The overlap finder (o) on a cadence and on people marked on the Roster."""

from __future__ import annotations

from collections.abc import Callable

from helpers import names, settle

from store.db import Store
from tui.screens.overlap import OverlapScreen
from tui.screens.roster import RosterScreen


async def test_o_on_a_cadence_lists_ranked_slots_with_who_pays(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OverlapScreen)
        slots = app.screen.slots
        assert slots, "Berlin and Denver share some hours in five working days"
        costs = [slot.minutes_outside for slot in slots]
        assert costs == sorted(costs)
        table = app.screen.query_one("#slots")
        assert table.row_count == len(slots)
        await pilot.press("escape")
        assert not isinstance(app.screen, OverlapScreen)


async def test_marking_people_on_the_roster_then_o(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        await pilot.press("space", "j", "space")  # Dana, Inês
        assert names(app)[:2] == ["● Dana Whitfield", "● Inês Carvalho"]
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OverlapScreen)
        assert app.screen.person_ids == (team["dana"], team["ines"])
        assert "Dana Whitfield, Inês Carvalho" in str(
            app.screen.query_one("#overlap-title").render()
        )
