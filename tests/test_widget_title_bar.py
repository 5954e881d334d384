"""TitleBar: the engagement and the day, or what the screen narrows to; its icon opens the
command palette."""

from __future__ import annotations

from collections.abc import Callable

from helpers import settle
from textual.command import CommandPalette

from tui.screens.notes import NotesScreen
from tui.widgets.title_bar import ICON_WIDTH, TitleBar


def bar_text(app: object) -> str:
    return str(app.screen.query_one(TitleBar).render())  # type: ignore[attr-defined]


async def test_the_bar_follows_the_screens_subtitle_and_centres_the_title(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        line = bar_text(app)
        assert len(line) == 120
        assert line.startswith(" ⭘ ")
        title = "Trailhead US — Fri 20 Nov 2026"
        assert line.strip(" ⭘") == title
        # Centred between the icon's column and the space kept for a clock, as the Header.
        left = line.index(title) - ICON_WIDTH
        right = 120 - 10 - (line.index(title) + len(title))
        assert abs(left - right) <= 1
        await pilot.press("enter")  # the notes about Dana
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)  # type: ignore[attr-defined]
        assert bar_text(app).strip(" ⭘") == "Trailhead US — about Dana Whitfield"
        await pilot.press("escape")
        await settle(pilot)
        assert "about" not in bar_text(app)


async def test_a_long_title_is_cut_with_an_ellipsis_on_a_narrow_terminal(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(40, 20)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        line = bar_text(app)
        assert len(line) == 40
        assert "…" in line and line.startswith(" ⭘ ")


async def test_a_click_on_the_icon_opens_the_command_palette(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        bar = app.screen.query_one(TitleBar)  # type: ignore[attr-defined]
        await pilot.click(bar, offset=(60, 0))  # the title: nothing happens
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)  # type: ignore[attr-defined]
        await pilot.click(bar, offset=(1, 0))
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)  # type: ignore[attr-defined]
