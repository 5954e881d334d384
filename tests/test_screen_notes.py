"""The Notes screen: what to remember about people, pinned first."""

from __future__ import annotations

from collections.abc import Callable

from helpers import column, names, settle
from textual.widgets import Input, TextArea

from store import queries
from store.db import Store
from tui.screens.notes import NotesScreen


async def test_notes_show_person_pin_follow_up_and_text(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert names(app) == ["Dana Whitfield", "Inês Carvalho"]
        assert column(app, 3) == ["📌", ""]
        assert column(app, 4) == ["13 Oct overdue", ""]
        assert column(app, 5) == ["Runs the Chicago marathon", "Prefers Slack over email"]


async def test_new_note_is_saved_for_the_chosen_person(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        form.query_one("#field-text", TextArea).focus()
        await pilot.press(*"Daughter starts college in Boulder")
        form.query_one("#field-follow_up", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert "Daughter starts college in Boulder" in column(app, 5)
    saved = [n for n in queries.notes(store, team["eng"]) if "Boulder" in n.text]
    assert len(saved) == 1
    assert saved[0].person == "Dana Whitfield"  # first in the picker
    assert str(saved[0].follow_up) == "2026-12-01"
    assert str(saved[0].on) == "2026-11-20"


async def test_an_empty_note_is_refused(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        assert "must not be empty" in str(app.screen.query_one("#error-text").render())
    assert len(queries.notes(store, team["eng"])) == 2


async def test_filter_finds_words_inside_notes(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"slack")
        assert names(app) == ["Inês Carvalho"]
        await pilot.press("enter", "delete", "y")
        await settle(pilot)
        assert names(app) == []
