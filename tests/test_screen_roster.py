"""The Roster, driven by real keys: what the table shows and what the store then holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import detail_text, names, refreshes, settle, toasts
from textual import events
from textual.widgets import Input, Static

from store import queries
from store.db import Store
from tui.screens.log import LogScreen
from tui.screens.notes import NotesScreen
from tui.screens.roster import RosterScreen
from tui.widgets.form import FormScreen
from tui.widgets.record_table import RecordTable


async def test_roster_lists_people_with_local_time_and_last_contact(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        assert names(app) == ["Dana Whitfield", "Inês Carvalho", "Jonas Brandt"]
        table = app.screen.query_one(RecordTable)
        dana = [str(cell) for cell in table.get_row_at(0)]
        # 10:30 UTC on Fri 20 Nov is 03:30 in Denver; last seen at the Tuesday weekly.
        assert dana[1] == "client"
        assert dana[4] == "03:30 Fri"
        assert dana[5] == "3 days ago"  # Tue to Fri: three calendar days
        # Never contacted since the kickoff on 28 Sep: past her 30-day target.
        assert [str(c) for c in table.get_row_at(1)][5] == "never !"


async def test_local_times_move_on_at_each_new_minute(store: Store, team: dict[str, int]) -> None:
    import datetime as dt
    import time

    from tui.app import RapportApp

    # A clock that runs, three seconds before the minute turns.
    start, began = dt.datetime(2026, 11, 20, 10, 30, 57, tzinfo=dt.UTC), time.monotonic()
    app = RapportApp(
        store,
        start_screen="roster",
        clock=lambda: start + dt.timedelta(seconds=time.monotonic() - began),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert "03:30 Fri" in table.render_line(1).text  # Dana, in Denver
        for _ in range(80):  # up to 8 s, for a slow machine
            await pilot.pause(0.1)
            if "03:31 Fri" in table.render_line(1).text:
                break
        assert "03:31 Fri" in table.render_line(1).text


async def test_vi_keys_move_and_the_detail_follows(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert "Dana Whitfield" in detail_text(app)
        await pilot.press("j")
        assert table.cursor_row == 1
        assert "Inês Carvalho" in detail_text(app)
        await pilot.press("G")
        assert table.cursor_row == 2
        assert "Jonas Brandt" in detail_text(app)
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_the_detail_is_drawn_as_the_cursor_moves(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        # What `j` runs, with nothing awaited after it: a detail drawn on RowHighlighted (a
        # message still on its way up) would show Dana here, and Inês a frame later.
        table.action_cursor_down()
        assert "Inês Carvalho" in detail_text(app)


@pytest.mark.parametrize(("width", "layouts"), [(160, [False, False]), (120, [True, True])])
async def test_a_detail_that_fits_the_pane_is_drawn_without_a_layout(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    width: int,
    layouts: list[bool],
) -> None:
    # A layout reflows the whole screen and repaints the scrollbars in two more frames.
    # Dana's and Jonas's details are 18 lines, Inês's 20. Beside the list (160 columns)
    # each fits the pane; under it (120) each is taller than the pane, so the box grows
    # and shrinks with the text and must be laid out.
    from store.models import Person

    with store.write() as session:
        ines = session.get(Person, team["ines"])
        assert ines is not None
        ines.team, ines.email = "Payments", "ines@example.com"
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#detail", Static)
        asked = refreshes(pane)
        laid_out = []
        for shown in ("ines@example.com", "Jonas Brandt"):
            asked.clear()
            await pilot.press("j")
            assert shown in detail_text(app)
            laid_out.append(any(asked))
        assert laid_out == layouts
        # Never shorter than the pane, so a short text leaves the box as it was.
        assert pane.size.height >= pane.parent.scrollable_content_region.height  # type: ignore[union-attr]


async def test_slash_filters_as_you_type_and_escape_clears(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "l", "i", "s")
        assert names(app) == ["Inês Carvalho"]  # matches her zone, Europe/Lisbon
        await pilot.press("backspace", "backspace", "backspace", "c", "l", "i", "e")
        assert names(app) == ["Dana Whitfield"]  # side "client"
        await pilot.press("escape")
        assert names(app) == ["Dana Whitfield", "Inês Carvalho", "Jonas Brandt"]
        assert not app.screen.query_one("#filter", Input).display
        assert app.focused is app.screen.query_one(RecordTable)
        # What `/` searches is held while filtering only, and made again for the next one.
        assert app.screen._haystacks is None
        await pilot.press("slash", "d", "e", "n")
        assert names(app) == ["Dana Whitfield"]  # America/Denver


async def test_keys_typed_in_one_burst_with_slash_all_reach_the_filter(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    """A paste or a fast typist: the terminal hands over "/lis" in one read, so every key is
    queued before "/" has been handled."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, character in (("slash", "/"), ("l", "l"), ("i", "i"), ("s", "s")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "lis"
        assert names(app) == ["Inês Carvalho"]
        # In the filter, "/" is text like any other.
        await pilot.press("slash")
        assert app.screen.query_one("#filter", Input).value == "lis/"
        assert names(app) == []


async def test_enter_and_a_key_in_one_burst_after_a_filter_reach_the_list(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    """ "/lis⏎l" typed fast: enter leaves the filter before "l" is handed on, so "l" logs a
    call with the one person left instead of filtering on "lisl"."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst = (("slash", "/"), ("l", "l"), ("i", "i"), ("s", "s"), ("enter", "\r"), ("l", "l"))
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert isinstance(app.screen, LogScreen)
        assert app.screen.form_title == "Log a one-on-one with Inês Carvalho"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "lis"
        # Outside the filter, enter is still the list's: it opens the person's notes.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)


async def test_new_person_is_saved_and_shown(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, FormScreen)
        await pilot.press(*"Zoë Ward", "tab", *"zoe")
        timezone = app.screen.query_one("#field-timezone", Input)
        timezone.value = "America/Los_Angeles"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        assert "Zoë Ward" in names(app)
    saved = {row.key: row for row in queries.roster(store, team["eng"])}
    assert saved["zoe"].name == "Zoë Ward"
    assert saved["zoe"].timezone == "America/Los_Angeles"
    assert saved["zoe"].side == "ours"


async def test_a_bad_time_zone_is_shown_inline_and_nothing_is_saved(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Zoë Ward", "tab", *"zoe")
        app.screen.query_one("#field-timezone", Input).value = "Europe/Koeln"
        await pilot.pause()
        error = app.screen.query_one("#error-timezone", Static)
        assert "unknown time zone 'Europe/Koeln'" in str(error.render())
        assert error.has_class("-shown")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # still open, nothing saved
        assert app.focused is app.screen.query_one("#field-timezone", Input)
    assert "zoe" not in {row.key for row in queries.roster(store, team["eng"])}


async def test_a_duplicate_key_is_refused_by_the_store(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Another Dana", "tab", *"dana", "ctrl+s")
        await settle(pilot)
        assert any("someone has the key 'dana' already" in t for t in toasts(app))
    assert [r.name for r in queries.roster(store, team["eng"]) if r.key == "dana"] == [
        "Dana Whitfield"
    ]


async def test_edit_changes_the_selected_person(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")
        name = app.screen.query_one("#field-name", Input)
        assert name.value == "Inês Carvalho"
        name.value = "Inês Carvalho Silva"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Inês Carvalho Silva" in names(app)
    rows = {row.key: row for row in queries.roster(store, team["eng"])}
    assert rows["ines"].name == "Inês Carvalho Silva"
    assert rows["ines"].timezone == "Europe/Lisbon"  # untouched fields stay


async def test_typing_after_end_appends_and_spaces_around_a_field_are_not_saved(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "e", "end", *" Silva ")
        name = app.screen.query_one("#field-name", Input)
        assert name.value == "Inês Carvalho Silva "
        await pilot.press("home", *"  ")
        assert name.value == "  Inês Carvalho Silva "
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Inês Carvalho Silva" in names(app)
    rows = {row.key: row for row in queries.roster(store, team["eng"])}
    assert rows["ines"].name == "Inês Carvalho Silva"


async def test_delete_asks_first(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("delete", "n")
        await settle(pilot)
        assert len(names(app)) == 3
        await pilot.press("delete", "y")
        await settle(pilot)
        assert names(app) == ["Inês Carvalho", "Jonas Brandt"]
    assert "dana" not in {row.key for row in queries.roster(store, team["eng"])}


async def test_escape_on_a_changed_form_asks_before_discarding(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Half typed", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")  # keep editing
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
    assert len(queries.roster(store, team["eng"])) == 3


async def test_enter_opens_the_notes_about_that_person(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Dana
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert names(app) == ["Dana Whitfield"]
        await pilot.press("escape")
        assert names(app) == ["Dana Whitfield", "Inês Carvalho"]


async def test_markup_in_a_name_is_shown_literally_and_never_acts(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    hostile = "[@click=app.quit]Mallory[/] \x1b[31m"
    with store.write() as session:
        from store.models import Person

        session.get(Person, team["ines"]).name = hostile
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G")  # "[" sorts after the letters
        assert (
            names(app)[2] == "[@click=app.quit]Mallory[/] \ufffd[31m"
        )  # ESC never reaches the tty
        assert "[@click=app.quit]Mallory[/]" in detail_text(app)
        assert "\x1b" not in detail_text(app)
        await pilot.click("#detail")
        await pilot.pause()
        assert app.is_running


async def test_columns_keep_their_widths_while_a_filter_is_typed(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    """They do not jump from key to key, and no keystroke measures the list again."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        side = next(column for column in table.columns if column.key == "side")
        assert side.shown == len("partner")
        await pilot.press("/", *"dana")
        await settle(pilot)
        assert names(app) == ["Dana Whitfield"]  # only "client" left in the column
        assert side.shown == len("partner")
        await pilot.press("escape")
        await settle(pilot)
        assert side.shown == len("partner")
        assert len(names(app)) == 3


@pytest.mark.both_backends
async def test_the_first_page_is_in_the_first_frame_on_a_file_and_read_aside_on_a_server(
    make_app: Callable[..., object], team: dict[str, int], db_target: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """A local file's first page is a few milliseconds: read before the first frame, the
    screen is painted once, with its rows. A server's round trips stay off the UI thread."""
    import threading

    on_main: list[bool] = []
    fetch_first = RosterScreen.fetch_first

    def recording(screen: RosterScreen) -> object:
        on_main.append(threading.current_thread() is threading.main_thread())
        return fetch_first(screen)

    monkeypatch.setattr(RosterScreen, "fetch_first", recording)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        assert on_main == [not db_target.startswith("postgresql")]
        assert names(app) == ["Dana Whitfield", "Inês Carvalho", "Jonas Brandt"]


async def test_the_first_page_is_a_screenful(
    make_app: Callable[..., object], store: Store, team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from store import edits

    for number in range(60):
        values = edits.PersonValues(
            key=f"p{number:02d}", name=f"Person {number:02d}", side="client", timezone="UTC"
        )
        edits.save_person(store, team["eng"], values)
    pages: list[int] = []
    fetch_first = RosterScreen.fetch_first

    def recording(screen: RosterScreen) -> object:
        page = fetch_first(screen)
        pages.append(len(page or ()))
        return page

    monkeypatch.setattr(RosterScreen, "fetch_first", recording)
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        table = app.screen.query_one(RecordTable)  # type: ignore[attr-defined]
        assert pages == [24]
        assert pages[0] > table.size.height  # more rows than the table shows
        assert len(names(app)) == 63


def test_the_lists_leave_textuals_own_remove_alone() -> None:
    """Widget.remove() is how Textual takes a widget (a screen too) off: a list deleting a
    record under that name would be called, with no row, whenever Textual removes it."""
    from textual.widget import Widget

    from tui.screens.cadence import CadenceScreen
    from tui.screens.decisions import DecisionsScreen

    for screen in (RosterScreen, CadenceScreen, DecisionsScreen, NotesScreen):
        assert screen.remove is Widget.remove, screen.__name__
