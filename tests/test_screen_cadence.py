"""The Cadence screen: rhythm, last held, next due, and editing a cadence by keys."""

from __future__ import annotations

from collections.abc import Callable

from helpers import column, detail_text, names, settle
from textual.widgets import Input, SelectionList

from store import queries
from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.widgets.form import FormScreen


async def test_cadence_shows_rhythm_last_held_next_due_and_status(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        # 16:00 in Berlin is 08:00 in Denver, before Dana's day starts: the slot is flagged.
        assert names(app) == ["Weekly status ⚠"]
        # Held Tue 17 Nov; the next Tuesday, 24 Nov, is still ahead on Fri 20 Nov.
        assert column(app, 2) == ["weekly on tue"]
        assert column(app, 5) == ["3 days ago"]  # Tue to Fri: three calendar days
        assert column(app, 6) == ["24 Nov"]
        assert column(app, 7) == ["on track"]
        text = detail_text(app)
        assert "16:00 Europe/Berlin, 30 min" in text
        assert "Jonas Brandt\nDana Whitfield" in text
        assert "outside hours for Dana Whitfield on" in text


async def test_new_cadence_with_attendees_ticked_by_keys(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Sponsor", "tab", *"sponsor")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-rhythm", Input).value = "every 2 weeks on thu"
        form.query_one("#field-slot", Input).value = "17:00"
        form.query_one("#field-zone", Input).value = "Europe/Berlin"
        people = form.query_one("#field-attendee_ids", SelectionList)
        people.focus()
        await pilot.press("space", "down", "down", "space")  # Dana, Jonas
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        assert names(app) == ["Sponsor ⚠", "Weekly status ⚠"]  # 17:00 ends Jonas's day
    saved = {row.key: row for row in queries.cadences(store, team["eng"], app.today())}
    assert saved["sponsor"].rhythm == "every 2 weeks on thu"
    assert saved["sponsor"].attendees == ("Dana Whitfield", "Jonas Brandt")
    assert saved["sponsor"].slot is not None and saved["sponsor"].zone == "Europe/Berlin"


async def test_an_unknown_rhythm_and_a_slot_without_zone_are_refused(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Odd", "tab", *"odd")
        form = app.screen
        form.query_one("#field-rhythm", Input).value = "fortnightly"
        await pilot.pause()
        assert "unknown rhythm 'fortnightly'" in str(form.query_one("#error-rhythm").render())
        form.query_one("#field-rhythm", Input).value = "weekly on fri"
        form.query_one("#field-slot", Input).value = "09:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "needs the time zone" in str(form.query_one("#error-zone").render())
    assert [row.key for row in queries.cadences(store, team["eng"], app.today())] == ["weekly"]


async def test_delete_cadence_keeps_its_people(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("delete", "y")
        await settle(pilot)
        assert names(app) == []
        assert "No cadences yet" in str(app.screen.query_one("#empty").render())
    assert queries.cadences(store, team["eng"], app.today()) == []
    assert len(queries.roster(store, team["eng"])) == 3
