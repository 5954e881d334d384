"""App-wide keys: switching screens, help, the palette, engagements, the welcome screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import names, settle
from textual.command import CommandPalette
from textual.widgets import HelpPanel, Input, OptionList

from store import queries
from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.screens.decisions import DecisionsScreen
from tui.screens.notes import NotesScreen
from tui.screens.roster import RosterScreen
from tui.screens.welcome import WelcomeScreen


async def test_number_keys_switch_screens_and_each_keeps_its_state(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        await pilot.press("j", "j")
        for key, screen in (("2", CadenceScreen), ("3", DecisionsScreen), ("4", NotesScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen)
        await pilot.press("1")
        assert isinstance(app.screen, RosterScreen)
        assert app.screen.table.cursor_row == 2  # where we left it
        assert app.title == "Trailhead US"
        assert app.sub_title == "Fri 20 Nov 2026"


async def test_a_screen_out_of_sight_drops_its_painted_lines_and_paints_them_again(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        roster = app.screen
        before = app.export_screenshot()
        assert any(len(widget._styles_cache._cache) for widget in roster.walk_children())
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        kept = {widget: len(widget._styles_cache._cache) for widget in roster.walk_children()}
        assert not any(kept.values()), kept
        await pilot.press("1")
        await settle(pilot)
        assert app.screen is roster
        assert app.export_screenshot() == before
        # A form pushed over a screen keeps the screen's lines: it is painted behind the form.
        await pilot.press("l")
        await settle(pilot)
        assert app.screen is not roster
        assert any(len(widget._styles_cache._cache) for widget in roster.walk_children())


async def test_a_first_visit_styles_the_new_screen_without_restyling_the_whole_app(
    make_app: Callable[..., object], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-parsing every stylesheet and restyling every screen costs tens of milliseconds;
    a screen made for its first visit is styled as it mounts."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        refreshed: list[object] = []
        monkeypatch.setattr(app, "refresh_css", lambda *a, **k: refreshed.append(a))
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        assert refreshed == []
        # …and styled all the same: the table fills the column its CSS gives it.
        table = app.screen.query_one("#records")
        assert table.size.height > 10
        assert app.screen.query_one("#detail-pane").size.width > 0
        # A theme change still restyles everything, this screen included.
        monkeypatch.undo()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await settle(pilot)
        background = app.screen.styles.background
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.styles.background == background


async def test_question_mark_shows_and_hides_the_keys(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)


async def test_palette_runs_a_screen_action_by_name(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to decisions")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)


async def test_edits_on_one_screen_show_on_another(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert names(app) == ["Dana Whitfield", "Inês Carvalho"]
        await pilot.press("1", "delete", "y")  # Dana
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert names(app) == ["Inês Carvalho"]


async def test_switch_engagement_and_create_one(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        options = app.screen.query_one("#engagements", OptionList)
        assert options.option_count == 2  # Trailhead US, New engagement…
        await pilot.press("down", "enter")
        await pilot.press(*"Alpine EU")
        app.screen.query_one("#field-key", Input).value = "alpine"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.title == "Alpine EU"
        assert isinstance(app.screen, RosterScreen)
        assert names(app) == []
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("enter")  # Alpine EU sorts first
        await settle(pilot)
        await pilot.press("E", "down", "enter")
        await settle(pilot)
        assert app.title == "Trailhead US"
        assert len(names(app)) == 3
    assert [e.key for e in queries.engagements(store)] == ["alpine", "trail"]


async def test_empty_database_welcomes_and_opens_the_sample(
    make_app: Callable[..., object], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("enter")  # "Open the sample engagement"
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        assert len(names(app)) >= 14
    (engagement,) = queries.engagements(store)
    assert len(queries.roster(store, engagement.id)) >= 14


async def test_empty_database_can_start_with_a_new_engagement(
    make_app: Callable[..., object], store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter", *"Alpine EU", "tab", *"alpine", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        assert app.title == "Alpine EU"
    assert [e.name for e in queries.engagements(store)] == ["Alpine EU"]


async def test_the_app_opens_on_the_engagement_it_is_given(
    make_app: Callable[..., object], sample_store: Store
) -> None:
    from store import edits

    other = edits.save_engagement(
        sample_store, edits.EngagementValues(key="aaa", name="AAA first by name", client="X")
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        assert app.engagement.id == other  # type: ignore[attr-defined]
        assert names(app) == []
    (sample,) = [e for e in queries.engagements(sample_store) if e.id != other]
    app = make_app(engagement_id=sample.id)
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        assert app.engagement.id == sample.id  # type: ignore[attr-defined]
        assert "Amber Nguyen" in names(app)
